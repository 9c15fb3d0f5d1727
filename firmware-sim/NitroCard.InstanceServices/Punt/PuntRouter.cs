using System.Collections.Concurrent;
using NitroCard.InstanceServices.Identity;

namespace NitroCard.InstanceServices.Punt;

/// <summary>
/// The card-level entry of the punt path: the firmware attaches an endpoint per ENI slot when its plan places an ENI,
/// detaches it when the ENI leaves, hands every punted frame with its slot to <see cref="HandleAsync"/> and sends the
/// answers back to that slot only; <see cref="Tick"/> runs the endpoints' timers.
/// </summary>
public sealed class PuntRouter(LinkLocalServices services)
{
    private readonly ConcurrentDictionary<int, EniServiceEndpoint> endpoints = new();
    private long unknownSlot;

    /// <summary>Frames punted from a slot with no endpoint.</summary>
    public long UnknownSlot => Interlocked.Read(ref unknownSlot);

    /// <summary>The endpoints by slot.</summary>
    public IReadOnlyDictionary<int, EniServiceEndpoint> Endpoints => endpoints;

    /// <summary>Attaches (or replaces) the endpoint of <paramref name="slot"/>, reading its identity from <paramref name="identity"/>.</summary>
    public EniServiceEndpoint Attach(int slot, IInstanceIdentitySource identity)
    {
        var endpoint = new EniServiceEndpoint(slot, identity, services);
        endpoints[slot] = endpoint;
        return endpoint;
    }

    /// <summary>Detaches the endpoint of <paramref name="slot"/> (its connections are forgotten).</summary>
    public bool Detach(int slot) => endpoints.TryRemove(slot, out _);

    /// <summary>Handles one frame punted from <paramref name="slot"/>; the answers go to that slot.</summary>
    public ValueTask<IReadOnlyList<byte[]>> HandleAsync(int slot, ReadOnlyMemory<byte> frame, CancellationToken cancellationToken = default)
    {
        if (endpoints.TryGetValue(slot, out var endpoint))
            return endpoint.HandleAsync(frame, cancellationToken);
        Interlocked.Increment(ref unknownSlot);
        return ValueTask.FromResult<IReadOnlyList<byte[]>>([]);
    }

    /// <summary>Timer work of every endpoint: (slot, frame) pairs to send.</summary>
    public IReadOnlyList<(int Slot, byte[] Frame)> Tick()
    {
        var output = new List<(int, byte[])>();
        foreach (var (slot, endpoint) in endpoints.OrderBy(e => e.Key))
            output.AddRange(endpoint.Tick().Select(f => (slot, f)));
        return output;
    }
}
