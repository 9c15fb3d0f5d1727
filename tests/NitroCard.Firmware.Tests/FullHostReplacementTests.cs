using System.Globalization;
using System.Net;
using NitroCard.Card;
using NitroCard.Driver.Simulation;
using NitroCard.Mapping.Distribution;
using NitroCard.Mapping.Grpc;
using NitroCard.Mapping.Grpc.Protocol;
using NitroCard.Mapping.Hosting;
using NitroCard.Mapping.State;
using NitroCard.Model;
using NitroCard.Packets;
using NitroCard.Region;

namespace NitroCard.Firmware.Tests;

/// <summary>
/// A host whose card has every ENI slot in use swaps one ENI for another with the same address (a valid apply):
/// the update is applied in two commits, and a frame for that address sent after each commit reaches no instance
/// after the first and the new ENI after the second — never the departed one's slot holder by mistake.
/// </summary>
public sealed class FullHostReplacementTests : IDisposable
{
    private readonly TempDir _dir = new();

    private const int Slots = 64;
    private static readonly IPAddress Target = IPAddress.Parse("10.0.1.73");

    [Fact]
    public void Rtl_replacing_an_ENI_on_a_full_host_takes_two_commits_and_never_misdelivers() => Run(new RtlCardEngine());

    [Fact]
    public void Model_replacing_an_ENI_on_a_full_host_takes_two_commits_and_never_misdelivers() => Run(new ModelCard(CardGeometry.Default));

    [Fact]
    public async Task An_apply_that_swaps_an_ENI_on_a_full_host_reaches_the_agent_as_a_delta_it_applies()
    {
        await using var server = await MappingServer.StartAsync(new MappingServerOptions(_dir.File("region.db"), new IPEndPoint(IPAddress.Loopback, 0), _dir.File("ca")));
        var service = server.Service;
        await service.ApplyAsync(Region(replaced: false));
        server.Ca.IssueHost("host-a", _dir.File("id-a"));
        using var channel = MappingChannel.ForHost(server.Endpoint, _dir.File("id-a"));
        using var card = new CardThread(() => new ModelCard(CardGeometry.Default));
        var agent = new FirmwareAgent("host-a", server.Endpoint, () => new RegionMapping.RegionMappingClient(channel), card, CardGeometry.Default);
        var kinds = new List<bool>();
        agent.Applied += d =>
        {
            lock (kinds)
                kinds.Add(d.Full);
        };
        using var cts = new CancellationTokenSource();
        var run = agent.RunAsync(cts.Token);
        try
        {
            await Wait.Until(() => agent.Version == service.Version);
            await service.ApplyAsync(Region(replaced: true));
            await Wait.Until(() => agent.Version == service.Version);
            PlanAssert.CardEqualsPlan(agent.Programmer, RegionCompiler.ForHost(service.Topology, "host-a"));
            lock (kinds)
                Assert.Equal([true, false], kinds); // the snapshot, then the swap as one delta: no resync was needed
            Assert.DoesNotContain(service.Alarms, a => a.Reason == "apply-failed");
        }
        finally
        {
            await cts.CancelAsync();
            await run;
        }
    }

    public void Dispose() => _dir.Dispose();

    private static void Run(ICardEngine engine)
    {
        using var inner = engine;
        Assert.Equal(Slots, inner.Geometry.EniSlots);
        var before = Region(replaced: false);
        var after = Region(replaced: true);
        var programmer = new CardProgrammer(inner.Geometry);
        programmer.Apply(new RecordingEngine(inner), DeltaBuilder.Snapshot(RegionState.From(before, 1), "host-a", 0));
        Assert.Equal(Slots, programmer.Slots.Count);
        var slot = programmer.Slots["eni-63"];
        Assert.Equal([slot], Deliver(inner, programmer, 0x02_00_00_01_00_3f));

        var seen = new List<int[]>();
        var card = new RecordingEngine(inner) { AfterCommit = _ => seen.Add(Deliver(inner, programmer, 0x02_00_00_01_01_00)) };
        programmer.Apply(card, DeltaBuilder.Snapshot(RegionState.From(after, 2), "host-a", 0));

        Assert.Equal(2, card.Count("commit"));
        Assert.Equal([[], [slot]], seen); // dropped between the commits; then the new ENI, in the freed slot
        Assert.Equal(slot, programmer.Slots["eni-new"]);
        Assert.False(programmer.Slots.ContainsKey("eni-63"));
        PlanAssert.CardEqualsPlan(programmer, RegionCompiler.ForHost(after, "host-a"));
    }

    /// <summary>Sends one UDP frame from eni-00 to the target address; returns the slots it was delivered to.</summary>
    private static int[] Deliver(ICardEngine card, CardProgrammer programmer, ulong targetMac)
    {
        card.SetTime(1);
        var frame = Frames.Pad(Frames.Udp(targetMac, 0x02_00_00_01_00_00, IPAddress.Parse("10.0.1.10"), Target, 40000, 7, new byte[16]));
        card.PushHost(programmer.Slots["eni-00"], frame);
        card.RunUntilIdle();
        Assert.Empty(card.DrainNetwork());
        return [.. card.DrainHost().Select(f => f.Slot)];
    }

    private static RegionTopology Region(bool replaced)
    {
        var enis = Enumerable.Range(0, Slots).Select(i => replaced && i == Slots - 1
            ? """{ "id": "eni-new", "subnet": "subnet-red", "ip": "10.0.1.73", "mac": "02:00:00:01:01:00", "host": "host-a", "securityGroups": ["sg-all"] }"""
            : string.Create(CultureInfo.InvariantCulture,
                $$"""{ "id": "eni-{{i:D2}}", "subnet": "subnet-red", "ip": "10.0.1.{{10 + i}}", "mac": "02:00:00:01:00:{{i:x2}}", "host": "host-a", "securityGroups": ["sg-all"] }"""));
        var json = $$"""
            {
              "hosts": [ { "name": "host-a", "underlayIp": "192.0.2.11" } ],
              "edges": [],
              "vpcs": [ { "id": "vpc-red", "cidr": "10.0.0.0/16", "vni": 1001,
                "subnets": [ { "id": "subnet-red", "cidr": "10.0.1.0/24" } ],
                "securityGroups": [ { "id": "sg-all",
                  "ingress": [ { "protocol": "all", "cidr": "0.0.0.0/0" } ],
                  "egress": [ { "protocol": "all", "cidr": "0.0.0.0/0" } ] } ],
                "enis": [ {{string.Join(",\n", enis)}} ] } ]
            }
            """;
        return RegionLoader.LoadFromString(json, "full-host.json");
    }
}
