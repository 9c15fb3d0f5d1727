using NitroCard.Card;
using NitroCard.Simulation;

namespace NitroCard.Cli;

/// <summary>
/// <see cref="CardEngines"/> under the name the live region, demo and firmware commands still use (they move onto the
/// libraries on their own branches of issue 12); new code calls <see cref="CardEngines"/> directly. Forwards only.
/// </summary>
internal static class EngineFactory
{
    public static readonly string[] Names = [.. CardEngines.Names];

    public static ICardEngine Create(string name) => CardEngines.Create(name);
}
