namespace NitroCard.Card;

/// <summary>The card's AXI4-Stream ports (the values are the C ABI's port numbers).</summary>
public enum CardPort
{
    /// <summary>Frames from instances into the card (<c>s_axis_host</c>).</summary>
    HostIn = 0,

    /// <summary>Frames from the card to instances (<c>m_axis_host</c>).</summary>
    HostOut = 1,

    /// <summary>Frames from the substrate into the card (<c>s_axis_net</c>).</summary>
    NetworkIn = 2,

    /// <summary>Frames from the card to the substrate (<c>m_axis_net</c>).</summary>
    NetworkOut = 3,

    /// <summary>The firmware's answers on the punt path (<c>s_axis_inject</c>, docs/card-punt.md).</summary>
    InjectIn = 4,

    /// <summary>Frames to the link-local services, to the firmware (<c>m_axis_punt</c>, docs/card-punt.md).</summary>
    PuntOut = 5,
}
