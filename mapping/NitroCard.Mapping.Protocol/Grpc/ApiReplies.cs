namespace NitroCard.Mapping.Grpc.Protocol;

/// <summary>A reply of the operator API: set <see cref="Refusal"/> means the service refused the request and changed nothing.</summary>
public interface IApiReply
{
    Refusal Refusal { get; set; }
}

public sealed partial class ApplyReply : IApiReply;

public sealed partial class CreateHostReply : IApiReply;

public sealed partial class CreateVpcReply : IApiReply;

public sealed partial class CreateSubnetReply : IApiReply;

public sealed partial class CreateNetworkInterfaceReply : IApiReply;

public sealed partial class MoveNetworkInterfaceReply : IApiReply;

public sealed partial class DeleteNetworkInterfaceReply : IApiReply;

public sealed partial class CreateSecurityGroupReply : IApiReply;

public sealed partial class AuthorizeSecurityGroupIngressReply : IApiReply;

public sealed partial class AssociateAddressReply : IApiReply;

public sealed partial class DescribeVpcsReply : IApiReply;

public sealed partial class DescribeSubnetsReply : IApiReply;

public sealed partial class DescribeNetworkInterfacesReply : IApiReply;

public sealed partial class DescribeSecurityGroupsReply : IApiReply;

public sealed partial class DescribeHostsReply : IApiReply;

public sealed partial class DescribeAlarmsReply : IApiReply;

public sealed partial class DescribeEdgesReply : IApiReply;

public sealed partial class EdgeHeartbeatReply : IApiReply;

public sealed partial class ReplaceVpnLearnedRoutesReply : IApiReply;

public sealed partial class DescribeReplicaReply : IApiReply;
