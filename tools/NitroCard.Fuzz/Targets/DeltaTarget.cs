using Google.Protobuf;
using NitroCard.Mapping.Grpc;
using P = NitroCard.Mapping.Grpc.Protocol;

namespace NitroCard.Fuzz.Targets;

/// <summary>
/// What a firmware agent reads from the Mapping Service's stream: a <c>ServiceMessage</c> (protobuf), and its delta
/// through <see cref="DeltaCodec.FromMessage"/> into the card's terms. Refusal: <see cref="InvalidProtocolBufferException"/>, and
/// <see cref="InvalidDataException"/> for a message the service never writes (an impossible prefix), which the agent takes as a broken stream.
/// </summary>
public static class DeltaTarget
{
    public static FuzzTarget Target { get; } = new(
        "delta",
        "Mapping Service pushes: ServiceMessage.Parser.ParseFrom, DeltaCodec.FromMessage; refusal: InvalidProtocolBufferException, InvalidDataException",
        Run,
        e => e is InvalidProtocolBufferException or InvalidDataException,
        [0x0a, 0x7f, 0x01])
    {
        Instrument = ["NitroCard.Mapping.Protocol.dll", "NitroCard.Region.dll", "NitroCard.Card.dll"],
    };

    private static Outcome Run(byte[] input)
    {
        var message = P.ServiceMessage.Parser.ParseFrom(input);
        if (message.Delta is not { } delta)
            return Outcome.Rejected;
        DeltaCodec.FromMessage(delta);
        return Outcome.Accepted;
    }
}
