using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace NitroCard.InstanceServices.Identity;

/// <summary>
/// EC2's DNS hostname rules. Private IP names are <c>ip-a-b-c-d.ec2.internal</c> in us-east-1 and
/// <c>ip-a-b-c-d.REGION.compute.internal</c> elsewhere; public names are <c>ec2-a-b-c-d.compute-1.amazonaws.com</c>
/// in us-east-1 and <c>ec2-a-b-c-d.REGION.compute.amazonaws.com</c> elsewhere.
/// </summary>
public static class Ec2Names
{
    /// <summary>The region whose domains are the historical exceptions.</summary>
    public const string UsEast1 = "us-east-1";

    /// <summary>The private zone of <paramref name="region"/>.</summary>
    public static string PrivateZone(string region)
        => string.Equals(region, UsEast1, StringComparison.OrdinalIgnoreCase) ? "ec2.internal" : $"{region.ToLowerInvariant()}.compute.internal";

    /// <summary>The public zone of <paramref name="region"/>.</summary>
    public static string PublicZone(string region)
        => string.Equals(region, UsEast1, StringComparison.OrdinalIgnoreCase) ? "compute-1.amazonaws.com" : $"{region.ToLowerInvariant()}.compute.amazonaws.com";

    /// <summary><c>ip-10-0-1-10.ZONE</c>.</summary>
    public static string PrivateName(IPAddress address, string region) => $"ip-{Dashed(address)}.{PrivateZone(region)}";

    /// <summary><c>ec2-198-51-100-10.ZONE</c>.</summary>
    public static string PublicName(IPAddress address, string region) => $"ec2-{Dashed(address)}.{PublicZone(region)}";

    /// <summary>The address of a host label <c>PREFIX-a-b-c-d</c> (<paramref name="prefix"/> "ip" or "ec2"); null when the label is not one.</summary>
    public static IPAddress? ParseLabel(string label, string prefix)
    {
        ArgumentNullException.ThrowIfNull(label);
        if (!label.StartsWith(prefix + "-", StringComparison.OrdinalIgnoreCase))
            return null;
        var parts = label[(prefix.Length + 1)..].Split('-');
        if (parts.Length != 4)
            return null;
        Span<byte> bytes = stackalloc byte[4];
        for (var i = 0; i < 4; i++)
        {
            // Digits only, no sign, no leading zeros (EC2 never writes them, so "ip-010-..." is not a name).
            var p = parts[i];
            if (p.Length is 0 or > 3 || (p.Length > 1 && p[0] == '0') || !p.All(char.IsAsciiDigit)
                || !byte.TryParse(p, NumberStyles.None, CultureInfo.InvariantCulture, out bytes[i]))
                return null;
        }
        return new IPAddress(bytes);
    }

    /// <summary>The VPC DNS resolver address: the CIDR's base plus two.</summary>
    public static IPAddress BasePlusTwo(IPNetwork cidr)
    {
        if (cidr.BaseAddress.AddressFamily != AddressFamily.InterNetwork)
            throw new ArgumentException($"'{cidr}' is not an IPv4 network", nameof(cidr));
        Span<byte> bytes = stackalloc byte[4];
        cidr.BaseAddress.TryWriteBytes(bytes, out _);
        var value = System.Buffers.Binary.BinaryPrimitives.ReadUInt32BigEndian(bytes) + 2;
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(bytes, value);
        return new IPAddress(bytes);
    }

    private static string Dashed(IPAddress address) => address.ToString().Replace('.', '-');
}
