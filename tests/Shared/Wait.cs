namespace NitroCard.Testing;

/// <summary>Waiting for something another thread or process does (never a timing claim: the limit only ends a hung test).</summary>
internal static class Wait
{
    /// <summary>Polls <paramref name="condition"/> until it holds; a <see cref="TimeoutException"/> (with <paramref name="message"/>) after <paramref name="seconds"/>.</summary>
    public static async Task Until(Func<bool> condition, int seconds = 20, Func<string>? message = null)
    {
        var deadline = DateTime.UtcNow.AddSeconds(seconds);
        while (!condition())
        {
            if (DateTime.UtcNow > deadline)
                throw new TimeoutException("condition not reached " + message?.Invoke());
            await Task.Delay(10);
        }
    }
}
