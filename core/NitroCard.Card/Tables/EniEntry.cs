using System.Net;

namespace NitroCard.Card.Tables;

/// <summary>An ENI as the card holds it in one slot.</summary>
/// <param name="Vni">The VPC's VXLAN network identifier (24 bits).</param>
/// <param name="Ip">The ENI's private IPv4 address.</param>
/// <param name="Mac">The ENI's MAC.</param>
/// <param name="Subnet">The subnet the ENI is in; its router is the base address + 1.</param>
/// <param name="SourceDestCheck">Enforce that frames from the ENI carry its own IPv4 source.</param>
/// <param name="RouteTable">The subnet's route table in the card's numbering (the index given to <c>SetRouteTables</c>).</param>
/// <param name="Nacl">The subnet's network ACL in the card's numbering (0..NUM_NACL-1).</param>
/// <param name="Resolver">The VPC's Amazon DNS resolver address (the VPC base + 2) the card punts DNS to besides 169.254.169.253 (docs/card-punt.md); null when the VPC has none.</param>
/// <remarks>The security group fields of the ENI table (SG_IN/OUT_BASE/COUNT, UNTRACKED) are the driver's: they follow the slot's security rules.</remarks>
public sealed record EniEntry(uint Vni, IPAddress Ip, MacAddress Mac, IPNetwork Subnet, bool SourceDestCheck = true, int RouteTable = 0, int Nacl = 0, IPAddress? Resolver = null);
