using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace NitroCard.Bgp.Tests.Speaker;

internal static class Wait
{
    /// <summary>Polls until the condition holds or the time is up (real-time tests over loopback TCP).</summary>
    public static async Task Until(Func<bool> condition, string what, int seconds = 20)
    {
        var clock = Stopwatch.StartNew();
        while (!condition())
        {
            if (clock.Elapsed > TimeSpan.FromSeconds(seconds))
            {
                throw new TimeoutException($"after {seconds} s: {what}");
            }

            await Task.Delay(50);
        }
    }

    /// <summary>A TCP port free on that address right now.</summary>
    public static int FreePort(IPAddress address)
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        socket.Bind(new IPEndPoint(address, 0));
        return ((IPEndPoint)socket.LocalEndPoint!).Port;
    }
}
