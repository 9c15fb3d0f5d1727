using System.Net;
using NitroCard.Bgp.Session;
using NitroCard.Bgp.Wire;

namespace NitroCard.Bgp.Tests.Session;

/// <summary>A connection the test plays the peer's side of, message by message.</summary>
internal sealed class FakeConnection(string local = "169.254.10.1:179", string remote = "169.254.10.2:40000") : IBgpConnection
{
    private Action<IBgpConnection, ReadOnlyMemory<byte>>? _onMessage;
    private Action<IBgpConnection>? _onClosed;

    public IPEndPoint LocalEndPoint { get; } = IPEndPoint.Parse(local);

    public IPEndPoint RemoteEndPoint { get; } = IPEndPoint.Parse(remote);

    public List<byte[]> Sent { get; } = [];

    public bool Closed { get; private set; }

    /// <summary>Whether the session decodes what we send and encodes what it sends with 4-octet ASNs.</summary>
    public bool FourOctetAs { get; set; } = true;

    public void Start(Action<IBgpConnection, ReadOnlyMemory<byte>> onMessage, Action<IBgpConnection> onClosed)
    {
        _onMessage = onMessage;
        _onClosed = onClosed;
    }

    public void Send(ReadOnlyMemory<byte> message)
    {
        if (!Closed)
        {
            Sent.Add(message.ToArray());
        }
    }

    public void Close() => Closed = true;

    public void Deliver(BgpMessage message) => Deliver(BgpCodec.Encode(message, FourOctetAs));

    public void Deliver(byte[] raw) => _onMessage!(this, raw);

    public void PeerCloses() => _onClosed!(this);

    public List<BgpMessage> Messages => Sent.Select(m => BgpCodec.Decode(m, FourOctetAs)).ToList();

    public T Last<T>() where T : BgpMessage => Messages.OfType<T>().Last();

    public int Count<T>() where T : BgpMessage => Messages.OfType<T>().Count();
}
