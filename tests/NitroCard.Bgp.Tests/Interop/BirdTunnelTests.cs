using System.Net;
using Xunit.Abstractions;

namespace NitroCard.Bgp.Tests.Interop;

/// <summary>
/// The deployment shape: our speaker's sockets in the edge's network namespace on the tunnel inside address, port
/// 179, BIRD in the customer's namespace on the other end, a directly connected eBGP session (no multihop).
/// </summary>
public class BirdTunnelTests(ITestOutputHelper output)
{
    private static readonly IPNetwork Vpc = IPNetwork.Parse("10.0.0.0/16");
    private static readonly IPNetwork Site = IPNetwork.Parse("192.0.2.0/24");

    [SkippableFact]
    public async Task Over_the_tunnel_inside_addresses_bird_resolves_our_next_hop_and_we_learn_its_site()
    {
        Skip.IfNot(BirdRouter.Installed, "BIRD 2 is not installed (/usr/sbin/bird, /usr/sbin/birdc): apt-get install bird2");
        Skip.If(TunnelNamespaces.Missing is not null, TunnelNamespaces.Missing);
        using var tunnel = new TunnelNamespaces();
        var edge = IPAddress.Parse(TunnelNamespaces.EdgeInside);
        var customer = IPAddress.Parse(TunnelNamespaces.CustomerInside);
        await using var speaker = new BgpSpeaker(new BgpSpeakerOptions
        {
            RouterId = edge,
            LocalAddress = edge,
            NetworkNamespace = tunnel.EdgePath,
            Neighbors = [new BgpNeighbor { Address = customer, PeerAsn = 65000 }],
            ConnectRetryTime = TimeSpan.FromSeconds(1),
            IdleHoldTime = TimeSpan.FromMilliseconds(500),
        });
        speaker.SetAdvertised([Vpc]);
        speaker.Start(); // 169.254.10.1:179 exists only in the edge's namespace: binding it proves where the socket is
        Assert.Equal(new IPEndPoint(edge, 179), speaker.ListenEndPoint);
        var session = speaker.Sessions[customer];
        string config = $$"""
            router id {{customer}};
            log stderr all;
            protocol device { }
            protocol direct { ipv4; interface "tun0"; }
            protocol static customer_site { ipv4; route 192.0.2.0/24 blackhole; }
            protocol bgp aws {
              local {{customer}} as 65000;
              neighbor {{edge}} as 64512;
              hold time 30;
              keepalive time 10;
              connect retry time 1;
              ipv4 { import all; export where source = RTS_STATIC; };
            }
            """;
        using var bird = new BirdRouter(config, tunnel.Customer);
        try
        {
            await Wait.Until(() => session.Routes.ContainsKey(Site), 30, () => "we learn the customer's site over the tunnel");
            Assert.Equal(customer, session.Routes[Site].NextHop);
            Assert.Equal("65000", session.Routes[Site].AsPath!.ToString());
            await Wait.Until(() => bird.Control("show route 10.0.0.0/16").Contains($"via {edge} on tun0", StringComparison.Ordinal), 20, () => "BIRD installs the VPC CIDR via our inside address");
            output.WriteLine(bird.Control("show route 10.0.0.0/16 all"));
            output.WriteLine(bird.Control("disable aws"));
            await Wait.Until(() => session.Routes.Count == 0, 20, () => "disable withdraws the site");
        }
        finally
        {
            output.WriteLine(bird.Log);
        }
    }
}
