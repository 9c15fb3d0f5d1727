using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using NitroCard.InstanceServices.FlowLogs;
using NitroCard.Packets;

namespace NitroCard.InstanceServices.Tests;

/// <summary>Our IPFIX read by another implementation: Debian's nfdump (nfcapd collects on loopback, nfdump prints JSON).</summary>
public sealed class NfdumpInteropTests : IDisposable
{
    private readonly string dir = Path.Combine(Path.GetTempPath(), "nc-nfcapd-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(dir))
            Directory.Delete(dir, recursive: true);
    }

    [SkippableFact]
    public void Nfcapd_collects_our_flows()
    {
        Skip.IfNot(File.Exists("/usr/bin/nfcapd") && File.Exists("/usr/bin/nfdump"), "nfdump is not installed (Debian package nfdump)");
        Directory.CreateDirectory(dir);
        int port;
        using (var probe = new UdpClient(new IPEndPoint(IPAddress.Loopback, 0)))
            port = ((IPEndPoint)probe.Client.LocalEndPoint!).Port;

        using var nfcapd = Process.Start(new ProcessStartInfo("/usr/bin/nfcapd", ["-w", dir, "-b", "127.0.0.1", "-p", port.ToString(System.Globalization.CultureInfo.InvariantCulture), "-t", "60"])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        })!;
        try
        {
            nfcapd.BeginOutputReadLine();
            nfcapd.BeginErrorReadLine();
            Thread.Sleep(1500); // nfcapd binds its socket
            var now = DateTimeOffset.FromUnixTimeSeconds(DateTimeOffset.UtcNow.ToUnixTimeSeconds());
            using var exporter = new IpfixExporter(new IPEndPoint(IPAddress.Loopback, port), 14, TimeProvider.System);
            exporter.Write([
                new FlowLogEntry("123456789010", "eni-1235b8ca123456789", 3, now.AddSeconds(-60), now.AddSeconds(-1), FlowLogStatus.Ok)
                {
                    SourceAddress = Ipv4Address.Parse("172.31.16.139"), DestinationAddress = Ipv4Address.Parse("172.31.16.21"),
                    SourcePort = 20641, DestinationPort = 22, Protocol = 6, Packets = 20, Bytes = 4249, Action = FlowAction.Accept,
                },
                new FlowLogEntry("123456789010", "eni-1235b8ca123456789", 3, now.AddSeconds(-50), now.AddSeconds(-2), FlowLogStatus.Ok)
                {
                    SourceAddress = Ipv4Address.Parse("172.31.9.69"), DestinationAddress = Ipv4Address.Parse("172.31.9.12"),
                    SourcePort = 49761, DestinationPort = 3389, Protocol = 6, Packets = 7, Bytes = 420, Action = FlowAction.Reject,
                },
            ]);
            Thread.Sleep(1000);
        }
        finally
        {
            // SIGTERM (not Kill's SIGKILL): nfcapd writes out its open file when it stops.
            using (var kill = Process.Start("kill", ["-TERM", nfcapd.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
                kill.WaitForExit();
            if (!nfcapd.WaitForExit(10_000))
                nfcapd.Kill();
        }

        var dump = new ProcessStartInfo("/usr/bin/nfdump", ["-R", dir, "-o", "json"]) { RedirectStandardOutput = true, RedirectStandardError = true };
        using var nfdump = Process.Start(dump)!;
        var json = nfdump.StandardOutput.ReadToEnd();
        var errors = nfdump.StandardError.ReadToEnd();
        nfdump.WaitForExit();
        Assert.True(nfdump.ExitCode == 0, errors);
        using var doc = JsonDocument.Parse(json);
        var flows = doc.RootElement.EnumerateArray().ToList();
        Assert.Equal(2, flows.Count);
        var ssh = flows.Single(f => f.GetProperty("dst_port").GetInt32() == 22);
        Assert.Equal("172.31.16.139", ssh.GetProperty("src4_addr").GetString());
        Assert.Equal("172.31.16.21", ssh.GetProperty("dst4_addr").GetString());
        Assert.Equal(20641, ssh.GetProperty("src_port").GetInt32());
        Assert.Equal(6, ssh.GetProperty("proto").GetInt32());
        Assert.Equal(20, ssh.GetProperty("in_packets").GetInt64());
        Assert.Equal(4249, ssh.GetProperty("in_bytes").GetInt64());
        var rdp = flows.Single(f => f.GetProperty("dst_port").GetInt32() == 3389);
        Assert.Equal(7, rdp.GetProperty("in_packets").GetInt64());
        Assert.Equal(3, ssh.GetProperty("input_snmp").GetInt32()); // ingressInterface: the ENI slot
        // flowStart/EndMilliseconds: 59 s apart (the strings are nfdump's local time, so only the difference is compared).
        var first = DateTime.Parse(ssh.GetProperty("first").GetString()!, System.Globalization.CultureInfo.InvariantCulture);
        var last = DateTime.Parse(ssh.GetProperty("last").GetString()!, System.Globalization.CultureInfo.InvariantCulture);
        Assert.Equal(TimeSpan.FromSeconds(59), last - first);
        // nfdump 1.7.1 lists forwardingStatus (IE 89) among the elements it decodes but prints fwd_status 0 for it;
        // the value itself is checked by our own reader (FlowLogTests.Ipfix_message_parses_back).
    }
}
