using NitroCard.InstanceServices.Dns;
using NitroCard.InstanceServices.Imds;
using NitroCard.InstanceServices.Ntp;
using NitroCard.InstanceServices.Punt;

namespace NitroCard.InstanceServices;

/// <summary>The services one card's firmware runs for all its ENIs: metadata (one token store), DNS, time, and the punt knobs.</summary>
/// <param name="Time">The clock of tokens, timeouts, rate limits and NTP answers.</param>
/// <param name="Metadata">The metadata service.</param>
/// <param name="Dns">The Amazon DNS resolver.</param>
/// <param name="Ntp">The time service.</param>
/// <param name="Options">Punt knobs.</param>
public sealed record LinkLocalServices(TimeProvider Time, MetadataService Metadata, AmazonDnsResolver Dns, SntpServer Ntp, PuntOptions Options)
{
    /// <summary>All services on <paramref name="time"/> with <paramref name="dns"/> and default options.</summary>
    public static LinkLocalServices Create(TimeProvider time, AmazonDnsResolver dns, PuntOptions? options = null)
        => new(time, new MetadataService(time), dns, new SntpServer(time), options ?? new PuntOptions());
}
