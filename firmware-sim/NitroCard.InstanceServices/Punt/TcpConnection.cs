using NitroCard.Packets;

namespace NitroCard.InstanceServices.Punt;

/// <summary>A segment a connection wants sent (the endpoint wraps it in IPv4 and Ethernet).</summary>
internal readonly record struct TcpOut(TcpControl Flags, uint Sequence, uint Acknowledgment, byte[] Payload, byte? Ttl, ushort Mss = 0);

/// <summary>
/// The passive side of one short TCP connection (RFC 9293), enough for request/response exchanges: SYN-ACK with MSS,
/// in-order data acknowledged (out-of-order data dropped and answered with a duplicate ACK for the peer to resend),
/// replies segmented to the peer's MSS within its window, go-back-N retransmission on a timer, FIN both ways.
/// No window scaling, SACK or timestamps are offered, so the peer uses none.
/// </summary>
internal sealed class TcpConnection
{
    private readonly ITcpApplication app;
    private readonly List<byte> received = [];
    private readonly List<(uint Seq, byte[] Data, byte? Ttl)> sendQueue = [];
    private readonly int maxReceive;
    private uint dataEnd;
    private bool finQueued;
    private bool finSent;
    private bool finAcked;
    private bool peerFin;

    public TcpConnection(ITcpApplication app, uint initialSequence, uint peerSequence, int mss, ushort peerWindow, long now, int maxReceive)
    {
        this.app = app;
        this.maxReceive = maxReceive;
        Iss = initialSequence;
        SndUna = initialSequence;
        SndNxt = initialSequence + 1;
        dataEnd = initialSequence + 1;
        Irs = peerSequence;
        RcvNxt = peerSequence + 1;
        Mss = mss;
        PeerWindow = peerWindow;
        LastActivity = now;
        LastSend = now;
    }

    public uint Iss { get; }

    public uint Irs { get; }

    public uint SndUna { get; private set; }

    public uint SndNxt { get; private set; }

    public uint RcvNxt { get; private set; }

    public int Mss { get; }

    public ushort PeerWindow { get; private set; }

    public bool Established { get; private set; }

    /// <summary>Both FINs sent and acknowledged: the connection can be forgotten.</summary>
    public bool Finished => finAcked && peerFin;

    public long LastActivity { get; private set; }

    public long LastSend { get; private set; }

    public int Retransmits { get; private set; }

    /// <summary>Data or FIN sent and not yet acknowledged (or the SYN-ACK).</summary>
    public bool Outstanding => SndUna != SndNxt;

    /// <summary>The SYN-ACK (sent first, and again when the SYN is repeated or its timer fires).</summary>
    public TcpOut SynAck(byte? ttl) => new(TcpControl.Syn | TcpControl.Ack, Iss, RcvNxt, [], ttl, (ushort)Mss);

