using System.Collections.Concurrent;
using System.Collections.Immutable;
using System.Globalization;
using NitroCard.Card;
using NitroCard.Mapping.Api;
using NitroCard.Mapping.Grpc;
using NitroCard.Mapping.State;
using NitroCard.Mapping.Storage;
using NitroCard.Region;
using P = NitroCard.Mapping.Grpc.Protocol;

namespace NitroCard.Mapping.Tests;

/// <summary>
/// The incremental <c>apply</c> (<see cref="IncrementalApply"/>) against the whole-region path it replaces, on seeded random
/// changes of a region, valid and invalid: it accepts exactly what the full validator accepts, refuses with the same text,
/// stores the same objects and sends every host the same delta.
/// </summary>
public sealed class IncrementalApplyTests
{
    private const int Hosts = 6;
    private const int VpcCount = 8;
    private const int EnisPerVpc = 6;

    /// <summary>Small cards, so that moves and additions run into the per-host limits.</summary>
    private static readonly CardGeometry Geometry = CardGeometry.Default with { EniSlots = 10, EdgeEntries = 8 };

    private static string HostName(int h) => "host-" + h.ToString(CultureInfo.InvariantCulture);

    private static string Mac(int vpc, int eni) => string.Create(CultureInfo.InvariantCulture, $"02:00:00:00:{vpc:x2}:{eni:x2}");

    /// <summary>
    /// Hosts, one edge, VPCs with two subnets, a security group, public IPs on some ENIs, an instance with two ENIs in every
    /// other VPC, a network ACL and an Internet Gateway in the first.
    /// </summary>
    internal static RegionTopology BaseRegion()
    {
        var vpcs = ImmutableArray.CreateBuilder<Vpc>();
        for (var v = 0; v < VpcCount; v++)
        {
            var enis = ImmutableArray.CreateBuilder<Eni>();
            for (var e = 0; e < EnisPerVpc; e++)
            {
                var instance = v % 2 == 0 && e is 1 or 2;
                enis.Add(new Eni(
                    Id: string.Create(CultureInfo.InvariantCulture, $"eni-{v}-{e}"),
                    Subnet: $"subnet-{v}-{e % 2}",
                    Ip: string.Create(CultureInfo.InvariantCulture, $"10.0.{e % 2}.{10 + e}"),
                    Mac: Mac(v, e),
                    Host: HostName(instance ? (v + 1) % Hosts : (v + e) % Hosts),
                    SecurityGroups: [$"sg-{v}"],
                    PublicIp: e == 0 ? string.Create(CultureInfo.InvariantCulture, $"203.0.113.{10 + v}") : null,
                    InstanceId: instance ? string.Create(CultureInfo.InvariantCulture, $"i-{v:x8}") : null,
                    DeviceIndex: instance ? e - 1 : 0));
            }
            vpcs.Add(new Vpc($"vpc-{v}", "10.0.0.0/16", (uint)(100 + v))
            {
                Subnets = [new Subnet($"subnet-{v}-0", "10.0.0.0/24"), new Subnet($"subnet-{v}-1", "10.0.1.0/24")],
                SecurityGroups = [new SecurityGroup($"sg-{v}") { Ingress = [new SecurityGroupRule("tcp", 22, 22, "198.51.100.0/24")] }],
                NetworkAcls = v == 0 ? [new RegionNetworkAcl($"acl-{v}") { Subnets = [$"subnet-{v}-1"] }] : [],
                InternetGateway = v == 0 ? new InternetGateway("igw-0") : null,
                Enis = enis.ToImmutable(),
            });
        }
        return new RegionTopology
        {
            Hosts = [.. Enumerable.Range(0, Hosts).Select(h => new RegionHost(HostName(h), string.Create(CultureInfo.InvariantCulture, $"192.0.2.{1 + h}")))],
            Edges = [new RegionEdge("edge-0", "192.0.2.100")],
            Vpcs = vpcs.ToImmutable(),
        };
    }

