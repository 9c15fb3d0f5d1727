using System.Reflection;
using Google.Protobuf;
using NitroCard.Mapping.Api;
using NitroCard.Mapping.State;
using P = NitroCard.Mapping.Grpc.Protocol;

namespace NitroCard.Fuzz.Targets;

/// <summary>
/// An operator's request to the Mapping Service: a <c>CallRequest</c> (protobuf, as gRPC hands it to
/// <c>RegionMappingService.Call</c>) run by <see cref="MappingService.InvokeAsync"/> on a service holding the example
/// region (docs/examples/region.json), fresh for every input. Refusal: <see cref="InvalidProtocolBufferException"/>,
/// <see cref="MappingApiException"/> (the EC2-style refusal the reply carries).
/// </summary>
public static class MappingRequestTarget
{
    private static readonly Lazy<(long Version, IReadOnlyList<StoredRecord> Records)> Region = new(LoadRegion);

    public static FuzzTarget Target { get; } = new(
        "mapping-request",
        "Mapping Service API requests: CallRequest.Parser.ParseFrom, MappingService.InvokeAsync on the example region; refusal: InvalidProtocolBufferException, MappingApiException",
        Run,
        e => e is InvalidProtocolBufferException or MappingApiException,
        [0x0a, 0x05, (byte)'x', (byte)'-', (byte)'v', (byte)'p', (byte)'c'])
    {
        Instrument = ["NitroCard.Mapping.dll", "NitroCard.Region.dll"],
    };

    private static Outcome Run(byte[] input)
    {
        var request = P.CallRequest.Parser.ParseFrom(input);
        var (version, records) = Region.Value;
        var service = MappingService.OpenAsync(new InMemoryRegionStore(version, records)).GetAwaiter().GetResult();
        try
        {
            service.InvokeAsync(request.Action, request.Parameters).GetAwaiter().GetResult();
            return Outcome.Accepted;
        }
        finally
        {
            service.DisposeAsync().AsTask().GetAwaiter().GetResult();
        }
    }

    /// <summary>The example region applied to an empty store: the snapshot every input starts from.</summary>
    private static (long, IReadOnlyList<StoredRecord>) LoadRegion()
    {
        using var stream = Assembly.GetExecutingAssembly().GetManifestResourceStream("region.json")
            ?? throw new InvalidOperationException("the example region is not embedded");
        using var reader = new StreamReader(stream);
        var json = reader.ReadToEnd();
        var store = new InMemoryRegionStore(0, []);
        var service = MappingService.OpenAsync(store).GetAwaiter().GetResult();
        service.ApplyAsync(json, "region.json").GetAwaiter().GetResult();
        var snapshot = store.Snapshot();
        service.DisposeAsync().AsTask().GetAwaiter().GetResult();
        return snapshot;
    }
}
