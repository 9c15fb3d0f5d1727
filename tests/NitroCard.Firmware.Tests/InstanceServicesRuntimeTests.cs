using System.Net;
using System.Net.Sockets;
using Makaretu.Dns;
using NitroCard.InstanceServices.Dns;
using NitroCard.Mapping.Distribution;
using NitroCard.Mapping.Grpc;
using NitroCard.Mapping.State;
using NitroCard.Model;
using NitroCard.Packets;
using NitroCard.Region;

namespace NitroCard.Firmware.Tests;

/// <summary>
/// The firmware's instance services on the punt path, end to end on the model card: the Mapping Service's push (through
/// the wire codec) carries each ENI's resolver and identity, the card punts an instance's DNS query, the runtime answers
/// it from the identity and injects the answer, which the card delivers to that ENI only.
/// docs/examples/region.json, host-a: slot 0 eni-a1 10.0.1.10 (public 198.51.100.10), slot 1 eni-b1 (another VPC).
/// </summary>
public sealed class InstanceServicesRuntimeTests
{
    private static readonly RegionTopology Example = RegionLoader.Load(Regions.ExamplePath);

    private static HostDelta Pushed(RegionTopology region)
        => DeltaCodec.FromMessage(DeltaCodec.ToMessage(DeltaBuilder.Snapshot(RegionState.From(region, 1), "host-a", 0)));

    [Fact]
    public void The_push_carries_the_resolver_and_the_identity_of_each_eni()
    {
        var eni = Pushed(Example).SetEnis.Single(e => e.Id == "eni-a1");
        Assert.Equal(IPAddress.Parse("10.0.0.2"), eni.Entry.Resolver);
        var identity = InstanceServicesRuntime.IdentityOf(eni)!;
        Assert.Equal(RegionDefaults.InstanceIdOf("eni-a1"), identity.InstanceId);
        Assert.Equal(IPAddress.Parse("198.51.100.10"), identity.PublicIp);
        Assert.Equal(IPNetwork.Parse("10.0.0.0/16"), identity.VpcCidr);
        Assert.Equal(RegionDefaults.AvailabilityZoneOf(RegionDefaults.RegionName), identity.AvailabilityZone);
        Assert.True(identity.EnableDnsSupport);

        // A VPC without DNS support has no resolver address for the card to punt to.
        var noDns = Example with { Vpcs = Example.Vpcs.SetItem(0, Example.Vpcs[0] with { EnableDnsSupport = false }) };
        Assert.Null(Pushed(noDns).SetEnis.Single(e => e.Id == "eni-a1").Entry.Resolver);
    }

    [Fact]
    public async Task A_dns_query_the_card_punts_is_answered_to_that_eni_only()
    {
        var response = await AskThroughTheCard(Example, "ip-10-0-1-10.eu-west-1.compute.internal");
        Assert.Equal([IPAddress.Parse("10.0.1.10")], response.Answers.OfType<ARecord>().Select(a => a.Address));
    }

    [Fact]
    public async Task A_public_name_of_an_instance_on_another_host_resolves_to_its_private_address()
    {
        // eni-a2 (host-b, 10.0.2.20) gets a public IP; the VPC has DNS hostnames.
        var vpc = Example.Vpcs[0];
        var region = Example with
        {
            Vpcs = Example.Vpcs.SetItem(0, vpc with
            {
                EnableDnsHostnames = true,
                Enis = [.. vpc.Enis.Select(e => e.Id == "eni-a2" ? e with { PublicIp = "198.51.100.12" } : e)],
            }),
        };
        Assert.Equal(IPAddress.Parse("198.51.100.12"), Pushed(region).SetMappings.Single(m => m.LocalEniId is null && m.Key.Ip == Ipv4Address.Parse("10.0.2.20")).PublicIp);
        var response = await AskThroughTheCard(region, "ec2-198-51-100-12.eu-west-1.compute.amazonaws.com");
        Assert.Equal([IPAddress.Parse("10.0.2.20")], response.Answers.OfType<ARecord>().Select(a => a.Address));
    }

