using System.Net;
using NitroCard.Packets;

namespace NitroCard.Card.Tables;

/// <summary>Where a VPC address lives: (VNI, IPv4) → owning host's underlay address and the ENI's MAC.</summary>
/// <param name="Vni">Key: the VPC's VNI.</param>
/// <param name="Ip">Key: the private IPv4 address.</param>
/// <param name="UnderlayIp">Substrate address of the host that owns the address.</param>
/// <param name="Mac">MAC of the owning ENI.</param>
/// <param name="LocalSlot">The ENI slot when the owner is on this card, else null.</param>
public sealed record MappingEntry(uint Vni, IPAddress Ip, IPAddress UnderlayIp, MacAddress Mac, int? LocalSlot = null)
{
    /// <summary>The lookup key.</summary>
    public MappingKey Key => new(Vni, Ipv4Address.ToUInt32(Ip));
}

/// <summary>The mapping table's key: VNI and IPv4 (as a big-endian number).</summary>
public readonly record struct MappingKey(uint Vni, uint Ip)
{
    public override string ToString() => $"vni {Vni} {Ipv4Address.FromUInt32(Ip)}";
}
