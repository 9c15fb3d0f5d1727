namespace NitroCard.Mapping.State;

/// <summary>
/// The keys region objects are stored under (SQLite rows, etcd keys): one object a key, so a change
/// writes only what it touched.
/// </summary>
public static class RecordKeys
{
    public const string Settings = "region";
    public const string HostPrefix = "hosts/";
    public const string EdgePrefix = "edges/";
    public const string VpcPrefix = "vpcs/";
    public const string EniPrefix = "enis/";
    public const string LearnedRoutesPrefix = "vpn-learned/";

    /// <summary>The names of the edges found dead (<see cref="Region.RegionTopology.UnhealthyEdges"/>; absent: all healthy).</summary>
    public const string EdgeHealth = "edge-health";

    public static string Host(string name) => HostPrefix + name;

    public static string Edge(string name) => EdgePrefix + name;

    public static string Vpc(string id) => VpcPrefix + id;

    public static string Eni(string vpcId, string eniId) => $"{EniPrefix}{vpcId}/{eniId}";

    /// <summary>A BGP VPN connection's learned prefixes (service state, not part of the VPC's configuration).</summary>
    public static string LearnedRoutes(string vpcId, string vpnId) => $"{LearnedRoutesPrefix}{vpcId}/{vpnId}";
}

/// <summary>One stored object: its key, its order among its kind, and its JSON (null: delete).</summary>
public sealed record StoreWrite(string Key, long Seq, string? Json);

/// <summary>One object as read back from a store.</summary>
public sealed record StoredRecord(string Key, long Seq, string Json);