    /// <summary>One to three random edits of ENIs and VPCs, many of them invalid (collisions within and across VPCs, capacity, references).</summary>
    internal static RegionTopology Mutate(RegionTopology region, Random random)
    {
        var vpcs = region.Vpcs.ToBuilder();
        var all = vpcs.SelectMany(v => v.Enis).ToList();
        var ids = vpcs.SelectMany(v => RegionIds.OfVpcHeader(v)).Concat(all.Select(e => e.Id)).ToList();
        var edits = 1 + random.Next(3);
        for (var n = 0; n < edits; n++)
        {
            var v = random.Next(vpcs.Count);
            var vpc = vpcs[v];
            if (vpc.Enis.IsEmpty)
                continue;
            var i = random.Next(vpc.Enis.Length);
            var eni = vpc.Enis[i];
            var other = all[random.Next(all.Count)];
            Eni? edited = random.Next(14) switch
            {
                0 or 1 or 2 => eni with { Host = HostName(random.Next(Hosts)) },
                3 => eni with { Mac = other.Mac },
                4 => eni with { Id = ids[random.Next(ids.Count)] },
                5 => eni with { PublicIp = random.Next(3) switch { 0 => other.PublicIp, 1 => string.Create(CultureInfo.InvariantCulture, $"203.0.113.{100 + random.Next(50)}"), _ => "10.9.9.9" } },
                6 => eni with { InstanceId = other.EffectiveInstanceId, DeviceIndex = random.Next(3), Host = random.Next(2) == 0 ? other.Host : eni.Host },
                7 => eni with { Ip = string.Create(CultureInfo.InvariantCulture, $"10.0.{random.Next(2)}.{1 + random.Next(20)}") },
                8 => eni with { Host = "host-unknown" },
                9 => eni with { Subnet = random.Next(2) == 0 ? $"subnet-{random.Next(VpcCount)}-0" : eni.Subnet, SecurityGroups = [$"sg-{random.Next(VpcCount)}"] },
                _ => null,
            };
            if (edited is not null)
            {
                vpcs[v] = vpc with { Enis = vpc.Enis.SetItem(i, edited) };
                continue;
            }
            vpcs[v] = random.Next(5) switch
            {
                0 => vpc with
                {
                    Enis = vpc.Enis.Add(new Eni(
                        string.Create(CultureInfo.InvariantCulture, $"eni-new-{random.Next(1000)}"), $"{vpc.Subnets[0].Id}",
                        string.Create(CultureInfo.InvariantCulture, $"10.0.0.{100 + random.Next(100)}"),
                        string.Create(CultureInfo.InvariantCulture, $"02:00:00:01:{random.Next(256):x2}:{random.Next(256):x2}"), HostName(random.Next(Hosts)),
                        SecurityGroups: [$"sg-{v}"])),
                },
                1 => vpc with { Enis = vpc.Enis.RemoveAt(i) },
                2 => vpc with { Enis = vpc.Enis.RemoveAt(i).Add(eni) },
                3 => vpc with
                {
                    SecurityGroups = random.Next(2) == 0
                        ? [vpc.SecurityGroups[0] with { Ingress = [new SecurityGroupRule("tcp", random.Next(1, 1000), 1000, "0.0.0.0/0")] }]
                        : [.. vpc.SecurityGroups, new SecurityGroup(ids[random.Next(ids.Count)])],
                },
                _ => vpc with { Vni = random.Next(2) == 0 ? region.Vpcs[random.Next(VpcCount)].Vni : 5000 },
            };
        }
        return region with { Vpcs = vpcs.ToImmutable() };
    }

    [Fact]
    public void The_incremental_check_accepts_only_regions_the_full_validator_accepts_and_diffs_like_the_whole_region()
    {
        var region = BaseRegion();
        Assert.Empty(RegionValidator.Validate(region, Geometry));
        var state = RegionState.From(region, 1);
        var random = new Random(15);
        int accepted = 0, refused = 0, fallbacks = 0;
        for (var trial = 0; trial < 600; trial++)
        {
            var next = Mutate(region, random);
            var errors = RegionValidator.Validate(next, Geometry);
            var change = IncrementalApply.Find(region, next);
            Assert.NotNull(change);
            if (change.IsCertainlyValid(state, Geometry))
            {
                Assert.True(errors.IsEmpty, $"trial {trial}: the incremental check passed a region the validator refuses: {string.Join("; ", errors)}");
                accepted++;
            }
            else if (errors.IsEmpty)
            {
                fallbacks++;
            }
            else
            {
                refused++;
            }
            Assert.Equal(Text(RegionRecords.Diff(region, next)), Text(change.Writes(region)));
            // A region file's text (every object new) finds the same VPCs changed.
            var parsed = IncrementalApply.Find(region, RegionLoader.Parse(RegionLoader.ToJson(next), "region.json"));
            Assert.NotNull(parsed);
            Assert.Equal(change.Changed.ToArray(), parsed.Changed.ToArray());
        }
        // Both outcomes are exercised, and most valid changes are shown valid without the full validator.
        Assert.True(accepted > 100 && refused > 100, $"accepted {accepted}, refused {refused}");
        Assert.True(fallbacks < accepted / 4, $"{fallbacks} valid changes needed the full validator, {accepted} did not");
    }

