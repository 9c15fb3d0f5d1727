using System.Net;
using System.Net.Sockets;
using NitroCard.Card.Filtering;
using NitroCard.Packets;

namespace NitroCard.Card.Tables;

/// <summary>
/// The checks every engine makes when a table change is staged, in one place so that the P/Invoke driver and the
/// model refuse the same mistakes with the same exception and message: a caller's mistake is an
/// <see cref="ArgumentException"/> (<see cref="ArgumentOutOfRangeException"/> for a number out of range); what the
/// card cannot take for want of hardware is a <see cref="NitroCardException"/>. Messages name the value and stay one line
/// (the parameter's name follows, as the BCL writes it); firmware and tools pass them on as they are.
/// </summary>
public static class TableArguments
{
    /// <summary>The largest VNI (24 bits); 0 is not a VNI.</summary>
    public const uint MaxVni = 0xFF_FFFF;

    /// <summary>Returns <paramref name="slot"/> when the card has it.</summary>
    /// <exception cref="ArgumentOutOfRangeException">Not 0..<paramref name="slots"/> − 1.</exception>
    public static int Slot(int slot, int slots)
        => (uint)slot < (uint)slots ? slot : throw new ArgumentOutOfRangeException(nameof(slot), $"ENI slot {slot} is out of range: the card has {slots} slots");

    /// <summary>Checks an ENI staged into <paramref name="slot"/> (null clears the slot) of a card with <paramref name="slots"/> slots.</summary>
    /// <param name="slot">The slot.</param>
    /// <param name="entry">The ENI, or null.</param>
    /// <param name="slots">The card's ENI slots.</param>
    /// <param name="filter">The card's filtering geometry, null on a card without filtering hardware.</param>
    /// <exception cref="ArgumentException">The slot, VNI, route table or ACL number is out of range, or the address is not IPv4 or not inside its IPv4 subnet.</exception>
    /// <exception cref="NitroCardException">A route table or ACL other than 0 on a card without filtering hardware.</exception>
    public static void Eni(int slot, EniEntry? entry, int slots, FilterGeometry? filter)
    {
        Slot(slot, slots);
        if (entry is null)
            return;
        Vni(entry.Vni);
        Ipv4(entry.Ip, nameof(entry.Ip));
        if (entry.Resolver is not null)
            Ipv4(entry.Resolver, nameof(entry.Resolver));
        if (entry.Subnet.BaseAddress.AddressFamily != AddressFamily.InterNetwork || !entry.Subnet.Contains(entry.Ip))
            throw new ArgumentException($"ENI slot {slot}: {entry.Ip} is not inside its subnet {entry.Subnet}", nameof(entry));
        if ((uint)entry.RouteTable >= RouteTableCompiler.MaxTables)
            throw new ArgumentOutOfRangeException(nameof(entry), $"ENI slot {slot}: route table {entry.RouteTable} is out of range 0..{RouteTableCompiler.MaxTables - 1}");
        if (filter is not null && (uint)entry.Nacl >= (uint)filter.NaclCount)
            throw new ArgumentOutOfRangeException(nameof(entry), $"ENI slot {slot}: network ACL {entry.Nacl} is out of range: the card has {filter.NaclCount} ACLs");
        if (filter is null && (entry.RouteTable != 0 || entry.Nacl != 0))
            throw new NitroCardException($"ENI slot {slot}: route table and network ACL need filtering hardware, which this card does not have");
    }

    /// <summary>Checks a mapping: VNI, IPv4 addresses, a unicast address, a local slot the card has.</summary>
    /// <exception cref="ArgumentException">Any of those is wrong.</exception>
    public static void Mapping(MappingEntry entry, int slots)
    {
        ArgumentNullException.ThrowIfNull(entry);
        Vni(entry.Vni);
        Ipv4(entry.Ip, nameof(entry.Ip));
        Ipv4(entry.UnderlayIp, nameof(entry.UnderlayIp));
        var ip = Ipv4Address.ToUInt32(entry.Ip);
        if (ip == 0 || ip == uint.MaxValue || (ip >> 28) == 0xE)
            throw new ArgumentException($"Invalid mapping address {entry.Ip}: a mapping names one unicast IPv4 address", nameof(entry));
        if (entry.LocalSlot is { } slot)
            Slot(slot, slots);
    }

    /// <summary>Checks an edge entry staged at <paramref name="index"/> (null clears it).</summary>
    /// <exception cref="ArgumentException">The index or VNI is out of range, or the underlay address is not IPv4.</exception>
    public static void Edge(int index, EdgeEntry? entry, int edges)
    {
        if ((uint)index >= (uint)edges)
            throw new ArgumentOutOfRangeException(nameof(index), $"Edge index {index} is out of range: the card has {edges} edge entries");
        if (entry is null)
            return;
        Vni(entry.Vni);
        Ipv4(entry.UnderlayIp, nameof(entry.UnderlayIp));
    }

    /// <summary>Checks a network ACL number against the card's ACL count.</summary>
    /// <exception cref="ArgumentOutOfRangeException">Not 0..NUM_NACL − 1.</exception>
    public static void NetworkAcl(int index, FilterGeometry filter)
    {
        ArgumentNullException.ThrowIfNull(filter);
        if ((uint)index >= (uint)filter.NaclCount)
            throw new ArgumentOutOfRangeException(nameof(index), $"Network ACL {index} is out of range: the card has {filter.NaclCount} ACLs");
    }

    /// <exception cref="ArgumentOutOfRangeException">Not 1..<see cref="MaxVni"/>.</exception>
    public static void Vni(uint vni)
    {
        if (vni is 0 or > MaxVni)
            throw new ArgumentOutOfRangeException(nameof(vni), $"VNI {vni} is out of range 1..{MaxVni}");
    }

    /// <summary>Returns <paramref name="address"/> when it is IPv4.</summary>
    /// <exception cref="ArgumentException">It is not (null: <see cref="ArgumentNullException"/>).</exception>
    public static IPAddress Ipv4(IPAddress address, string what)
    {
        ArgumentNullException.ThrowIfNull(address, what);
        return address.AddressFamily == AddressFamily.InterNetwork ? address : throw new ArgumentException($"{what} {address} is not an IPv4 address", what);
    }
}
