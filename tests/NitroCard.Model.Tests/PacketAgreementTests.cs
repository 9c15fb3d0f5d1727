using System.Diagnostics;
using NitroCard.Packets;
using static NitroCard.Model.Tests.TestBench;

namespace NitroCard.Model.Tests;

/// <summary>Where the packets library meets the card: what the model emits decodes in tshark.</summary>
public class PacketAgreementTests
{
    /// <summary>Everything the card emits must decode cleanly in tshark (reported skipped where tshark is not installed).</summary>
    [SkippableFact]
    public void Tshark_decodes_model_output_with_good_checksums()
    {
        const string tshark = "/usr/bin/tshark";
        Skip.IfNot(File.Exists(tshark), "tshark is not installed (Debian tshark; build.ps1 installs it as root)");
        var bench = new TestBench();
        bench.Card.PushHost(0, Frames.Tcp(GatewayMac, Mac(VpcA, "10.0.1.10"), Ip("10.0.1.10"), Ip("10.0.1.20"), 40000, 80, 1, 0, TcpControl.Syn));
        bench.Card.PushHost(0, Frames.IcmpEcho(GatewayMac, Mac(VpcA, "10.0.1.10"), Ip("10.0.1.10"), Ip("10.0.2.20"), 1, 1, Payload(56)));
        bench.Card.PushHost(0, Frames.ArpRequest(Mac(VpcA, "10.0.1.10"), Ip("10.0.1.10"), Ip("10.0.1.1")));
        bench.Run();
        var path = Path.Combine(Path.GetTempPath(), $"nitrocard-{Guid.NewGuid():N}.pcap");
        try
        {
            PcapWriter.WriteFile(path, bench.Network.Concat(bench.Host).Select((f, i) => new PcapRecord(i, f.Data)));
            var start = new ProcessStartInfo(tshark)
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
            };
            foreach (var arg in new[] { "-r", path, "-V", "-o", "ip.check_checksum:TRUE", "-o", "tcp.check_checksum:TRUE", "-o", "udp.check_checksum:TRUE" })
                start.ArgumentList.Add(arg);
            using var process = Process.Start(start)!;
            var output = process.StandardOutput.ReadToEnd();
            process.StandardError.ReadToEnd();
            process.WaitForExit();
            Assert.Equal(0, process.ExitCode);
            Assert.Contains("Virtual eXtensible Local Area Network", output, StringComparison.Ordinal);
            Assert.Contains("VXLAN Network Identifier (VNI): 1001", output, StringComparison.Ordinal);
            Assert.Contains("Echo (ping) request", output, StringComparison.Ordinal);
            Assert.Contains("Opcode: reply (2)", output, StringComparison.Ordinal);
            Assert.DoesNotContain("incorrect", output, StringComparison.OrdinalIgnoreCase);
            Assert.DoesNotContain("Malformed", output, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(path);
        }
    }
}
