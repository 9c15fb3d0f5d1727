using System.Net;
using NitroCard.Packets;

namespace NitroCard.InstanceServices.Punt;

/// <summary>The link-local service addresses and ports the card punts to the firmware (one definition: <see cref="PuntRule"/>).</summary>
public static class ServiceAddresses
{
    /// <summary>Instance metadata, TCP 80.</summary>
    public static readonly IPAddress Metadata = Ipv4Address.FromUInt32(PuntRule.MetadataAddress);

    /// <summary>The Amazon DNS resolver's link-local address, UDP and TCP 53 (the VPC base + 2 is the other).</summary>
    public static readonly IPAddress Dns = Ipv4Address.FromUInt32(PuntRule.DnsAddress);

    /// <summary>The Amazon Time Sync Service, UDP 123.</summary>
    public static readonly IPAddress Time = Ipv4Address.FromUInt32(PuntRule.TimeAddress);

    public const ushort HttpPort = PuntRule.HttpPort;
    public const ushort DnsPort = PuntRule.DnsPort;
    public const ushort NtpPort = PuntRule.NtpPort;

    internal const uint MetadataValue = PuntRule.MetadataAddress;
    internal const uint DnsValue = PuntRule.DnsAddress;
    internal const uint TimeValue = PuntRule.TimeAddress;
}
