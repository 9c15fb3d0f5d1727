using System.Net;
using System.Net.Sockets;

namespace NitroCard.Card.Filtering;

/// <summary>
/// What one network ACL or security group rule matches (docs/card-filtering.md, "Rule match"): the remote
/// prefix (ingress: the packet's source, egress: its destination) and a protocol; for TCP/UDP a destination
/// port range, for ICMP a type range and a code range; other protocols match on the number alone.
/// </summary>
/// <param name="Remote">The remote IPv4 prefix.</param>
/// <param name="Protocol">The IP protocol number, or null for every protocol (ports ignored).</param>
/// <param name="FromPort">TCP/UDP: lowest destination port. ICMP: lowest type.</param>
/// <param name="ToPort">TCP/UDP: highest destination port. ICMP: highest type.</param>
/// <param name="FromCode">ICMP: lowest code.</param>
/// <param name="ToCode">ICMP: highest code.</param>
public sealed record FilterRule(IPNetwork Remote, int? Protocol = null, int FromPort = 0, int ToPort = 65535, int FromCode = 0, int ToCode = 65535)
{
    public const int Icmp = 1;
    public const int Tcp = 6;
    public const int Udp = 17;

    /// <summary>Every protocol from or to <paramref name="remote"/>.</summary>
    public static FilterRule All(IPNetwork remote) => new(remote);

    /// <summary>Every protocol from or to anywhere (0.0.0.0/0).</summary>
    public static FilterRule AllTraffic { get; } = new(new IPNetwork(IPAddress.Any, 0));

    public static FilterRule ForTcp(IPNetwork remote, int fromPort, int toPort) => new(remote, Tcp, fromPort, toPort);

    public static FilterRule ForUdp(IPNetwork remote, int fromPort, int toPort) => new(remote, Udp, fromPort, toPort);

    /// <summary>ICMP of a type and code; null means any (AWS's -1).</summary>
    public static FilterRule ForIcmp(IPNetwork remote, int? type = null, int? code = null)
        => new(remote, Icmp, type ?? 0, type ?? 255, code ?? 0, code ?? 255);

    /// <summary>True for protocol all and 0.0.0.0/0 (what makes a security group's flows untracked).</summary>
    public bool IsAllTraffic => Protocol is null && Remote.PrefixLength == 0;

    /// <summary>Throws <see cref="ArgumentException"/> when the rule does not fit the table layout.</summary>
    public void Validate(string what)
    {
        if (Remote.BaseAddress.AddressFamily != AddressFamily.InterNetwork)
            throw new ArgumentException($"{what}: {Remote} is not an IPv4 prefix");
        if (Protocol is { } p && (uint)p > 255)
            throw new ArgumentException($"{what}: protocol {p} is not 0..255");
        if ((uint)FromPort > 65535 || (uint)ToPort > 65535 || (uint)FromCode > 65535 || (uint)ToCode > 65535)
            throw new ArgumentException($"{what}: port, type and code bounds must be 0..65535");
    }
}
