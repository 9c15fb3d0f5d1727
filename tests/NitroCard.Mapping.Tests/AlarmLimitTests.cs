using Microsoft.Extensions.Time.Testing;
using NitroCard.Mapping.Alarms;
using NitroCard.Mapping.Api;
using NitroCard.Mapping.Storage;

namespace NitroCard.Mapping.Tests;

/// <summary>
/// An alarm flood is bounded: per host and reason a few alarms per window are stored and the rest counted on the last
/// one ("N more suppressed"); alarms older than the retention leave the store; <c>alarms</c> pages. Time is a
/// <see cref="FakeTimeProvider"/>.
/// </summary>
public sealed class AlarmLimitTests : IDisposable
{
    private readonly TempDir _dir = new();
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 12, 1, 12, 0, 0, TimeSpan.Zero));

    private async Task<MappingService> OpenAsync(MappingServiceOptions? options = null)
        => await MappingService.OpenAsync(await SqliteRegionStore.OpenAsync(_dir.File("region.db")), options, time: _time);

    private static AlarmRecord Card(string host, string reason) => new(0, default, AlarmRecord.CardKind, host, reason, $"card of {host} dropped a frame ({reason})");

    [Fact]
    public async Task A_flood_of_one_host_and_reason_stores_a_burst_per_window_and_counts_the_rest()
    {
        var options = new MappingServiceOptions { AlarmBurst = 10, AlarmWindow = TimeSpan.FromSeconds(10) };
        await using (var service = await OpenAsync(options))
        {
            // 100,000 bad frames reported in batches of 1,000, with a few other alarms among them.
            for (var batch = 0; batch < 100; batch++)
                await service.RecordAlarmsAsync([.. Enumerable.Range(0, 1000).Select(_ => Card("host-a", "spoofed-source")), Card("host-b", "spoofed-source")]);
            await service.RecordAlarmsAsync([Card("host-a", "not-on-host")]);

            var alarms = service.Alarms;
            Assert.Equal(10, alarms.Count(a => a is { Host: "host-a", Reason: "spoofed-source" }));
            Assert.Equal(10, alarms.Count(a => a is { Host: "host-b", Reason: "spoofed-source" }));
            Assert.Single(alarms, a => a.Reason == "not-on-host");
            var last = alarms.Last(a => a is { Host: "host-a", Reason: "spoofed-source" });
            Assert.Equal(100_000 - 10, last.Suppressed);
            Assert.Equal(90, alarms.Last(a => a.Host == "host-b").Suppressed);
            Assert.All(alarms.Where(a => a != last && a.Host == "host-a"), a => Assert.Null(a.Suppressed));

            // The next window stores again.
            _time.Advance(TimeSpan.FromSeconds(10));
            await service.RecordAlarmsAsync([Card("host-a", "spoofed-source")]);
            Assert.Equal(11, service.Alarms.Count(a => a is { Host: "host-a", Reason: "spoofed-source" }));
        }
        // What the store holds is what was shown, counts included.
        await using var reopened = await OpenAsync(options);
        Assert.Equal(22, reopened.Alarms.Count);
        Assert.Equal(100_000 - 10, reopened.Alarms.Single(a => a.Suppressed > 1000).Suppressed);
    }

    [Fact]
    public async Task Alarms_older_than_the_retention_leave_the_service_and_the_store()
    {
        var options = new MappingServiceOptions { AlarmRetention = TimeSpan.FromHours(1) };
        await using (var service = await OpenAsync(options))
        {
            await service.RecordAlarmsAsync([Card("host-a", "r1"), Card("host-a", "r2"), Card("host-a", "r3")]);
            _time.Advance(TimeSpan.FromMinutes(30));
            await service.RecordAlarmsAsync([Card("host-a", "r4"), Card("host-a", "r5")]);
            _time.Advance(TimeSpan.FromMinutes(31));
            Assert.Equal(["r4", "r5"], service.Alarms.Select(a => a.Reason));
            await service.RecordAlarmsAsync([Card("host-a", "r6")]);
            Assert.Equal(["r4", "r5", "r6"], service.Alarms.Select(a => a.Reason));
        }
        await using (var store = await SqliteRegionStore.OpenAsync(_dir.File("region.db")))
            Assert.Equal(["r4", "r5", "r6"], (await store.ReadAlarmsAsync(CancellationToken.None)).Select(a => a.Reason));

        // Opening ages out too.
        _time.Advance(TimeSpan.FromMinutes(45));
        await using (var service = await OpenAsync(options))
            Assert.Equal(["r6"], service.Alarms.Select(a => a.Reason));
        await using var after = await SqliteRegionStore.OpenAsync(_dir.File("region.db"));
        Assert.Equal(["r6"], (await after.ReadAlarmsAsync(CancellationToken.None)).Select(a => a.Reason));
    }

    [Fact]
    public async Task Alarms_page_with_max_items_and_a_starting_token_and_come_all_at_once_without_them()
    {
        await using var service = await OpenAsync();
        await service.RecordAlarmsAsync([.. Enumerable.Range(0, 25).Select(i => Card("host-a", $"reason-{i}"))]);

        var all = service.DescribeAlarms(new DescribeAlarmsRequest());
        Assert.Equal(25, all.Alarms.Count); // without paging, every alarm
        Assert.Null(all.NextToken);

        var reasons = new List<string>();
        string? token = null;
        var pages = 0;
        do
        {
            var page = service.DescribeAlarms(new DescribeAlarmsRequest(MaxItems: 10, StartingToken: token));
            reasons.AddRange(page.Alarms.Select(a => a.Reason));
            token = page.NextToken;
            pages++;
        }
        while (token is not null);
        Assert.Equal(3, pages);
        Assert.Equal(Enumerable.Range(0, 25).Select(i => $"reason-{i}"), reasons);

        var bad = Assert.Throws<MappingApiException>(() => service.DescribeAlarms(new DescribeAlarmsRequest(StartingToken: "abc")));
        Assert.Contains("--starting-token 'abc'", bad.Message, StringComparison.Ordinal);
        bad = Assert.Throws<MappingApiException>(() => service.DescribeAlarms(new DescribeAlarmsRequest(MaxItems: 0)));
        Assert.Contains("--max-items '0'", bad.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Nitroctl_prints_the_alarms_reply_as_the_service_serialized_its_records()
    {
        await using var service = await OpenAsync();
        await service.RecordAlarmsAsync([
            new AlarmRecord(0, default, AlarmRecord.CardKind, "host-a", "spoofed-source", "card of host-a dropped a frame (spoofed-source) slot 1: \"x\" <y> & …", Vni: 1001, Slot: 1,
                OuterSource: "192.0.2.99", InnerSource: "10.0.1.10", InnerDestination: "10.0.2.20", Cycle: 18_446_744_073_709_551_615),
            new AlarmRecord(0, default, AlarmRecord.AuthorizationKind, "host-b", "identity-mismatch", "claimed host-a", ClaimedHost: "host-a"),
        ]);
        _time.Advance(TimeSpan.FromTicks(1_234_567));
        await service.RecordAlarmsAsync([.. Enumerable.Range(0, 11).Select(_ => Card("host-c", "sg-deny"))]);   // the 11th is counted as suppressed
        var api = new NitroCard.Mapping.Grpc.OperatorApi(service);
        var indented = new System.Text.Json.JsonSerializerOptions { WriteIndented = true };

        var all = await api.DescribeAlarmsAsync(new NitroCard.Mapping.Grpc.Protocol.DescribeAlarmsRequest());
        Assert.Contains(service.Alarms, a => a.Suppressed == 1);
        Assert.Equal(System.Text.Json.JsonSerializer.SerializeToNode(service.Alarms.ToList(), AlarmJsonContext.Default.ListAlarmRecord)!.ToJsonString(indented),
            NitroCard.Mapping.Grpc.ReplyJson.Render(all, paged: false));

        var page = await api.DescribeAlarmsAsync(new NitroCard.Mapping.Grpc.Protocol.DescribeAlarmsRequest { MaxItems = 2 });
        Assert.Equal(System.Text.Json.JsonSerializer.SerializeToNode(new AlarmPage([.. service.Alarms.Take(2)], "3"), AlarmJsonContext.Default.AlarmPage)!.ToJsonString(indented),
            NitroCard.Mapping.Grpc.ReplyJson.Render(page, paged: true));
        var last = await api.DescribeAlarmsAsync(new NitroCard.Mapping.Grpc.Protocol.DescribeAlarmsRequest { StartingToken = "12" });
        Assert.Equal(System.Text.Json.JsonSerializer.SerializeToNode(new AlarmPage([.. service.Alarms.Skip(11)], null), AlarmJsonContext.Default.AlarmPage)!.ToJsonString(indented),
            NitroCard.Mapping.Grpc.ReplyJson.Render(last, paged: true));
    }

    public void Dispose() => _dir.Dispose();
}
