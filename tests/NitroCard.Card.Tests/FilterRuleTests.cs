using System.Net;
using NitroCard.Card.Filtering;

namespace NitroCard.Card.Tests;

/// <summary>What a rule matches as docs/card-filtering.md ("Rule match") and AWS define it, and the limits the tables impose.</summary>
public class FilterRuleTests
{
    private static readonly IPNetwork Anywhere = IPNetwork.Parse("0.0.0.0/0");

    [Fact]
    public void Icmp_any_type_or_code_is_the_whole_byte_range()
    {
        var any = FilterRule.ForIcmp(Anywhere);
        Assert.Equal((FilterRule.Icmp, 0, 255, 0, 255), (any.Protocol, any.FromPort, any.ToPort, any.FromCode, any.ToCode));
        var echo = FilterRule.ForIcmp(Anywhere, 8);
        Assert.Equal((8, 8, 0, 255), (echo.FromPort, echo.ToPort, echo.FromCode, echo.ToCode));
    }

    [Fact]
    public void Only_every_protocol_from_anywhere_makes_a_group_untracked()
    {
        Assert.True(FilterRule.AllTraffic.IsAllTraffic);
        Assert.False(FilterRule.All(IPNetwork.Parse("10.0.0.0/8")).IsAllTraffic);
        Assert.False(FilterRule.ForTcp(Anywhere, 0, 65535).IsAllTraffic);
        Assert.True(SecurityRules.AllowAll.Untracked);
        Assert.False(new SecurityRules([FilterRule.AllTraffic], [FilterRule.ForTcp(Anywhere, 443, 443)]).Untracked);
        Assert.False(SecurityRules.DenyAll.Untracked);
    }

    [Fact]
    public void Rules_that_do_not_fit_the_table_are_refused_naming_the_rule()
    {
        Assert.Equal("sg-1 ingress rule 0: protocol 256 is not 0..255",
            Assert.Throws<ArgumentException>(() => new SecurityRules([new FilterRule(Anywhere, 256)], []).Validate(10, "sg-1")).Message);
        Assert.Equal("sg-1 egress rule 1: port, type and code bounds must be 0..65535",
            Assert.Throws<ArgumentException>(() => new SecurityRules([], [FilterRule.AllTraffic, FilterRule.ForUdp(Anywhere, 0, 70000)]).Validate(10, "sg-1")).Message);
        Assert.Equal("sg-1: 3 security group rules, but the card's rule array holds 2",
            Assert.Throws<CardTableFullException>(() => new SecurityRules([FilterRule.AllTraffic, FilterRule.AllTraffic], [FilterRule.AllTraffic]).Validate(2, "sg-1")).Message);
        Assert.Contains("is not an IPv4 prefix", Assert.Throws<ArgumentException>(() => FilterRule.All(IPNetwork.Parse("2001:db8::/32")).Validate("r")).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Acl_rules_are_sorted_by_number_and_numbers_are_unique_and_in_range()
    {
        var sorted = NetworkAcl.Sorted([new NetworkAclRule(200, FilterRule.AllTraffic, false), new NetworkAclRule(100, FilterRule.AllTraffic, true)], 40, "acl-1 ingress");
        Assert.Equal([100, 200], sorted.Select(r => r.RuleNumber));
        Assert.Equal("acl-1 ingress: rule number 100 is used twice",
            Assert.Throws<ArgumentException>(() => NetworkAcl.Sorted([new NetworkAclRule(100, FilterRule.AllTraffic, true), new NetworkAclRule(100, FilterRule.AllTraffic, false)], 40, "acl-1 ingress")).Message);
        Assert.Equal("acl-1 ingress: rule number 32767 is not 1..32766",
            Assert.Throws<ArgumentException>(() => NetworkAcl.Sorted([new NetworkAclRule(32767, FilterRule.AllTraffic, true)], 40, "acl-1 ingress")).Message);
        Assert.Equal("acl-1 ingress: 2 rules, but the card holds 1 per ACL and direction",
            Assert.Throws<CardTableFullException>(() => NetworkAcl.Sorted([new NetworkAclRule(1, FilterRule.AllTraffic, true), new NetworkAclRule(2, FilterRule.AllTraffic, true)], 1, "acl-1 ingress")).Message);
    }
}
