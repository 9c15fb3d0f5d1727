using Grpc.Net.Client;
using NitroCard.Mapping.Grpc.Protocol;
using NitroCard.Mapping.Security;

namespace NitroCard.Mapping.Grpc;

/// <summary>
/// Every replica of the region's Mapping Service as a client knows them (one endpoint for a single service). A client
/// starts on the first and moves to the next one in turn after each failure (<see cref="Next"/>): any replica serves
/// subscriptions and reads, and the leader takes writes. Channels are opened on first use and kept.
/// </summary>
public sealed class MappingReplicas : IDisposable
{
    private readonly Uri[] _endpoints;
    private readonly GrpcChannel?[] _channels;
    private readonly Func<Uri, GrpcChannel> _open;
    private readonly Lock _sync = new();
    private int _current = -1;

    /// <param name="endpoints">The replicas' https endpoints, at least one.</param>
    /// <param name="open">Opens the channel to one replica (mutual TLS with the caller's identity).</param>
    public MappingReplicas(IReadOnlyList<Uri> endpoints, Func<Uri, GrpcChannel> open)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        ArgumentNullException.ThrowIfNull(open);
        if (endpoints.Count == 0)
            throw new ArgumentException("at least one Mapping Service endpoint is needed", nameof(endpoints));
        _endpoints = [.. endpoints];
        _channels = new GrpcChannel?[_endpoints.Length];
        _open = open;
    }

    public IReadOnlyList<Uri> Endpoints => _endpoints;

    /// <summary>The replica the last <see cref="Next"/> chose (the first before any).</summary>
    public Uri Current
    {
        get
        {
            lock (_sync)
                return _endpoints[Math.Max(0, _current)];
        }
    }

    /// <summary>The client of the next replica in turn: the first on the first call, then each following one, round.</summary>
    public RegionMapping.RegionMappingClient Next()
    {
        lock (_sync)
        {
            _current = (_current + 1) % _endpoints.Length;
            return new RegionMapping.RegionMappingClient(_channels[_current] ??= _open(_endpoints[_current]));
        }
    }

    /// <summary>The client of replica <paramref name="index"/> (in <see cref="Endpoints"/>' order), to ask that one replica.</summary>
    public RegionMapping.RegionMappingClient Client(int index)
    {
        lock (_sync)
            return new RegionMapping.RegionMappingClient(_channels[index] ??= _open(_endpoints[index]));
    }

    /// <summary>A host's view of the replicas, from its identity directory (<c>host.crt</c>, <c>host.key</c>, <c>ca.crt</c>, read now).</summary>
    public static MappingReplicas ForHost(IReadOnlyList<Uri> endpoints, string identityDirectory)
    {
        var identity = RegionCa.LoadIdentity(identityDirectory, "host");
        var ca = RegionCa.LoadCa(identityDirectory);
        return new MappingReplicas(endpoints, endpoint => MappingChannel.Create(endpoint, identity, ca));
    }

    /// <summary>The operator's view of the replicas, from the region CA directory (read now).</summary>
    public static MappingReplicas ForOperator(IReadOnlyList<Uri> endpoints, string caDirectory)
    {
        var identity = RegionCa.LoadIdentity(caDirectory, "operator");
        var ca = RegionCa.LoadCa(caDirectory);
        return new MappingReplicas(endpoints, endpoint => MappingChannel.Create(endpoint, identity, ca));
    }

    /// <summary>
    /// Endpoints from their command-line form: one https URL, or several separated by commas (every replica). Throws
    /// <see cref="FormatException"/> naming the entry that is not an https URL.
    /// </summary>
    public static IReadOnlyList<Uri> Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var endpoints = new List<Uri>();
        foreach (var entry in text.Split(',', StringSplitOptions.TrimEntries))
        {
            if (!Uri.TryCreate(entry, UriKind.Absolute, out var uri) || uri.Scheme != Uri.UriSchemeHttps)
                throw new FormatException(entry == text ? $"'{text}'" : $"'{entry}' in '{text}'");
            endpoints.Add(uri);
        }
        return endpoints;
    }

    public void Dispose()
    {
        lock (_sync)
        {
            foreach (var channel in _channels)
                channel?.Dispose();
        }
    }
}
