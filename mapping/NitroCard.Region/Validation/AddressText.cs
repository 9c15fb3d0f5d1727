using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Net;
using NitroCard.Card;
using NitroCard.Packets;

namespace NitroCard.Region;

/// <summary>An IPv4 prefix as numbers.</summary>
internal readonly record struct Prefix(uint Network, int Length)
{
    public uint Mask => Ipv4Address.Mask(Length);

    public uint Broadcast => Network | ~Mask;

    public bool Contains(uint address) => (address & Mask) == Network;

    public bool Contains(Prefix other) => other.Length >= Length && Contains(other.Network);

    public bool Overlaps(Prefix other) => Contains(other.Network) || other.Contains(Network);

    public IPNetwork ToIPNetwork() => new(Ipv4Address.FromUInt32(Network), Length);

    public override string ToString() => $"{Ipv4Address.FromUInt32(Network)}/{Length}";
}

/// <summary>Strict text forms: dotted-quad IPv4 (no shorthand, no leading zeros), a.b.c.d/n prefixes, MACs.</summary>
internal static class AddressText
{
    public static bool TryParseIpv4([NotNullWhen(true)] string? text, out uint value)
    {
        value = 0;
        if (string.IsNullOrEmpty(text))
            return false;
        var span = text.AsSpan();
        var parts = 0;
        foreach (var range in span.Split('.'))
        {
            var part = span[range];
            if (++parts > 4 || part.Length is 0 or > 3 || (part.Length > 1 && part[0] == '0'))
                return false;
            foreach (var c in part)
            {
                if (!char.IsAsciiDigit(c))
                    return false;
            }
            var octet = int.Parse(part, NumberStyles.None, CultureInfo.InvariantCulture);
            if (octet > 255)
                return false;
            value = (value << 8) | (uint)octet;
        }
        return parts == 4;
    }

    /// <summary>Parses a.b.c.d/n; <paramref name="problem"/> says why not (including host bits set).</summary>
    public static bool TryParsePrefix(string? text, out Prefix prefix, [NotNullWhen(false)] out string? problem)
    {
        prefix = default;
        var slash = text?.IndexOf('/', StringComparison.Ordinal) ?? -1;
        if (text is null || slash < 0
            || !TryParseIpv4(text[..slash], out var address)
            || !TryParsePrefixLength(text.AsSpan(slash + 1), out var length))
        {
            problem = $"{ResourceName.Quote(text)} is not an IPv4 prefix (expected a.b.c.d/n with n 0..32)";
            return false;
        }
        var mask = Ipv4Address.Mask(length);
        if ((address & ~mask) != 0)
        {
            problem = $"{text} has host bits set (the prefix is {Ipv4Address.FromUInt32(address & mask)}/{length})";
            return false;
        }
        prefix = new Prefix(address, length);
        problem = null;
        return true;
    }

    private static bool TryParsePrefixLength(ReadOnlySpan<char> text, out int length)
    {
        length = 0;
        if (text.Length is 0 or > 2 || (text.Length > 1 && text[0] == '0'))
            return false;
        foreach (var c in text)
        {
            if (!char.IsAsciiDigit(c))
                return false;
        }
        length = int.Parse(text, NumberStyles.None, CultureInfo.InvariantCulture);
        return length <= 32;
    }

    /// <summary>Parses a unicast MAC; <paramref name="problem"/> says why not.</summary>
    public static bool TryParseUnicastMac(string? text, out MacAddress mac, [NotNullWhen(false)] out string? problem)
    {
        if (!MacAddress.TryParse(text, out mac))
        {
            problem = $"{ResourceName.Quote(text)} is not a MAC address (expected six hex bytes such as 02:00:0a:00:01:0a)";
            return false;
        }
        if (((mac.Value >> 40) & 1) != 0)
        {
            problem = $"{mac} is a multicast MAC (the low bit of the first byte is set); it must be unicast";
            return false;
        }
        if (mac.Value == 0)
        {
            problem = $"{mac} is not a usable MAC";
            return false;
        }
        problem = null;
        return true;
    }

    public static string Format(uint ipv4) => Ipv4Address.FromUInt32(ipv4).ToString();

    /// <summary>Why <paramref name="ipv4"/> cannot be a node's own address (RFC 6890 special ranges); null when it is unicast.</summary>
    public static string? NonUnicastReason(uint ipv4) => ipv4 switch
    {
        0xFFFF_FFFF => "the limited broadcast address",
        _ when ipv4 >> 24 == 0 => "\"this network\", 0.0.0.0/8",
        _ when ipv4 >> 24 == 127 => "loopback, 127.0.0.0/8",
        _ when ipv4 >> 28 == 0xE => "multicast, 224.0.0.0/4",
        _ when ipv4 >> 28 == 0xF => "reserved, 240.0.0.0/4",
        _ => null,
    };

    /// <summary>
    /// Why <paramref name="ipv4"/> cannot be an Elastic IP: not unicast, or not globally routed. The
    /// documentation ranges (TEST-NET-1..3) stay allowed: the examples and tests use them as public addresses.
    /// </summary>
    public static string? NonPublicReason(uint ipv4) => NonUnicastReason(ipv4) ?? ipv4 switch
    {
        _ when ipv4 >> 24 == 10 || ipv4 >> 20 == 0xAC1 || ipv4 >> 16 == 0xC0A8 => "private, RFC 1918",
        _ when ipv4 >> 22 == (100u << 2 | 1) => "shared address space, 100.64.0.0/10",
        _ when ipv4 >> 16 == 0xA9FE => "link-local, 169.254.0.0/16",
        _ => null,
    };
}
