// Generates the SystemVerilog register package (registers, table layouts, the records between RTL stages), the C#
// register constants and docs/registers.md from the one register map: hw/regmap/nitro_card.regmap.json.
//   dotnet run --project tools/RegGen -- <repo root> [--check]
// --check writes nothing and exits 1 when a generated file is out of date.
using System.CommandLine;
using System.Globalization;
using System.Text;
using System.Text.Json;
using NitroCard.RegGen;

var rootArgument = new Argument<string>("root") { Description = "the repository root" };
var checkOption = new Option<bool>("--check") { Description = "write nothing; exit 1 when a generated file is out of date" };
var command = new RootCommand("Generates the SV register package, the C# constants and docs/registers.md from hw/regmap/nitro_card.regmap.json.")
{
    rootArgument,
    checkOption,
};
var parse = command.Parse(args);
if (parse.Errors.Count > 0)
{
    foreach (var error in parse.Errors)
        Console.Error.WriteLine(error.Message);
    Console.Error.WriteLine("usage: RegGen <repo root> [--check]");
    return 2;
}

var root = parse.GetValue(rootArgument)!;
var check = parse.GetValue(checkOption);
var source = Path.Combine(root, "hw/regmap/nitro_card.regmap.json");
RegisterMapDocument map;
try
{
    map = JsonSerializer.Deserialize(File.ReadAllText(source), RegMapJsonContext.Default.RegisterMapDocument)
        ?? throw new InvalidDataException("empty document");
    map.Validate();
}
catch (Exception e) when (e is JsonException or InvalidDataException)
{
    Console.Error.WriteLine($"{source}: {e.Message}");
    return 1;
}

var outputs = new Dictionary<string, string>
{
    ["hw/rtl/nitro_regs_pkg.sv"] = SvGenerator.Generate(map),
    ["driver/NitroCard.Driver/Registers/RegisterMap.g.cs"] = CSharpGenerator.GenerateRegisters(map),
    ["driver/NitroCard.Driver/Registers/TableLayout.g.cs"] = CSharpGenerator.GenerateTables(map),
    ["driver/NitroCard.Driver/Registers/RecordLayout.g.cs"] = CSharpGenerator.GenerateRecords(map),
    ["core/NitroCard.Card/DropReason.g.cs"] = CSharpGenerator.GenerateDropReason(map),
    ["docs/registers.md"] = MarkdownGenerator.Generate(map),
};

var stale = 0;
foreach (var (relative, text) in outputs)
{
    var path = Path.Combine(root, relative);
    var current = File.Exists(path) ? File.ReadAllText(path) : null;
    if (current == text)
        continue;
    if (check)
    {
        Console.Error.WriteLine($"{relative} is out of date with hw/regmap/nitro_card.regmap.json (run: dotnet pwsh ./build.ps1 regs)");
        stale++;
        continue;
    }
    File.WriteAllText(path, text, new UTF8Encoding(false));
    Console.WriteLine($"wrote {relative}");
}

return stale == 0 ? 0 : 1;

namespace NitroCard.RegGen
{
    internal static class Naming
    {
        /// <summary>"source-check" / "txPackets" / "NUM_ENI" → "SOURCE_CHECK" / "TX_PACKETS" / "NUM_ENI".</summary>
        public static string Upper(string name)
        {
            var sb = new StringBuilder();
            for (var i = 0; i < name.Length; i++)
            {
                var c = name[i];
                if (c == '-')
                {
                    sb.Append('_');
                }
                else if (char.IsUpper(c) && i > 0 && char.IsLower(name[i - 1]))
                {
                    sb.Append('_').Append(c);
                }
                else
                {
                    sb.Append(char.ToUpperInvariant(c));
                }
            }
            return sb.ToString();
        }

        /// <summary>"source-check" / "TBL_DATA" / "txPackets" → "SourceCheck" / "TblData" / "TxPackets".</summary>
        public static string Pascal(string name)
        {
            var sb = new StringBuilder();
            var upperNext = true;
            var allUpper = name.Any(char.IsLetter) && !name.Any(char.IsLower);
            foreach (var c in name)
            {
                if (c is '-' or '_')
                {
                    upperNext = true;
                    continue;
                }
                sb.Append(upperNext ? char.ToUpperInvariant(c) : allUpper ? char.ToLowerInvariant(c) : c);
                upperNext = false;
            }
            return sb.ToString();
        }

        public static string Hex(uint value, int digits = 4) => value.ToString("X" + digits.ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture);
    }
}
