using System.Collections.Immutable;

namespace NitroCard.Region;

/// <summary>A stateful, allow-only security group.</summary>
/// <param name="Id">Unique security group id.</param>
/// <param name="Ingress">Inbound allow rules.</param>
/// <param name="Egress">Outbound allow rules.</param>
public sealed record SecurityGroup(
    string Id = "",
    ImmutableArray<SecurityGroupRule> Ingress = default,
    ImmutableArray<SecurityGroupRule> Egress = default)
{
    public ImmutableArray<SecurityGroupRule> Ingress { get; init; } = Ingress.IsDefault ? [] : Ingress;

    public ImmutableArray<SecurityGroupRule> Egress { get; init; } = Egress.IsDefault ? [] : Egress;
}
