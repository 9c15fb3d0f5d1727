using Microsoft.Extensions.Time.Testing;
using NitroCard.InstanceServices.Imds;

namespace NitroCard.InstanceServices.Tests;

public class TokenStoreTests
{
    [Fact]
    public void A_flooding_eni_loses_its_own_oldest_tokens_not_anothers()
    {
        var time = new FakeTimeProvider();
        var store = new MetadataTokens(time, capacity: 1000, perEni: 4);
        var victim = store.Issue("eni-b", 21600);
        var first = store.Issue("eni-a", 21600);
        var flood = Enumerable.Range(0, 100).Select(_ => store.Issue("eni-a", 21600)).ToList();
        Assert.True(store.Validate(victim, "eni-b"));
        Assert.False(store.Validate(first, "eni-a"));
        Assert.True(store.Validate(flood[^1], "eni-a"));
        Assert.Equal(5, store.Count);
    }

    [Fact]
    public void Card_capacity_evicts_expired_then_closest_to_expiry()
    {
        var time = new FakeTimeProvider();
        var store = new MetadataTokens(time, capacity: 3, perEni: 10);
        var shortLived = store.Issue("eni-a", 1);
        var soon = store.Issue("eni-b", 100);
        var later = store.Issue("eni-c", 200);
        time.Advance(TimeSpan.FromSeconds(2));
        var next = store.Issue("eni-d", 300);
        Assert.True(store.Validate(soon, "eni-b"));
        store.Issue("eni-e", 300);
        Assert.False(store.Validate(soon, "eni-b"));
        Assert.True(store.Validate(later, "eni-c"));
        Assert.True(store.Validate(next, "eni-d"));
        Assert.False(store.Validate(shortLived, "eni-a"));
        Assert.Equal(3, store.Count);
    }
}
