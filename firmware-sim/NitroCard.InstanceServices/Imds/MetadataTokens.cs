using System.Security.Cryptography;

namespace NitroCard.InstanceServices.Imds;

/// <summary>
/// IMDSv2 session tokens of one card: random, bound to the ENI that asked, valid for the TTL the PUT named.
/// Bounded per ENI (an ENI over its share loses its own oldest token, never another ENI's) and per card (expired tokens
/// go first, then the one closest to expiry).
/// </summary>
internal sealed class MetadataTokens(TimeProvider time, int capacity = 4096, int perEni = 128)
{
    /// <summary>Shortest TTL a token PUT may ask for (seconds).</summary>
    public const int MinTtlSeconds = 1;

    /// <summary>Longest TTL a token PUT may ask for: six hours (seconds).</summary>
    public const int MaxTtlSeconds = 21600;

    private readonly Dictionary<string, (string Eni, DateTimeOffset Expires)> tokens = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Queue<string>> byEni = new(StringComparer.Ordinal);
    private readonly Lock gate = new();

    public int Count
    {
        get { lock (gate) return tokens.Count; }
    }

    /// <summary>A new token for <paramref name="eniId"/>, valid <paramref name="ttlSeconds"/> seconds.</summary>
    public string Issue(string eniId, int ttlSeconds)
    {
        var token = Convert.ToBase64String(RandomNumberGenerator.GetBytes(42));
        var now = time.GetUtcNow();
        lock (gate)
        {
            if (!byEni.TryGetValue(eniId, out var own))
                byEni[eniId] = own = new Queue<string>();
            while (own.Count > 0 && (own.Count >= perEni || !tokens.ContainsKey(own.Peek())))
                tokens.Remove(own.Dequeue());
            if (tokens.Count >= capacity)
                Evict(now);
            tokens[token] = (eniId, now.AddSeconds(ttlSeconds));
            own.Enqueue(token);
        }
        return token;
    }

    /// <summary>True when <paramref name="token"/> was issued to <paramref name="eniId"/> and has not expired.</summary>
    public bool Validate(string token, string eniId)
    {
        var now = time.GetUtcNow();
        lock (gate)
        {
            if (!tokens.TryGetValue(token, out var entry))
                return false;
            if (entry.Expires <= now)
            {
                tokens.Remove(token);
                return false;
            }
            return string.Equals(entry.Eni, eniId, StringComparison.Ordinal);
        }
    }

    private void Evict(DateTimeOffset now)
    {
        foreach (var expired in tokens.Where(t => t.Value.Expires <= now).Select(t => t.Key).ToList())
            tokens.Remove(expired);
        if (tokens.Count >= capacity)
            tokens.Remove(tokens.MinBy(t => t.Value.Expires).Key);
        foreach (var (eni, queue) in byEni.Where(e => e.Value.All(t => !tokens.ContainsKey(t))).ToList())
            byEni.Remove(eni);
    }
}
