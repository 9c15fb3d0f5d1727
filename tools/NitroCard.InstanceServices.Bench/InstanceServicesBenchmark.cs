using BenchmarkDotNet.Attributes;

namespace NitroCard.InstanceServices.Bench;

/// <summary>
/// Requests per second of the firmware's instance services on one core: each invocation is one request through
/// <see cref="NitroCard.InstanceServices.Punt.PuntRouter"/> as whole frames, answered in full (see
/// <see cref="ServiceExchange"/>). Building the instance's frames is part of each invocation (a few hundred bytes each).
/// </summary>
[MemoryDiagnoser]
[MinColumn, MedianColumn, MaxColumn]
public class InstanceServicesBenchmark
{
    private ServiceExchange _exchange = null!;

    [GlobalSetup]
    public void Setup()
    {
        _exchange = new ServiceExchange();
        _exchange.Connect();
    }

    /// <summary>IMDSv2: GET <c>meta-data/local-ipv4</c> with a token on a keep-alive connection, and the ACK of its answer.</summary>
    [Benchmark]
    public string ImdsGetWithToken() => _exchange.ImdsGet();

    /// <summary>IMDSv2 as curl asks: the same GET on a connection of its own (handshake, request, answer, both FINs: 5 frames in).</summary>
    [Benchmark]
    public string ImdsGetOnNewConnection() => _exchange.ImdsGetOnNewConnection();

    /// <summary>The Amazon DNS resolver: an A query over UDP for another ENI's private name.</summary>
    [Benchmark]
    public byte[] DnsQueryA() => _exchange.DnsQuery();
}
