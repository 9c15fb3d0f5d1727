using NitroCard.Card;

namespace NitroCard.Firmware;

/// <summary>
/// How the firmware reaches its card: every engine call runs where the card lives (a Verilated model only on the
/// thread that created it). <see cref="CardThread"/> is a card alone on its thread; a live region's card host also
/// pumps frames on that thread and collects the card's alarms as it goes.
/// </summary>
public interface ICardAccess
{
    /// <summary>Runs <paramref name="work"/> with the engine, on the card's thread.</summary>
    Task<T> InvokeAsync<T>(Func<ICardEngine, T> work);

    /// <summary>The alarms raised since the last call, oldest first (by default: the card's FIFO, drained).</summary>
    Task<IReadOnlyList<CardAlarm>> DrainAlarmsAsync() => InvokeAsync(card => card.DrainAlarms());
}
