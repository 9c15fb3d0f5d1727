using System.Net;
using Makaretu.Dns;

namespace NitroCard.InstanceServices.Bench.Tests;

/// <summary>What the benchmark measures is real work: every request is answered in full, nothing dropped (never timed).</summary>
public sealed class ServiceExchangeTests
{
    [Fact]
    public void Every_imds_get_is_answered_200_with_the_instances_address_on_one_connection()
    {
        var exchange = new ServiceExchange();
        Assert.Matches("^[A-Za-z0-9+/=_-]{20,}$", exchange.Connect());
        for (var i = 0; i < 2000; i++) // twice the default per-ENI burst: the lifted limit must not drop
        {
            var answer = exchange.ImdsGet();
            Assert.StartsWith("HTTP/1.1 200 OK\r\n", answer, StringComparison.Ordinal);
            Assert.EndsWith("\r\n\r\n10.0.1.10", answer, StringComparison.Ordinal);
        }
        Assert.Equal(1, exchange.Endpoint.ConnectionCount);
        Assert.Equal(0, exchange.Endpoint.Counters.TotalDropped);
    }

    [Fact]
    public void Every_imds_get_on_a_new_connection_is_answered_and_the_connection_closed()
    {
        var exchange = new ServiceExchange();
        exchange.Connect();
        for (var i = 0; i < 2000; i++) // far more connections than an ENI may hold open (32): each must be gone after its FINs
        {
            var answer = exchange.ImdsGetOnNewConnection();
            Assert.StartsWith("HTTP/1.1 200 OK\r\n", answer, StringComparison.Ordinal);
            Assert.EndsWith("\r\n\r\n10.0.1.10", answer, StringComparison.Ordinal);
        }
        Assert.Equal(1, exchange.Endpoint.ConnectionCount); // the keep-alive one
        Assert.Equal(0, exchange.Endpoint.Counters.TotalDropped);
    }

    [Fact]
    public void Every_dns_query_gets_the_a_record()
    {
        var exchange = new ServiceExchange();
        for (var i = 0; i < 2000; i++)
        {
            var response = new Message();
            response.Read(exchange.DnsQuery());
            Assert.Equal(MessageStatus.NoError, response.Status);
            Assert.Equal(IPAddress.Parse("10.0.1.20"), Assert.IsType<ARecord>(Assert.Single(response.Answers)).Address);
        }
        Assert.Equal(0, exchange.Endpoint.Counters.TotalDropped);
    }
}
