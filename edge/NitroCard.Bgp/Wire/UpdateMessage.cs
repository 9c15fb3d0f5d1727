using System.Net;

namespace NitroCard.Bgp.Wire;

/// <summary>UPDATE (RFC 4271 §4.3) for IPv4 unicast.</summary>
/// <param name="Withdrawn">The withdrawn routes.</param>
/// <param name="Attributes">The path attributes (null when the UPDATE only withdraws).</param>
/// <param name="Nlri">The announced prefixes.</param>
public sealed record UpdateMessage(IReadOnlyList<IPNetwork> Withdrawn, PathAttributes? Attributes, IReadOnlyList<IPNetwork> Nlri) : BgpMessage
{
    /// <inheritdoc/>
    public override BgpMessageType Type => BgpMessageType.Update;

    /// <summary>
    /// Errors found in the attributes whose RFC 7606 action is treat-as-withdraw or attribute-discard (in the order found);
    /// a receiver that follows RFC 4271 alone answers the first with its NOTIFICATION instead.
    /// </summary>
    public IReadOnlyList<BgpError> Errors { get; init; } = [];

    /// <summary>Whether RFC 7606 says to treat the announced prefixes as withdrawn.</summary>
    public bool TreatAsWithdraw => Errors.Any(e => e.Action == BgpErrorAction.TreatAsWithdraw);

    /// <summary>Whether this is the End-of-RIB marker for IPv4 unicast (an empty UPDATE, RFC 4724 §2).</summary>
    public bool IsEndOfRib => Withdrawn.Count == 0 && Nlri.Count == 0 && Attributes is null;
}
