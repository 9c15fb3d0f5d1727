namespace NitroCard.Packets;

/// <summary>Constants of the classic libpcap file format.</summary>
public static class PcapFormat
{
    /// <summary>Magic of a microsecond-resolution file, as a number in the file's byte order.</summary>
    public const uint MagicMicroseconds = 0xA1B2C3D4;

    /// <summary>Magic of a nanosecond-resolution file.</summary>
    public const uint MagicNanoseconds = 0xA1B23C4D;

    /// <summary>LINKTYPE_ETHERNET.</summary>
    public const uint LinkTypeEthernet = 1;

    /// <summary>
    /// Buffer of the files the reader and writer open themselves: 64 KiB moves a simulation's pcaps in a few hundred
    /// system calls where FileStream's default 4 KiB takes one or two per full-size frame.
    /// </summary>
    public const int FileBufferSize = 64 * 1024;

    public const int FileHeaderLength = 24;
    public const int RecordHeaderLength = 16;

    /// <summary>Snapshot length the writer declares: the largest record it accepts.</summary>
    public const int DefaultSnapLength = 262144;

    /// <summary>
    /// Largest record length the reader accepts, whatever the declared snapshot length (libpcap's own maximum,
    /// far above a 9,216-byte jumbo frame): a longer incl_len is a corrupt header, not a frame.
    /// </summary>
    public const int MaxRecordLength = 262144;
}
