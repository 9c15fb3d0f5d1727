namespace NitroCard.Region;

/// <summary>An instance's metadata options, as EC2's <c>ModifyInstanceMetadataOptions</c> names them.</summary>
/// <param name="HttpTokens"><c>optional</c> (IMDSv1 and v2) or <c>required</c> (IMDSv2 only: no token, 401).</param>
/// <param name="HttpPutResponseHopLimit">The IP TTL of the token's answer, 1..64.</param>
/// <param name="HttpEndpoint"><c>enabled</c> or <c>disabled</c>.</param>
public sealed record InstanceMetadataOptions(string HttpTokens = "optional", int HttpPutResponseHopLimit = 1, string HttpEndpoint = "enabled");

/// <summary>A VPC Flow Log: which traffic of which resource is logged, aggregated how long, sent where.</summary>
/// <param name="Id">Unique flow log id (<c>fl-…</c>); it names the log directory (one file per ENI, as AWS's log streams are).</param>
/// <param name="ResourceId">What is logged: the VPC's id, one of its subnets or one of its ENIs.</param>
/// <param name="TrafficType"><c>ACCEPT</c>, <c>REJECT</c> or <c>ALL</c>.</param>
/// <param name="MaxAggregationInterval">Seconds: 60 or 600 as EC2 allows (default 600); 1..59 shortens it for tests.</param>
/// <param name="IpfixCollector">Also export the records as IPFIX (RFC 7011) over UDP to <c>address:port</c>; absent: files only.</param>
public sealed record FlowLog(string Id = "", string ResourceId = "", string TrafficType = "", int MaxAggregationInterval = 600, string? IpfixCollector = null);
