using System.Net;

namespace NitroCard.Driver.Tables;

/// <summary>An ENI as the card holds it in one slot.</summary>
/// <param name="Vni">The VPC's VXLAN network identifier (24 bits).</param>
/// <param name="Ip">The ENI's private IPv4 address.</param>
/// <param name="Mac">The ENI's MAC.</param>
/// <param name="Subnet">The subnet the ENI is in; its router is the base address + 1.</param>
/// <param name="SourceDestCheck">Enforce that frames from the ENI carry its own IPv4 source.</param>
public sealed record EniEntry(uint Vni, IPAddress Ip, MacAddress Mac, IPNetwork Subnet, bool SourceDestCheck = true);