    [Fact]
    public void The_state_after_an_incremental_apply_indexes_the_region_as_a_full_reload_does()
    {
        var region = BaseRegion();
        var random = new Random(3);
        for (var trial = 0; trial < 200; trial++)
        {
            var next = Mutate(region, random);
            var change = IncrementalApply.Find(region, next)!;
            if (!change.IsCertainlyValid(RegionState.From(region, 1), Geometry))
                continue;
            var incremental = RegionState.From(region, 1);
            incremental.ReplaceVpcs(change.Region, change.Changed, 2);
            var whole = RegionState.From(region, 1);
            whole.ReplaceAll(change.Region, 2);
            Assert.Equal(RegionLoader.ToJson(whole.Topology), RegionLoader.ToJson(incremental.Topology));
            Assert.Equal(whole.NextSeq, incremental.NextSeq);
            foreach (var eni in change.Region.Vpcs.SelectMany(v => v.Enis).Concat(region.Vpcs.SelectMany(v => v.Enis)))
            {
                Assert.Equal(whole.Eni(eni.Id), incremental.Eni(eni.Id));
                Assert.Equal(whole.SeqOfEni(eni.Id), incremental.SeqOfEni(eni.Id));
                Assert.Equal(whole.HasId(eni.Id), incremental.HasId(eni.Id));
                var mac = MacAddress.Parse(eni.Mac).Value;
                Assert.Equal(whole.MacOwner(mac), incremental.MacOwner(mac));
                Assert.Equal(whole.EniCountOfInstance(eni.EffectiveInstanceId), incremental.EniCountOfInstance(eni.EffectiveInstanceId));
            }
            for (var h = 0; h < Hosts; h++)
            {
                Assert.Equal(whole.VpcsOf(HostName(h)).Order(StringComparer.Ordinal), incremental.VpcsOf(HostName(h)).Order(StringComparer.Ordinal));
                Assert.Equal(whole.EniCountOn(HostName(h)), incremental.EniCountOn(HostName(h)));
            }
            foreach (var vpc in change.Region.Vpcs)
                Assert.Equal(whole.HostsOf(vpc.Id).Order(StringComparer.Ordinal), incremental.HostsOf(vpc.Id).Order(StringComparer.Ordinal));
        }
    }

    [Fact]
    public async Task An_apply_gives_the_same_answer_store_and_host_deltas_as_the_whole_region_path()
    {
        var region = BaseRegion();
        var random = new Random(21);
        int applied = 0, refused = 0;
        for (var trial = 0; trial < 40; trial++)
        {
            var next = Mutate(region, random);
            using var dir = new TempDir("nitrocard-incremental-");
            await using var incremental = await Subscribed.OpenAsync(Path.Combine(dir.Path, "incremental.db"), region, wholeRegion: false);
            await using var whole = await Subscribed.OpenAsync(Path.Combine(dir.Path, "whole.db"), region, wholeRegion: true);
            // Half the trials go through the region file's text, as `nitroctl mapping apply` sends it.
            var asText = trial % 2 == 0;
            var (incrementalResult, incrementalError) = await incremental.ApplyAsync(next, asText);
            var (wholeResult, wholeError) = await whole.ApplyAsync(next, asText);
            Assert.Equal(wholeError?.Message, incrementalError?.Message);
            Assert.Equal(wholeError?.Code, incrementalError?.Code);
            Assert.Equal(wholeResult, incrementalResult);
            Assert.Equal(RegionLoader.ToJson(whole.Service.Topology), RegionLoader.ToJson(incremental.Service.Topology));
            Assert.Equal(await whole.StoredAsync(), await incremental.StoredAsync());
            if (wholeError is not null)
            {
                Assert.Equal(1, incremental.Service.Version);
                Assert.Equal(RegionLoader.ToJson(region), RegionLoader.ToJson(incremental.Service.Topology));
                refused++;
                continue;
            }
            applied++;
            Assert.Equal(2, incremental.Service.Version);
            var expected = await whole.DeltasAsync(2);
            Assert.Equal(expected.Keys.Order(StringComparer.Ordinal), (await incremental.DeltasAsync(2)).Keys.Order(StringComparer.Ordinal));
            foreach (var (host, delta) in expected)
                Assert.Equal(delta, (await incremental.DeltasAsync(2))[host]);
        }
        Assert.True(applied > 5 && refused > 5, $"applied {applied}, refused {refused}");
    }

