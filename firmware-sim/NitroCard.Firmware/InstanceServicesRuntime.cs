using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using NitroCard.Card;
using NitroCard.InstanceServices;
using NitroCard.InstanceServices.Dns;
using NitroCard.InstanceServices.Identity;
using NitroCard.InstanceServices.Punt;
using NitroCard.Mapping.Distribution;
using NitroCard.Packets;

namespace NitroCard.Firmware;

/// <summary>
/// The firmware's side of the card's punt path (docs/card-punt.md): frames the card punted are posted here (from the
/// card's thread), handed to the <see cref="PuntRouter"/> of the instance services, and the answers injected back to
/// the slot they came from; the services' timers tick every <see cref="TickInterval"/>. <see cref="Follow"/> attaches
/// an <see cref="EniServiceEndpoint"/> per local ENI with an <see cref="InstanceIdentity"/> built from the Mapping
/// Service's push (the ENI and its <see cref="HostEni.Services"/>), updates it when a push changes it (a public IP
/// associated shows at the next request), and detaches ENIs that left.
/// </summary>
public sealed class InstanceServicesRuntime
{
    /// <summary>Punted frames waiting for the services at most; more are dropped and counted (<see cref="Overflow"/>).</summary>
    public const int QueueCapacity = 4096;

    private readonly Channel<CardFrame> _punted = Channel.CreateBounded<CardFrame>(new BoundedChannelOptions(QueueCapacity) { FullMode = BoundedChannelFullMode.DropWrite, SingleReader = true });
    private readonly Func<IReadOnlyList<(int Slot, byte[] Frame)>, Task> _inject;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly PlanDnsView _dns = new();
    private readonly Dictionary<int, (string EniId, InstanceIdentitySource Identity)> _attached = [];
    private readonly Lock _lock = new();
    private PuntRouter? _router;
    private AmazonDnsResolver? _resolver;
    private long _overflow;

    /// <param name="inject">Sends answers to the card (on its thread), each to its slot only.</param>
    /// <param name="time">The services' clock.</param>
    /// <param name="logger">Where failures of the services are logged.</param>
    public InstanceServicesRuntime(Func<IReadOnlyList<(int Slot, byte[] Frame)>, Task> inject, TimeProvider? time = null, ILogger? logger = null)
    {
        _inject = inject;
        _time = time ?? TimeProvider.System;
        _logger = logger ?? NullLogger.Instance;
    }

