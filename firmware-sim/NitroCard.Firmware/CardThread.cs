using System.Collections.Concurrent;
using NitroCard.Card;

namespace NitroCard.Firmware;

/// <summary>
/// One card on a dedicated thread: the engine is created, used and disposed there (a Verilated model
/// must be driven by the thread that constructed it). Everyone else queues work.
/// </summary>
public sealed class CardThread : ICardAccess, IDisposable
{
    private readonly BlockingCollection<Action> _work = [];
    private readonly Thread _thread;
    private ICardEngine? _engine;

    public CardThread(Func<ICardEngine> factory, string name = "card")
    {
        ArgumentNullException.ThrowIfNull(factory);
        var ready = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _thread = new Thread(() =>
        {
            try
            {
                _engine = factory();
                ready.SetResult();
            }
            catch (Exception e)
            {
                ready.SetException(e);
                return;
            }
            foreach (var item in _work.GetConsumingEnumerable())
                item();
            _engine.Dispose();
        })
        { IsBackground = true, Name = name };
        _thread.Start();
        ready.Task.GetAwaiter().GetResult();
    }

    /// <summary>Runs <paramref name="work"/> on the card's thread.</summary>
    public Task<T> InvokeAsync<T>(Func<ICardEngine, T> work)
    {
        ArgumentNullException.ThrowIfNull(work);
        var done = new TaskCompletionSource<T>(TaskCreationOptions.RunContinuationsAsynchronously);
        _work.Add(() =>
        {
            try
            {
                done.SetResult(work(_engine!));
            }
            catch (Exception e)
            {
                done.SetException(e);
            }
        });
        return done.Task;
    }

    public Task InvokeAsync(Action<ICardEngine> work)
    {
        ArgumentNullException.ThrowIfNull(work);
        return InvokeAsync(e =>
        {
            work(e);
            return true;
        });
    }

    public void Dispose()
    {
        _work.CompleteAdding();
        _thread.Join();
        _work.Dispose();
    }
}
