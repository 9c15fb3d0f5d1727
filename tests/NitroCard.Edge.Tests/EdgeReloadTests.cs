using System.Buffers.Binary;
using System.Net;
using NitroCard.Packets;
using NitroCard.Region;

namespace NitroCard.Edge.Tests;

/// <summary><see cref="BlackfootEdge.Reload"/>: the edge follows a changed region (the live region feeds it the Mapping Service's state).</summary>
public class EdgeReloadTests
{
    private static readonly uint HostA = Ipv4Address.Parse("192.0.2.11");
    private static readonly uint HostB = Ipv4Address.Parse("192.0.2.12");
    private static readonly uint EdgeIp = Ipv4Address.Parse("192.0.2.250");

    [Fact]
    public void A_moved_eni_is_reached_on_its_new_host_and_the_vpn_keeps_its_sequence_numbers()
    {
        var region = EdgeRegion.Load();
        using var edge = new BlackfootEdge(region);
        var output = new List<EdgeFrame>();

        // Internet → 198.51.100.10 goes to host-a, where eni-a1 is.
        var inbound = Frames.IcmpEcho(EdgePorts.EdgeMac, EdgePorts.PeerMac, EdgeRegion.InternetHost, EdgeRegion.PublicA1, 1, 1);
        edge.Receive(EdgePorts.Internet, inbound, output);
        Assert.Equal(HostA, OuterDestination(Assert.Single(output)));
        Assert.Equal(1u, VpnSequence(edge, HostA, output));

        var moved = region with
        {
            Vpcs = [.. region.Vpcs.Select(v => v with { Enis = [.. v.Enis.Select(e => e.Id == "eni-a1" ? e with { Host = "host-b" } : e)] })],
        };
        edge.Reload(moved);

        output.Clear();
        edge.Receive(EdgePorts.Internet, inbound, output);
        Assert.Equal(HostB, OuterDestination(Assert.Single(output)));
        // From its new host eni-a1 is accepted; from the old one it is now a spoofed source.
        Assert.Equal(2u, VpnSequence(edge, HostB, output));
        Assert.Null(VpnSequenceOrNull(edge, HostA, output));
        Assert.Contains(edge.DrainAlarms(), a => a.Reason == "spoofed-source");
    }

    private static uint OuterDestination(EdgeFrame frame)
    {
        Assert.Equal(EdgePorts.Substrate, frame.Port);
        return Ipv4Header.Destination(frame.Data.AsSpan(EthernetHeader.Length));
    }

    private static uint VpnSequence(BlackfootEdge edge, uint fromHost, List<EdgeFrame> output) =>
        VpnSequenceOrNull(edge, fromHost, output) ?? throw new Xunit.Sdk.XunitException("no ESP towards the customer gateway");

    /// <summary>Sends eni-a1 → 172.31.0.5 (the VPN's customer network) from a host; the ESP sequence number the edge used.</summary>
    private static uint? VpnSequenceOrNull(BlackfootEdge edge, uint fromHost, List<EdgeFrame> output)
    {
        output.Clear();
        var inner = Frames.IcmpEcho(EdgeRegion.GatewayMac, EdgeRegion.EniA1Mac, EdgeRegion.EniA1, IPAddress.Parse("172.31.0.5"), 2, 1);
        var vxlan = VxlanHeader.Encapsulate(inner, RegionDefaults.SubstrateRouterMac.Value, RegionDefaults.DerivedUnderlayMac(fromHost).Value, fromHost, EdgeIp, 1001);
        edge.Receive(EdgePorts.Substrate, vxlan, output);
        var esp = output.FirstOrDefault(f => f.Port == "vpn:vpn-1");
        return esp.Data is null ? null : BinaryPrimitives.ReadUInt32BigEndian(esp.Data.AsSpan(EthernetHeader.Length + 20 + 4));
    }
}
