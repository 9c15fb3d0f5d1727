using System.Collections.Immutable;
using System.Net;
using System.Text;
using NitroCard.Ike.Exchanges;
using NitroCard.Ike.Wire;
using NitroCard.Packets;
using NitroCard.Region;

namespace NitroCard.Edge.Vpn;

/// <summary>
/// One tunnel of an IKE-keyed VPN connection on the edge: an IKEv2 endpoint on the tunnel's outside address
/// (UDP 500/4500) and the ESP SAs its child SAs key. Make-before-break on rekeys: the new child SA's inbound SA
/// decrypts at once, beside the old one until IKE deletes the old child; outbound traffic moves to the new child when
/// the peer shows it has it (its first packet arrives on the new SA) or the old child is deleted, whichever comes
/// first — so neither side ever receives ESP under an SA it has not installed yet.
/// </summary>
internal sealed class IkeTunnel : IDisposable
{
    private readonly List<IkeDatagram> _outbox = [];
    private readonly Dictionary<uint, EspSecurityAssociation> _inbound = [];
    private readonly Dictionary<uint, ChildSa> _children = [];
    private ChildSa? _nextOutbound;

    public IkeTunnel(int index, VpnTunnelOptions options, uint customerGatewayIp, TimeProvider time)
    {
        Index = index;
        Options = options;
        OutsideIp = Ipv4Address.Parse(options.OutsideIpAddress);
        var inside = Cidr.Parse(options.TunnelInsideCidr);
        InsideCidr = inside;
        EdgeInsideIp = Ipv4Address.ToUInt32(options.EdgeInsideAddress);
        CustomerInsideIp = Ipv4Address.ToUInt32(options.CustomerInsideAddress);
        CustomerGateway = new IPEndPoint(Ipv4Address.FromUInt32(customerGatewayIp), Ike.NatTraversal.IkePort);
        ReplayWindow = Math.Clamp((options.ReplayWindowSize + 63) / 64 * 64, EspSecurityAssociation.ReplayWindow, EspSecurityAssociation.MaxReplayWindow);
        var config = new IkeConfig
        {
            PreSharedKey = [.. Encoding.UTF8.GetBytes(options.PreSharedKey)],
            LocalId = IkeIdentity.Address(Ipv4Address.FromUInt32(OutsideIp)),
            IkeProposals = IkeSuites.Phase1(options),
            ChildProposals = IkeSuites.Phase2(options),
            LocalTrafficSelectors = [TrafficSelector.FromPrefix("0.0.0.0/0")],
            RemoteTrafficSelectors = [TrafficSelector.FromPrefix("0.0.0.0/0")],
            DpdDelay = options.DpdTimeoutAction == "none" ? null : TimeSpan.FromSeconds(Math.Max(10, options.DpdTimeoutSeconds / 3)),
            IkeSaLifetime = TimeSpan.FromSeconds(options.Phase1LifetimeSeconds),
            ChildSaLifetime = TimeSpan.FromSeconds(options.Phase2LifetimeSeconds),
            RekeyMargin = TimeSpan.FromSeconds(options.RekeyMarginTimeSeconds),
            RekeyFuzz = options.RekeyFuzzPercentage / 100.0,
        };
        Endpoint = new IkeEndpoint(config, new IPEndPoint(Ipv4Address.FromUInt32(OutsideIp), Ike.NatTraversal.IkePort), time, _outbox.Add, OnEvent);
        Time = time;
    }

    public int Index { get; }

    public VpnTunnelOptions Options { get; }

    public uint OutsideIp { get; }

    public Cidr InsideCidr { get; }

    public uint EdgeInsideIp { get; }

    public uint CustomerInsideIp { get; }

    public IPEndPoint CustomerGateway { get; }

    public int ReplayWindow { get; }

    public IkeEndpoint Endpoint { get; }

    public TimeProvider Time { get; }

    /// <summary>The SA outbound traffic is encrypted with (the newest child SA's), or null while the tunnel is down.</summary>
    public EspSecurityAssociation? Outbound { get; private set; }

    /// <summary>The child SA of <see cref="Outbound"/>.</summary>
    public ChildSa? OutboundChild { get; private set; }

    public ushort NextIdentification { get; set; }

    public DateTimeOffset? LastRekey { get; private set; }

    public DateTimeOffset? EstablishedAt { get; private set; }

    /// <summary>The BGP session's state over this tunnel (set by the edge's host), and the prefixes it learned.</summary>
    public string BgpState { get; set; } = "Idle";

    public ImmutableArray<VpnLearnedRoute> Learned { get; set; } = [];

