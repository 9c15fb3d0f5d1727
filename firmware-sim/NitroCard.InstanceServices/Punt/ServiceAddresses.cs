using System.Net;
using NitroCard.Packets;

namespace NitroCard.InstanceServices.Punt;

/// <summary>The link-local service addresses and ports the card punts to the firmware.</summary>
public static class ServiceAddresses
{
    /// <summary>Instance metadata, TCP 80.</summary>
    public static readonly IPAddress Metadata = IPAddress.Parse("169.254.169.254");

    /// <summary>The Amazon DNS resolver's link-local address, UDP and TCP 53 (the VPC base + 2 is the other).</summary>
    public static readonly IPAddress Dns = IPAddress.Parse("169.254.169.253");

    /// <summary>The Amazon Time Sync Service, UDP 123.</summary>
    public static readonly IPAddress Time = IPAddress.Parse("169.254.169.123");

    public const ushort HttpPort = 80;
    public const ushort DnsPort = 53;
    public const ushort NtpPort = 123;

    internal static readonly uint MetadataValue = Ipv4Address.ToUInt32(Metadata);
    internal static readonly uint DnsValue = Ipv4Address.ToUInt32(Dns);
    internal static readonly uint TimeValue = Ipv4Address.ToUInt32(Time);
}
