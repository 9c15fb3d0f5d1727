using NitroCard.InstanceServices.Identity;
using NitroCard.InstanceServices.Imds;
using NitroCard.Packets;

namespace NitroCard.InstanceServices.Punt;

/// <summary>
/// The punt-path endpoint of one ENI: whole Ethernet frames the card punted from that ENI to a link-local service in,
/// whole Ethernet frames for that ENI out (source the service MAC and the service IP asked, destination the ENI's MAC
/// and IP). UDP goes to DNS (53) and NTP (123); TCP to IMDS (80) and DNS (53) through a small responder. Anything else is
/// a counted drop (<see cref="Counters"/>), never an exception. One caller at a time: the punt queue of the ENI.
/// </summary>
public sealed class EniServiceEndpoint
{
    private readonly IInstanceIdentitySource identity;
    private readonly LinkLocalServices services;
    private readonly PuntOptions options;
    private readonly TokenBucket rate;
    private readonly Dictionary<(ushort PeerPort, uint Service, ushort ServicePort), TcpConnection> connections = [];

    /// <summary>An endpoint for the ENI in <paramref name="slot"/>.</summary>
    public EniServiceEndpoint(int slot, IInstanceIdentitySource identity, LinkLocalServices services)
    {
        ArgumentNullException.ThrowIfNull(services);
        Slot = slot;
        this.identity = identity;
        this.services = services;
        options = services.Options;
        rate = new TokenBucket(services.Time, options.PacketsPerSecond, options.Burst);
    }

    /// <summary>The ENI slot on the card.</summary>
    public int Slot { get; }

    /// <summary>What was received, answered and dropped (and why).</summary>
    public PuntCounters Counters { get; } = new();

    /// <summary>Open TCP connections.</summary>
    public int ConnectionCount => connections.Count;

