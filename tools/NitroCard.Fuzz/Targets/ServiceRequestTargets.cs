using System.Text;
using NitroCard.Edge.Endpoints;

namespace NitroCard.Fuzz.Targets;

/// <summary>
/// The gateway endpoints' service-request parsers, on a flow's first data segment as the edge hands it over
/// (<see cref="ServiceRequest.ParseS3"/> for S3 over HTTP or TLS, <see cref="ServiceRequest.ParseDynamoDb"/>). They
/// document no exception: a segment they cannot read is a request with no action and no resource.
/// </summary>
public static class ServiceRequestTargets
{
    public static FuzzTarget S3Http { get; } = new(
        "s3-http",
        "S3 requests over HTTP: ServiceRequest.ParseS3 (request line, Host, path or absolute URI); refusal: no resource",
        input => ServiceRequest.ParseS3(input).Resource is null ? Outcome.Rejected : Outcome.Accepted,
        _ => false,
        Encoding.ASCII.GetBytes("get /bucket HTTP/1.1\r\nHost: s3.amazonaws.com\r\n\r\n"))
    {
        Instrument = ["NitroCard.Edge.dll"],
    };

    public static FuzzTarget TlsClientHello { get; } = new(
        "tls-clienthello",
        "S3 over TLS: ServiceRequest.ParseS3 on a ClientHello record (server_name); refusal: no resource",
        input => ServiceRequest.ParseS3(input) is { Action: null, Resource: not null } ? Outcome.Accepted : Outcome.Rejected,
        _ => false,
        [0x16, 0x03, 0x01, 0x00, 0x30, 0x01, 0x00, 0x00, 0x2c, 0x03, 0x03, .. new byte[32], 0xff, 0x00, 0x02, 0x13, 0x01, 0x01, 0x00])
    {
        Instrument = ["NitroCard.Edge.dll"],
    };

    public static FuzzTarget DynamoDb { get; } = new(
        "dynamodb",
        "DynamoDB requests: ServiceRequest.ParseDynamoDb (HTTP, X-Amz-Target, JSON body's TableName); refusal: no action and no table",
        input => ServiceRequest.ParseDynamoDb(input) is { Action: null, Resource: null } ? Outcome.Rejected : Outcome.Accepted,
        _ => false,
        Encoding.ASCII.GetBytes("POST / HTTP/1.0\r\nX-Amz-Target: GetItem\r\n\r\n{\"TableName\": [1]}"))
    {
        Instrument = ["NitroCard.Edge.dll"],
    };
}
