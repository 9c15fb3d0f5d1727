using NitroCard.Card;
using NitroCard.Driver.Simulation;
using NitroCard.Model;

namespace NitroCard.Cli;

/// <summary>Makes the card engine a command asked for.</summary>
internal static class EngineFactory
{
    public static readonly string[] Names = ["rtl", "model"];

    public static ICardEngine Create(string name) => name switch
    {
        "rtl" => new RtlCardEngine(),
        "model" => new ModelCard(CardGeometry.Default),
        _ => throw new CliException($"--engine: '{name}' is not one of {string.Join(", ", Names)}"),
    };
}
