namespace NitroCard.Card.Filtering;

/// <summary>
/// The security group rules of one ENI: every allow rule of every group it is in, per direction, with rules
/// that name another group already expanded into /32 rules of the members' addresses.
/// </summary>
public sealed record SecurityRules(IReadOnlyList<FilterRule> Ingress, IReadOnlyList<FilterRule> Egress)
{
    /// <summary>Allow everything both ways (untracked, except ICMP).</summary>
    public static SecurityRules AllowAll { get; } = new([FilterRule.AllTraffic], [FilterRule.AllTraffic]);

    /// <summary>No rule: nothing new is allowed in or out (replies of tracked flows still pass).</summary>
    public static SecurityRules DenyAll { get; } = new([], []);

    /// <summary>AWS's untracked case: an ingress and an egress rule each for all protocols and 0.0.0.0/0 (the ENI table's UNTRACKED).</summary>
    public bool Untracked => Ingress.Any(r => r.IsAllTraffic) && Egress.Any(r => r.IsAllTraffic);

    /// <summary>Ingress plus egress rules: the entries the ENI uses in the shared rule array.</summary>
    public int Count => Ingress.Count + Egress.Count;

    /// <summary>Throws <see cref="CardTableFullException"/> when the set exceeds <paramref name="capacity"/>, <see cref="ArgumentException"/> when a rule does not fit.</summary>
    public void Validate(int capacity, string what)
    {
        if (Count > capacity)
            throw new CardTableFullException($"{what}: {Count} security group rules, but the card's rule array holds {capacity}");
        for (var i = 0; i < Ingress.Count; i++)
            Ingress[i].Validate($"{what} ingress rule {i}");
        for (var i = 0; i < Egress.Count; i++)
            Egress[i].Validate($"{what} egress rule {i}");
    }
}
