namespace NitroCard.Packets;

/// <summary>A pcap file that cannot be read; the message names the file, the record and the byte offset.</summary>
public class PcapFormatException : Exception
{
    public PcapFormatException()
    {
    }

    public PcapFormatException(string message)
        : base(message)
    {
    }

    public PcapFormatException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
