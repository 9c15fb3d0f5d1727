namespace NitroCard.Card.Filtering;

/// <summary>One numbered network ACL rule: the lowest-numbered matching rule decides.</summary>
/// <param name="RuleNumber">1..32766 as AWS allows; unique per ACL and direction.</param>
/// <param name="Match">What it matches.</param>
/// <param name="Allow">Allow (true) or deny (false).</param>
public sealed record NetworkAclRule(int RuleNumber, FilterRule Match, bool Allow);

/// <summary>A stateless network ACL: ingress and egress rules (any order; the driver sorts them by number), an implicit final deny.</summary>
public sealed record NetworkAcl(IReadOnlyList<NetworkAclRule> Ingress, IReadOnlyList<NetworkAclRule> Egress)
{
    /// <summary>AWS's highest rule number.</summary>
    public const int MaxRuleNumber = 32766;

    /// <summary>The VPC default ACL: allow all traffic, each direction (one rule, number 100).</summary>
    public static NetworkAcl AllowAll { get; } = new([new NetworkAclRule(100, FilterRule.AllTraffic, true)], [new NetworkAclRule(100, FilterRule.AllTraffic, true)]);

    /// <summary>The rules of one direction sorted by rule number, checked against <paramref name="maxRules"/> (NACL_RULES).</summary>
    /// <exception cref="CardTableFullException">More rules than the card holds per ACL and direction.</exception>
    /// <exception cref="ArgumentException">A rule number out of range or used twice, or a rule that does not fit the table.</exception>
    public static NetworkAclRule[] Sorted(IReadOnlyList<NetworkAclRule> rules, int maxRules, string what)
    {
        ArgumentNullException.ThrowIfNull(rules);
        if (rules.Count > maxRules)
            throw new CardTableFullException($"{what}: {rules.Count} rules, but the card holds {maxRules} per ACL and direction");
        var sorted = rules.OrderBy(r => r.RuleNumber).ToArray();
        for (var i = 0; i < sorted.Length; i++)
        {
            var rule = sorted[i];
            if (rule.RuleNumber is < 1 or > MaxRuleNumber)
                throw new ArgumentException($"{what}: rule number {rule.RuleNumber} is not 1..{MaxRuleNumber}");
            if (i > 0 && sorted[i - 1].RuleNumber == rule.RuleNumber)
                throw new ArgumentException($"{what}: rule number {rule.RuleNumber} is used twice");
            rule.Match.Validate($"{what} rule {rule.RuleNumber}");
        }
        return sorted;
    }
}
