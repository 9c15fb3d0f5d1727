using Google.Protobuf;
using NitroCard.Mapping.Grpc;
using P = NitroCard.Mapping.Grpc.Protocol;

namespace NitroCard.Mapping.Protocol.Tests;

/// <summary>
/// <see cref="DeltaCodec.FromMessage"/> on messages the service never writes (found by the delta fuzz target,
/// tools/NitroCard.Fuzz/crashes/delta): a missing or impossible prefix is an <see cref="InvalidDataException"/> naming it,
/// never a NullReference or ArgumentOutOfRange escaping into the firmware agent.
/// </summary>
public class DeltaCodecTests
{
    private static P.Delta Delta() => new() { Host = "host-a", Version = 2, BaseVersion = 1 };

    [Fact]
    public void A_route_without_its_destination_is_invalid_data()
    {
        var m = Delta();
        m.RouteTables = new P.RouteTables();
        m.RouteTables.Tables.Add(new P.RouteTable { Routes = { new P.Route { Kind = 1 } } });
        var e = Assert.Throws<InvalidDataException>(() => DeltaCodec.FromMessage(m));
        Assert.Contains("prefix is missing", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_security_group_rule_or_acl_rule_without_its_prefix_is_invalid_data()
    {
        var filter = Delta();
        filter.SetFilters.Add(new P.EniFilter { Eni = "eni-a1", Ingress = { new P.FilterRule { FromPort = 80, ToPort = 80 } } });
        Assert.Throws<InvalidDataException>(() => DeltaCodec.FromMessage(filter));
        var acl = Delta();
        acl.SetNacls.Add(new P.Nacl { Index = 0, Egress = { new P.NaclRule { RuleNumber = 100, Allow = true } } });
        Assert.Throws<InvalidDataException>(() => DeltaCodec.FromMessage(acl));
    }

    [Theory]
    [InlineData(33u, 0x0A000100u)]
    [InlineData(uint.MaxValue, 0x0A000100u)]
    [InlineData(24u, 0x0A000105u)] // 10.0.1.5/24: bits after the prefix
    public void An_impossible_subnet_is_invalid_data(uint length, uint baseAddress)
    {
        var m = Delta();
        m.SetEnis.Add(new P.Eni { Id = "eni-a1", VpcId = "vpc-a", SubnetId = "subnet-a", Vni = 1001, Ip = 0x0A00010A, Mac = 0x02000A00010A, SubnetBase = baseAddress, SubnetPrefix = length });
        var e = Assert.Throws<InvalidDataException>(() => DeltaCodec.FromMessage(m));
        Assert.Contains("subnet", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(new uint[] { 0xC00002FA, 0 })]
    [InlineData(new uint[] { 0xC00002FA, 0xC00002FA })]
    [InlineData(new uint[] { 1, 2, 3, 4, 5, 6, 7, 8, 9 })]
    public void An_edge_set_the_card_cannot_take_is_invalid_data(uint[] edges)
    {
        var m = Delta();
        m.EdgeSet = new P.EdgeSet { Edges = { edges } };
        var e = Assert.Throws<InvalidDataException>(() => DeltaCodec.FromMessage(m));
        Assert.Contains("edge set", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_edge_set_round_trips_and_its_absence_means_unchanged()
    {
        var delta = DeltaCodec.FromMessage(Delta());
        Assert.Null(delta.EdgeSet);
        var emptied = DeltaCodec.FromMessage(DeltaCodec.ToMessage(delta with { EdgeSet = [] }));
        Assert.Empty(emptied.EdgeSet!.Value);
        var two = DeltaCodec.FromMessage(P.Delta.Parser.ParseFrom(DeltaCodec.ToMessage(delta with { EdgeSet = [System.Net.IPAddress.Parse("192.0.2.251"), System.Net.IPAddress.Parse("192.0.2.250")] }).ToByteArray()));
        Assert.Equal(["192.0.2.251", "192.0.2.250"], two.EdgeSet!.Value.Select(a => a.ToString()));
    }

    [Fact]
    public void A_route_longer_than_32_bits_is_invalid_data()
    {
        var m = Delta();
        m.RouteTables = new P.RouteTables();
        m.RouteTables.Tables.Add(new P.RouteTable { Local = new P.Prefix { Base = 0x0A000000, Length = 40 } });
        Assert.Throws<InvalidDataException>(() => DeltaCodec.FromMessage(m));
    }

    [Fact]
    public void A_well_formed_delta_still_decodes_after_a_wire_round_trip()
    {
        var m = Delta();
        m.SetEnis.Add(new P.Eni { Id = "eni-a1", VpcId = "vpc-a", SubnetId = "subnet-a", Vni = 1001, Ip = 0x0A00010A, Mac = 0x02000A00010A, SubnetBase = 0x0A000100, SubnetPrefix = 24 });
        m.RouteTables = new P.RouteTables();
        m.RouteTables.Tables.Add(new P.RouteTable { Local = new P.Prefix { Base = 0x0A000000, Length = 16 }, Routes = { new P.Route { Destination = new P.Prefix(), Kind = 1 } } });
        var delta = DeltaCodec.FromMessage(P.Delta.Parser.ParseFrom(m.ToByteArray()));
        Assert.Equal("10.0.1.0/24", delta.SetEnis[0].Entry.Subnet.ToString());
        Assert.Equal("0.0.0.0/0", delta.RouteTables!.Value[0].Routes[0].Destination.ToString());
    }
}
