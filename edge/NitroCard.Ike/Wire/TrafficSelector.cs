using System.Net;
using System.Net.Sockets;

namespace NitroCard.Ike.Wire;

/// <summary>
/// One traffic selector (RFC 7296 §3.13.1): an address range, a port range and an IP protocol (0 = any).
/// Both addresses are of the same family; the type follows from it.
/// </summary>
public sealed record TrafficSelector
{
    public TrafficSelector(IPAddress start, IPAddress end, byte ipProtocol = 0, ushort startPort = 0, ushort endPort = ushort.MaxValue)
    {
        ArgumentNullException.ThrowIfNull(start);
        ArgumentNullException.ThrowIfNull(end);
        if (start.AddressFamily != end.AddressFamily || start.AddressFamily is not (AddressFamily.InterNetwork or AddressFamily.InterNetworkV6))
            throw new ArgumentException("both addresses must be IPv4 or both IPv6", nameof(end));
        Start = start;
        End = end;
        IpProtocol = ipProtocol;
        StartPort = startPort;
        EndPort = endPort;
    }

    public IPAddress Start { get; }

    public IPAddress End { get; }

    public byte IpProtocol { get; }

    public ushort StartPort { get; }

    public ushort EndPort { get; }

    public TrafficSelectorType SelectorType => Start.AddressFamily == AddressFamily.InterNetwork ? TrafficSelectorType.Ipv4AddressRange : TrafficSelectorType.Ipv6AddressRange;

    /// <summary>A whole prefix, any protocol and port (what AWS's VPN uses: 0.0.0.0/0 or the customer's CIDR).</summary>
    public static TrafficSelector FromPrefix(string cidr)
    {
        var network = IPNetwork.Parse(cidr);
        var bytes = network.BaseAddress.GetAddressBytes();
        var end = (byte[])bytes.Clone();
        for (var bit = network.PrefixLength; bit < end.Length * 8; bit++)
            end[bit / 8] |= (byte)(0x80 >> (bit % 8));
        return new TrafficSelector(new IPAddress(bytes), new IPAddress(end));
    }

    /// <summary>True when the ranges are well ordered (start ≤ end for addresses and ports).</summary>
    public bool IsWellFormed => StartPort <= EndPort && Compare(Start, End) <= 0;

    /// <summary>True when every packet this selector matches is matched by <paramref name="outer"/>.</summary>
    public bool IsWithin(TrafficSelector outer)
    {
        ArgumentNullException.ThrowIfNull(outer);
        return Intersect(outer) == this;
    }

    /// <summary>The selector matching what both match (RFC 7296 §2.9 narrowing), or null when they are disjoint.</summary>
    public TrafficSelector? Intersect(TrafficSelector other)
    {
        ArgumentNullException.ThrowIfNull(other);
        if (SelectorType != other.SelectorType)
            return null;
        byte protocol;
        if (IpProtocol == other.IpProtocol || other.IpProtocol == 0)
            protocol = IpProtocol;
        else if (IpProtocol == 0)
            protocol = other.IpProtocol;
        else
            return null;
        var startPort = Math.Max(StartPort, other.StartPort);
        var endPort = Math.Min(EndPort, other.EndPort);
        if (startPort > endPort)
            return null;
        var start = Compare(Start, other.Start) >= 0 ? Start : other.Start;
        var end = Compare(End, other.End) <= 0 ? End : other.End;
        if (Compare(start, end) > 0)
            return null;
        return new TrafficSelector(start, end, protocol, startPort, endPort);
    }

    /// <summary>Address order as unsigned big-endian numbers.</summary>
    internal static int Compare(IPAddress a, IPAddress b) => a.GetAddressBytes().AsSpan().SequenceCompareTo(b.GetAddressBytes());

    public bool Equals(TrafficSelector? other) =>
        other is not null && Start.Equals(other.Start) && End.Equals(other.End) && IpProtocol == other.IpProtocol
        && StartPort == other.StartPort && EndPort == other.EndPort;

    public override int GetHashCode() => HashCode.Combine(Start, End, IpProtocol, StartPort, EndPort);

    public override string ToString()
    {
        var ports = StartPort == 0 && EndPort == ushort.MaxValue ? "" : $"[{StartPort}-{EndPort}]";
        var proto = IpProtocol == 0 ? "" : $"/proto {IpProtocol}";
        return $"{Start}-{End}{proto}{ports}";
    }
}