    /// <summary>IKE SA established with a child SA installed: the tunnel carries traffic.</summary>
    public bool IkeUp => Outbound is not null && Endpoint.Sas.Any(s => s.State == IkeSaState.Established);

    public IEnumerable<IkeSa> EstablishedSas => Endpoint.Sas.Where(s => s.State == IkeSaState.Established);

    /// <summary>The inbound SA with this SPI, or null.</summary>
    public EspSecurityAssociation? InboundFor(uint spi) => _inbound.GetValueOrDefault(spi);

    public int InboundSaCount => _inbound.Count;

    /// <summary>IKE datagrams the endpoint sent since the last call.</summary>
    public List<IkeDatagram> TakeOutbox()
    {
        var list = _outbox.ToList();
        _outbox.Clear();
        return list;
    }

    /// <summary>Starts the IKE SA when the edge initiates (<c>startupAction</c> start), and restarts one that died (<c>dpdTimeoutAction</c> restart).</summary>
    public void StartIfNeeded()
    {
        if ((Options.StartupAction == "start" || (Options.DpdTimeoutAction == "restart" && EstablishedAt is not null)) && Endpoint.Sas.Count == 0)
            Endpoint.Initiate(CustomerGateway);
    }

    private void OnEvent(IkeEvent e)
    {
        switch (e.Kind)
        {
            case IkeEventKind.IkeSaEstablished:
                EstablishedAt = Time.GetUtcNow();
                break;
            case IkeEventKind.IkeSaRekeyed:
                LastRekey = Time.GetUtcNow();
                break;
            case IkeEventKind.ChildSaInstalled when e.Child is { } child:
                _children[child.InboundSpi] = child;
                _inbound[child.InboundSpi] = EspSecurityAssociation.ForChild(child.Suite, child.InboundSpi, child.InboundEncryptionKey, child.InboundIntegrityKey, ReplayWindow);
                if (Outbound is null)
                    UseForOutbound(child);
                else
                {
                    _nextOutbound = child;
                    LastRekey = Time.GetUtcNow();
                }
                break;
            case IkeEventKind.ChildSaDeleted when e.Child is { } child:
                Forget(child);
                break;
            case IkeEventKind.IkeSaClosed or IkeEventKind.Failed when e.Sa.State is IkeSaState.Closed or IkeSaState.Failed:
                foreach (var c in e.Sa.ChildSas.ToList())
                    Forget(c);
                if (!EstablishedSas.Any())
                    ClearAll();
                break;
        }
    }

    /// <summary>An inbound packet decrypted under <paramref name="spi"/>: if that is the rekeyed child's, the peer has it — send under it too.</summary>
    public void NoteInbound(uint spi)
    {
        if (_nextOutbound is { } next && next.InboundSpi == spi)
            UseForOutbound(next);
    }

    private void UseForOutbound(ChildSa child)
    {
        Outbound?.Dispose();
        Outbound = EspSecurityAssociation.ForChild(child.Suite, child.OutboundSpi, child.OutboundEncryptionKey, child.OutboundIntegrityKey);
        OutboundChild = child;
        if (ReferenceEquals(_nextOutbound, child))
            _nextOutbound = null;
    }

    private void Forget(ChildSa child)
    {
        _children.Remove(child.InboundSpi);
        if (_inbound.Remove(child.InboundSpi, out var sa))
            sa.Dispose();
        if (ReferenceEquals(_nextOutbound, child))
            _nextOutbound = null;
        if (ReferenceEquals(OutboundChild, child))
        {
            Outbound?.Dispose();
            Outbound = null;
            OutboundChild = null;
            // The rekeyed child, or another installed one, takes over.
            if ((_nextOutbound ?? _children.Values.LastOrDefault(c => c.State is ChildSaState.Installed)) is { } next)
                UseForOutbound(next);
        }
    }

    private void ClearAll()
    {
        foreach (var sa in _inbound.Values)
            sa.Dispose();
        _inbound.Clear();
        _children.Clear();
        _nextOutbound = null;
        Outbound?.Dispose();
        Outbound = null;
        OutboundChild = null;
    }

    public void Dispose()
    {
        ClearAll();
        Endpoint.Dispose();
    }
}

/// <summary>A prefix the customer gateway announced over one tunnel's BGP session.</summary>
/// <param name="Prefix">The prefix (a.b.c.d/n).</param>
/// <param name="AsPathLength">Its AS_PATH length (prepending makes a tunnel the backup).</param>
public sealed record VpnLearnedRoute(string Prefix, int AsPathLength = 1);
