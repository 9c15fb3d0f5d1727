using System.Net;

namespace NitroCard.Card.Tables;

/// <summary>An edge (Blackfoot) allowed to send traffic of a VNI with any inner source.</summary>
public sealed record EdgeEntry(uint Vni, IPAddress UnderlayIp);