    /// <summary>
    /// Processes one segment of this connection. Returns the segments to send; <paramref name="outcome"/> is told
    /// (reset, unexpected): reset when the connection must be forgotten, unexpected when the segment was out of window or order.
    /// </summary>
    public async ValueTask<List<TcpOut>> OnSegmentAsync(
        TcpControl flags, uint seq, uint ack, ushort window, ReadOnlyMemory<byte> payload, long now,
        Action<bool, bool> outcome, CancellationToken cancellationToken)
    {
        var output = new List<TcpOut>();
        var unexpected = false;
        LastActivity = now;
        if ((flags & TcpControl.Syn) != 0)
        {
            // A repeated SYN (our SYN-ACK was lost): answer it again. Any other SYN here is out of place: a challenge
            // ACK (RFC 5961 4.2) lets a peer that really restarted reset us, and a blind attacker learns nothing.
            if (!Established && seq == Irs)
            {
                output.Add(SynAck(null));
                return output;
            }
            output.Add(Ack());
            outcome(false, true);
            return output;
        }
        if ((flags & TcpControl.Ack) == 0)
        {
            outcome(false, true);
            return output;
        }
        if (TcpSegments.Before(SndUna, ack) && TcpSegments.AtOrBefore(ack, SndNxt))
        {
            SndUna = ack;
            Retransmits = 0;
            Established = true;
            sendQueue.RemoveAll(c => TcpSegments.AtOrBefore(c.Seq + (uint)c.Data.Length, ack));
            if (finSent && ack == dataEnd + 1)
                finAcked = true;
        }
        else if (TcpSegments.Before(SndNxt, ack))
        {
            // Acknowledges what was never sent (RFC 9293 3.10.7.4): answer with an ACK, drop the segment.
            output.Add(Ack());
            outcome(false, true);
            return output;
        }
        if (!Established)
        {
            outcome(false, true);
            return output;
        }
        PeerWindow = window;

        var needAck = false;
        if (payload.Length > 0 && !peerFin)
        {
            var end = seq + (uint)payload.Length;
            if (TcpSegments.Before(RcvNxt, seq))
            {
                unexpected = true; // a gap: drop it, the duplicate ACK asks for what is missing
                needAck = true;
            }
            else if (TcpSegments.AtOrBefore(end, RcvNxt))
            {
                needAck = true; // all old: a retransmission of what we have
            }
            else
            {
                var skip = (int)(RcvNxt - seq);
                if (received.Count + payload.Length - skip > maxReceive)
                {
                    outcome(true, true);
                    return [Reset()];
                }
                received.AddRange(payload.Span[skip..]);
                RcvNxt = end;
                needAck = true;
            }
        }
        else if (payload.Length > 0)
        {
            needAck = true;
        }
        if ((flags & TcpControl.Fin) != 0 && !peerFin && seq + (uint)payload.Length == RcvNxt)
        {
            peerFin = true;
            RcvNxt++;
            needAck = true;
        }
        else if ((flags & TcpControl.Fin) != 0 && peerFin)
        {
            needAck = true; // a repeated FIN: our ACK was lost
        }

        while (received.Count > 0 && !finQueued)
        {
            var result = await app.OnReceiveAsync(received.ToArray(), cancellationToken).ConfigureAwait(false);
            if (result.Abort)
            {
                outcome(true, false);
                return [Reset()];
            }
            foreach (var reply in result.Replies)
                Queue(reply);
            received.RemoveRange(0, Math.Min(result.Consumed, received.Count));
            if (result.Close)
                finQueued = true;
            if (result.Consumed == 0)
                break;
        }
        if (peerFin)
            finQueued = true;

        var before = output.Count;
        Pump(output, now);
        if (needAck && output.Count == before)
            output.Add(Ack());
        outcome(false, unexpected);
        return output;
    }

    /// <summary>Timer work: resend from the first unacknowledged byte (go-back-N).</summary>
    public List<TcpOut> Retransmit(long now)
    {
        Retransmits++;
        LastSend = now;
        if (!Established)
            return [SynAck(null)];
        SndNxt = SndUna;
        if (finSent && !finAcked)
            finSent = false;
        var output = new List<TcpOut>();
        Pump(output, now);
        return output;
    }

    /// <summary>A RST for this connection (abort).</summary>
    public TcpOut Reset() => new(TcpControl.Rst | TcpControl.Ack, SndNxt, RcvNxt, [], null);

    private TcpOut Ack() => new(TcpControl.Ack, SndNxt, RcvNxt, [], null);

    private void Queue(TcpReply reply)
    {
        if (reply.Data.Length == 0)
            return;
        sendQueue.Add((dataEnd, reply.Data, reply.Ttl));
        dataEnd += (uint)reply.Data.Length;
    }

    private void Pump(List<TcpOut> output, long now)
    {
        var windowEnd = SndUna + Math.Max((uint)PeerWindow, 1u);
        foreach (var (chunkSeq, data, ttl) in sendQueue)
        {
            var chunkEnd = chunkSeq + (uint)data.Length;
            while (TcpSegments.AtOrBefore(chunkSeq, SndNxt) && TcpSegments.Before(SndNxt, chunkEnd) && TcpSegments.Before(SndNxt, windowEnd))
            {
                var offset = (int)(SndNxt - chunkSeq);
                var length = Math.Min(Math.Min(Mss, data.Length - offset), (int)(windowEnd - SndNxt));
                var last = offset + length == data.Length;
                var flags = TcpControl.Ack | (last ? TcpControl.Psh : TcpControl.None);
                output.Add(new TcpOut(flags, SndNxt, RcvNxt, data[offset..(offset + length)], ttl));
                SndNxt += (uint)length;
                LastSend = now;
            }
        }
        if (finQueued && !finSent && SndNxt == dataEnd)
        {
            output.Add(new TcpOut(TcpControl.Fin | TcpControl.Ack, SndNxt, RcvNxt, [], null));
            SndNxt++;
            finSent = true;
            LastSend = now;
        }
    }
}
