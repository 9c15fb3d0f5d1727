using NitroCard.InstanceServices.Identity;
using NitroCard.InstanceServices.Punt;
using NitroCard.Packets;

namespace NitroCard.InstanceServices.Tests;

public class PuntRouterTests
{
    [Fact]
    public async Task Frames_go_to_the_slots_endpoint_and_unknown_slots_are_counted()
    {
        var instance = new Instance();
        var router = new PuntRouter(instance.Services);
        var endpoint = router.Attach(5, instance.Source);
        var ntp = instance.Udp(ServiceAddresses.Time, 123, [(4 << 3) | 3, .. new byte[47]]);
        Assert.Single(await router.HandleAsync(5, ntp));
        Assert.Empty(await router.HandleAsync(6, ntp));
        Assert.Equal(1, router.UnknownSlot);
        Assert.Equal(1, endpoint.Counters.Answered);
        Assert.True(router.Detach(5));
        Assert.Empty(await router.HandleAsync(5, ntp));
        Assert.Equal(2, router.UnknownSlot);
    }

    [Fact]
    public async Task Tick_reports_the_slot_of_each_frame()
    {
        var instance = new Instance();
        var router = new PuntRouter(instance.Services);
        router.Attach(2, instance.Source);
        var syn = Frames.Tcp(instance.ServiceMac, Instance.Mac, Instance.Ip, ServiceAddresses.Metadata, 41000, 80, 1, 0, TcpControl.Syn);
        Assert.Single(await router.HandleAsync(2, syn));
        instance.Time.Advance(TimeSpan.FromSeconds(1));
        var (slot, frame) = Assert.Single(router.Tick());
        Assert.Equal(2, slot);
        Assert.Equal(TcpControl.Syn | TcpControl.Ack, TcpHeader.Flags(TcpSession.TcpOf(frame)) & (TcpControl.Syn | TcpControl.Ack));
    }

    [Fact]
    public void Options_changed_by_a_push_apply_to_the_next_request()
    {
        var instance = new Instance();
        var session = instance.Tcp(ServiceAddresses.Metadata, 80);
        session.Connect();
        session.Send(Http.Get("/latest/meta-data/instance-id"));
        Assert.Equal(200, Http.Parse(session.Text).Status);
        instance.Update(i => i with { Metadata = i.Metadata with { HttpTokens = HttpTokens.Required } });
        session.ClearText();
        session.Send(Http.Get("/latest/meta-data/instance-id"));
        Assert.Equal(401, Http.Parse(session.Text).Status);
        // Turning the endpoint off resets an open connection at its next request.
        instance.Update(i => i with { Metadata = i.Metadata with { HttpEndpointEnabled = false } });
        session.Send(Http.Get("/latest/meta-data/instance-id"));
        Assert.True(session.Reset);
        Assert.Equal(0, instance.Endpoint.ConnectionCount);
    }
}
