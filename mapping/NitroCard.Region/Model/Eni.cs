using System.Collections.Immutable;

namespace NitroCard.Region;

/// <summary>An elastic network interface: one instance attachment, one ENI slot on its host's card.</summary>
/// <param name="Id">Unique ENI id.</param>
/// <param name="Subnet">The id of the subnet (of the same VPC) the ENI is in.</param>
/// <param name="Ip">The private IPv4 address: inside the subnet, not one of its five reserved addresses, unique in the VPC.</param>
/// <param name="Mac">The ENI's MAC: unicast, unique in the region.</param>
/// <param name="Host">The name of the host the ENI is attached to.</param>
/// <param name="SecurityGroups">Ids of security groups of the same VPC (at most five).</param>
/// <param name="PublicIp">The public IPv4 address the Internet Gateway maps 1:1 to <paramref name="Ip"/>, unique in the region.</param>
/// <param name="SourceDestCheck">Source/destination check (default on).</param>
/// <param name="ConnectionTracking">Connection tracking timeouts; absent: AWS's defaults.</param>
/// <param name="InstanceId">The instance the ENI is attached to (<c>i-</c> and 8 or 17 hex digits); ENIs of one instance share it.
/// Absent: the ENI is an instance's only interface, with an id derived from the ENI's (<see cref="RegionDefaults.InstanceIdOf"/>).</param>
/// <param name="DeviceIndex">The attachment's device index on the instance (0 = the primary interface).</param>
/// <param name="MetadataOptions">The instance's metadata options (the same on every ENI of an instance); absent: EC2's defaults.</param>
public sealed record Eni(
    string Id = "",
    string Subnet = "",
    string Ip = "",
    string Mac = "",
    string Host = "",
    ImmutableArray<string> SecurityGroups = default,
    string? PublicIp = null,
    bool SourceDestCheck = true,
    ConnectionTracking? ConnectionTracking = null,
    string? InstanceId = null,
    [property: System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingDefault)] int DeviceIndex = 0,
    InstanceMetadataOptions? MetadataOptions = null)
{
    public ImmutableArray<string> SecurityGroups { get; init; } = SecurityGroups.IsDefault ? [] : SecurityGroups;

    /// <summary>The instance id, given or derived.</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public string EffectiveInstanceId => InstanceId ?? RegionDefaults.InstanceIdOf(Id);
}
