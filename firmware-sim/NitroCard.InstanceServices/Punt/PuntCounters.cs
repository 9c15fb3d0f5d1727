namespace NitroCard.InstanceServices.Punt;

/// <summary>Why a punted frame was dropped (each one counted, none thrown).</summary>
public enum PuntDrop
{
    /// <summary>Shorter than its headers say, or than Ethernet + IPv4 + transport.</summary>
    Truncated,

    /// <summary>Not IPv4 (ARP, IPv6, VLAN-tagged...).</summary>
    NotIpv4,

    /// <summary>An IPv4 header that is not one (version, IHL, total length) or a bad header checksum.</summary>
    BadIpHeader,

    /// <summary>A fragment: the services answer whole datagrams only.</summary>
    Fragment,

    /// <summary>A UDP or TCP checksum that does not verify.</summary>
    BadChecksum,

    /// <summary>Source MAC or IP not the ENI's, destination MAC not the service MAC, or a destination that is no service.</summary>
    WrongAddress,

    /// <summary>A protocol or port no service listens on (TCP ones are also answered with RST).</summary>
    NoService,

    /// <summary>Over the per-ENI packet rate.</summary>
    RateLimited,

    /// <summary>A SYN over the per-ENI connection bound (answered with RST).</summary>
    ConnectionLimit,

    /// <summary>A TCP segment for no connection, or out of window (answered with RST or a duplicate ACK).</summary>
    UnexpectedSegment,

    /// <summary>A DNS, NTP or HTTP payload the service could not read.</summary>
    BadRequest,

    /// <summary>The ENI's identity is gone, or its service is off (DNS with enableDnsSupport off, IMDS with httpEndpoint disabled).</summary>
    ServiceOff,
}

/// <summary>The counters of one ENI's punt endpoint. Read from any thread; written by the endpoint's one caller.</summary>
public sealed class PuntCounters
{
    private readonly long[] drops = new long[Enum.GetValues<PuntDrop>().Length];
    private long received;
    private long answered;

    /// <summary>Frames handed to the endpoint.</summary>
    public long Received => Interlocked.Read(ref received);

    /// <summary>Frames the endpoint sent back.</summary>
    public long Answered => Interlocked.Read(ref answered);

    /// <summary>Frames dropped for <paramref name="reason"/>.</summary>
    public long Dropped(PuntDrop reason) => Interlocked.Read(ref drops[(int)reason]);

    /// <summary>Frames dropped for any reason.</summary>
    public long TotalDropped
    {
        get
        {
            long sum = 0;
            for (var i = 0; i < drops.Length; i++)
                sum += Interlocked.Read(ref drops[i]);
            return sum;
        }
    }

    internal void CountReceived() => Interlocked.Increment(ref received);

    internal void CountAnswered(int frames) => Interlocked.Add(ref answered, frames);

    internal void Drop(PuntDrop reason) => Interlocked.Increment(ref drops[(int)reason]);

    /// <inheritdoc />
    public override string ToString()
        => $"received {Received}, answered {Answered}, dropped " + string.Join(", ", Enum.GetValues<PuntDrop>().Where(r => Dropped(r) > 0).Select(r => $"{r} {Dropped(r)}"));
}
