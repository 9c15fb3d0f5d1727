using System.Net;
using NitroCard.Bgp.Wire;

namespace NitroCard.Bgp.Tests.Wire;

public class UpdateTests
{
    private static readonly IPNetwork Vpc = IPNetwork.Parse("10.0.0.0/16");
    private static readonly IPNetwork Site = IPNetwork.Parse("192.0.2.0/24");

    private static PathAttributes Attributes(params uint[] path) => new()
    {
        Origin = BgpOrigin.Igp,
        AsPath = AsPath.Sequence(path),
        NextHop = IPAddress.Parse("169.254.10.1"),
    };

    [Fact]
    public void An_announcement_encodes_as_rfc_4271_lays_it_out()
    {
        var update = new UpdateMessage([], Attributes(64512), [Vpc]);
        byte[] wire = BgpCodec.Encode(update);
        Assert.Equal(Bytes.Hex(
            "FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF 002E 02 0000 0014"
            + " 40 01 01 00"                    // ORIGIN IGP
            + " 40 02 06 02 01 0000FC00"        // AS_PATH: AS_SEQUENCE of 64512 (4 octets)
            + " 40 03 04 A9FE0A01"              // NEXT_HOP 169.254.10.1
            + " 10 0A00"), wire);               // 10.0.0.0/16
        var back = Assert.IsType<UpdateMessage>(BgpCodec.Decode(wire));
        Assert.Equal(update.Attributes, back.Attributes);
        Assert.Equal([Vpc], back.Nlri);
        Assert.Empty(back.Errors);
    }

    [Fact]
    public void Every_attribute_round_trips()
    {
        var attributes = new PathAttributes
        {
            Origin = BgpOrigin.Incomplete,
            AsPath = new AsPath([new(AsPathSegmentType.AsSequence, [65000, 4_200_000_000]), new(AsPathSegmentType.AsSet, [65001, 65002])]),
            NextHop = IPAddress.Parse("198.51.100.7"),
            MultiExitDisc = 100,
            LocalPref = 200,
            AtomicAggregate = true,
            Aggregator = new BgpAggregator(65000, IPAddress.Parse("198.51.100.1")),
            Communities = [(65000u << 16) | 1, 0xFFFFFF01],
            Other = [new OpaqueAttributeValue(0xC0, 99, new byte[] { 1, 2, 3 })],
        };
        var update = new UpdateMessage([IPNetwork.Parse("203.0.113.0/25"), IPNetwork.Parse("0.0.0.0/0")], attributes, [Site, IPNetwork.Parse("198.51.100.128/32")]);
        var back = Assert.IsType<UpdateMessage>(BgpCodec.Decode(BgpCodec.Encode(update)));
        Assert.Equal(attributes, back.Attributes);
        Assert.Equal(update.Withdrawn, back.Withdrawn);
        Assert.Equal(update.Nlri, back.Nlri);
        Assert.Equal("65000 4200000000 {65001 65002}", back.Attributes!.AsPath!.ToString());
    }

    [Fact]
    public void Without_four_octet_as_the_path_goes_with_AS_TRANS_and_AS4_PATH_and_comes_back_whole()
    {
        var attributes = Attributes(4_200_000_000, 65000);
        byte[] wire = BgpCodec.Encode(new UpdateMessage([], attributes, [Site]), fourOctetAs: false);
        Assert.True(Contains(wire, Bytes.Hex("40 02 06 02 02 5BA0 FDE8")), "AS_PATH carries AS_TRANS 65000");
        Assert.True(Contains(wire, Bytes.Hex("C0 11 0A 02 02 FA56EA00 0000FDE8")), "AS4_PATH carries the real path");
        var back = Assert.IsType<UpdateMessage>(BgpCodec.Decode(wire, fourOctetAs: false));
        Assert.Equal(attributes.AsPath, back.Attributes!.AsPath);
    }

    [Fact]
    public void A_two_octet_path_that_an_old_speaker_prepended_keeps_its_head_before_AS4_PATH()
    {
        // An old speaker (AS 65010) prepended itself to a path AS_TRANS 65000 whose AS4_PATH says 4200000000 65000.
        byte[] attributes = [.. Bytes.Origin(), 0x40, 2, 8, 2, 3, 0xFE, 0x12, 0x5B, 0xA0, 0xFD, 0xE8, .. Bytes.NextHop("198.51.100.1"), .. Bytes.Hex("C0 11 0A 02 02 FA56EA00 0000FDE8")];
        var update = Assert.IsType<UpdateMessage>(BgpCodec.Decode(Bytes.Update(attributes), fourOctetAs: false));
        Assert.Equal(AsPath.Sequence(65042, 4_200_000_000, 65000).ToString(), update.Attributes!.AsPath!.ToString());
    }

