using System.Net;
using NitroCard.Card;
using NitroCard.Card.Filtering;
using NitroCard.Card.Tables;
using NitroCard.Driver;
using NitroCard.Driver.Simulation;
using NitroCard.Model;

namespace NitroCard.Rtl.Tests;

/// <summary>
/// One host's card, loaded with a fixed two-VPC plan that every behaviour test uses. The same
/// tests run against the Verilated RTL ("rtl") and the software model ("model").
/// Blue (VNI 1001) and red (VNI 1002) use the same addresses: isolation by VNI is the point.
/// </summary>
internal sealed class TestHost : IDisposable
{
    public const uint BlueVni = 1001;
    public const uint RedVni = 1002;
    public static readonly IPAddress UnderlayA = IPAddress.Parse("192.0.2.11");
    public static readonly IPAddress UnderlayB = IPAddress.Parse("192.0.2.12");
    public static readonly IPAddress UnderlayC = IPAddress.Parse("192.0.2.13");
    public static readonly IPAddress EdgeIp = IPAddress.Parse("192.0.2.250");
    public static readonly MacAddress UnderlayMacA = MacAddress.Parse("02:4e:c0:00:02:0b");
    public static readonly MacAddress NextHopMac = MacAddress.Parse("02:4e:00:00:00:01");
    public static readonly MacAddress GatewayMac = MacAddress.Parse("02:4e:47:57:00:01");

    // Local ENIs (slot: what).
    public static readonly TestEni BlueA1 = new(0, BlueVni, "10.0.1.10", "02:00:0a:01:01:0a", "10.0.1.0/24");
    public static readonly TestEni BlueA2 = new(1, BlueVni, "10.0.2.20", "02:00:0a:01:02:14", "10.0.2.0/24");
    public static readonly TestEni RedA1 = new(2, RedVni, "10.0.1.10", "02:00:0a:02:01:0a", "10.0.1.0/24");
    public static readonly TestEni BlueA3 = new(3, BlueVni, "10.0.1.12", "02:00:0a:01:01:0c", "10.0.1.0/24");

    // Remote ENIs on host B (slot -1).
    public static readonly TestEni BlueB1 = new(-1, BlueVni, "10.0.1.11", "02:00:0a:01:01:0b", "10.0.1.0/24");
    public static readonly TestEni RedB1 = new(-1, RedVni, "10.0.1.11", "02:00:0a:02:01:0b", "10.0.1.0/24");

    public static readonly TestEni[] Local = [BlueA1, BlueA2, RedA1, BlueA3];

    /// <param name="engine">"rtl" or "model".</param>
    /// <param name="writeMode">How the RTL card's driver stages table writes (the model has no bus).</param>
    public TestHost(string engine, TableWriteMode writeMode = TableWriteMode.Checked)
    {
        Card = engine == "rtl" ? new RtlCardEngine(writeMode) : new ModelCard(CardGeometry.Default);
        Card.Configure(new CardSettings(UnderlayA, UnderlayMacA, NextHopMac, GatewayMac));
        foreach (var eni in Local)
        {
            Card.SetEni(eni.Slot, eni.Entry);
            Card.SetMapping(eni.Mapping(UnderlayA));
        }
        Card.SetMapping(BlueB1.Mapping(UnderlayB));
        Card.SetMapping(RedB1.Mapping(UnderlayB));
        Card.SetEdge(0, new EdgeEntry(BlueVni, EdgeIp));
        // A card with filtering hardware forwards like one without under open filters.
        OpenFilters.Stage(Card, Local.Select(e => e.Slot));
        Card.Commit();
    }

    public ICardEngine Card { get; }

    public RtlCardEngine Rtl => (RtlCardEngine)Card;

    public static TheoryData<string> Engines => new() { "rtl", "model" };

    /// <summary>Pushes one frame from an ENI and runs the card until idle.</summary>
    public Outcome SendFromEni(TestEni eni, byte[] frame) => SendFromSlot(eni.Slot, frame);

    public Outcome SendFromSlot(int slot, byte[] frame)
    {
        Card.PushHost(slot, frame);
        return Run();
    }

    public Outcome SendFromNetwork(byte[] frame)
    {
        Card.PushNetwork(frame);
        return Run();
    }

    /// <summary>The reason of an outcome that is one drop: nothing delivered either way, one alarm.</summary>
    public static DropReason Dropped(Outcome outcome)
    {
        Assert.Empty(outcome.Host);
        Assert.Empty(outcome.Network);
        return Assert.Single(outcome.Alarms).Reason;
    }

    public Outcome Run()
    {
        var cycles = Card.RunUntilIdle();
        return new Outcome(Card.DrainHost(), Card.DrainNetwork(), Card.DrainAlarms(), cycles);
    }

    public void Dispose() => Card.Dispose();
}

internal sealed record Outcome(IReadOnlyList<CardFrame> Host, IReadOnlyList<CardFrame> Network, IReadOnlyList<CardAlarm> Alarms, ulong? Cycles);

internal sealed record TestEni(int Slot, uint Vni, string IpText, string MacText, string SubnetText)
{
    public IPAddress Ip { get; } = IPAddress.Parse(IpText);

    public MacAddress Mac { get; } = MacAddress.Parse(MacText);

    public IPNetwork Subnet { get; } = IPNetwork.Parse(SubnetText);

    public EniEntry Entry => new(Vni, Ip, Mac, Subnet);

    public MappingEntry Mapping(IPAddress underlay) => new(Vni, Ip, underlay, Mac, Slot >= 0 ? Slot : null);
}
