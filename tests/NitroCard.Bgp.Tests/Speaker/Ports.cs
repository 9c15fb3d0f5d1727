using System.Net;
using System.Net.Sockets;

namespace NitroCard.Bgp.Tests.Speaker;

internal static class Ports
{
    /// <summary>A TCP port free on that address right now.</summary>
    public static int Free(IPAddress address)
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        socket.Bind(new IPEndPoint(address, 0));
        return ((IPEndPoint)socket.LocalEndPoint!).Port;
    }
}
