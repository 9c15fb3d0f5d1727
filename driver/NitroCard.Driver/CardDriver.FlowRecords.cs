using NitroCard.Card.Tables;
using NitroCard.Driver.Registers;

namespace NitroCard.Driver;

/// <summary>The flow records' registers (docs/card-flow-records.md): per-slot intervals and the overflow count.</summary>
public sealed partial class CardDriver
{
    /// <summary>Sets slot <paramref name="slot"/>'s flow record interval in seconds, 0 = records off (FLOW_INTERVAL, FLOW_SET); at once.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="slot"/> is not a slot of the card.</exception>
    public void SetFlowRecordInterval(int slot, uint seconds)
    {
        TableArguments.Slot(slot, Geometry.EniSlots);
        _bus.Write(RegisterMap.FlowInterval, seconds);
        _bus.Write(RegisterMap.FlowSet, (uint)slot);
    }

    /// <summary>Flow records lost because the record FIFO was full, and untracked packets counted in no count-only entry (FLOW_OVERFLOWS, saturating, since reset).</summary>
    public uint ReadFlowRecordOverflows() => _bus.Read(RegisterMap.FlowOverflows);
}
