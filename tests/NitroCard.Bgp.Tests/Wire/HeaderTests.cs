using NitroCard.Bgp.Wire;

namespace NitroCard.Bgp.Tests.Wire;

public class HeaderTests
{
    [Fact]
    public void Keepalive_is_the_19_octet_header_of_RFC_4271_section_4_4()
    {
        byte[] wire = BgpCodec.Encode(KeepaliveMessage.Instance);
        Assert.Equal(Bytes.Hex("FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF 0013 04"), wire);
        Assert.IsType<KeepaliveMessage>(BgpCodec.Decode(wire));
    }

    [Fact]
    public void A_marker_that_is_not_all_ones_is_connection_not_synchronized()
    {
        byte[] wire = BgpCodec.Encode(KeepaliveMessage.Instance);
        wire[3] = 0xFE;
        AssertError(wire, BgpErrorCode.MessageHeader, HeaderErrorSubcode.ConnectionNotSynchronized);
    }

    [Theory]
    [InlineData(18)]
    [InlineData(4097)]
    [InlineData(0xFFFF)]
    public void A_length_outside_19_to_4096_is_bad_message_length_with_the_length_as_data(int length)
    {
        byte[] wire = BgpCodec.Encode(KeepaliveMessage.Instance);
        wire[16] = (byte)(length >> 8);
        wire[17] = (byte)length;
        Assert.Equal(19, BgpCodec.FrameLength(wire)); // a reader takes the header only and lets Decode refuse it
        var error = AssertError(wire, BgpErrorCode.MessageHeader, HeaderErrorSubcode.BadMessageLength);
        Assert.Equal(new[] { (byte)(length >> 8), (byte)length }, error.Data.ToArray());
    }

    [Fact]
    public void A_keepalive_with_a_body_is_bad_message_length()
    {
        AssertError(Bytes.Message(BgpMessageType.Keepalive, 0), BgpErrorCode.MessageHeader, HeaderErrorSubcode.BadMessageLength);
    }

    [Theory]
    [InlineData(BgpMessageType.Open, 9)]
    [InlineData(BgpMessageType.Update, 3)]
    [InlineData(BgpMessageType.Notification, 1)]
    public void A_message_shorter_than_its_type_allows_is_bad_message_length(BgpMessageType type, int bodyLength)
    {
        AssertError(Bytes.Message(type, new byte[bodyLength]), BgpErrorCode.MessageHeader, HeaderErrorSubcode.BadMessageLength);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(6)]
    [InlineData(255)]
    public void An_unknown_type_is_bad_message_type_with_the_type_as_data(byte type)
    {
        var error = AssertError(Bytes.Message(type, []), BgpErrorCode.MessageHeader, HeaderErrorSubcode.BadMessageType);
        Assert.Equal(new[] { type }, error.Data.ToArray());
    }

    [Fact]
    public void A_truncated_message_is_bad_message_length()
    {
        byte[] wire = BgpCodec.Encode(OpenMessage.Create(64512, 30, System.Net.IPAddress.Parse("192.0.2.1")));
        AssertError(wire.AsSpan(0, wire.Length - 1).ToArray(), BgpErrorCode.MessageHeader, HeaderErrorSubcode.BadMessageLength);
        AssertError(wire.AsSpan(0, 10).ToArray(), BgpErrorCode.MessageHeader, HeaderErrorSubcode.BadMessageLength);
    }

    [Fact]
    public void Notification_round_trips_with_its_data()
    {
        var notification = new NotificationMessage(BgpErrorCode.OpenMessage, OpenErrorSubcode.UnsupportedVersionNumber, new byte[] { 0, 4 });
        byte[] wire = BgpCodec.Encode(notification);
        Assert.Equal(Bytes.Hex("FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF 0017 03 02 01 0004"), wire);
        var back = Assert.IsType<NotificationMessage>(BgpCodec.Decode(wire));
        Assert.Equal((BgpErrorCode.OpenMessage, OpenErrorSubcode.UnsupportedVersionNumber), (back.Code, back.Subcode));
        Assert.Equal(new byte[] { 0, 4 }, back.Data.ToArray());
    }

    [Fact]
    public void Route_refresh_round_trips_and_any_other_length_is_its_own_error()
    {
        byte[] wire = BgpCodec.Encode(RouteRefreshMessage.Ipv4Unicast);
        Assert.Equal(Bytes.Hex("FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF 0017 05 0001 00 01"), wire);
        Assert.Equal(RouteRefreshMessage.Ipv4Unicast, BgpCodec.Decode(wire));
        AssertError(Bytes.Message(BgpMessageType.RouteRefresh, 0, 1, 0, 1, 0), BgpErrorCode.RouteRefreshMessage, RouteRefreshErrorSubcode.InvalidMessageLength);
        AssertError(Bytes.Message(BgpMessageType.RouteRefresh, 0, 1), BgpErrorCode.RouteRefreshMessage, RouteRefreshErrorSubcode.InvalidMessageLength);
    }

    [Fact]
    public void Random_garbage_never_escapes_as_anything_but_a_protocol_error()
    {
        var random = new Random(4271);
        for (int i = 0; i < 20000; i++)
        {
            byte[] body = new byte[random.Next(0, 80)];
            random.NextBytes(body);
            byte[] wire = Bytes.Message((byte)random.Next(1, 6), body);
            try
            {
                BgpCodec.Decode(wire, fourOctetAs: random.Next(2) == 0);
            }
            catch (BgpProtocolException)
            {
            }
        }
    }

    internal static BgpError AssertError(byte[] wire, BgpErrorCode code, byte subcode, bool fourOctetAs = true)
    {
        var ex = Assert.Throws<BgpProtocolException>(() => BgpCodec.Decode(wire, fourOctetAs));
        Assert.Equal((code, subcode), (ex.Error.Code, ex.Error.Subcode));
        return ex.Error;
    }
}