    [Fact]
    public void Withdraw_only_and_end_of_rib_decode()
    {
        var withdraw = Assert.IsType<UpdateMessage>(BgpCodec.Decode(Bytes.Message(BgpMessageType.Update, Bytes.UpdateBody(Bytes.Nlri192, [], []))));
        Assert.Equal([Site], withdraw.Withdrawn);
        Assert.Null(withdraw.Attributes);
        Assert.Empty(withdraw.Errors);
        Assert.True(Assert.IsType<UpdateMessage>(BgpCodec.Decode(Bytes.Message(BgpMessageType.Update, 0, 0, 0, 0))).IsEndOfRib);
    }

    [Fact]
    public void Trailing_bits_of_a_prefix_are_ignored()
    {
        var update = Assert.IsType<UpdateMessage>(BgpCodec.Decode(Bytes.Update(Bytes.ValidAttributes, [23, 192, 0, 3])));
        Assert.Equal(IPNetwork.Parse("192.0.2.0/23"), Assert.Single(update.Nlri));
    }

    [Fact]
    public void Withdrawn_routes_overrunning_the_message_are_a_malformed_attribute_list()
    {
        HeaderTests.AssertError(Bytes.Message(BgpMessageType.Update, 0, 9, 24, 192, 0, 2, 0, 0), BgpErrorCode.UpdateMessage, UpdateErrorSubcode.MalformedAttributeList);
    }

    [Fact]
    public void A_total_attribute_length_overrunning_the_message_is_a_malformed_attribute_list()
    {
        HeaderTests.AssertError(Bytes.Message(BgpMessageType.Update, [0, 0, 0, 40, .. Bytes.ValidAttributes]), BgpErrorCode.UpdateMessage, UpdateErrorSubcode.MalformedAttributeList);
    }

    [Theory]
    [InlineData(new byte[] { 33, 10, 0, 0, 0, 0 })]
    [InlineData(new byte[] { 24, 192, 0 })]
    public void A_bad_prefix_is_an_invalid_network_field(byte[] nlri)
    {
        HeaderTests.AssertError(Bytes.Update(Bytes.ValidAttributes, nlri), BgpErrorCode.UpdateMessage, UpdateErrorSubcode.InvalidNetworkField);
        HeaderTests.AssertError(Bytes.Update([], [], nlri), BgpErrorCode.UpdateMessage, UpdateErrorSubcode.InvalidNetworkField);
    }

    [Fact]
    public void An_unrecognized_well_known_attribute_resets_the_session()
    {
        var error = HeaderTests.AssertError(Bytes.Update([.. Bytes.ValidAttributes, 0x40, 99, 1, 7]), BgpErrorCode.UpdateMessage, UpdateErrorSubcode.UnrecognizedWellKnownAttribute);
        Assert.Equal(new byte[] { 0x40, 99, 1, 7 }, error.Data.ToArray());
    }

