using System.Net;
using System.Text;
using NitroCard.Edge.Endpoints;
using NitroCard.Packets;
using NitroCard.Region;
using static NitroCard.Edge.Tests.EdgeRegion;

namespace NitroCard.Edge.Tests;

/// <summary>
/// Gateway endpoints. The region's S3 endpoint policy allows only <c>allowed-bucket</c>. Instance → S3 takes the
/// card's prefix-list route (on the Verilated cards and on the model).
/// </summary>
public class GatewayEndpointTests
{
    private static readonly IPAddress S3 = IPAddress.Parse("203.0.113.200");

    private static void Handshake(EdgeRegion region, ushort port)
    {
        region.Send("eni-a1", Frames.Tcp(GatewayMac, EniA1Mac, EniA1, S3, port, 80, 100, 0, TcpControl.Syn));
        region.Send("services", Frames.Tcp(EdgePorts.EdgeMac, PeerMac, S3, EniA1, 80, port, 500, 101, TcpControl.Syn | TcpControl.Ack));
        region.Send("eni-a1", Frames.Tcp(GatewayMac, EniA1Mac, EniA1, S3, port, 80, 101, 501, TcpControl.Ack));
    }

    private static byte[] Get(ushort port, string bucket) => Frames.Tcp(GatewayMac, EniA1Mac, EniA1, S3, port, 80, 101, 501, TcpControl.Ack | TcpControl.Psh,
        Encoding.ASCII.GetBytes($"GET /reports/q3.csv HTTP/1.1\r\nHost: {bucket}.s3.us-east-1.amazonaws.com\r\nUser-Agent: test\r\n\r\n"));

    [Theory]
    [InlineData("rtl")]
    [InlineData("model")]
    public void S3_policy_allows_one_bucket_and_denies_another_with_a_reset(string engine)
    {
        using var region = new EdgeRegion(engine);
        Handshake(region, 41000);
        Assert.Equal(2, region.On("services").Count);   // SYN, ACK: the private source address is kept
        Assert.Equal("10.0.1.10", Src(Ip(region.Last("services"))));
        Assert.Single(region.On("eni-a1"));             // SYN-ACK came back through the edge
        region.Send("eni-a1", Get(41000, "allowed-bucket"));
        Assert.Equal(3, region.On("services").Count);

        Handshake(region, 41001);
        var before = region.On("services").Count;
        region.Send("eni-a1", Get(41001, "other-bucket"));
        Assert.Equal(before, region.On("services").Count); // the request never reached S3
        var rst = Ip(region.Last("eni-a1"));
        Assert.Equal("203.0.113.200", Src(rst));
        Assert.Equal(TcpControl.Rst | TcpControl.Ack, TcpHeader.Flags(rst[20..]));
        Assert.Equal(41001, TcpHeader.DestinationPort(rst[20..]));
        AssertChecksums(rst);
        Assert.Equal(1, region.Edge.Counters["endpoint.allowed"]);
        Assert.Equal(1, region.Edge.Counters["endpoint.denied"]);
        Assert.Equal(1, region.Edge.Counters["endpoint.rst"]);

        // The denied flow stays denied.
        region.Send("eni-a1", Get(41001, "allowed-bucket"));
        Assert.Equal(before, region.On("services").Count);
    }

    [Theory]
    [InlineData("GET /k HTTP/1.1\r\nHost: allowed-bucket.s3.amazonaws.com\r\n\r\n", true)]
    [InlineData("GET /allowed-bucket/k HTTP/1.1\r\nHost: s3.us-west-2.amazonaws.com\r\n\r\n", true)]
    [InlineData("GET /other/k HTTP/1.1\r\nHost: s3.amazonaws.com\r\n\r\n", false)]
    [InlineData("PUT /x HTTP/1.1\r\nHost: other.s3.amazonaws.com\r\n\r\n", false)]
    [InlineData("not http at all", false)]
    public void S3_requests_are_read_from_host_and_path(string request, bool allowed)
    {
        var policy = EndpointPolicy.Parse(Load().Vpcs[0].GatewayEndpoints[0].Policy, out _)!;
        Assert.Equal(allowed, PolicyEvaluator.IsAllowed(policy, "s3", ServiceRequest.ParseS3(Encoding.ASCII.GetBytes(request))));
    }

