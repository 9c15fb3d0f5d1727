using System.Text.Json;
using NitroCard.Card;

namespace NitroCard.Region;

/// <summary>
/// The JSON shape of a card's alarms and counters in simulation outputs (<c>alarms.jsonl</c>,
/// <c>counters.json</c> of <c>nitroctl simulate</c> and <c>simulate-region</c>): one writer, so
/// both commands name every field the same way.
/// </summary>
public static class CardJson
{
    /// <summary>Writes an alarm's fields (cycle, reason, eni, vni, outerSrc, innerSrc, innerDst) into the open object.</summary>
    public static void WriteAlarmFields(Utf8JsonWriter json, CardAlarm alarm, string? eniId)
    {
        ArgumentNullException.ThrowIfNull(json);
        ArgumentNullException.ThrowIfNull(alarm);
        json.WriteNumber("cycle", alarm.Cycle);
        json.WriteString("reason", alarm.Reason.ToWireName());
        if (eniId is null)
            json.WriteNull("eni");
        else
            json.WriteString("eni", eniId);
        json.WriteNumber("vni", alarm.Vni);
        json.WriteString("outerSrc", alarm.OuterSource.ToString());
        json.WriteString("innerSrc", alarm.InnerSource.ToString());
        json.WriteString("innerDst", alarm.InnerDestination.ToString());
    }

    /// <summary>Writes drops by reason, counters per ENI id and the alarm overflow into the open object.</summary>
    public static void WriteCounterFields(Utf8JsonWriter json, HostCardPlan plan, CardCounters counters)
    {
        ArgumentNullException.ThrowIfNull(json);
        ArgumentNullException.ThrowIfNull(plan);
        ArgumentNullException.ThrowIfNull(counters);
        json.WriteStartObject("drops");
        foreach (var reason in Enum.GetValues<DropReason>())
            json.WriteNumber(reason.ToWireName(), counters[reason]);
        json.WriteEndObject();
        json.WriteStartObject("enis");
        foreach (var eni in plan.Enis)
        {
            var c = counters.Enis[eni.Slot];
            json.WriteStartObject(eni.EniId);
            json.WriteNumber("txPackets", c.TxPackets);
            json.WriteNumber("txBytes", c.TxBytes);
            json.WriteNumber("rxPackets", c.RxPackets);
            json.WriteNumber("rxBytes", c.RxBytes);
            if (counters.Filters.Count > eni.Slot)
            {
                var f = counters.Filters[eni.Slot];
                json.WriteNumber("sgAllowedIn", f.SgAllowedIn);
                json.WriteNumber("sgDeniedIn", f.SgDeniedIn);
                json.WriteNumber("sgAllowedOut", f.SgAllowedOut);
                json.WriteNumber("sgDeniedOut", f.SgDeniedOut);
                json.WriteNumber("conntrackAllowanceExceeded", f.ConntrackAllowanceExceeded);
            }
            json.WriteEndObject();
        }
        json.WriteEndObject();
        json.WriteNumber("alarmOverflow", counters.AlarmOverflow);
    }
}
