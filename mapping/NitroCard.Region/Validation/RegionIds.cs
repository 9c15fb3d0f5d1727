namespace NitroCard.Region;

/// <summary>
/// The ids a VPC claims in the region's one id space besides its ENIs' (what <see cref="RegionValidator"/> checks for
/// uniqueness): the VPC's own, its subnets', route tables', security groups', network ACLs', flow logs' and edge
/// attachments'. Indexes that must agree with the validator enumerate them here, not by hand.
/// </summary>
public static class RegionIds
{
    /// <summary>Every id of <paramref name="vpc"/> but its ENIs' (absent and empty ids skipped).</summary>
    public static IEnumerable<string> OfVpcHeader(Vpc vpc)
    {
        ArgumentNullException.ThrowIfNull(vpc);
        IEnumerable<string?> ids =
        [
            vpc.Id,
            .. vpc.Subnets.Select(s => s?.Id),
            .. vpc.RouteTables.Select(t => t?.Id),
            .. vpc.SecurityGroups.Select(g => g?.Id),
            .. vpc.NetworkAcls.Select(a => a?.Id),
            .. vpc.FlowLogList.Select(f => f?.Id),
            vpc.InternetGateway?.Id,
            .. vpc.VpnConnections.Select(c => c?.Id),
            .. vpc.DirectConnect.Select(d => d?.Id),
            .. vpc.GatewayEndpoints.Select(e => e?.Id),
        ];
        return ids.Where(id => !string.IsNullOrEmpty(id)).Select(id => id!);
    }
}
