using System.Globalization;
using System.Text.RegularExpressions;

namespace NitroCard.Bench;

/// <summary>
/// The resource summary of a Yosys <c>stat</c> report after <c>synth_xilinx</c>
/// (out/yosys-synth.log from <c>dotnet pwsh ./build.ps1 synth</c>): the cell counts of the last
/// statistics block (the design hierarchy total when there is one), grouped into LUTs, flip-flops,
/// block RAM, LUT RAM, carry chains and DSPs.
/// </summary>
public sealed partial record YosysStat(string Module, IReadOnlyList<(string Cell, long Count)> Cells)
{
    public long Luts => Sum(c => LutCell().IsMatch(c));

    public long FlipFlops => Sum(c => c.StartsWith("FD", StringComparison.Ordinal));

    public long Ramb36 => Sum(c => c.StartsWith("RAMB36", StringComparison.Ordinal));

    public long Ramb18 => Sum(c => c.StartsWith("RAMB18", StringComparison.Ordinal));

    /// <summary>Block RAM in 36 Kb tiles (a RAMB18 is half of one).</summary>
    public double BramTiles => Ramb36 + (Ramb18 / 2.0);

    public long UltraRam => Sum(c => c.StartsWith("URAM", StringComparison.Ordinal));

    public long LutRam => Sum(c => LutRamCell().IsMatch(c));

    public long Carry => Sum(c => c.StartsWith("CARRY", StringComparison.Ordinal));

    public long Dsp => Sum(c => c.StartsWith("DSP", StringComparison.Ordinal));

    private long Sum(Func<string, bool> match) => Cells.Where(c => match(c.Cell)).Sum(c => c.Count);

    /// <summary>Parses the log; null when it holds no statistics block.</summary>
    public static YosysStat? Parse(string log)
    {
        ArgumentNullException.ThrowIfNull(log);
        var lines = log.Split('\n').Select(l => l.TrimEnd('\r')).ToList();
        var headers = lines.Select((l, i) => (l, i)).Where(x => BlockHeader().IsMatch(x.l)).ToList();
        if (headers.Count == 0)
            return null;
        var chosen = headers.LastOrDefault(h => h.l.Contains("design hierarchy", StringComparison.Ordinal));
        if (chosen.l is null)
            chosen = headers[^1];
        var module = BlockHeader().Match(chosen.l).Groups[1].Value.Trim();
        var cells = new List<(string, long)>();
        var inCells = false;
        for (var i = chosen.i + 1; i < lines.Count && !BlockHeader().IsMatch(lines[i]); i++)
        {
            var line = lines[i];
            if (line.TrimStart().StartsWith("Number of cells", StringComparison.Ordinal))
            {
                inCells = true;
                continue;
            }
            if (!inCells)
                continue;
            var m = CellLine().Match(line);
            if (m.Success)
                cells.Add((m.Groups[1].Value, long.Parse(m.Groups[2].Value, CultureInfo.InvariantCulture)));
            else if (cells.Count > 0)
                break;
        }
        return new YosysStat(module, cells);
    }

    [GeneratedRegex(@"^=== (.+) ===\s*$")]
    private static partial Regex BlockHeader();

    // Yosys 0.23 prints "     LUT6    1234"; later versions print "     1234   LUT6".
    [GeneratedRegex(@"^\s+([A-Za-z_$][\w$]*)\s+(\d+)\s*$")]
    private static partial Regex CellLine();

    [GeneratedRegex(@"^LUT[1-6]$")]
    private static partial Regex LutCell();

    [GeneratedRegex(@"^RAM(32|64|128|256|512)[XM]")]
    private static partial Regex LutRamCell();
}