    /// <summary>How long the resolver waits for the region's upstream (<c>dnsUpstream</c>).</summary>
    public TimeSpan UpstreamTimeout { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>
    /// Makes the sockets the resolver reaches the upstream on (null: ordinary sockets in this process's namespace); the
    /// live region's cards reach theirs in the namespace that plays the internet's resolver.
    /// </summary>
    public Func<System.Net.Sockets.SocketType, System.Net.Sockets.ProtocolType, System.Net.Sockets.Socket>? UpstreamSockets { get; init; }

    /// <summary>How often the services' timers run (TCP retransmission, idle connections).</summary>
    public TimeSpan TickInterval { get; init; } = TimeSpan.FromMilliseconds(200);

    /// <summary>The router; null until the first push said which MAC the services answer from (the gateway MAC).</summary>
    public PuntRouter? Router => _router;

    /// <summary>The resolver; null until the first push (its <see cref="AmazonDnsResolver.Upstream"/> follows the pushes).</summary>
    public AmazonDnsResolver? Resolver => _resolver;

    /// <summary>The DNS view built from the pushes.</summary>
    public IRegionDnsView Dns => _dns;

    /// <summary>Punted frames dropped because the services' queue was full.</summary>
    public long Overflow => Interlocked.Read(ref _overflow);

    /// <summary>Hands a punted frame to the services; any thread, never blocks (a full queue drops and counts).</summary>
    public void Post(CardFrame frame)
    {
        if (!_punted.Writer.TryWrite(frame))
            Interlocked.Increment(ref _overflow);
    }

    /// <summary>Follows the firmware's mirror after a push: endpoints for the local ENIs, the DNS view.</summary>
    public void Follow(CardProgrammer programmer)
    {
        ArgumentNullException.ThrowIfNull(programmer);
        if (programmer.Settings is not { } settings)
            return;
        lock (_lock)
        {
            var enis = programmer.Enis;
            // The instance reaches the services through its subnet router, so they answer from the gateway MAC.
            if (_router is null)
            {
                _resolver = new AmazonDnsResolver(_dns);
                _router = new PuntRouter(LinkLocalServices.Create(_time, _resolver, new PuntOptions { ServiceMac = settings.GatewayMac.Value }));
            }
            // Names the resolver does not own go to the region's upstream, the same in every ENI's push; a push that
            // changes or removes it changes where the next query goes.
            var upstream = enis.Values.Select(e => e.Services?.DnsUpstream).FirstOrDefault(u => u is not null);
            if (!Equals(upstream, (_resolver!.Upstream as UdpDnsUpstream)?.Endpoint))
                _resolver.Upstream = upstream is null ? null : new UdpDnsUpstream(upstream, UpstreamTimeout, UpstreamSockets);
            var slots = programmer.Slots;
            foreach (var (slot, attached) in _attached.ToList())
            {
                if (!slots.TryGetValue(attached.EniId, out var now) || now != slot || enis[attached.EniId].Services is null)
                {
                    attached.Identity.Update(null);
                    _router.Detach(slot);
                    _attached.Remove(slot);
                }
            }
            foreach (var (id, eni) in enis)
            {
                if (IdentityOf(eni) is not { } identity)
                    continue;
                var slot = slots[id];
                if (_attached.TryGetValue(slot, out var attached))
                {
                    attached.Identity.Update(identity);
                    continue;
                }
                var source = new InstanceIdentitySource(identity);
                _router.Attach(slot, source);
                _attached[slot] = (id, source);
            }
            _dns.Update(enis.Values.Select(e => e.Services?.RegionName).FirstOrDefault(r => r is not null) ?? "", DnsViewOf(programmer));
        }
    }

    /// <summary>Serves punted frames and runs the timers until cancelled.</summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        using var ticks = new PeriodicTimer(TickInterval, _time);
        var ticking = TickAsync(ticks, cancellationToken);
        try
        {
            await foreach (var frame in _punted.Reader.ReadAllAsync(cancellationToken).ConfigureAwait(false))
            {
                if (_router is not { } router)
                    continue;
                IReadOnlyList<byte[]> answers;
                try
                {
                    answers = await router.HandleAsync(frame.Slot, frame.Data, cancellationToken).ConfigureAwait(false);
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    // A hostile frame is the services' counted drop; anything escaping is a bug to see, not a reason to stop.
                    FirmwareLog.ServicesFailed(_logger, frame.Slot, e);
                    continue;
                }
                if (answers.Count > 0)
                    await _inject([.. answers.Select(a => (frame.Slot, a))]).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
        await ticking.ConfigureAwait(false);
    }

    private async Task TickAsync(PeriodicTimer ticks, CancellationToken cancellationToken)
    {
        try
        {
            while (await ticks.WaitForNextTickAsync(cancellationToken).ConfigureAwait(false))
            {
                if (_router?.Tick() is { Count: > 0 } answers)
                    await _inject(answers).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
    }

    /// <summary>The identity of a local ENI from its push; null when the service sent no <see cref="HostEni.Services"/>.</summary>
    public static InstanceIdentity? IdentityOf(HostEni eni)
    {
        ArgumentNullException.ThrowIfNull(eni);
        if (eni.Services is not { } s)
            return null;
        var options = s.MetadataOptions;
        return new InstanceIdentity(eni.Id, s.InstanceId, eni.Entry.Mac.Value, eni.Entry.Ip, eni.SubnetId, eni.Entry.Subnet, eni.VpcId, s.VpcCidr,
            s.RegionName, s.AvailabilityZone, s.AccountId)
        {
            PublicIp = s.PublicIp,
            DeviceNumber = s.DeviceIndex,
            SecurityGroupIds = s.SecurityGroups,
            EnableDnsSupport = s.EnableDnsSupport,
            EnableDnsHostnames = s.EnableDnsHostnames,
            Metadata = new MetadataOptions(
                options.HttpTokens == "required" ? HttpTokens.Required : HttpTokens.Optional,
                options.HttpPutResponseHopLimit,
                options.HttpEndpoint != "disabled"),
        };
    }

    /// <summary>Each VPC the host serves: its local ENIs and every other address its mappings hold, with their public IPs.</summary>
    private static IEnumerable<VpcDnsView> DnsViewOf(CardProgrammer programmer)
    {
        var locals = programmer.Enis.Values.Where(e => e.Services is not null).ToList();
        foreach (var vpc in locals.GroupBy(e => e.VpcId, StringComparer.Ordinal))
        {
            var first = vpc.First();
            var services = first.Services!;
            var vni = first.Entry.Vni;
            var enis = vpc.Select(e => new DnsEni(e.Id, e.Entry.Ip, e.Services!.PublicIp)).ToList();
            var localIps = enis.Select(e => Ipv4Address.ToUInt32(e.PrivateIp)).ToHashSet();
            enis.AddRange(programmer.Mappings
                .Where(m => m.Key.Vni == vni && m.LocalEniId is null && !localIps.Contains(m.Key.Ip))
                .Select(m => new DnsEni("", Ipv4Address.FromUInt32(m.Key.Ip), m.PublicIp)));
            yield return new VpcDnsView(vpc.Key, services.VpcCidr, services.EnableDnsSupport, services.EnableDnsHostnames, enis);
        }
    }
}
