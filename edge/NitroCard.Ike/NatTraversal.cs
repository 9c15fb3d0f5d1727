namespace NitroCard.Ike;

/// <summary>What a UDP 4500 datagram carries (RFC 3948 §2).</summary>
public enum Udp4500Kind
{
    /// <summary>Empty, or too short to be anything.</summary>
    Malformed,

    /// <summary>A NAT-keepalive: the single byte 0xFF (RFC 3948 §2.3).</summary>
    Keepalive,

    /// <summary>An IKE message after the 4-byte zero non-ESP marker (RFC 3948 §2.2).</summary>
    Ike,

    /// <summary>An ESP packet (the first four bytes are its non-zero SPI; RFC 3948 §2.1).</summary>
    Esp,
}

/// <summary>Framing of IKE and ESP on UDP port 4500 (RFC 3948, RFC 7296 §2.23).</summary>
public static class NatTraversal
{
    /// <summary>The IKE port.</summary>
    public const int IkePort = 500;

    /// <summary>The NAT traversal port (IKE with the marker, and ESP-in-UDP).</summary>
    public const int NatTPort = 4500;

    /// <summary>Length of the non-ESP marker.</summary>
    public const int MarkerLength = 4;

    /// <summary>The NAT-keepalive payload byte.</summary>
    public const byte KeepaliveByte = 0xFF;

    /// <summary>Classifies a UDP 4500 payload.</summary>
    public static Udp4500Kind Classify(ReadOnlySpan<byte> udpPayload)
    {
        if (udpPayload.Length == 1 && udpPayload[0] == KeepaliveByte)
            return Udp4500Kind.Keepalive;
        if (udpPayload.Length < MarkerLength)
            return Udp4500Kind.Malformed;
        if (udpPayload[..MarkerLength].IndexOfAnyExcept((byte)0) < 0)
            return udpPayload.Length > MarkerLength ? Udp4500Kind.Ike : Udp4500Kind.Malformed;
        return udpPayload.Length >= 8 ? Udp4500Kind.Esp : Udp4500Kind.Malformed;
    }

    /// <summary>The IKE message inside a UDP 4500 payload, or empty when it is not one.</summary>
    public static ReadOnlyMemory<byte> StripMarker(ReadOnlyMemory<byte> udpPayload) =>
        Classify(udpPayload.Span) == Udp4500Kind.Ike ? udpPayload[MarkerLength..] : ReadOnlyMemory<byte>.Empty;

    /// <summary>The UDP 4500 payload carrying <paramref name="ikeMessage"/>: the non-ESP marker, then the message.</summary>
    public static byte[] AddMarker(ReadOnlySpan<byte> ikeMessage) => [0, 0, 0, 0, .. ikeMessage];

    /// <summary>The UDP payload for an IKE message sent from <paramref name="localPort"/>: marked on 4500, bare otherwise.</summary>
    public static byte[] Frame(ReadOnlySpan<byte> ikeMessage, int localPort) => localPort == NatTPort ? AddMarker(ikeMessage) : ikeMessage.ToArray();

    /// <summary>A NAT-keepalive datagram.</summary>
    public static byte[] Keepalive() => [KeepaliveByte];
}
