namespace NitroCard.Mapping.Api;

/// <summary>
/// A request the Mapping Service refused, in the EC2 API's shape: a code such as
/// <c>InvalidParameterValue</c> or <c>InvalidSubnet.Range</c> and a message. Nothing was changed.
/// </summary>
public sealed class MappingApiException : Exception
{
    public MappingApiException()
        : this(ErrorCodes.InvalidParameterValue, "the request is invalid")
    {
    }

    public MappingApiException(string message)
        : this(ErrorCodes.InvalidParameterValue, message)
    {
    }

    public MappingApiException(string message, Exception innerException)
        : base(message, innerException)
    {
        Code = ErrorCodes.InvalidParameterValue;
    }

    public MappingApiException(string code, string message)
        : base(message)
    {
        Code = code;
    }

    /// <summary>The EC2-style error code.</summary>
    public string Code { get; }

    /// <summary>Every problem, one a line (just the message when there is one).</summary>
    public IReadOnlyList<string> Problems { get; private init; } = [];

    /// <summary>Builds the exception for several problems found at once.</summary>
    public static MappingApiException FromProblems(string code, IReadOnlyCollection<string> problems)
    {
        ArgumentNullException.ThrowIfNull(problems);
        return new(code, problems.Count == 1 ? problems.First() : $"{problems.Count} problems: " + string.Join("; ", problems))
        {
            Problems = problems.Count == 1 ? [] : [.. problems],
        };
    }
}

/// <summary>The error codes the service uses (named as EC2 names them).</summary>
public static class ErrorCodes
{
    public const string InvalidParameterValue = "InvalidParameterValue";
    public const string MissingParameter = "MissingParameter";
    public const string InvalidVpcRange = "InvalidVpc.Range";
    public const string InvalidVpcIdNotFound = "InvalidVpcID.NotFound";
    public const string InvalidVniInUse = "InvalidVni.InUse";
    public const string InvalidSubnetRange = "InvalidSubnet.Range";
    public const string InvalidSubnetConflict = "InvalidSubnet.Conflict";
    public const string InvalidSubnetIdNotFound = "InvalidSubnetID.NotFound";
    public const string InvalidIpAddressInUse = "InvalidIPAddress.InUse";
    public const string InvalidMacAddressInUse = "InvalidMacAddress.InUse";
    public const string InvalidNetworkInterfaceIdNotFound = "InvalidNetworkInterfaceID.NotFound";
    public const string InvalidGroupIdNotFound = "InvalidGroup.NotFound";
    public const string InvalidPermissionDuplicate = "InvalidPermission.Duplicate";
    public const string InvalidAddressInUse = "InvalidAddress.InUse";
    public const string InvalidHostIdNotFound = "InvalidHostID.NotFound";
    public const string InvalidVpnConnectionIdNotFound = "InvalidVpnConnectionID.NotFound";
    public const string InvalidIdDuplicate = "InvalidID.Duplicate";
    public const string InsufficientCapacity = "InsufficientCapacity";
    public const string InvalidRegion = "InvalidRegion";
    public const string UnauthorizedOperation = "UnauthorizedOperation";

    /// <summary>The store did not take the change (etcd's quorum lost, or a newer leader): nothing was acknowledged.</summary>
    public const string ServiceUnavailable = "ServiceUnavailable";

    /// <summary>A write sent to a replica that is not the leader; the message names the leader.</summary>
    public const string ReplicaNotLeader = "ReplicaNotLeader";
}
