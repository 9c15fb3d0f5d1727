namespace NitroCard.Live.Control;

/// <summary>A live region node behind a control socket (<see cref="ControlServer"/>): a card host or the edge.</summary>
public interface IControlledNode
{
    Task<CountersReply> CountersAsync();

    Task<AlarmsReply> AlarmsAsync();

    /// <summary>The failure message for a request this node does not answer, named as <c>nitroctl</c> asks it (e.g. <c>trace stop</c>).</summary>
    string Unsupported(string request);
}

/// <summary>A card host: its counters and alarms, its tables, FST waveforms of its card.</summary>
public interface IControlledCard : IControlledNode
{
    Task<TablesReply> TablesAsync();

    /// <summary>Starts a waveform into <paramref name="file"/> (made absolute on the region's side).</summary>
    Task<TraceReply> StartTraceAsync(string file);

    Task<TraceReply> StopTraceAsync();
}

/// <summary>The edge: its counters and alarms, its VPN connections.</summary>
public interface IControlledEdge : IControlledNode
{
    Task<VpnConnectionsReply> VpnConnectionsAsync();
}
