using NitroCard.Bgp.Wire;

namespace NitroCard.Fuzz.Targets;

/// <summary>
/// BGP messages as a session reads them from its TCP stream: framed by <see cref="BgpCodec.FrameLength"/>, decoded by
/// <see cref="BgpCodec.Decode"/> (4-octet ASNs when the first input byte is odd), and a message that decodes is
/// encoded again. Refusal: <see cref="BgpProtocolException"/> (the NOTIFICATION to send); <see cref="BgpCodec.Encode"/>
/// documents <see cref="ArgumentException"/> itself (and only itself: not its subclasses) for a message too large to send.
/// </summary>
public static class BgpTarget
{
    public static FuzzTarget Target { get; } = new(
        "bgp",
        "BGP-4 (RFC 4271, 6793, 7606) on a TCP stream: BgpCodec.FrameLength, Decode, Encode; refusal: BgpProtocolException",
        Run,
        e => e is BgpProtocolException,
        [1, .. Enumerable.Repeat((byte)0xFF, 16), 0, 19, 9])
    {
        Instrument = ["NitroCard.Bgp.dll"],
    };

    private static Outcome Run(byte[] input)
    {
        if (input.Length == 0)
            return Outcome.Rejected;
        var fourOctetAs = (input[0] & 1) != 0;
        var stream = input.AsSpan(1);
        var messages = 0;
        while (stream.Length >= BgpCodec.HeaderLength)
        {
            var length = Math.Min(BgpCodec.FrameLength(stream), stream.Length);
            var message = BgpCodec.Decode(stream[..length], fourOctetAs);
            stream = stream[length..];
            messages++;
            try
            {
                BgpCodec.Encode(message, fourOctetAs);
            }
            catch (ArgumentException e) when (e.GetType() == typeof(ArgumentException))
            {
                // a message this speaker never sends (too large once re-encoded)
            }
        }
        return messages > 0 ? Outcome.Accepted : Outcome.Rejected;
    }
}
