using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;

namespace NitroCard.InstanceServices.FlowLogs;

/// <summary>
/// IPFIX (RFC 7011) export of a flow log's records over UDP. Every message carries the template set (template 256, so a
/// collector that started late or lost a datagram learns it at once; RFC 7011 8.4 asks UDP exporters to resend templates)
/// and a data set of up to <see cref="RecordsPerMessage"/> records. Sequence numbers count data records sent before the
/// message (RFC 7011 3.1). NODATA and SKIPDATA records carry no flow and are not exported.
/// </summary>
public sealed class IpfixExporter : IFlowLogSink, IDisposable
{
    /// <summary>The template's id (data set id).</summary>
    public const ushort TemplateId = 256;

    /// <summary>Data records per message: keeps a message within 1400 bytes.</summary>
    public const int RecordsPerMessage = 24;

    /// <summary>RFC 7270 forwardingStatus: Forwarded, unknown reason.</summary>
    public const byte Forwarded = 64;

    /// <summary>RFC 7270 forwardingStatus: Dropped, ACL deny (a security group or network ACL said no).</summary>
    public const byte DroppedAclDeny = 129;

    /// <summary>The template's fields: (IANA information element id, length), RFC 7012 / IANA IPFIX registry.</summary>
    public static readonly IReadOnlyList<(ushort Id, ushort Length)> Fields =
    [
        (8, 4),    // sourceIPv4Address
        (12, 4),   // destinationIPv4Address
        (7, 2),    // sourceTransportPort
        (11, 2),   // destinationTransportPort
        (4, 1),    // protocolIdentifier
        (2, 8),    // packetDeltaCount
        (1, 8),    // octetDeltaCount
        (152, 8),  // flowStartMilliseconds
        (153, 8),  // flowEndMilliseconds
        (89, 1),   // forwardingStatus (RFC 7270): 64 forwarded, 129 dropped by ACL
        (10, 4),   // ingressInterface: the ENI slot
    ];

    private static readonly int RecordLength = Fields.Sum(f => f.Length);
    private readonly UdpClient udp;
    private readonly TimeProvider time;
    private uint sequence;

    /// <summary>An exporter to <paramref name="collector"/> for observation domain <paramref name="observationDomainId"/>.</summary>
    public IpfixExporter(IPEndPoint collector, uint observationDomainId, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(collector);
        udp = new UdpClient(collector.AddressFamily);
        udp.Connect(collector);
        ObservationDomainId = observationDomainId;
        this.time = time;
    }

    /// <summary>The observation domain.</summary>
    public uint ObservationDomainId { get; }

    /// <summary>Messages sent.</summary>
    public long MessagesSent { get; private set; }

    /// <summary>Messages the socket refused (collector gone): counted, never thrown.</summary>
    public long SendErrors { get; private set; }

    /// <inheritdoc />
    public void Write(IReadOnlyList<FlowLogEntry> entries)
    {
        ArgumentNullException.ThrowIfNull(entries);
        var flows = entries.Where(e => e.Status == FlowLogStatus.Ok).ToList();
        for (var i = 0; i < flows.Count; i += RecordsPerMessage)
        {
            var chunk = flows.GetRange(i, Math.Min(RecordsPerMessage, flows.Count - i));
            var message = Encode(chunk, sequence, time.GetUtcNow(), ObservationDomainId);
            sequence += (uint)chunk.Count;
            if (TrySend(message) || TrySend(message))
                MessagesSent++;
            else
                SendErrors++;
        }
    }

    /// <summary>
    /// Sends one message. A connected UDP socket reports an earlier datagram's ICMP port unreachable (a collector not yet
    /// listening) on the next send, which then does not go out: that call fails, the caller sends the message once more.
    /// </summary>
    private bool TrySend(byte[] message)
    {
        try
        {
            udp.Send(message);
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    /// <summary>One IPFIX message: header, the template set, a data set with <paramref name="flows"/>.</summary>
    public static byte[] Encode(IReadOnlyList<FlowLogEntry> flows, uint sequenceNumber, DateTimeOffset exportTime, uint observationDomainId)
    {
        ArgumentNullException.ThrowIfNull(flows);
        var templateSetLength = 4 + 4 + (4 * Fields.Count);
        var dataSetLength = 4 + (RecordLength * flows.Count);
        var length = 16 + templateSetLength + (flows.Count > 0 ? dataSetLength : 0);
        var m = new byte[length];
        var s = m.AsSpan();
        BinaryPrimitives.WriteUInt16BigEndian(s, 10);
        BinaryPrimitives.WriteUInt16BigEndian(s[2..], (ushort)length);
        BinaryPrimitives.WriteUInt32BigEndian(s[4..], (uint)exportTime.ToUnixTimeSeconds());
        BinaryPrimitives.WriteUInt32BigEndian(s[8..], sequenceNumber);
        BinaryPrimitives.WriteUInt32BigEndian(s[12..], observationDomainId);
        var o = 16;
        BinaryPrimitives.WriteUInt16BigEndian(s[o..], 2);
        BinaryPrimitives.WriteUInt16BigEndian(s[(o + 2)..], (ushort)templateSetLength);
        BinaryPrimitives.WriteUInt16BigEndian(s[(o + 4)..], TemplateId);
        BinaryPrimitives.WriteUInt16BigEndian(s[(o + 6)..], (ushort)Fields.Count);
        o += 8;
        foreach (var (id, fieldLength) in Fields)
        {
            BinaryPrimitives.WriteUInt16BigEndian(s[o..], id);
            BinaryPrimitives.WriteUInt16BigEndian(s[(o + 2)..], fieldLength);
            o += 4;
        }
        if (flows.Count == 0)
            return m;
        BinaryPrimitives.WriteUInt16BigEndian(s[o..], TemplateId);
        BinaryPrimitives.WriteUInt16BigEndian(s[(o + 2)..], (ushort)dataSetLength);
        o += 4;
        foreach (var f in flows)
        {
            BinaryPrimitives.WriteUInt32BigEndian(s[o..], f.SourceAddress ?? 0);
            BinaryPrimitives.WriteUInt32BigEndian(s[(o + 4)..], f.DestinationAddress ?? 0);
            BinaryPrimitives.WriteUInt16BigEndian(s[(o + 8)..], f.SourcePort ?? 0);
            BinaryPrimitives.WriteUInt16BigEndian(s[(o + 10)..], f.DestinationPort ?? 0);
            s[o + 12] = f.Protocol ?? 0;
            BinaryPrimitives.WriteUInt64BigEndian(s[(o + 13)..], f.Packets ?? 0);
            BinaryPrimitives.WriteUInt64BigEndian(s[(o + 21)..], f.Bytes ?? 0);
            BinaryPrimitives.WriteUInt64BigEndian(s[(o + 29)..], (ulong)f.Start.ToUnixTimeMilliseconds());
            BinaryPrimitives.WriteUInt64BigEndian(s[(o + 37)..], (ulong)f.End.ToUnixTimeMilliseconds());
            s[o + 45] = f.Action == FlowAction.Reject ? DroppedAclDeny : Forwarded;
            BinaryPrimitives.WriteUInt32BigEndian(s[(o + 46)..], (uint)f.EniSlot);
            o += RecordLength;
        }
        return m;
    }

    /// <inheritdoc />
    public void Dispose() => udp.Dispose();
}
