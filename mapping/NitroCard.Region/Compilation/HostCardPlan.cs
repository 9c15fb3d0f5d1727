using System.Collections.Immutable;
using System.Net;
using NitroCard.Card;
using NitroCard.Card.Filtering;
using NitroCard.Card.Tables;

namespace NitroCard.Region;

/// <summary>
/// Everything one host's card is programmed with: exactly the state of the VPCs the host has ENIs in,
/// nothing from any other VPC. Built by <see cref="RegionCompiler.ForHost"/>.
/// </summary>
/// <param name="HostName">The host.</param>
/// <param name="Settings">Card-wide settings.</param>
/// <param name="Vpcs">The VPCs with at least one ENI on the host, in file order.</param>
/// <param name="Enis">The host's ENIs in file order; slot n is element n.</param>
/// <param name="Mappings">Every ENI of every VPC in <see cref="Vpcs"/>; <see cref="MappingEntry.LocalSlot"/> set for the host's own.</param>
/// <param name="Edges">Each VPC in <see cref="Vpcs"/> × each edge of the region.</param>
/// <param name="Geometry">The card geometry the plan was checked against.</param>
/// <param name="Filters">Route tables, network ACLs, security rules and timeouts (docs/card-filtering.md) in the card's numbering.</param>
public sealed record HostCardPlan(
    string HostName,
    CardSettings Settings,
    ImmutableArray<HostVpc> Vpcs,
    ImmutableArray<EniSlot> Enis,
    ImmutableArray<MappingEntry> Mappings,
    ImmutableArray<EdgeEntry> Edges,
    CardGeometry Geometry,
    HostFilterPlan Filters)
{
    /// <summary>
    /// The card's edge set (docs/card-edges.md, <see cref="Card.Tables.EdgeSet"/>): the underlay IPv4s of the edges edge
    /// routes spread over by flow hash — every edge of a region with more than one (in a live region, the healthy ones
    /// the Mapping Service pushes), empty with one edge or none (edge routes go to their own EDGE_IP, the first edge).
    /// </summary>
    public ImmutableArray<IPAddress> EdgeSet { get; init; } = [];

    /// <summary>The public IPv4 address of each mapped ENI that has one (the instance services' DNS view: public names).</summary>
    public ImmutableDictionary<MappingKey, IPAddress> PublicIps { get; init; } = ImmutableDictionary<MappingKey, IPAddress>.Empty;

    /// <summary>The slot of a local ENI, or null when the ENI is not on this host.</summary>
    public int? SlotOf(string eniId)
    {
        foreach (var slot in Enis)
        {
            if (slot.EniId == eniId)
                return slot.Slot;
        }
        return null;
    }

    /// <summary>The human-readable tables (what <c>nitroctl tables</c> prints).</summary>
    public string Describe() => HostCardPlanFormatter.Format(this);
}

/// <summary>A VPC present on a host.</summary>
public sealed record HostVpc(string VpcId, uint Vni);

/// <summary>One ENI slot of a card.</summary>
/// <param name="Slot">The slot number (the host port's <c>tuser</c>).</param>
/// <param name="EniId">The ENI's id.</param>
/// <param name="VpcId">Its VPC.</param>
/// <param name="SubnetId">Its subnet.</param>
/// <param name="Entry">What the ENI table holds.</param>
/// <param name="Services">What the firmware's instance services need of the ENI (identity, zone, VPC DNS attributes).</param>
public sealed record EniSlot(int Slot, string EniId, string VpcId, string SubnetId, EniEntry Entry, EniServiceInfo? Services = null);

/// <summary>
/// The filtering tables of one card: <see cref="EniEntry.RouteTable"/> and <see cref="EniEntry.Nacl"/> of each
/// slot index <see cref="RouteTables"/> and <see cref="Acls"/>.
/// </summary>
/// <param name="RouteTables">Route tables by card number (the VPC CIDR's local route included).</param>
/// <param name="RouteTableIds">The region's id of each (a VPC's implicit table is <c>vpc-id (local only)</c>).</param>
/// <param name="Acls">Network ACLs by card number.</param>
/// <param name="AclIds">The region's id of each (<c>default</c> for the allow-all default ACL).</param>
/// <param name="Security">Security rules by slot (source groups expanded to their members' /32s).</param>
/// <param name="Timeouts">Connection tracking timeouts by slot.</param>
public sealed record HostFilterPlan(
    ImmutableArray<RouteTableSpec> RouteTables,
    ImmutableArray<string> RouteTableIds,
    ImmutableArray<NetworkAcl> Acls,
    ImmutableArray<string> AclIds,
    ImmutableArray<SecurityRules> Security,
    ImmutableArray<ConntrackTimeouts> Timeouts);
