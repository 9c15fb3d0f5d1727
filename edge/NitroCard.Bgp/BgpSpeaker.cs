using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using NitroCard.Bgp.Session;

namespace NitroCard.Bgp;

/// <summary>
/// A BGP speaker on kernel TCP: it listens (port 179 on the given address) and connects out, one
/// <see cref="BgpSession"/> per configured neighbor, and refuses connections from any other address. It runs in the
/// network namespace given by <see cref="BgpSpeakerOptions.NetworkNamespace"/> (the edge's), else the process's.
/// </summary>
public sealed class BgpSpeaker : IAsyncDisposable
{
    private readonly Dictionary<IPAddress, BgpSession> _sessions = [];
    private static readonly TimeSpan DrainTime = TimeSpan.FromSeconds(3);
    private readonly CancellationTokenSource _stopping = new();
    private readonly ConcurrentDictionary<TcpBgpConnection, bool> _connections = new();
    private Socket? _listener;
    private Task _accepting = Task.CompletedTask;
    private long _refused;

    /// <summary>Creates the speaker and its sessions (nothing runs until <see cref="Start"/>).</summary>
    public BgpSpeaker(BgpSpeakerOptions options, TimeProvider? time = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        Options = options;
        foreach (var neighbor in options.Neighbors)
        {
            var address = Unmapped(neighbor.Address);
            if (!_sessions.TryAdd(address, null!))
            {
                throw new ArgumentException($"neighbor {address} is configured twice", nameof(options));
            }

            var sessionOptions = new BgpSessionOptions
            {
                PeerAddress = address,
                PeerAsn = neighbor.PeerAsn,
                LocalAsn = options.LocalAsn,
                RouterId = options.RouterId,
                HoldTime = neighbor.HoldTime,
                Passive = neighbor.Passive,
                NextHop = neighbor.NextHop,
                MaxPrefixes = neighbor.MaxPrefixes,
                ConnectRetryTime = options.ConnectRetryTime,
                IdleHoldTime = options.IdleHoldTime,
                RevisedErrorHandling = options.RevisedErrorHandling,
            };
            var local = options.LocalAddress is { } bind ? new IPEndPoint(bind, 0) : null;
            var remote = new IPEndPoint(address, neighbor.Port);
            _sessions[address] = new BgpSession(sessionOptions, time, neighbor.Passive ? null : async ct => (IBgpConnection)Track(await TcpBgpConnection.ConnectAsync(local, remote, options.NetworkNamespace, ct).ConfigureAwait(false)));
        }
    }

    /// <summary>The settings.</summary>
    public BgpSpeakerOptions Options { get; }

    /// <summary>The sessions by neighbor address.</summary>
    public IReadOnlyDictionary<IPAddress, BgpSession> Sessions => _sessions;

    /// <summary>Where the speaker listens, once started (with the port chosen when 0 was asked).</summary>
    public IPEndPoint? ListenEndPoint { get; private set; }

    /// <summary>Connections refused because they came from no configured neighbor.</summary>
    public long RefusedConnections => Interlocked.Read(ref _refused);

    /// <summary>Binds the listener and starts every session.</summary>
    /// <exception cref="SocketException">The address or port cannot be bound.</exception>
    public void Start()
    {
        if (Options.ListenPort is { } port)
        {
            var address = Options.LocalAddress ?? IPAddress.Any;
            var listener = CreateSocket(Options.NetworkNamespace, address);
            try
            {
                listener.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
                listener.Bind(new IPEndPoint(address, port));
                listener.Listen(16);
            }
            catch
            {
                listener.Dispose();
                throw;
            }

            _listener = listener;
            ListenEndPoint = (IPEndPoint)listener.LocalEndPoint!;
            _accepting = AcceptLoopAsync(listener);
        }

        foreach (var session in _sessions.Values)
        {
            session.Start();
        }
    }

    /// <summary>Advertises these prefixes (the VPC CIDRs) to every neighbor.</summary>
    public void SetAdvertised(IEnumerable<IPNetwork> prefixes)
    {
        var list = prefixes.ToList();
        foreach (var session in _sessions.Values)
        {
            session.SetAdvertised(list);
        }
    }

    /// <summary>Stops every session (Cease to established peers) and the listener.</summary>
    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync().ConfigureAwait(false);
        _listener?.Dispose();
        foreach (var session in _sessions.Values)
        {
            session.Dispose();
        }

        try
        {
            await _accepting.ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }

        // Let the Cease NOTIFICATIONs go out before the process may exit.
        try
        {
            await Task.WhenAll(_connections.Keys.Select(c => c.Finished)).WaitAsync(DrainTime).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
        }

        _stopping.Dispose();
    }

    private async Task AcceptLoopAsync(Socket listener)
    {
        while (!_stopping.IsCancellationRequested)
        {
            Socket socket;
            try
            {
                socket = await listener.AcceptAsync(_stopping.Token).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is OperationCanceledException or ObjectDisposedException or SocketException)
            {
                if (_stopping.IsCancellationRequested)
                {
                    return;
                }

                continue;
            }

            var remote = Unmapped(((IPEndPoint)socket.RemoteEndPoint!).Address);
            if (!_sessions.TryGetValue(remote, out var session))
            {
                Interlocked.Increment(ref _refused);
                socket.Dispose();
                continue;
            }

            session.AcceptConnection(Track(new TcpBgpConnection(socket)));
        }
    }

    private TcpBgpConnection Track(TcpBgpConnection connection)
    {
        _connections[connection] = true;
        connection.Finished.ContinueWith(_ => _connections.TryRemove(connection, out bool _), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        return connection;
    }

    internal static Socket CreateSocket(string? networkNamespace, IPAddress family) =>
        networkNamespace is null
            ? new Socket(family.AddressFamily, SocketType.Stream, ProtocolType.Tcp)
            : NetworkNamespace.Run(networkNamespace, () => new Socket(family.AddressFamily, SocketType.Stream, ProtocolType.Tcp));

    private static IPAddress Unmapped(IPAddress address) => address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address;
}