    [Fact]
    public void S3_tls_sni_names_the_bucket()
    {
        var hello = ClientHello("allowed-bucket.s3.amazonaws.com");
        Assert.Equal("allowed-bucket.s3.amazonaws.com", ServiceRequest.TlsSni(hello));
        var policy = EndpointPolicy.Parse(Load().Vpcs[0].GatewayEndpoints[0].Policy, out _)!;
        Assert.True(PolicyEvaluator.IsAllowed(policy, "s3", ServiceRequest.ParseS3(hello)));
        Assert.False(PolicyEvaluator.IsAllowed(policy, "s3", ServiceRequest.ParseS3(ClientHello("other.s3.amazonaws.com"))));
    }

    [Fact]
    public void DynamoDb_table_name_and_operation_decide()
    {
        using var doc = System.Text.Json.JsonDocument.Parse("""
            { "Statement": [ { "Effect": "Allow", "Principal": "*", "Action": ["dynamodb:GetItem", "dynamodb:Query"],
                               "Resource": "arn:aws:dynamodb:*:*:table/Orders" },
                             { "Effect": "Deny", "Principal": "*", "Action": "dynamodb:*", "Resource": "arn:aws:dynamodb:*:*:table/Secrets" } ] }
            """);
        var policy = EndpointPolicy.Parse(doc.RootElement.Clone(), out var problems)!;
        Assert.Empty(problems);
        static ServiceRequest Req(string op, string table) => ServiceRequest.ParseDynamoDb(Encoding.ASCII.GetBytes(
            $"POST / HTTP/1.1\r\nHost: dynamodb.us-east-1.amazonaws.com\r\nX-Amz-Target: DynamoDB_20120810.{op}\r\nContent-Type: application/x-amz-json-1.0\r\n\r\n{{\"TableName\":\"{table}\",\"Key\":{{}}}}"));
        Assert.True(PolicyEvaluator.IsAllowed(policy, "dynamodb", Req("GetItem", "Orders")));
        Assert.False(PolicyEvaluator.IsAllowed(policy, "dynamodb", Req("PutItem", "Orders")));
        Assert.False(PolicyEvaluator.IsAllowed(policy, "dynamodb", Req("GetItem", "Secrets")));
        Assert.True(PolicyEvaluator.IsAllowed(EndpointPolicy.AllowAll, "dynamodb", Req("DeleteTable", "Anything")));
    }

    /// <summary>A minimal TLS 1.2 ClientHello with one SNI extension.</summary>
    private static byte[] ClientHello(string host)
    {
        var name = Encoding.ASCII.GetBytes(host);
        var sni = new List<byte> { 0, 0 };                                    // extension type server_name
        var list = new List<byte> { 0 };                                        // host_name
        list.AddRange([(byte)(name.Length >> 8), (byte)name.Length]);
        list.AddRange(name);
        var ext = new List<byte> { (byte)(list.Count >> 8), (byte)list.Count };
        ext.AddRange(list);
        sni.AddRange([(byte)(ext.Count >> 8), (byte)ext.Count]);
        sni.AddRange(ext);
        var body = new List<byte> { 3, 3 };
        body.AddRange(new byte[32]);                                            // random
        body.Add(0);                                                            // session id
        body.AddRange([0, 2, 0x13, 0x01]);                                      // one cipher suite
        body.AddRange([1, 0]);                                                  // null compression
        body.AddRange([(byte)(sni.Count >> 8), (byte)sni.Count]);
        body.AddRange(sni);
        var hs = new List<byte> { 1, 0, (byte)(body.Count >> 8), (byte)body.Count };
        hs.AddRange(body);
        var record = new List<byte> { 0x16, 3, 1, (byte)(hs.Count >> 8), (byte)hs.Count };
        record.AddRange(hs);
        return [.. record];
    }
}
