using NitroCard.Fuzz.Targets;

namespace NitroCard.Fuzz;

/// <summary>Every fuzz target, by name.</summary>
public static class FuzzTargets
{
    /// <summary>The targets in the order a campaign runs them.</summary>
    public static IReadOnlyList<FuzzTarget> All { get; } =
    [
        RegionTarget.Target,
        PcapTarget.Target,
        ServiceRequestTargets.S3Http,
        ServiceRequestTargets.TlsClientHello,
        ServiceRequestTargets.DynamoDb,
        EspTarget.Target,
        IkeTarget.Target,
        BgpTarget.Target,
        MappingRequestTarget.Target,
        DeltaTarget.Target,
    ];

    /// <summary>The target called <paramref name="name"/>, or null.</summary>
    public static FuzzTarget? Find(string name) => All.FirstOrDefault(t => t.Name == name);
}
