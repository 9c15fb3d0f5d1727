using System.Buffers.Binary;

namespace NitroCard.Packets;

/// <summary>
/// Reads a classic libpcap file of Ethernet frames: either byte order, microsecond or nanosecond
/// timestamps (nanoseconds are truncated to microseconds). Every format error is a
/// <see cref="PcapFormatException"/> naming the file, the record number (1-based) and the byte offset.
/// </summary>
public sealed class PcapReader : IDisposable
{
    private readonly Stream _stream;
    private readonly bool _leaveOpen;
    private readonly byte[] _header = new byte[PcapFormat.FileHeaderLength];
    private long _offset;
    private int _recordNumber;

    /// <summary>Opens <paramref name="path"/> and reads its file header.</summary>
    public PcapReader(string path)
        : this(new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, PcapFormat.FileBufferSize, FileOptions.SequentialScan), path, leaveOpen: false)
    {
    }

    /// <summary>Reads from <paramref name="stream"/>; <paramref name="name"/> is used in error messages.</summary>
    public PcapReader(Stream stream, string name, bool leaveOpen = false)
    {
        ArgumentNullException.ThrowIfNull(stream);
        _stream = stream;
        _leaveOpen = leaveOpen;
        Name = name;
        try
        {
            ReadFileHeader();
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    /// <summary>The file name used in error messages.</summary>
    public string Name { get; }

    /// <summary>True when the file was written big-endian.</summary>
    public bool IsBigEndian { get; private set; }

    /// <summary>True for the nanosecond-resolution magic.</summary>
    public bool IsNanosecond { get; private set; }

    public int VersionMajor { get; private set; }

    public int VersionMinor { get; private set; }

    /// <summary>The declared snapshot length.</summary>
    public uint SnapLength { get; private set; }

    /// <summary>
    /// The longest record this file may hold: its snapshot length, capped at <see cref="PcapFormat.MaxRecordLength"/>
    /// (a snapshot length of 0, which some writers use for "unlimited", means the cap).
    /// </summary>
    private uint RecordLimit => SnapLength is 0 or > PcapFormat.MaxRecordLength ? PcapFormat.MaxRecordLength : SnapLength;

    /// <summary>How many records <see cref="Read"/> has returned so far (the number of the last one).</summary>
    public int RecordsRead => _recordNumber;

    /// <summary>The link type (always <see cref="PcapFormat.LinkTypeEthernet"/>: others are rejected).</summary>
    public uint LinkType { get; private set; }

    /// <summary>Reads every record of <paramref name="path"/>.</summary>
    public static List<PcapRecord> ReadFile(string path)
    {
        using var reader = new PcapReader(path);
        return reader.ReadAll().ToList();
    }

    /// <summary>The next record, or null at the end of the file.</summary>
    public PcapRecord? Read()
    {
        var recordOffset = _offset;
        var number = _recordNumber + 1;
        Span<byte> header = stackalloc byte[PcapFormat.RecordHeaderLength];
        var got = ReadFully(header);
        if (got == 0)
            return null;
        if (got < header.Length)
            throw Error(number, recordOffset, $"truncated record header: {got} of {PcapFormat.RecordHeaderLength} bytes before the end of the file");
        var seconds = ReadUInt32(header);
        var fraction = ReadUInt32(header[4..]);
        var includedLength = ReadUInt32(header[8..]);
        var originalLength = ReadUInt32(header[12..]);
        var fractionLimit = IsNanosecond ? 1_000_000_000u : 1_000_000u;
        if (fraction >= fractionLimit)
            throw Error(number, recordOffset, $"{(IsNanosecond ? "ts_nsec" : "ts_usec")} (timestamp fraction) {fraction} is not below {fractionLimit} ({(IsNanosecond ? "nanoseconds" : "microseconds")})");
        if (includedLength > RecordLimit)
        {
            throw Error(number, recordOffset, includedLength > PcapFormat.MaxRecordLength
                ? $"incl_len (captured length) {includedLength} exceeds the largest record the reader accepts, {PcapFormat.MaxRecordLength} bytes (corrupt record header?)"
                : $"incl_len (captured length) {includedLength} exceeds the file's snaplen (snapshot length) {SnapLength}");
        }
        if (originalLength < includedLength)
            throw Error(number, recordOffset, $"incl_len (captured length) {includedLength} is larger than orig_len (original length) {originalLength}");
        var data = new byte[includedLength];
        got = ReadFully(data);
        if (got < data.Length)
            throw Error(number, recordOffset, $"truncated record data: {got} of {includedLength} bytes before the end of the file");
        _recordNumber = number;
        var microseconds = (seconds * 1_000_000L) + (IsNanosecond ? fraction / 1000 : fraction);
        return new PcapRecord(microseconds, data);
    }

    /// <summary>The remaining records, in file order.</summary>
    public IEnumerable<PcapRecord> ReadAll()
    {
        while (Read() is { } record)
            yield return record;
    }

    public void Dispose()
    {
        if (!_leaveOpen)
            _stream.Dispose();
    }

    private void ReadFileHeader()
    {
        var got = ReadFully(_header);
        if (got < _header.Length)
            throw new PcapFormatException($"{Name}: not a pcap file: {got} bytes, shorter than the {PcapFormat.FileHeaderLength}-byte file header");
        var magic = BinaryPrimitives.ReadUInt32LittleEndian(_header);
        switch (magic)
        {
            case PcapFormat.MagicMicroseconds:
                break;
            case PcapFormat.MagicNanoseconds:
                IsNanosecond = true;
                break;
            default:
                magic = BinaryPrimitives.ReverseEndianness(magic);
                IsBigEndian = true;
                if (magic == PcapFormat.MagicNanoseconds)
                    IsNanosecond = true;
                else if (magic != PcapFormat.MagicMicroseconds)
                    throw new PcapFormatException($"{Name}: not a pcap file: magic_number 0x{BinaryPrimitives.ReadUInt32BigEndian(_header):x8} at byte offset 0 (pcapng and other formats are not supported)");
                break;
        }
        VersionMajor = ReadUInt16(_header.AsSpan(4));
        VersionMinor = ReadUInt16(_header.AsSpan(6));
        if (VersionMajor != 2)
            throw new PcapFormatException($"{Name}: unsupported pcap version_major.version_minor {VersionMajor}.{VersionMinor} at byte offset 4 (expected 2.x)");
        SnapLength = ReadUInt32(_header.AsSpan(16));
        LinkType = ReadUInt32(_header.AsSpan(20)) & 0x0FFF_FFFF;
        if (LinkType != PcapFormat.LinkTypeEthernet)
            throw new PcapFormatException($"{Name}: link type {LinkType} (network field) at byte offset 20 is not LINKTYPE_ETHERNET (1)");
    }

    private PcapFormatException Error(int record, long offset, string problem)
        => new($"{Name}: record {record} at byte offset {offset}: {problem}");

    private int ReadFully(Span<byte> buffer)
    {
        var got = _stream.ReadAtLeast(buffer, buffer.Length, throwOnEndOfStream: false);
        _offset += got;
        return got;
    }

    private uint ReadUInt32(ReadOnlySpan<byte> bytes)
        => IsBigEndian ? BinaryPrimitives.ReadUInt32BigEndian(bytes) : BinaryPrimitives.ReadUInt32LittleEndian(bytes);

    private ushort ReadUInt16(ReadOnlySpan<byte> bytes)
        => IsBigEndian ? BinaryPrimitives.ReadUInt16BigEndian(bytes) : BinaryPrimitives.ReadUInt16LittleEndian(bytes);
}
