using System.CommandLine;
using System.Net;
using NitroCard.Packets;
using NitroCard.Region;

namespace NitroCard.Cli;

/// <summary>
/// <c>nitroctl demo</c>: two hosts' cards on the embedded region (two VPCs with the same
/// address plan), wired by a substrate in this process, and a story of real frames through
/// them: ARP, same-host and cross-host delivery, VPC isolation, spoofing and the drops.
/// </summary>
internal static class DemoCommand
{
    public static Command Create()
    {
        var engine = new Option<string>("--engine") { Description = "rtl (Verilated cards) or model.", DefaultValueFactory = _ => "rtl" };
        engine.AcceptOnlyFromAmong(EngineFactory.Names);
        var output = new Option<DirectoryInfo>("--out") { Description = "Where the captures go.", DefaultValueFactory = _ => new DirectoryInfo(Path.Combine("out", "demo")) };
        var command = new Command("demo", "Push real frames through two cards and show what they did.") { engine, output };
        command.SetAction(parse => Run(parse.GetValue(engine)!, parse.GetValue(output)!.FullName));
        return command;
    }

    private static int Run(string engineName, string outDir)
    {
        using var stream = typeof(DemoCommand).Assembly.GetManifestResourceStream("demo-region.json")
            ?? throw new InvalidOperationException("demo-region.json is not embedded");
        using var reader = new StreamReader(stream);
        var region = RegionLoader.LoadFromString(reader.ReadToEnd(), "demo-region.json");
        using var substrate = new DemoSubstrate(region, engineName);

        var blueA1 = substrate.Eni("eni-blue-a1");
        var blueA2 = substrate.Eni("eni-blue-a2");
        var blueB1 = substrate.Eni("eni-blue-b1");
        var redA1 = substrate.Eni("eni-red-a1");
        var redB1 = substrate.Eni("eni-red-b1");
        var gatewayMac = substrate.Plan("host-a").Settings.GatewayMac.Value;

        Console.WriteLine($"NitroCard demo: two hosts, {engineName} cards, two VPCs that both use 10.0.0.0/16 (blue VNI 1001, red VNI 1002).");
        Console.WriteLine();
        substrate.Send("ARP: blue-a1 asks for its router 10.0.1.1", blueA1,
            Frames.ArpRequest(blueA1.Mac, blueA1.Ip, IPAddress.Parse("10.0.1.1")));
        substrate.Send("ARP: blue-a1 asks for blue-b1 10.0.1.11 (on host-b)", blueA1,
            Frames.ArpRequest(blueA1.Mac, blueA1.Ip, blueB1.Ip));
        substrate.Send("ping blue-a1 -> blue-b1, across hosts (VXLAN on the substrate)", blueA1,
            Frames.IcmpEcho(blueB1.Mac, blueA1.Mac, blueA1.Ip, blueB1.Ip, 1, 1, "nitro"u8));
        substrate.Send("ping reply blue-b1 -> blue-a1", blueB1,
            Frames.IcmpEcho(blueA1.Mac, blueB1.Mac, blueB1.Ip, blueA1.Ip, 1, 1, "nitro"u8, reply: true));
        substrate.Send("ping blue-a1 -> blue-a2, same host, other subnet (switched on the card)", blueA1,
            Frames.IcmpEcho(gatewayMac, blueA1.Mac, blueA1.Ip, blueA2.Ip, 2, 1));
        substrate.Send("ping red-a1 -> red-b1: same addresses as blue, other VPC", redA1,
            Frames.IcmpEcho(redB1.Mac, redA1.Mac, redA1.Ip, redB1.Ip, 3, 1));
        substrate.Send("UDP blue-a1 -> blue-b1, a 9015-byte jumbo frame (the 9001-byte MTU)", blueA1,
            Frames.Udp(blueB1.Mac, blueA1.Mac, blueA1.Ip, blueB1.Ip, 40000, 40001, new byte[9001 - 28]));
        substrate.Send("UDP blue-a1 -> blue-b1, one byte over the MTU", blueA1,
            Frames.Udp(blueB1.Mac, blueA1.Mac, blueA1.Ip, blueB1.Ip, 40000, 40001, new byte[9001 - 27]));
        substrate.Send("blue-a1 forges its source address 10.0.1.99", blueA1,
            Frames.IcmpEcho(blueB1.Mac, blueA1.Mac, IPAddress.Parse("10.0.1.99"), blueB1.Ip, 4, 1));
        substrate.Send("blue-a1 pings 10.0.1.77, which no ENI has", blueA1,
            Frames.IcmpEcho(gatewayMac, blueA1.Mac, blueA1.Ip, IPAddress.Parse("10.0.1.77"), 5, 1));
        substrate.SendFromSubstrate("a rogue machine 192.0.2.66 sends VXLAN to host-a claiming to be blue-b1", "host-a",
            VxlanHeader.Encapsulate(
                Frames.IcmpEcho(blueA1.Mac, blueB1.Mac, blueB1.Ip, blueA1.Ip, 6, 1),
                substrate.Plan("host-a").Settings.UnderlayMac.Value, 0x02_66_66_66_66_66, Ipv4Address.ToUInt32(IPAddress.Parse("192.0.2.66")),
                Ipv4Address.ToUInt32(substrate.Plan("host-a").Settings.UnderlayIp), 1001));

        Console.WriteLine();
        substrate.PrintCounters();
        substrate.WriteCaptures(outDir);
        Console.WriteLine();
        Console.WriteLine($"Captures (open them in Wireshark): {outDir}");
        return 0;
    }
}