    [Fact]
    public async Task A_name_the_resolver_does_not_own_goes_to_the_regions_upstream()
    {
        // The region's upstream: a resolver on loopback that answers every A query with 203.0.113.53.
        using var upstream = new UdpClient(new IPEndPoint(IPAddress.Loopback, 0));
        var port = ((IPEndPoint)upstream.Client.LocalEndPoint!).Port;
        using var stop = new CancellationTokenSource();
        var serving = Task.Run(async () =>
        {
            var request = await upstream.ReceiveAsync(stop.Token);
            var query = new Message();
            query.Read(request.Buffer);
            var answer = query.CreateResponse();
            answer.Answers.Add(new ARecord { Name = query.Questions[0].Name, Address = IPAddress.Parse("203.0.113.53"), TTL = TimeSpan.FromSeconds(60) });
            await upstream.SendAsync(answer.ToByteArray(), request.RemoteEndPoint, stop.Token);
        });
        Assert.Equal(new IPEndPoint(IPAddress.Loopback, port), Pushed(Example with { DnsUpstream = $"127.0.0.1:{port}" }).SetEnis[0].Services!.DnsUpstream);

        var response = await AskThroughTheCard(Example with { DnsUpstream = $"127.0.0.1:{port}" }, "www.example.org");
        Assert.Equal([IPAddress.Parse("203.0.113.53")], response.Answers.OfType<ARecord>().Select(a => a.Address));
        await serving.WaitAsync(TimeSpan.FromSeconds(10));

        // Without an upstream such a name is REFUSED.
        Assert.Equal(MessageStatus.Refused, (await AskThroughTheCard(Example, "www.example.org")).Status);
    }

    [Fact]
    public void The_resolvers_upstream_follows_every_push_not_only_the_first()
    {
        using var card = new ModelCard();
        var programmer = new CardProgrammer(card.Geometry);
        var runtime = new InstanceServicesRuntime(_ => Task.CompletedTask);
        programmer.Apply(card, Pushed(Example));
        runtime.Follow(programmer);
        Assert.Null(runtime.Resolver!.Upstream);

        // The region gains a dnsUpstream, changes it, and drops it: each push says where the next query goes.
        programmer.Apply(card, Pushed(Example with { DnsUpstream = "203.0.113.53" }));
        runtime.Follow(programmer);
        Assert.Equal(new IPEndPoint(IPAddress.Parse("203.0.113.53"), 53), Assert.IsType<UdpDnsUpstream>(runtime.Resolver.Upstream).Endpoint);
        programmer.Apply(card, Pushed(Example with { DnsUpstream = "203.0.113.54:5353" }));
        runtime.Follow(programmer);
        Assert.Equal(new IPEndPoint(IPAddress.Parse("203.0.113.54"), 5353), Assert.IsType<UdpDnsUpstream>(runtime.Resolver.Upstream).Endpoint);
        programmer.Apply(card, Pushed(Example));
        runtime.Follow(programmer);
        Assert.Null(runtime.Resolver.Upstream);
    }

    /// <summary>eni-a1 asks the VPC resolver (10.0.0.2) for <paramref name="name"/>: through the model card's punt path, the runtime, and back.</summary>
    private static async Task<Message> AskThroughTheCard(RegionTopology region, string name)
    {
        using var card = new ModelCard();
        var programmer = new CardProgrammer(card.Geometry);
        programmer.Apply(card, Pushed(region));
        var injected = new TaskCompletionSource<IReadOnlyList<(int Slot, byte[] Frame)>>(TaskCreationOptions.RunContinuationsAsynchronously);
        var runtime = new InstanceServicesRuntime(answers =>
        {
            injected.TrySetResult(answers);
            return Task.CompletedTask;
        });
        runtime.Follow(programmer);
        using var stop = new CancellationTokenSource();
        var running = runtime.RunAsync(stop.Token);

        var eni = programmer.Enis["eni-a1"];
        var slot = programmer.Slots["eni-a1"];
        var query = new Message { Id = 0x4242, RD = true };
        query.Questions.Add(new Question { Name = name, Type = DnsType.A, Class = DnsClass.IN });
        var source = Ipv4Address.ToUInt32(eni.Entry.Ip);
        var frame = Frames.Ipv4(programmer.Settings!.GatewayMac.Value, eni.Entry.Mac.Value, new Ipv4Fields(source, Ipv4Address.Parse("10.0.0.2"), Ipv4Header.ProtocolUdp),
            UdpHeader.Build(source, Ipv4Address.Parse("10.0.0.2"), 40000, 53, query.ToByteArray()));
        card.PushHost(slot, frame);
        card.RunUntilIdle();
        Assert.Empty(card.DrainNetwork());
        foreach (var punted in card.DrainPunt())
            runtime.Post(punted);

        var answers = await injected.Task.WaitAsync(TimeSpan.FromSeconds(10));
        foreach (var (to, answer) in answers)
            card.Inject(to, answer);
        card.RunUntilIdle();
        var delivered = Assert.Single(card.DrainHost());
        Assert.Equal(slot, delivered.Slot);
        Assert.Equal(eni.Entry.Mac.Value, EthernetHeader.Destination(delivered.Data));
        var udp = delivered.Data.AsSpan(EthernetHeader.Length + Ipv4Header.MinLength);
        Assert.Equal(53, UdpHeader.SourcePort(udp));
        var response = new Message();
        response.Read(udp[UdpHeader.Length..].ToArray());
        Assert.Equal(0x4242, response.Id);

        await stop.CancelAsync();
        await running;
        return response;
    }
}
