using System.Text.Json;
using System.Text.Json.Nodes;

namespace NitroCard.Region.Tests;

/// <summary>The sample region files copied next to the tests, and mutations of them.</summary>
internal static class RegionFiles
{
    /// <summary>docs/examples/region.json: two hosts, one edge, two VPCs that both use 10.0.0.0/16.</summary>
    public const string DocsExample = "docs-example.json";

    /// <summary>Three hosts, two edges, three VPCs; vpc-blue is not on host-a, vpc-green only on host-a.</summary>
    public const string ThreeVpcs = "three-vpcs.json";

    public static string PathOf(string name) => Path.Combine(AppContext.BaseDirectory, "regions", name);

    public static string Text(string name) => File.ReadAllText(PathOf(name));

    /// <summary>The docs example with <paramref name="mutate"/> applied, as JSON text.</summary>
    public static string Mutated(Action<JsonObject> mutate, string name = DocsExample)
    {
        var root = JsonNode.Parse(Text(name), documentOptions: new JsonDocumentOptions
        {
            CommentHandling = JsonCommentHandling.Skip,
            AllowTrailingCommas = true,
        })!.AsObject();
        mutate(root);
        return root.ToJsonString(new JsonSerializerOptions { WriteIndented = true });
    }

    /// <summary>Loads mutated JSON and returns the exception it must raise.</summary>
    public static RegionException Invalid(Action<JsonObject> mutate, string name = DocsExample)
        => Assert.Throws<RegionException>(() => RegionLoader.LoadFromString(Mutated(mutate, name), "region.json"));

    public static JsonObject Vpc(this JsonObject root, int i) => root["vpcs"]![i]!.AsObject();

    public static JsonObject Eni(this JsonObject root, int vpc, int eni) => root.Vpc(vpc)["enis"]![eni]!.AsObject();

    public static JsonObject Subnet(this JsonObject root, int vpc, int subnet) => root.Vpc(vpc)["subnets"]![subnet]!.AsObject();

    public static JsonObject Host(this JsonObject root, int i) => root["hosts"]![i]!.AsObject();

    public static JsonObject Rule(this JsonObject root, int vpc, int group, string direction, int rule)
        => root.Vpc(vpc)["securityGroups"]![group]![direction]![rule]!.AsObject();

    public static JsonObject Route(this JsonObject root, int vpc, int table, int route)
        => root.Vpc(vpc)["routeTables"]![table]!["routes"]![route]!.AsObject();
}
