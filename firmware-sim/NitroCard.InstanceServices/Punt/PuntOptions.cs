namespace NitroCard.InstanceServices.Punt;

/// <summary>The knobs of the punt endpoints.</summary>
public sealed record PuntOptions
{
    /// <summary>The MAC the answers come from (the subnet gateway MAC the card answers ARP with); 0: not checked on input.</summary>
    public ulong ServiceMac { get; init; } = 0x06_00_A9_FE_A9_FEUL;

    /// <summary>Frames a second each ENI may send to the services: AWS's 1024 packets a second per ENI for link-local services.</summary>
    public double PacketsPerSecond { get; init; } = 1024;

    /// <summary>The bucket depth of <see cref="PacketsPerSecond"/>.</summary>
    public double Burst { get; init; } = 1024;

    /// <summary>Open TCP connections per ENI (a SYN beyond gets RST).</summary>
    public int MaxConnectionsPerEni { get; init; } = 32;

    /// <summary>Our MSS (the segment size also never exceeds the peer's).</summary>
    public int Mss { get; init; } = 1460;

    /// <summary>The receive window offered.</summary>
    public ushort Window { get; init; } = 16384;

    /// <summary>Unconsumed request bytes a connection holds before it is reset.</summary>
    public int MaxReceiveBuffer { get; init; } = 16384;

    /// <summary>A connection without any segment for this long is reset and forgotten.</summary>
    public TimeSpan IdleTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>The first retransmission timeout (doubling each time, RFC 6298's 1 s).</summary>
    public TimeSpan RetransmitTimeout { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>Retransmissions before the connection is reset.</summary>
    public int MaxRetransmits { get; init; } = 5;

    /// <summary>The IP TTL of answers without one of their own.</summary>
    public byte Ttl { get; init; } = 64;
}