    [Fact]
    public async Task A_refused_incremental_apply_names_the_field_and_changes_nothing()
    {
        var region = BaseRegion();
        using var dir = new TempDir("nitrocard-incremental-");
        await using var service = await Subscribed.OpenAsync(Path.Combine(dir.Path, "region.db"), region, wholeRegion: false);
        var vpc = region.Vpcs[3];
        // Ten valid moves and one MAC taken from another VPC: all or nothing.
        var enis = vpc.Enis.Select((e, i) => e with { Host = HostName((i + 4) % Hosts) }).ToImmutableArray().SetItem(2, vpc.Enis[2] with { Mac = Mac(5, 1) });
        var next = region with { Vpcs = region.Vpcs.SetItem(3, vpc with { Enis = enis }) };
        var (_, error) = await service.ApplyAsync(next, asText: true);
        Assert.NotNull(error);
        Assert.Equal(ErrorCodes.InvalidParameterValue, error.Code);
        Assert.Equal("region.json: vpcs[5].enis[1].mac: 02:00:00:00:05:01 is already the MAC of vpcs[3].enis[2] (eni-3-2)", error.Message);
        Assert.Equal(1, service.Service.Version);
        Assert.Equal(RegionLoader.ToJson(region), RegionLoader.ToJson(service.Service.Topology));
    }

    private static string Text(IEnumerable<StoreWrite> writes) => string.Join("\n", writes.Select(w => $"{w.Key} {w.Seq} {w.Json ?? "(delete)"}"));

    /// <summary>A service on SQLite with the region applied and every host subscribed, keeping what each host is sent.</summary>
    private sealed class Subscribed : IAsyncDisposable
    {
        private readonly CancellationTokenSource _stop = new();
        private readonly List<Task> _pumps = [];
        private readonly ConcurrentDictionary<(string Host, long Version), P.Delta> _received = new();

        private Subscribed(MappingService service) => Service = service;

        public MappingService Service { get; }

        public static async Task<Subscribed> OpenAsync(string path, RegionTopology region, bool wholeRegion)
        {
            var service = await MappingService.OpenAsync(await SqliteRegionStore.OpenAsync(path), new MappingServiceOptions(Geometry) { WholeRegionApply = wholeRegion });
            await service.ApplyAsync(region);
            var subscribed = new Subscribed(service);
            foreach (var host in region.Hosts)
            {
                var session = service.Hub.Connect(host.Name, 1);
                subscribed._pumps.Add(Task.Run(() => session.PumpAsync(d =>
                {
                    subscribed._received[(host.Name, d.Version)] = DeltaCodec.ToMessage(d);
                    session.Ack(d.Version);
                    return Task.CompletedTask;
                }, subscribed._stop.Token)));
            }
            return subscribed;
        }

        public async Task<(ApplyResult? Result, MappingApiException? Error)> ApplyAsync(RegionTopology region, bool asText)
        {
            try
            {
                return (asText ? await Service.ApplyAsync(RegionLoader.ToJson(region), "region.json") : await Service.ApplyAsync(region), null);
            }
            catch (MappingApiException e)
            {
                return (null, e);
            }
        }

        /// <summary>The deltas of a version, once every host it concerns has acknowledged it.</summary>
        public async Task<Dictionary<string, P.Delta>> DeltasAsync(long version)
        {
            var hosts = Service.Hub.HostsOf(version) ?? [];
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            while (!hosts.All(h => _received.ContainsKey((h, version))))
                await Task.Delay(5, timeout.Token);
            return hosts.ToDictionary(h => h, h => _received[(h, version)], StringComparer.Ordinal);
        }

        public async Task<string> StoredAsync()
        {
            var (version, records) = await Service.Store.LoadAsync(CancellationToken.None);
            return $"{version}\n" + string.Join("\n", records.OrderBy(r => r.Key, StringComparer.Ordinal).Select(r => $"{r.Key} {r.Seq} {r.Json}"));
        }

        public async ValueTask DisposeAsync()
        {
            await _stop.CancelAsync();
            try
            {
                await Task.WhenAll(_pumps);
            }
            catch (OperationCanceledException)
            {
            }
            await Service.DisposeAsync();
            _stop.Dispose();
        }
    }
}
