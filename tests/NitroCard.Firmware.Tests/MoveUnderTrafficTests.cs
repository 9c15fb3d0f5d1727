using System.Buffers.Binary;
using System.Globalization;
using System.Net;
using NitroCard.Card;
using NitroCard.Driver.Simulation;
using NitroCard.Mapping.Grpc;
using NitroCard.Mapping.Grpc.Protocol;
using NitroCard.Mapping.Hosting;
using NitroCard.Model;
using NitroCard.Packets;
using Xunit.Abstractions;

namespace NitroCard.Firmware.Tests;

/// <summary>
/// Two hosts, each a card on its own <see cref="CardThread"/> programmed by a <see cref="FirmwareAgent"/> that
/// subscribes to the real Mapping Service (gRPC with mutual TLS on 127.0.0.1). An ENI moves from host-a to
/// host-b while an ENI on host-a sends it one numbered frame per tick; an in-test substrate carries every
/// frame a card sends to the card whose underlay address is the outer destination. Every frame that comes out
/// of a card is checked against the card's own slot table at that moment: a frame for the moving ENI's
/// address only ever reaches the moving ENI (never the same address in another VPC, never another ENI).
/// No frame may be lost during the move; a loss is reported with the gap measured in ticks and card cycles.
/// <para>
/// Filtering: the service distributes each host's route tables, network ACLs and security group rules; the
/// region's security groups allow the test traffic (UDP 7 within the VPC CIDR), nothing else is opened.
/// </para>
/// </summary>
public sealed class MoveUnderTrafficTests(ITestOutputHelper output) : IDisposable
{
    private const string Region = """
        {
          "hosts": [ { "name": "host-a", "underlayIp": "192.0.2.11" }, { "name": "host-b", "underlayIp": "192.0.2.12" } ],
          "edges": [],
          "vpcs": [
            { "id": "vpc-red", "cidr": "10.0.0.0/16", "vni": 1001,
              "subnets": [ { "id": "subnet-red", "cidr": "10.0.1.0/24" } ],
              "securityGroups": [ { "id": "sg-red",
                "ingress": [ { "protocol": "udp", "fromPort": 7, "toPort": 7, "cidr": "10.0.0.0/16" } ],
                "egress": [ { "protocol": "udp", "fromPort": 7, "toPort": 7, "cidr": "10.0.0.0/16" } ] } ],
              "enis": [
                { "id": "eni-src",  "subnet": "subnet-red", "ip": "10.0.1.5",  "mac": "02:00:00:01:00:05", "host": "host-a", "securityGroups": ["sg-red"] },
                { "id": "eni-move", "subnet": "subnet-red", "ip": "10.0.1.10", "mac": "02:00:00:01:00:0a", "host": "host-a", "securityGroups": ["sg-red"] },
                { "id": "eni-stay", "subnet": "subnet-red", "ip": "10.0.1.11", "mac": "02:00:00:01:00:0b", "host": "host-b", "securityGroups": ["sg-red"] } ] },
            { "id": "vpc-blue", "cidr": "10.0.0.0/16", "vni": 1002,
              "subnets": [ { "id": "subnet-blue", "cidr": "10.0.1.0/24" } ],
              "enis": [ { "id": "eni-twin-b", "subnet": "subnet-blue", "ip": "10.0.1.10", "mac": "02:00:00:02:00:0a", "host": "host-b" } ] },
            { "id": "vpc-green", "cidr": "10.0.0.0/16", "vni": 1003,
              "subnets": [ { "id": "subnet-green", "cidr": "10.0.1.0/24" } ],
              "enis": [ { "id": "eni-twin-a", "subnet": "subnet-green", "ip": "10.0.1.10", "mac": "02:00:00:03:00:0a", "host": "host-a" } ] }
          ]
        }
        """;

    private static readonly IPAddress Source = IPAddress.Parse("10.0.1.5");
    private static readonly IPAddress Target = IPAddress.Parse("10.0.1.10");
    private const ulong SourceMac = 0x02_00_00_01_00_05;
    private const ulong TargetMac = 0x02_00_00_01_00_0a;

