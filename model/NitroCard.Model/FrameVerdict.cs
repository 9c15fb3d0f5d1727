using NitroCard.Card;

namespace NitroCard.Model;

/// <summary>Where a processed frame went.</summary>
public enum FrameDisposition
{
    /// <summary>Dropped; the verdict's reason says why.</summary>
    Dropped,

    /// <summary>Delivered on the host port to the verdict's slot.</summary>
    Host,

    /// <summary>Sent on the network port.</summary>
    Network,

    /// <summary>Handed to the punt queue (docs/card-punt.md); the verdict's slot is the ENI it came from.</summary>
    Punted,
}

/// <summary>The outcome of one frame through <see cref="ModelCard.ProcessHost"/> or <see cref="ModelCard.ProcessNetwork"/>.</summary>
/// <param name="Disposition">Dropped, to the host port, to the network port or to the punt queue.</param>
/// <param name="Length">Length of the output frame (0 when dropped).</param>
/// <param name="Slot">Host-port slot of the output, or -1.</param>
/// <param name="Reason">The drop reason (meaningful only when dropped).</param>
public readonly record struct FrameVerdict(FrameDisposition Disposition, int Length, int Slot, DropReason Reason)
{
    public bool Dropped => Disposition == FrameDisposition.Dropped;
}
