using System.Text;
using NitroCard.Region;

namespace NitroCard.Fuzz.Targets;

/// <summary>The region file loader: <see cref="RegionLoader.LoadFromString"/> on the file's text, as <see cref="RegionLoader.Load"/> reads it.</summary>
public static class RegionTarget
{
    public static FuzzTarget Target { get; } = new(
        "region",
        "region files: RegionLoader.LoadFromString (JSON, strict fields, validation); refusal: RegionException",
        Run,
        e => e is RegionException,
        Encoding.UTF8.GetBytes("{\"vpcs\": [{\"id\": 7}], \"hosts\": {}}"))
    {
        Instrument = ["NitroCard.Region.dll"],
    };

    private static Outcome Run(byte[] input)
    {
        // File.ReadAllText: UTF-8 unless a byte order mark says otherwise.
        using var reader = new StreamReader(new MemoryStream(input), Encoding.UTF8, detectEncodingFromByteOrderMarks: true);
        RegionLoader.LoadFromString(reader.ReadToEnd(), "fuzz.json");
        return Outcome.Accepted;
    }
}
