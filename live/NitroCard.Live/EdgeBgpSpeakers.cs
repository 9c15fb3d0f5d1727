using System.Collections.Immutable;
using System.Net;
using NitroCard.Bgp;
using NitroCard.Edge.Vpn;
using NitroCard.Region;

namespace NitroCard.Live;

/// <summary>
/// The edge's BGP side of one BGP VPN connection in a live region: the project's own speaker (edge/NitroCard.Bgp), one
/// per tunnel, on kernel TCP sockets in the edge's namespace <see cref="LiveNames.EdgeBgpNamespace"/> (created there
/// with setns), on the tunnel's edge inside address, peering with the customer's inside address through the tunnel, and
/// advertising the VPC's CIDR. Each session's state and routes are what <see cref="SessionChanged"/> reports; the edge
/// takes them with <see cref="NitroCard.Edge.BlackfootEdge.UpdateBgp"/>.
/// </summary>
public sealed class EdgeBgpSpeakers : IAsyncDisposable
{
    /// <summary>AWS's quota of routes a customer gateway may announce over one session.</summary>
    public const int MaxRoutesPerSession = 100;

    private readonly List<BgpSpeaker> _speakers = [];
    private readonly IPNetwork _vpc;

    public EdgeBgpSpeakers(VpnConnection vpn, string vpcCidr)
    {
        ArgumentNullException.ThrowIfNull(vpn);
        Vpn = vpn;
        VpcCidr = vpcCidr;
        _vpc = IPNetwork.Parse(vpcCidr);
        IgnoredRoutes = new int[vpn.Tunnels.Length];
    }

    public VpnConnection Vpn { get; }

    public string VpcCidr { get; }

    /// <summary>Raised (on a session's thread) with the tunnel's index when its session's state or routes changed.</summary>
    public event EventHandler<int>? SessionChanged;

    /// <summary>Starts one speaker per tunnel; the namespace must hold the edge inside addresses already.</summary>
    public void Start()
    {
        var ns = "/run/netns/" + LiveNames.EdgeBgpNamespace(Vpn.Id);
        for (var i = 0; i < Vpn.Tunnels.Length; i++)
        {
            var (edge, customer) = (Vpn.Tunnels[i].EdgeInsideAddress, Vpn.Tunnels[i].CustomerInsideAddress);
            var speaker = new BgpSpeaker(new BgpSpeakerOptions
            {
                LocalAsn = checked((uint)Vpn.AmazonSideAsn),
                RouterId = edge,
                LocalAddress = edge,
                NetworkNamespace = ns,
                // A tunnel that comes back is retried soon (RFC 4271's 120 s would leave it unused for minutes).
                ConnectRetryTime = TimeSpan.FromSeconds(5),
                IdleHoldTime = TimeSpan.FromSeconds(1),
                // AWS's quota: 100 routes per session; more ends it (Cease, Maximum Number of Prefixes Reached).
                Neighbors = [new BgpNeighbor { Address = customer, PeerAsn = checked((uint)Vpn.CustomerGatewayAsn!.Value), MaxPrefixes = MaxRoutesPerSession }],
            });
            var tunnel = i;
            var session = speaker.Sessions[customer];
            session.StateChanged += (_, _) => SessionChanged?.Invoke(this, tunnel);
            session.RouteLearned += (_, _) => SessionChanged?.Invoke(this, tunnel);
            session.RouteWithdrawn += (_, _) => SessionChanged?.Invoke(this, tunnel);
            speaker.SetAdvertised([IPNetwork.Parse(VpcCidr)]);
            _speakers.Add(speaker);
            speaker.Start();
        }
    }

    /// <summary>
    /// A tunnel's session now: its FSM state (<c>Established</c>, <c>Active</c>…) and the routes it learned, but those
    /// overlapping the VPC's CIDR (its addresses are the VPC's own; the Mapping Service refuses such propagated routes),
    /// which are counted in <see cref="IgnoredRoutes"/>.
    /// </summary>
    public (string State, ImmutableArray<VpnLearnedRoute> Routes) Session(int tunnel)
    {
        var session = _speakers[tunnel].Sessions.Values.Single();
        var learned = session.Routes;
        var taken = learned.Where(r => !Overlaps(r.Key, _vpc)).ToList();
        IgnoredRoutes[tunnel] = learned.Count - taken.Count;
        var routes = taken.Select(r => new VpnLearnedRoute(r.Key.ToString(), r.Value.AsPath?.Length ?? 0));
        return (session.State.ToString(), [.. routes.OrderBy(r => r.Prefix, StringComparer.Ordinal)]);
    }

    /// <summary>Per tunnel: how many of the session's routes were not taken because they overlap the VPC's CIDR.</summary>
    public int[] IgnoredRoutes { get; }

    private static bool Overlaps(IPNetwork a, IPNetwork b) => a.Contains(b.BaseAddress) || b.Contains(a.BaseAddress);

    public async ValueTask DisposeAsync()
    {
        foreach (var speaker in _speakers)
            await speaker.DisposeAsync().ConfigureAwait(false);
    }
}
