using System.Globalization;
using System.Text.Json.Serialization;

namespace NitroCard.RegGen;

internal sealed record RegisterMapDocument(
    string Name,
    string Description,
    int AddressWidth,
    int DataWidth,
    IReadOnlyList<EnumDef> Enums,
    IReadOnlyList<RegisterDef> Registers,
    IReadOnlyList<TableDef> Tables)
{
    public EnumDef Enum(string name) => Enums.Single(e => e.Name == name);

    /// <summary>Collects every problem before failing, so one run reports them all.</summary>
    public void Validate()
    {
        var errors = new List<string>();
        var seen = new Dictionary<uint, string>();
        foreach (var r in Registers)
        {
            if (r.Access is not ("ro" or "rw" or "wo"))
                errors.Add($"register {r.Name}: access '{r.Access}' is not ro, rw or wo");
            if (r.Address % 4 != 0)
                errors.Add($"register {r.Name}: offset {r.Offset} is not 4-byte aligned");
            for (var i = 0; i < r.Count; i++)
            {
                var a = r.Address + (uint)(i * r.Stride);
                if (!seen.TryAdd(a, r.Name))
                    errors.Add($"register {r.Name}: offset 0x{a:X4} overlaps {seen[a]}");
            }
            foreach (var f in r.Fields ?? [])
            {
                if (f.Lsb + f.Width > 32)
                    errors.Add($"register {r.Name} field {f.Name}: bits {f.Lsb}+{f.Width} exceed 32");
            }
        }
        foreach (var t in Tables)
        {
            foreach (var f in t.Fields)
            {
                if (f.Word is < 0 or > 7 || f.Lsb + f.Width > 32)
                    errors.Add($"table {t.Name} field {f.Name}: word {f.Word} bits {f.Lsb}+{f.Width} do not fit the 8 staging words");
            }
        }
        if (errors.Count > 0)
            throw new InvalidDataException(string.Join(Environment.NewLine, errors));
    }
}

internal sealed record EnumDef(string Name, string Description, IReadOnlyList<EnumValue> Values);

internal sealed record EnumValue(string Name, int Value, string Description);

internal sealed record FieldDef(string Name, int Lsb, int Width, string Description, string? Enum = null);

internal sealed record RegisterDef(
    string Name,
    string Offset,
    string Access,
    string Description,
    string? Reset = null,
    IReadOnlyList<FieldDef>? Fields = null,
    int Count = 1,
    int Stride = 4)
{
    public uint Address => ParseHex(Offset);

    public uint? ResetValue => Reset is null ? null : ParseHex(Reset);

    private static uint ParseHex(string text)
        => uint.Parse(text.StartsWith("0x", StringComparison.OrdinalIgnoreCase) ? text[2..] : text, NumberStyles.HexNumber, CultureInfo.InvariantCulture);
}

internal sealed record TableFieldDef(string Name, int Word, int Lsb, int Width, string Description)
{
    public int Bit => (Word * 32) + Lsb;
}

internal sealed record TableDef(string Name, int Id, string Description, IReadOnlyList<TableFieldDef> Fields);

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, ReadCommentHandling = System.Text.Json.JsonCommentHandling.Skip)]
[JsonSerializable(typeof(RegisterMapDocument))]
internal sealed partial class RegMapJsonContext : JsonSerializerContext;