    public static TheoryData<string, byte[], byte, BgpErrorAction> AttributeErrors => new()
    {
        { "ORIGIN missing", [.. Bytes.AsPath4(65000), .. Bytes.NextHop("198.51.100.1")], UpdateErrorSubcode.MissingWellKnownAttribute, BgpErrorAction.TreatAsWithdraw },
        { "AS_PATH missing", [.. Bytes.Origin(), .. Bytes.NextHop("198.51.100.1")], UpdateErrorSubcode.MissingWellKnownAttribute, BgpErrorAction.TreatAsWithdraw },
        { "NEXT_HOP missing", [.. Bytes.Origin(), .. Bytes.AsPath4(65000)], UpdateErrorSubcode.MissingWellKnownAttribute, BgpErrorAction.TreatAsWithdraw },
        { "ORIGIN 3", [.. Bytes.Origin(3), .. Bytes.AsPath4(65000), .. Bytes.NextHop("198.51.100.1")], UpdateErrorSubcode.InvalidOriginAttribute, BgpErrorAction.TreatAsWithdraw },
        { "ORIGIN of 2 octets", [0x40, 1, 2, 0, 0, .. Bytes.AsPath4(65000), .. Bytes.NextHop("198.51.100.1")], UpdateErrorSubcode.AttributeLengthError, BgpErrorAction.TreatAsWithdraw },
        { "ORIGIN marked optional", [0xC0, 1, 1, 0, .. Bytes.AsPath4(65000), .. Bytes.NextHop("198.51.100.1")], UpdateErrorSubcode.AttributeFlagsError, BgpErrorAction.TreatAsWithdraw },
        { "NEXT_HOP 0.0.0.0", [.. Bytes.Origin(), .. Bytes.AsPath4(65000), .. Bytes.NextHop("0.0.0.0")], UpdateErrorSubcode.InvalidNextHopAttribute, BgpErrorAction.TreatAsWithdraw },
        { "NEXT_HOP multicast", [.. Bytes.Origin(), .. Bytes.AsPath4(65000), .. Bytes.NextHop("224.0.0.5")], UpdateErrorSubcode.InvalidNextHopAttribute, BgpErrorAction.TreatAsWithdraw },
        { "NEXT_HOP of 3 octets", [.. Bytes.Origin(), .. Bytes.AsPath4(65000), 0x40, 3, 3, 1, 2, 3], UpdateErrorSubcode.AttributeLengthError, BgpErrorAction.TreatAsWithdraw },
        { "AS_PATH segment type 7", [.. Bytes.Origin(), 0x40, 2, 6, 7, 1, 0, 0, 0xFD, 0xE8, .. Bytes.NextHop("198.51.100.1")], UpdateErrorSubcode.MalformedAsPath, BgpErrorAction.TreatAsWithdraw },
        { "AS_PATH segment overruns", [.. Bytes.Origin(), 0x40, 2, 6, 2, 2, 0, 0, 0xFD, 0xE8, .. Bytes.NextHop("198.51.100.1")], UpdateErrorSubcode.MalformedAsPath, BgpErrorAction.TreatAsWithdraw },
        { "AS_PATH empty segment", [.. Bytes.Origin(), 0x40, 2, 2, 2, 0, .. Bytes.NextHop("198.51.100.1")], UpdateErrorSubcode.MalformedAsPath, BgpErrorAction.TreatAsWithdraw },
        { "MED of 2 octets", [.. Bytes.ValidAttributes, 0x80, 4, 2, 0, 1], UpdateErrorSubcode.AttributeLengthError, BgpErrorAction.TreatAsWithdraw },
        { "MED marked transitive", [.. Bytes.ValidAttributes, 0xC0, 4, 4, 0, 0, 0, 1], UpdateErrorSubcode.AttributeFlagsError, BgpErrorAction.TreatAsWithdraw },
        { "COMMUNITIES of 3 octets", [.. Bytes.ValidAttributes, 0xC0, 8, 3, 0, 0, 1], UpdateErrorSubcode.AttributeLengthError, BgpErrorAction.TreatAsWithdraw },
        { "ATOMIC_AGGREGATE with a value", [.. Bytes.ValidAttributes, 0x40, 6, 1, 0], UpdateErrorSubcode.AttributeLengthError, BgpErrorAction.AttributeDiscard },
        { "AGGREGATOR of 5 octets", [.. Bytes.ValidAttributes, 0xC0, 7, 5, 0, 0, 0, 0, 0], UpdateErrorSubcode.AttributeLengthError, BgpErrorAction.AttributeDiscard },
        { "ORIGIN twice", [.. Bytes.ValidAttributes, .. Bytes.Origin(1)], UpdateErrorSubcode.MalformedAttributeList, BgpErrorAction.AttributeDiscard },
        { "attribute overruns the list", [.. Bytes.ValidAttributes, 0x80, 4, 9, 0, 0, 0, 1], UpdateErrorSubcode.MalformedAttributeList, BgpErrorAction.TreatAsWithdraw },
        { "attribute header truncated", [.. Bytes.ValidAttributes, 0x80, 4], UpdateErrorSubcode.MalformedAttributeList, BgpErrorAction.TreatAsWithdraw },
    };

    [Theory]
    [MemberData(nameof(AttributeErrors))]
    public void Attribute_errors_carry_the_rfc_4271_subcode_and_the_rfc_7606_action(string what, byte[] attributes, byte subcode, BgpErrorAction action)
    {
        var update = Assert.IsType<UpdateMessage>(BgpCodec.Decode(Bytes.Update(attributes)));
        var error = update.Errors[0];
        Assert.True((BgpErrorCode.UpdateMessage, subcode, action) == (error.Code, error.Subcode, error.Action), $"{what}: got {error} ({error.Action})");
        Assert.Equal([Site], update.Nlri);
    }

    [Fact]
    public void A_missing_attribute_names_its_type_in_the_data()
    {
        var update = Assert.IsType<UpdateMessage>(BgpCodec.Decode(Bytes.Update([.. Bytes.Origin(), .. Bytes.AsPath4(65000)])));
        Assert.Equal(new[] { AttributeType.NextHop }, update.Errors.Single().Data.ToArray());
        Assert.True(update.TreatAsWithdraw);
    }

    [Fact]
    public void A_withdraw_only_update_needs_no_mandatory_attributes()
    {
        var update = Assert.IsType<UpdateMessage>(BgpCodec.Decode(Bytes.Update([.. Bytes.Origin()], nlri: [], withdrawn: Bytes.Nlri192)));
        Assert.Empty(update.Errors);
    }

    [Fact]
    public void An_update_larger_than_4096_octets_is_refused_by_the_encoder()
    {
        var many = Enumerable.Range(0, 1200).Select(i => new IPNetwork(new IPAddress(new byte[] { 10, (byte)(i >> 8), (byte)i, 0 }), 24)).ToList();
        Assert.Throws<ArgumentException>(() => BgpCodec.Encode(new UpdateMessage([], Attributes(64512), many)));
    }

    private static bool Contains(byte[] haystack, byte[] needle) => haystack.AsSpan().IndexOf(needle) >= 0;
}
