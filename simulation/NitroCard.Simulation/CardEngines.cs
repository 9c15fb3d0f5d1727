using NitroCard.Card;
using NitroCard.Driver.Simulation;
using NitroCard.Model;

namespace NitroCard.Simulation;

/// <summary>The card engines a simulation runs, by name: <c>rtl</c> (the Verilated card) and <c>model</c> (the software Virtual Router).</summary>
public static class CardEngines
{
    public static IReadOnlyList<string> Names { get; } = ["rtl", "model"];

    /// <summary>A new engine; the caller disposes it.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="name"/> is not one of <see cref="Names"/>.</exception>
    /// <exception cref="NitroCardException">The Verilated card cannot be loaded (<c>rtl</c>).</exception>
    public static ICardEngine Create(string name) => name switch
    {
        "rtl" => new RtlCardEngine(),
        "model" => new ModelCard(CardGeometry.Default),
        _ => throw new ArgumentOutOfRangeException(nameof(name), $"'{name}' is not a card engine: one of {string.Join(", ", Names)}"),
    };
}
