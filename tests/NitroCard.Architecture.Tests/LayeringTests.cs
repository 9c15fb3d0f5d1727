namespace NitroCard.Architecture.Tests;

/// <summary>
/// The solution's layers, top to bottom (README.md, "Layout"): a project references only projects of lower layers,
/// nothing references a test, a tool (benchmark, generator) is referenced only by its own test project, and the card's contract and what programs it never reach the P/Invoke driver.
/// </summary>
public class LayeringTests
{
    /// <summary>Top to bottom. A new project must be placed here (or be a test or a tool) before the suite passes.</summary>
    private static readonly (string Layer, string[] Projects)[] Layers =
    [
        ("CLI", ["driver/nitroctl/nitroctl.csproj"]),
        ("region runtimes", ["live/NitroCard.Live/NitroCard.Live.csproj", "simulation/NitroCard.Simulation/NitroCard.Simulation.csproj"]),
        ("services", ["firmware-sim/NitroCard.Firmware/NitroCard.Firmware.csproj", "mapping/NitroCard.Mapping/NitroCard.Mapping.csproj", "edge/NitroCard.Edge/NitroCard.Edge.csproj"]),
        ("instance services", ["firmware-sim/NitroCard.InstanceServices/NitroCard.InstanceServices.csproj"]),
        ("Mapping Service protocol", ["mapping/NitroCard.Mapping.Protocol/NitroCard.Mapping.Protocol.csproj"]),
        ("VPN protocols", ["edge/NitroCard.Ike/NitroCard.Ike.csproj", "edge/NitroCard.Bgp/NitroCard.Bgp.csproj"]),
        ("region model", ["mapping/NitroCard.Region/NitroCard.Region.csproj"]),
        ("card engines", ["driver/NitroCard.Driver/NitroCard.Driver.csproj", "model/NitroCard.Model/NitroCard.Model.csproj"]),
        ("card contract", ["core/NitroCard.Card/NitroCard.Card.csproj"]),
        ("packets", ["core/NitroCard.Packets/NitroCard.Packets.csproj"]),
    ];

    private const string Driver = "driver/NitroCard.Driver/NitroCard.Driver.csproj";

    /// <summary>Programs the card through its contract only: they must not reach the native interop.</summary>
    private static readonly string[] ContractOnly =
    [
        "core/NitroCard.Card/NitroCard.Card.csproj",
        "mapping/NitroCard.Region/NitroCard.Region.csproj",
        "mapping/NitroCard.Mapping/NitroCard.Mapping.csproj",
        "mapping/NitroCard.Mapping.Protocol/NitroCard.Mapping.Protocol.csproj",
        "firmware-sim/NitroCard.Firmware/NitroCard.Firmware.csproj",
        "edge/NitroCard.Edge/NitroCard.Edge.csproj",
    ];

    /// <summary>Test projects named after something that is not a .csproj.</summary>
    private static readonly Dictionary<string, string> TestedElsewhere = new(StringComparer.Ordinal)
    {
        ["NitroCard.Rtl.Tests"] = "hw/rtl and hw/tb: the card's RTL, on the Verilated library",
        ["NitroCard.Cli.Tests"] = "driver/nitroctl: the nitroctl command lines and their output",
        ["NitroCard.Architecture.Tests"] = "the project graph itself",
    };

    /// <summary>Programs under tests/ that one test project runs as a separate process (a peer in a namespace), keyed by that test project.</summary>
    private static readonly Dictionary<string, string> TestSupport = new(StringComparer.Ordinal)
    {
        ["NitroCard.Ike.InteropPeer"] = "NitroCard.Ike.Tests",   // our IKE peer, run inside the namespace strongSwan talks to
    };

    private static readonly ProjectGraph Graph = ProjectGraph.Load();

    private static int LayerOf(string project) => Array.FindIndex(Layers, l => l.Projects.Contains(project, StringComparer.Ordinal));

    private static bool IsTest(string project) => project.StartsWith("tests/", StringComparison.Ordinal);

    private static bool IsTool(string project) => project.StartsWith("tools/", StringComparison.Ordinal);

    [Fact]
    public void Every_project_is_a_test_a_tool_or_in_exactly_one_layer()
    {
        var problems = new List<string>();
        foreach (var project in Graph.Projects.Where(p => !IsTest(p) && !IsTool(p)))
        {
            var count = Layers.Count(l => l.Projects.Contains(project, StringComparer.Ordinal));
            if (count != 1)
                problems.Add($"{project} is in {count} layers");
        }
        foreach (var listed in Layers.SelectMany(l => l.Projects).Where(p => !Graph.References.ContainsKey(p)))
            problems.Add($"{listed} is listed in a layer but does not exist");
        AssertNone(problems);
    }

