using NitroCard.Packets;

namespace NitroCard.Fuzz.Targets;

/// <summary>The pcap reader: every record of a file, as <c>nitroctl simulate</c> streams them.</summary>
public static class PcapTarget
{
    public static FuzzTarget Target { get; } = new(
        "pcap",
        "pcap files: PcapReader over a stream, every record; refusal: PcapFormatException",
        Run,
        e => e is PcapFormatException,
        [0x0a, 0x0d, 0x0d, 0x0a, 0, 0, 0, 0x1c, 0x4d, 0x3c, 0x2b, 0x1a, 1, 0, 0, 0, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff])
    {
        Instrument = ["NitroCard.Packets.dll"],
    };

    private static Outcome Run(byte[] input)
    {
        using var reader = new PcapReader(new MemoryStream(input), "fuzz.pcap");
        long bytes = 0;
        while (reader.Read() is { } record)
            bytes += record.Data.Length;
        return bytes >= 0 ? Outcome.Accepted : Outcome.Rejected;
    }
}
