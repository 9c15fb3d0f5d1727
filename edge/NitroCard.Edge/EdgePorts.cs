using System.Globalization;

namespace NitroCard.Edge;

/// <summary>The names of the edge's ports (the <c>--from</c> names of <c>nitroctl simulate-region</c>).</summary>
public static class EdgePorts
{
    /// <summary>The substrate side: VXLAN from and to the cards.</summary>
    public const string Substrate = "substrate";

    /// <summary>Plain Ethernet/IPv4 towards the internet (the region's public IPs).</summary>
    public const string Internet = "internet";

    /// <summary>Plain Ethernet/IPv4 towards the AWS services reached by gateway endpoints.</summary>
    public const string Services = "services";

    /// <summary>The prefix of a VPN connection's port: <c>vpn:&lt;vpn id&gt;</c> (Ethernet/IPv4/ESP).</summary>
    public const string VpnPrefix = "vpn:";

    /// <summary>
    /// The prefix of an IKE-keyed VPN connection's inside port: <c>vpn-inside:&lt;vpn id&gt;</c> (Ethernet/IPv4 of the
    /// tunnels' inside addresses — the edge's BGP speaker side: packets the customer gateway sends through a tunnel to
    /// the edge's inside address leave here, packets arriving here go into the tunnel whose inside CIDR holds their destination).
    /// </summary>
    public const string VpnInsidePrefix = "vpn-inside:";

    /// <summary>The prefix of a Direct Connect connection's port: <c>dx:&lt;connection id&gt;</c> (Q-in-Q tagged frames).</summary>
    public const string DirectConnectPrefix = "dx:";

    /// <summary>The MAC the edge sends from on its external ports.</summary>
    public const ulong EdgeMac = 0x02_42_46_45_44_47UL;

    /// <summary>The MAC the edge sends to on its external ports (the internet router, the services fabric, the customer's router).</summary>
    public const ulong PeerMac = 0x02_42_46_50_45_52UL;
}

/// <summary>A frame the edge sends on one of its ports.</summary>
/// <param name="Port">The port (<see cref="EdgePorts"/>).</param>
/// <param name="Data">The frame, without FCS.</param>
public readonly record struct EdgeFrame(string Port, byte[] Data);

/// <summary>Something the edge dropped and alarmed on.</summary>
/// <param name="Reason">The reason (for example <c>spoofed-source</c>, <c>unknown-public-ip</c>).</param>
/// <param name="Port">The port the frame came from.</param>
/// <param name="Vni">The VNI involved, 0 when none.</param>
/// <param name="OuterSource">The outer source address (VXLAN or ESP), or null.</param>
/// <param name="InnerSource">The IPv4 source of the packet at issue, or null.</param>
/// <param name="InnerDestination">The IPv4 destination of the packet at issue, or null.</param>
public sealed record EdgeAlarm(string Reason, string Port, uint Vni, string? OuterSource, string? InnerSource, string? InnerDestination)
{
    /// <summary>The alarm as one line, as the live edge reports it and the simulated demo prints it.</summary>
    public string Describe() =>
        $"{Reason} port {Port} vni {Vni.ToString(CultureInfo.InvariantCulture)} outer-src {OuterSource ?? "-"} inner {InnerSource ?? "-"} -> {InnerDestination ?? "-"}";
}
