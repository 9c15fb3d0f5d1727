using System.Buffers.Binary;
using System.Net;
using NitroCard.Bgp.Session;
using NitroCard.Bgp.Wire;

namespace NitroCard.Bgp;

/// <summary>The route chosen for a prefix and the neighbor (tunnel) it came from.</summary>
/// <param name="Prefix">The destination.</param>
/// <param name="Attributes">The chosen path.</param>
/// <param name="Neighbor">The neighbor that sent it.</param>
public sealed record PropagatedRoute(IPNetwork Prefix, PathAttributes Attributes, IPAddress Neighbor);

/// <summary>The chosen route of a prefix changed; <paramref name="Route"/> null: no session has the prefix any more.</summary>
/// <param name="Prefix">The destination.</param>
/// <param name="Route">The route now chosen, or null.</param>
public sealed record PropagatedRouteChange(IPNetwork Prefix, PropagatedRoute? Route);

/// <summary>
/// The routes a VPN connection propagates into route tables: the Adj-RIBs-In of its sessions (one per tunnel) merged,
/// one route per prefix chosen by the decision process of RFC 4271 §9.1.2.2 — shortest AS_PATH, lowest ORIGIN, lowest
/// MULTI_EXIT_DISC among routes from the same neighboring AS, lowest peer BGP Identifier, lowest peer address.
/// </summary>
public sealed class PropagatedRoutes
{
    private readonly Lock _gate = new();
    private readonly Dictionary<IPNetwork, Dictionary<IPAddress, Candidate>> _candidates = [];
    private readonly Dictionary<IPNetwork, PropagatedRoute> _chosen = [];

    /// <summary>Raised when the chosen route of a prefix changes (after the change, outside any lock).</summary>
    public event EventHandler<PropagatedRouteChange>? Changed;

    /// <summary>A copy of the chosen routes.</summary>
    public IReadOnlyDictionary<IPNetwork, PropagatedRoute> Routes { get { lock (_gate) { return new Dictionary<IPNetwork, PropagatedRoute>(_chosen); } } }

    /// <summary>Follows a session's learned and withdrawn routes.</summary>
    public void Attach(BgpSession session)
    {
        ArgumentNullException.ThrowIfNull(session);
        var neighbor = session.Options.PeerAddress;
        session.RouteLearned += (_, route) =>
        {
            uint identifier = session.PeerOpen?.BgpIdentifier is { } id ? BinaryPrimitives.ReadUInt32BigEndian(id.GetAddressBytes()) : uint.MaxValue;
            Update(route.Prefix, neighbor, new Candidate(route.Attributes, neighbor, identifier));
        };
        session.RouteWithdrawn += (_, route) => Update(route.Prefix, neighbor, null);
    }

    private void Update(IPNetwork prefix, IPAddress neighbor, Candidate? candidate)
    {
        PropagatedRouteChange? change = null;
        lock (_gate)
        {
            if (!_candidates.TryGetValue(prefix, out var byNeighbor))
            {
                byNeighbor = [];
                _candidates[prefix] = byNeighbor;
            }

            if (candidate is null)
            {
                byNeighbor.Remove(neighbor);
            }
            else
            {
                byNeighbor[neighbor] = candidate;
            }

            PropagatedRoute? now = null;
            if (byNeighbor.Count == 0)
            {
                _candidates.Remove(prefix);
            }
            else
            {
                var best = Choose(byNeighbor.Values);
                now = new PropagatedRoute(prefix, best.Attributes, best.Neighbor);
            }

            _chosen.TryGetValue(prefix, out var before);
            if (!Equals(before, now))
            {
                if (now is null)
                {
                    _chosen.Remove(prefix);
                }
                else
                {
                    _chosen[prefix] = now;
                }

                change = new PropagatedRouteChange(prefix, now);
            }
        }

        if (change is not null)
        {
            Changed?.Invoke(this, change);
        }
    }

    /// <summary>RFC 4271 §9.1.2.2, steps a, b, c, f, g (d and e do not apply: every neighbor is external, no IGP).</summary>
    private static Candidate Choose(IEnumerable<Candidate> all)
    {
        var set = all.ToList();
        int shortest = set.Min(c => c.Attributes.AsPath?.Length ?? 0);
        set = set.Where(c => (c.Attributes.AsPath?.Length ?? 0) == shortest).ToList();
        var origin = set.Min(c => c.Attributes.Origin ?? BgpOrigin.Incomplete);
        set = set.Where(c => (c.Attributes.Origin ?? BgpOrigin.Incomplete) == origin).ToList();
        set = set.Where(c => !set.Any(o => o.Attributes.AsPath?.FirstAs == c.Attributes.AsPath?.FirstAs && Med(o) < Med(c))).ToList();
        return set.OrderBy(c => c.PeerIdentifier)
            .ThenBy(c => BinaryPrimitives.ReadUInt32BigEndian(c.Neighbor.MapToIPv4().GetAddressBytes()))
            .First();
    }

    /// <summary>A missing MULTI_EXIT_DISC counts as the lowest value (§9.1.2.2 c).</summary>
    private static uint Med(Candidate c) => c.Attributes.MultiExitDisc ?? 0;

    private sealed record Candidate(PathAttributes Attributes, IPAddress Neighbor, uint PeerIdentifier);
}
