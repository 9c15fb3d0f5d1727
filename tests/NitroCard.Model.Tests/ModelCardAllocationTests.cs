using static NitroCard.Model.Tests.TestBench;

namespace NitroCard.Model.Tests;

/// <summary>The per-frame path of the model is the benchmark baseline: it must not allocate.</summary>
public class ModelCardAllocationTests
{
    [Fact]
    public void Direct_processing_does_not_allocate()
    {
        var bench = new TestBench();
        var card = bench.Card;
        byte[][] tx =
        [
            Udp(VpcA, "10.0.1.10", "10.0.1.20", payload: 200), // encapsulated
            Udp(VpcA, "10.0.1.10", "10.0.2.10"), // local
            Packets.Frames.ArpRequest(Mac(VpcA, "10.0.1.10"), Ip("10.0.1.10"), Ip("10.0.1.1")),
            Udp(VpcA, "10.0.1.10", "10.0.9.9"), // dropped with an alarm
        ];
        var rx = Vxlan(VpcA, Udp(VpcA, "10.0.1.20", "10.0.1.10"), HostB);
        var output = new byte[10000];

        void Once()
        {
            foreach (var frame in tx)
                card.ProcessHost(0, frame, output);
            card.ProcessNetwork(rx, output);
            card.DrainAlarms();
        }

        for (var i = 0; i < 100; i++)
            Once();
        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 1000; i++)
        {
            foreach (var frame in tx)
                card.ProcessHost(0, frame, output);
            card.ProcessNetwork(rx, output);
        }
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.Equal(0L, allocated);
    }
}