    /// <summary>Handles one punted frame; returns the frames to send to the ENI (none for a drop).</summary>
    public async ValueTask<IReadOnlyList<byte[]>> HandleAsync(ReadOnlyMemory<byte> frame, CancellationToken cancellationToken = default)
    {
        Counters.CountReceived();
        List<byte[]> answers;
        try
        {
            answers = await DispatchAsync(frame, cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
#pragma warning disable CA1031 // Hostile input is a counted drop, never an exception out of the punt path.
        catch (Exception)
#pragma warning restore CA1031
        {
            Counters.Drop(PuntDrop.BadRequest);
            return [];
        }
        Counters.CountAnswered(answers.Count);
        return answers;
    }

    /// <summary>Timer work (call it every few hundred milliseconds): retransmissions, idle and failed connections reset.</summary>
    public IReadOnlyList<byte[]> Tick()
    {
        var id = identity.Current;
        var now = services.Time.GetTimestamp();
        var output = new List<byte[]>();
        foreach (var (key, conn) in connections.ToList())
        {
            if (id is null || services.Time.GetElapsedTime(conn.LastActivity, now) >= options.IdleTimeout || conn.Finished)
            {
                if (id is not null && !conn.Finished)
                    output.Add(TcpFrame(id, key, conn.Reset()));
                connections.Remove(key);
                continue;
            }
            if (!conn.Outstanding)
                continue;
            var rto = options.RetransmitTimeout * Math.Pow(2, conn.Retransmits);
            if (services.Time.GetElapsedTime(conn.LastSend, now) < rto)
                continue;
            if (conn.Retransmits >= options.MaxRetransmits)
            {
                output.Add(TcpFrame(id, key, conn.Reset()));
                connections.Remove(key);
                continue;
            }
            output.AddRange(conn.Retransmit(now).Select(s => TcpFrame(id, key, s)));
        }
        Counters.CountAnswered(output.Count);
        return output;
    }

    private async ValueTask<List<byte[]>> DispatchAsync(ReadOnlyMemory<byte> memory, CancellationToken cancellationToken)
    {
        if (!rate.TryTake())
            return Drop(PuntDrop.RateLimited);
        var frame = memory.Span;
        if (frame.Length < EthernetHeader.Length + Ipv4Header.MinLength)
            return Drop(PuntDrop.Truncated);
        if (EthernetHeader.EtherType(frame) != EthernetHeader.TypeIpv4)
            return Drop(PuntDrop.NotIpv4);
        var id = identity.Current;
        if (id is null)
            return Drop(PuntDrop.ServiceOff);
        if (EthernetHeader.Source(frame) != id.Mac || (options.ServiceMac != 0 && EthernetHeader.Destination(frame) != options.ServiceMac))
            return Drop(PuntDrop.WrongAddress);
        var ip = frame[EthernetHeader.Length..];
        var headerLength = Ipv4Header.Ihl(ip) * 4;
        if (Ipv4Header.Version(ip) != 4 || headerLength < Ipv4Header.MinLength)
            return Drop(PuntDrop.BadIpHeader);
        if (ip.Length < headerLength)
            return Drop(PuntDrop.Truncated);
        if (!Ipv4Header.ChecksumValid(ip))
            return Drop(PuntDrop.BadIpHeader);
        var totalLength = Ipv4Header.TotalLength(ip);
        if (totalLength < headerLength)
            return Drop(PuntDrop.BadIpHeader);
        if (totalLength > ip.Length)
            return Drop(PuntDrop.Truncated);
        if (Ipv4Header.IsFragment(ip))
            return Drop(PuntDrop.Fragment);
        var source = Ipv4Header.Source(ip);
        var destination = Ipv4Header.Destination(ip);
        if (source != Ipv4Address.ToUInt32(id.PrivateIp))
            return Drop(PuntDrop.WrongAddress);
        var resolver = Ipv4Address.ToUInt32(id.VpcResolver);
        var isDns = destination == ServiceAddresses.DnsValue || destination == resolver;
        if (!isDns && destination != ServiceAddresses.MetadataValue && destination != ServiceAddresses.TimeValue)
            return Drop(PuntDrop.WrongAddress);
        var transportOffset = EthernetHeader.Length + headerLength;
        var transportLength = totalLength - headerLength;
        var transport = memory.Slice(transportOffset, transportLength);
        return Ipv4Header.Protocol(ip) switch
        {
            Ipv4Header.ProtocolUdp => await UdpAsync(id, source, destination, isDns, transport, cancellationToken).ConfigureAwait(false),
            Ipv4Header.ProtocolTcp => await TcpAsync(id, source, destination, isDns, transport, cancellationToken).ConfigureAwait(false),
            _ => Drop(PuntDrop.NoService),
        };
    }

    private async ValueTask<List<byte[]>> UdpAsync(InstanceIdentity id, uint source, uint destination, bool isDns, ReadOnlyMemory<byte> memory, CancellationToken cancellationToken)
    {
        var udp = memory.Span;
        if (udp.Length < UdpHeader.Length || UdpHeader.DatagramLength(udp) < UdpHeader.Length || UdpHeader.DatagramLength(udp) > udp.Length)
            return Drop(PuntDrop.Truncated);
        udp = udp[..UdpHeader.DatagramLength(udp)];
        if (UdpHeader.Checksum(udp) != 0 && !Ipv4Checksum.VerifyTransport(source, destination, Ipv4Header.ProtocolUdp, udp))
            return Drop(PuntDrop.BadChecksum);
        var sourcePort = UdpHeader.SourcePort(udp);
        var destinationPort = UdpHeader.DestinationPort(udp);
        var payload = memory[UdpHeader.Length..udp.Length];
        byte[]? answer;
        if (isDns && destinationPort == ServiceAddresses.DnsPort)
        {
            var outcome = await services.Dns.ResolveAsync(payload, id, Dns.DnsTransport.Udp, cancellationToken).ConfigureAwait(false);
            if (outcome.Answer is null)
                return Drop(outcome.Drop);
            answer = outcome.Answer;
        }
        else if (destination == ServiceAddresses.TimeValue && destinationPort == ServiceAddresses.NtpPort)
        {
            answer = services.Ntp.Answer(payload.Span);
            if (answer is null)
                return Drop(PuntDrop.BadRequest);
        }
        else
        {
            return Drop(PuntDrop.NoService);
        }
        var serviceIp = Ipv4Address.FromUInt32(destination);
        return [Frames.Udp(id.Mac, options.ServiceMac, serviceIp, id.PrivateIp, destinationPort, sourcePort, answer, options.Ttl)];
    }

    private async ValueTask<List<byte[]>> TcpAsync(InstanceIdentity id, uint source, uint destination, bool isDns, ReadOnlyMemory<byte> memory, CancellationToken cancellationToken)
    {
        var tcp = memory.Span;
        if (tcp.Length < TcpHeader.MinLength || TcpHeader.DataOffset(tcp) * 4 < TcpHeader.MinLength || TcpHeader.DataOffset(tcp) * 4 > tcp.Length)
            return Drop(PuntDrop.Truncated);
        if (!Ipv4Checksum.VerifyTransport(source, destination, Ipv4Header.ProtocolTcp, tcp))
            return Drop(PuntDrop.BadChecksum);
        var flags = TcpHeader.Flags(tcp);
        var seq = TcpHeader.SequenceNumber(tcp);
        var ack = TcpHeader.AcknowledgmentNumber(tcp);
        var peerPort = TcpHeader.SourcePort(tcp);
        var servicePort = TcpHeader.DestinationPort(tcp);
        var payload = memory[(TcpHeader.DataOffset(tcp) * 4)..];
        var key = (peerPort, destination, servicePort);
        var now = services.Time.GetTimestamp();

        if (connections.TryGetValue(key, out var conn))
        {
            if ((flags & TcpControl.Rst) != 0)
            {
                // RFC 5961 3.2 in short: a RST counts only at the next expected sequence number.
                if (seq != conn.RcvNxt)
                    return Drop(PuntDrop.UnexpectedSegment);
                connections.Remove(key);
                return [];
            }
            var reset = false;
            var unexpected = false;
            var segments = await conn.OnSegmentAsync(flags, seq, ack, TcpHeader.Window(tcp), payload, now, (r, u) => (reset, unexpected) = (r, u), cancellationToken).ConfigureAwait(false);
            if (reset || conn.Finished)
                connections.Remove(key);
            if (unexpected)
                Counters.Drop(PuntDrop.UnexpectedSegment);
            return segments.Select(s => TcpFrame(id, key, s)).ToList();
        }

        if ((flags & TcpControl.Rst) != 0)
            return Drop(PuntDrop.UnexpectedSegment); // never answer a RST
        ITcpApplication? app = null;
        if (destination == ServiceAddresses.MetadataValue && servicePort == ServiceAddresses.HttpPort && id.Metadata.HttpEndpointEnabled)
            app = new MetadataHttpApplication(services.Metadata, identity);
        else if (isDns && servicePort == ServiceAddresses.DnsPort)
            app = new Dns.DnsTcpApplication(services.Dns, identity);
        if ((flags & (TcpControl.Syn | TcpControl.Ack | TcpControl.Fin)) != TcpControl.Syn || app is null || connections.Count >= options.MaxConnectionsPerEni)
        {
            var reason = app is null
                ? (destination == ServiceAddresses.MetadataValue && servicePort == ServiceAddresses.HttpPort ? PuntDrop.ServiceOff : PuntDrop.NoService)
                : (flags & TcpControl.Syn) != 0 && (flags & TcpControl.Ack) == 0 ? PuntDrop.ConnectionLimit : PuntDrop.UnexpectedSegment;
            Counters.Drop(reason);
            // RFC 9293 3.10.7.1: no connection: RST, with the sequence number the segment acknowledged or an ACK of it.
            var length = (uint)payload.Length + ((flags & TcpControl.Syn) != 0 ? 1u : 0) + ((flags & TcpControl.Fin) != 0 ? 1u : 0);
            var rst = (flags & TcpControl.Ack) != 0
                ? new TcpOut(TcpControl.Rst, ack, 0, [], null)
                : new TcpOut(TcpControl.Rst | TcpControl.Ack, 0, seq + length, [], null);
            return [TcpFrame(id, key, rst)];
        }
        var mss = Math.Clamp(TcpSegments.ReadMss(tcp), 64, options.Mss);
        var iss = (uint)Random.Shared.NextInt64(0, uint.MaxValue);
        conn = new TcpConnection(app, iss, seq, mss, TcpHeader.Window(tcp), now, options.MaxReceiveBuffer);
        connections[key] = conn;
        return [TcpFrame(id, key, conn.SynAck(null))];
    }

    private byte[] TcpFrame(InstanceIdentity id, (ushort PeerPort, uint Service, ushort ServicePort) key, TcpOut segment)
    {
        var serviceIp = key.Service;
        var instanceIp = Ipv4Address.ToUInt32(id.PrivateIp);
        var tcp = segment.Mss != 0
            ? TcpSegments.SynAck(serviceIp, instanceIp, key.ServicePort, key.PeerPort, segment.Sequence, segment.Acknowledgment, segment.Mss, options.Window)
            : TcpHeader.Build(serviceIp, instanceIp, key.ServicePort, key.PeerPort, segment.Sequence, segment.Acknowledgment, segment.Flags, segment.Payload, options.Window);
        var fields = new Ipv4Fields(serviceIp, instanceIp, Ipv4Header.ProtocolTcp) { Ttl = segment.Ttl ?? options.Ttl, DontFragment = true };
        return Frames.Ipv4(id.Mac, options.ServiceMac, fields, tcp);
    }

    private List<byte[]> Drop(PuntDrop reason)
    {
        Counters.Drop(reason);
        return [];
    }
}