    [Fact]
    public void Every_reference_points_down()
    {
        var problems = new List<string>();
        foreach (var (project, references) in Graph.References.Where(kv => !IsTest(kv.Key) && !IsTool(kv.Key)))
        {
            var layer = LayerOf(project);
            foreach (var reference in references)
            {
                var target = LayerOf(reference);
                if (target <= layer)
                    problems.Add($"{project} ({Name(layer)}) references {reference} ({Name(target)}): references go to lower layers only");
            }
        }
        AssertNone(problems);
    }

    [Fact]
    public void Nothing_references_a_test_and_only_a_tools_own_tests_reference_the_tool()
    {
        var problems = Graph.References
            .SelectMany(kv => kv.Value.Select(r => (From: kv.Key, To: r)))
            .Where(e => (IsTest(e.To) && !(TestSupport.TryGetValue(Name(e.To), out var owner) && owner == Name(e.From))) || (IsTool(e.To) && !IsTool(e.From) && e.From != $"tests/{Name(e.To)}.Tests/{Name(e.To)}.Tests.csproj"))
            .Select(e => $"{e.From} references {e.To}")
            .ToList();
        AssertNone(problems);
    }

    [Fact]
    public void Region_mapping_firmware_and_edge_depend_on_the_contract_never_the_interop()
    {
        var problems = ContractOnly.Where(p => Graph.Closure(p).Contains(Driver)).Select(p => $"{p} reaches {Driver}").ToList();
        AssertNone(problems);
    }

    [Fact]
    public void The_firmware_speaks_the_protocol_and_never_links_the_service()
    {
        var closure = Graph.Closure("firmware-sim/NitroCard.Firmware/NitroCard.Firmware.csproj");
        Assert.DoesNotContain("mapping/NitroCard.Mapping/NitroCard.Mapping.csproj", closure);
        Assert.Contains("mapping/NitroCard.Mapping.Protocol/NitroCard.Mapping.Protocol.csproj", closure);
    }

    [Fact]
    public void The_contract_and_the_packets_library_have_no_native_code()
    {
        var problems = new List<string>();
        foreach (var folder in new[] { "core/NitroCard.Card", "core/NitroCard.Packets" })
        {
            foreach (var file in Directory.EnumerateFiles(Path.Combine(Graph.Root, folder), "*.cs", SearchOption.AllDirectories))
            {
                if (file.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal))
                    continue;
                var text = File.ReadAllText(file);
                if (text.Contains("LibraryImport", StringComparison.Ordinal) || text.Contains("DllImport", StringComparison.Ordinal) || text.Contains("NativeLibrary", StringComparison.Ordinal))
                    problems.Add(Path.GetRelativePath(Graph.Root, file));
            }
        }
        AssertNone(problems);
    }

    [Fact]
    public void Every_test_project_mirrors_a_source_project()
    {
        var sources = Graph.Projects.Where(p => !IsTest(p)).Select(p => Path.GetFileNameWithoutExtension(p)).ToHashSet(StringComparer.Ordinal);
        var problems = Graph.Projects.Where(IsTest)
            .Select(p => Path.GetFileNameWithoutExtension(p))
            .Where(t => !TestedElsewhere.ContainsKey(t) && !TestSupport.ContainsKey(t) && !(t.EndsWith(".Tests", StringComparison.Ordinal) && sources.Contains(t[..^".Tests".Length])))
            .Select(t => $"{t} tests no project named {t.Replace(".Tests", "", StringComparison.Ordinal)}")
            .ToList();
        AssertNone(problems);
    }

    [Fact]
    public void The_graph_is_read_from_the_repository()
    {
        // Guards the other tests against passing on an empty graph (a wrong root finds no project).
        Assert.Contains(Driver, Graph.Projects);
        Assert.Contains("core/NitroCard.Card/NitroCard.Card.csproj", Graph.References[Driver]);
    }

    private static void AssertNone(List<string> problems)
        => Assert.True(problems.Count == 0, string.Join(Environment.NewLine, problems));

    private static string Name(string project) => Path.GetFileNameWithoutExtension(project);

    private static string Name(int layer) => layer < 0 ? "no layer" : Layers[layer].Layer;
}
