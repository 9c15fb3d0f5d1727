using System.Net;

namespace NitroCard.Card;

/// <summary>Card-wide settings the data path uses.</summary>
/// <param name="UnderlayIp">This card's substrate IPv4 address.</param>
/// <param name="UnderlayMac">This card's substrate MAC.</param>
/// <param name="UnderlayNextHopMac">The substrate router's MAC: outer destination of every encapsulated frame.</param>
/// <param name="GatewayMac">The VPC router's MAC as instances see it.</param>
/// <param name="AlarmMask">Bit n set: drops with reason n raise an alarm.</param>
public sealed record CardSettings(
    IPAddress UnderlayIp,
    MacAddress UnderlayMac,
    MacAddress UnderlayNextHopMac,
    MacAddress GatewayMac,
    uint AlarmMask = uint.MaxValue);
