using Grpc.Net.Client;
using NitroCard.Mapping.Grpc;

namespace NitroCard.Mapping.Protocol.Tests;

/// <summary>The client's list of replicas: parsed from the command line, and walked in turn, round, one channel each.</summary>
public class MappingReplicasTests
{
    [Fact]
    public void A_comma_separated_list_is_every_replica_in_order()
    {
        var endpoints = MappingReplicas.Parse("https://127.0.0.1:7443, https://127.0.0.1:7444/");
        Assert.Equal([new Uri("https://127.0.0.1:7443"), new Uri("https://127.0.0.1:7444/")], endpoints);
        Assert.Single(MappingReplicas.Parse("https://127.0.0.1:7443"));
    }

    [Theory]
    [InlineData("http://127.0.0.1:7443", "'http://127.0.0.1:7443'")]
    [InlineData("https://127.0.0.1:7443,127.0.0.1:7444", "'127.0.0.1:7444' in 'https://127.0.0.1:7443,127.0.0.1:7444'")]
    [InlineData("https://127.0.0.1:7443,", "'' in 'https://127.0.0.1:7443,'")]
    public void A_bad_entry_is_named(string text, string named)
        => Assert.Equal(named, Assert.Throws<FormatException>(() => MappingReplicas.Parse(text)).Message);

    [Fact]
    public void Each_next_client_is_the_next_replica_round_and_each_replica_has_one_channel()
    {
        var opened = new List<Uri>();
        using var replicas = new MappingReplicas(MappingReplicas.Parse("https://127.0.0.1:1,https://127.0.0.1:2,https://127.0.0.1:3"), endpoint =>
        {
            opened.Add(endpoint);
            return GrpcChannel.ForAddress(endpoint);
        });
        Assert.Equal(1, replicas.Current.Port);
        var walked = new List<int>();
        for (var i = 0; i < 7; i++)
        {
            replicas.Next();
            walked.Add(replicas.Current.Port);
        }
        Assert.Equal([1, 2, 3, 1, 2, 3, 1], walked);
        Assert.Equal([1, 2, 3], opened.Select(u => u.Port));
    }

    [Fact]
    public void No_replica_is_refused()
        => Assert.Throws<ArgumentException>(() => new MappingReplicas([], GrpcChannel.ForAddress));
}
