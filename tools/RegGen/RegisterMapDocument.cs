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
    IReadOnlyList<TableDef> Tables,
    IReadOnlyList<RecordDef> Records)
{
    public EnumDef Enum(string name) => Enums.Single(e => e.Name == name);

    /// <summary>Every record's fields with their bit positions; a field of record type takes that record's width.</summary>
    public IReadOnlyList<RecordLayout> RecordLayouts()
    {
        var widths = new Dictionary<string, int>();
        var layouts = new List<RecordLayout>();
        foreach (var r in Records)
        {
            var width = r.Fields.Sum(f => f.Record is { } inner ? widths[inner] : f.Width);
            var lsb = width;
            var fields = new List<RecordFieldLayout>();
            foreach (var f in r.Fields)
            {
                var w = f.Record is { } inner ? widths[inner] : f.Width;
                lsb -= w;
                fields.Add(new RecordFieldLayout(f, lsb, w));
            }
            widths[r.Name] = width;
            layouts.Add(new RecordLayout(r, width, fields));
        }
        return layouts;
    }

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
        var declared = new HashSet<string>();
        foreach (var r in Records)
        {
            var names = new HashSet<string>();
            foreach (var f in r.Fields)
            {
                if (!names.Add(f.Name))
                    errors.Add($"record {r.Name} field {f.Name}: named twice");
                if (f.Record is { } inner && !declared.Contains(inner))
                    errors.Add($"record {r.Name} field {f.Name}: record '{inner}' is not declared before it");
                if (f.Record is null && f.Width < 1)
                    errors.Add($"record {r.Name} field {f.Name}: width {f.Width} is not positive (give a width or a record)");
                if (f.Record is not null && f.Width != 0)
                    errors.Add($"record {r.Name} field {f.Name}: both a width and a record");
            }
            if (!declared.Add(r.Name))
                errors.Add($"record {r.Name}: declared twice");
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

/// <summary>A record handed between RTL stages; fields from the most significant bit down.</summary>
internal sealed record RecordDef(string Name, string Description, IReadOnlyList<RecordFieldDef> Fields, bool Driver = false);

/// <summary>A field: <c>width</c> bits, or a whole <c>record</c> declared before this one.</summary>
internal sealed record RecordFieldDef(string Name, string Description, int Width = 0, string? Record = null);

internal sealed record RecordLayout(RecordDef Record, int Width, IReadOnlyList<RecordFieldLayout> Fields);

internal sealed record RecordFieldLayout(RecordFieldDef Field, int Lsb, int Width);

internal sealed record TableDef(string Name, int Id, string Description, IReadOnlyList<TableFieldDef> Fields);

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, ReadCommentHandling = System.Text.Json.JsonCommentHandling.Skip)]
[JsonSerializable(typeof(RegisterMapDocument))]
internal sealed partial class RegMapJsonContext : JsonSerializerContext;