    private readonly TempDir _dir = new();

    [Fact]
    public Task Rtl_an_ENI_moves_between_hosts_under_traffic_without_misdelivery() => RunAsync(() => new RtlCardEngine());

    [Fact]
    public Task Model_an_ENI_moves_between_hosts_under_traffic_without_misdelivery() => RunAsync(() => new ModelCard(CardGeometry.Default));

    private sealed record Host(string Name, uint Underlay, CardThread Card, FirmwareAgent Agent);

    private async Task RunAsync(Func<ICardEngine> engine)
    {
        await using var server = await MappingServer.StartAsync(new MappingServerOptions(_dir.File("region.db"), new IPEndPoint(IPAddress.Loopback, 0), _dir.File("ca")));
        var service = server.Service;
        await service.ApplyAsync(Region);

        var hosts = new List<Host>();
        var channels = new List<IDisposable>();
        using var stop = new CancellationTokenSource();
        var runs = new List<Task>();
        try
        {
            foreach (var (name, underlay) in new[] { ("host-a", "192.0.2.11"), ("host-b", "192.0.2.12") })
            {
                server.Ca.IssueHost(name, _dir.File("id-" + name));
                var channel = MappingChannel.ForHost(server.Endpoint, _dir.File("id-" + name));
                channels.Add(channel);
                var card = new CardThread(engine, name);
                channels.Add(card);
                var geometry = await card.InvokeAsync(c => c.Geometry);
                var agent = new FirmwareAgent(name, server.Endpoint, () => new RegionMapping.RegionMappingClient(channel), card, geometry)
                {
                    ReportInterval = TimeSpan.FromSeconds(30),
                };
                hosts.Add(new Host(name, Ipv4Address.ToUInt32(IPAddress.Parse(underlay)), card, agent));
                runs.Add(agent.RunAsync(stop.Token));
            }
            await Wait.Until(() => hosts.All(h => h.Agent.Version == service.Version));
            var a = hosts[0];
            var b = hosts[1];

            var sent = 0;
            var delivered = new SortedSet<int>();
            var cycles = new List<ulong>(); // card cycles of each tick (both cards)
            var misdelivered = new List<string>();
            var deliveredOn = new Dictionary<string, int>(StringComparer.Ordinal);
            Task? move = null;
            long moveVersion = 0;
            var ticksAfterMove = 0;
            var firstOnB = -1;
            var time = 0UL;
            while (ticksAfterMove < 30)
            {
                // Whether both hosts had acknowledged the move before this tick's frame was sent: the agents apply
                // versions concurrently, so a check after the frame could count a frame host-a still delivered.
                var afterMove = move is { IsCompleted: true } && a.Agent.Version >= moveVersion && b.Agent.Version >= moveVersion;
                var seq = sent++;
                time += 10;
                ulong tickCycles = 0;
                var payload = new byte[32];
                BinaryPrimitives.WriteInt32BigEndian(payload, seq);
                var frame = Frames.Pad(Frames.Udp(TargetMac, SourceMac, Source, Target, 40000, 7, payload));
                var pending = new Queue<(Host Host, byte[]? FromNetwork)>();
                pending.Enqueue((a, null));
                while (pending.TryDequeue(out var step))
                {
                    var (host, fromNetwork) = step;
                    var (hostFrames, networkFrames, ran) = await host.Card.InvokeAsync(c =>
                    {
                        c.SetTime(time);
                        if (fromNetwork is null)
                            c.PushHost(host.Agent.Programmer.Slots["eni-src"], frame);
                        else
                            c.PushNetwork(fromNetwork);
                        var ran = c.RunUntilIdle() ?? 0;
                        var slots = host.Agent.Programmer.Slots.ToDictionary(kv => kv.Value, kv => kv.Key);
                        var toHost = c.DrainHost().Select(f => (Eni: slots.GetValueOrDefault(f.Slot, $"empty slot {f.Slot}"), f.Data)).ToList();
                        return (toHost, c.DrainNetwork(), ran);
                    });
                    tickCycles += ran;
                    foreach (var (eni, data) in hostFrames)
                    {
                        var ip = data.AsSpan(EthernetHeader.Length);
                        var dst = Ipv4Header.Destination(ip);
                        var udpPayload = ip[(Ipv4Header.MinLength + 8)..];
                        var n = BinaryPrimitives.ReadInt32BigEndian(udpPayload);
                        if (dst != Ipv4Address.ToUInt32(Target) || eni != "eni-move" || n != seq)
                        {
                            misdelivered.Add($"frame {n} for {Ipv4Address.FromUInt32(dst)} reached {eni} on {host.Name}");
                        }
                        else
                        {
                            delivered.Add(n);
                            deliveredOn[host.Name] = deliveredOn.GetValueOrDefault(host.Name) + 1;
                            if (host == b && firstOnB < 0)
                                firstOnB = n;
                        }
                    }
                    foreach (var f in networkFrames)
                    {
                        var outerDst = Ipv4Header.Destination(f.Data.AsSpan(EthernetHeader.Length));
                        var next = hosts.FirstOrDefault(h => h.Underlay == outerDst);
                        if (next is not null)
                            pending.Enqueue((next, f.Data));
                    }
                }
                cycles.Add(tickCycles);

                if (sent == 20)
                {
                    moveVersion = service.Version + 1;
                    move = service.MoveNetworkInterfaceAsync(new("eni-move", "host-b"));
                }
                if (afterMove)
                    ticksAfterMove++;
                if (sent > 20_000)
                    throw new TimeoutException("the move was not acknowledged by both hosts");
                await Task.Yield();
            }
            await move!;

            Assert.Empty(misdelivered);
            var lost = Enumerable.Range(0, sent).Where(n => !delivered.Contains(n)).ToList();
            // The longest run of consecutive lost frames, and the card cycles it spanned.
            var (gap, gapCycles) = LongestGap(lost, cycles);
            var engineName = await a.Card.InvokeAsync(c => c.Name);
            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{engineName}: move issued before frame 20, first frame on host-b {firstOnB}; sent {sent}, delivered {delivered.Count} (host-a {deliveredOn.GetValueOrDefault("host-a")}, host-b {deliveredOn.GetValueOrDefault("host-b")}), lost {lost.Count}, longest gap {gap} frames / {gapCycles} card cycles"));
            Assert.True(deliveredOn.GetValueOrDefault("host-a") >= 20, "frames reached eni-move on host-a before the move");
            Assert.True(deliveredOn.GetValueOrDefault("host-b") >= 30, "frames reach eni-move on host-b after the move");
            // Make-before-break: no frame is lost (README, "Mapping Service and firmware": 0 frames lost).
            Assert.True(lost.Count == 0, $"{lost.Count} frames lost, longest gap {gap} frames: {string.Join(", ", lost)}");
            Assert.Equal(sent, delivered.Count);
            Assert.Equal(["eni-move", "eni-stay", "eni-twin-b"], b.Agent.Programmer.Slots.Keys.Order(StringComparer.Ordinal));
            Assert.DoesNotContain("eni-move", a.Agent.Programmer.Slots.Keys);
        }
        finally
        {
            await stop.CancelAsync();
            await Task.WhenAll(runs);
            foreach (var d in channels)
                d.Dispose();
        }
    }

    private static (int Frames, ulong Cycles) LongestGap(List<int> lost, List<ulong> cycles)
    {
        var best = (0, 0UL);
        for (var i = 0; i < lost.Count;)
        {
            var j = i;
            while (j + 1 < lost.Count && lost[j + 1] == lost[j] + 1)
                j++;
            var span = (j - i + 1, (ulong)cycles.Skip(lost[i]).Take(j - i + 1).Aggregate(0UL, (s, c) => s + c));
            if (span.Item1 > best.Item1)
                best = span;
            i = j + 1;
        }
        return best;
    }

    public void Dispose() => _dir.Dispose();
}
