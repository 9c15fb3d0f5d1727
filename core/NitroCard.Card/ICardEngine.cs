using NitroCard.Card.Filtering;
using NitroCard.Card.Tables;

namespace NitroCard.Card;

/// <summary>
/// A card that frames can be pushed through: the Verilated RTL (<c>rtl</c>) or the software
/// Virtual Router (<c>model</c>). Both implement docs/card-semantics.md; the differential test
/// and <c>nitroctl simulate</c> drive them through this interface.
/// Table changes are staged and take effect together at <see cref="Commit"/>. A staging call checks its arguments
/// (<see cref="Tables.TableArguments"/>, the filter specs' own checks) and throws the BCL's
/// <see cref="ArgumentException"/> for a caller's mistake, the same on every engine; a card fault, or a request the
/// card cannot take, is a <see cref="NitroCardException"/> (<see cref="CardTableFullException"/> when a table is full).
/// A refused call stages nothing.
/// </summary>
public interface ICardEngine : IDisposable
{
    /// <summary>"rtl" or "model".</summary>
    string Name { get; }

    CardGeometry Geometry { get; }

    void Configure(CardSettings settings);

    /// <summary>Stages an ENI into a slot, or clears the slot when <paramref name="entry"/> is null.</summary>
    void SetEni(int slot, EniEntry? entry);

    /// <summary>Stages an insert or replacement of the mapping for <see cref="MappingEntry.Key"/>.</summary>
    void SetMapping(MappingEntry entry);

    /// <summary>Stages the removal of a mapping; removing an absent key is an <see cref="ArgumentException"/>.</summary>
    void RemoveMapping(MappingKey key);

    /// <summary>Stages an edge table entry, or clears it when <paramref name="entry"/> is null.</summary>
    void SetEdge(int index, EdgeEntry? entry);

    /// <summary>
    /// Stages the card's whole route set (docs/card-filtering.md): <paramref name="tables"/>[t] is route table t
    /// as <see cref="EniEntry.RouteTable"/> numbers it; null for an unused number. Throws
    /// <see cref="CardTableFullException"/> when the intervals do not fit a route bank, and
    /// <see cref="NitroCardException"/> when <see cref="CardGeometry.Filtering"/> is null (this and the other
    /// filtering calls need filtering hardware).
    /// </summary>
    void SetRouteTables(IReadOnlyList<RouteTableSpec?> tables);

    /// <summary>Stages network ACL <paramref name="index"/> (as <see cref="EniEntry.Nacl"/> numbers it), or clears it.</summary>
    void SetNetworkAcl(int index, NetworkAcl? acl);

    /// <summary>Stages the security group rules of a slot (null: none). UNTRACKED follows from the rules.</summary>
    void SetSecurityRules(int slot, SecurityRules? rules);

    /// <summary>Stages the connection tracking timeouts of a slot.</summary>
    void SetConntrackTimeouts(int slot, ConntrackTimeouts timeouts);

    /// <summary>Applies every staged change at once, as seen by packets.</summary>
    void Commit();

    /// <summary>Sets the card's time base (microseconds), as the host does from its clock.</summary>
    void SetTime(ulong microseconds);

    /// <summary>
    /// Sets the edge set (<see cref="Tables.EdgeSet"/>, docs/card-edges.md): the healthy edges' underlay IPv4s, at most
    /// <see cref="Tables.EdgeSet.Slots"/>; empty sends every edge route to its own EDGE_IP. A register, not a table:
    /// it takes effect for the next packet, without <see cref="Commit"/>.
    /// </summary>
    /// <exception cref="ArgumentException">See <see cref="Tables.EdgeSet.SlotWords"/>; nothing is changed.</exception>
    void SetEdgeSet(IReadOnlyList<System.Net.IPAddress> edges);

    /// <summary>Queues a frame an instance sent from <paramref name="slot"/> (the port's TUSER, 0..255: a slot the card does not hold is the card's to drop).</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="slot"/> is not 0..255.</exception>
    void PushHost(int slot, ReadOnlySpan<byte> frame);

    void PushNetwork(ReadOnlySpan<byte> frame);

    /// <summary>Runs until every pushed frame is processed. Returns the clock cycles that took, or null when the engine has no clock (the model).</summary>
    ulong? RunUntilIdle();

    /// <summary>Frames the card delivered to instances since the last call, in order.</summary>
    IReadOnlyList<CardFrame> DrainHost();

    /// <summary>Frames the card sent to the substrate since the last call, in order.</summary>
    IReadOnlyList<CardFrame> DrainNetwork();

    CardCounters ReadCounters();

    /// <summary>Alarms raised since the last call, oldest first.</summary>
    IReadOnlyList<CardAlarm> DrainAlarms();
}
