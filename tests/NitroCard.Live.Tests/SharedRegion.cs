using NitroCard.Card;
using NitroCard.Driver.Simulation;

namespace NitroCard.Live.Tests;

/// <summary>
/// One <c>region up</c> shared by the tests of a class (a class fixture), stopped at the end with a check that nothing is
/// left behind; or, when it cannot run here, the reason every test of the class is skipped with.
/// </summary>
public abstract class SharedRegion : IDisposable
{
    protected SharedRegion(string region, string engine, Func<string?>? precondition = null)
    {
        Engine = engine;
        SkipReason = Host.LiveRegionUnavailable() ?? precondition?.Invoke();
        if (SkipReason is null)
            Region = LiveRegionProcess.Up(region, engine, TimeSpan.FromSeconds(120), "--captures", Captures);
    }

    public string Engine { get; }

    internal LiveRegionProcess? Region { get; }

    /// <summary>Why the tests of the class are skipped (null: the region is up).</summary>
    public string? SkipReason { get; }

    /// <summary>Where the edge writes its pcaps.</summary>
    public string Captures { get; } = Path.Combine(Path.GetTempPath(), "nitrocard-live-captures-" + Guid.NewGuid().ToString("N")[..8]);

    /// <summary>Skips the calling test with <see cref="SkipReason"/> when the region cannot run; fails when it stopped.</summary>
    public void Require()
    {
        Skip.If(SkipReason is not null, SkipReason);
        Region!.AssertRunning();
    }

    public void Dispose()
    {
        GC.SuppressFinalize(this);
        if (Region is null)
            return;
        try
        {
            var code = Region.Stop(TimeSpan.FromSeconds(60));
            Assert.True(code == 0, $"region up exited with {code} when stopped: {Region.Error}");
        }
        finally
        {
            Region.Dispose();
            if (Directory.Exists(Captures))
                Directory.Delete(Captures, recursive: true);
        }
        LiveRegionProcess.AssertNothingLeft();
    }
}

/// <summary>The demo region (driver/nitroctl/Demo/demo-region.json) on model-engine cards.</summary>
public sealed class ModelDemoRegion() : SharedRegion("demo-region.json", "model");

/// <summary>The demo region on Verilated cards; skipped while the card has no route tables (see <see cref="RtlRouting"/>).</summary>
public sealed class RtlDemoRegion() : SharedRegion("demo-region.json", "rtl", RtlRouting.Missing);

/// <summary>Whether the Verilated card can route to the edge.</summary>
internal static class RtlRouting
{
    private static readonly Lazy<string?> s_missing = new(() =>
    {
        try
        {
            using var card = new RtlCardEngine();
            return card.Geometry.Filtering is null
                ? "the Verilated card reports no filtering hardware (PARAM_FILTER = 0, CardGeometry.Filtering is null): it has no route "
                  + "tables, so instance traffic to the internet, S3, the VPN and Direct Connect never reaches the edge; these tests run "
                  + "on rtl once RTL routing (branch rtl-filtering) is merged, and run on the model engine now"
                : null;
        }
        catch (Exception e) when (e is NitroCardException or DllNotFoundException)
        {
            return "the Verilated card library cannot be loaded: " + e.Message;
        }
    });

    /// <summary>Why the RTL card cannot route to the edge, or null when it can.</summary>
    public static string? Missing() => s_missing.Value;
}
