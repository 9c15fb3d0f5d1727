using System.Buffers.Binary;

namespace NitroCard.Packets;

/// <summary>Writes a classic libpcap file: little-endian, microsecond timestamps, version 2.4, LINKTYPE_ETHERNET.</summary>
public sealed class PcapWriter : IDisposable
{
    private readonly Stream _stream;
    private readonly bool _leaveOpen;
    private readonly byte[] _recordHeader = new byte[PcapFormat.RecordHeaderLength];

    /// <summary>Creates (or truncates) <paramref name="path"/> and writes the file header.</summary>
    public PcapWriter(string path)
        : this(new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None, PcapFormat.FileBufferSize), leaveOpen: false)
    {
    }

    public PcapWriter(Stream stream, bool leaveOpen = false)
    {
        ArgumentNullException.ThrowIfNull(stream);
        _stream = stream;
        _leaveOpen = leaveOpen;
        Span<byte> header = stackalloc byte[PcapFormat.FileHeaderLength];
        BinaryPrimitives.WriteUInt32LittleEndian(header, PcapFormat.MagicMicroseconds);
        BinaryPrimitives.WriteUInt16LittleEndian(header[4..], 2);
        BinaryPrimitives.WriteUInt16LittleEndian(header[6..], 4);
        BinaryPrimitives.WriteUInt32LittleEndian(header[8..], 0);
        BinaryPrimitives.WriteUInt32LittleEndian(header[12..], 0);
        BinaryPrimitives.WriteUInt32LittleEndian(header[16..], PcapFormat.DefaultSnapLength);
        BinaryPrimitives.WriteUInt32LittleEndian(header[20..], PcapFormat.LinkTypeEthernet);
        _stream.Write(header);
    }

    /// <summary>Writes all of <paramref name="records"/> to a new file.</summary>
    public static void WriteFile(string path, IEnumerable<PcapRecord> records)
    {
        ArgumentNullException.ThrowIfNull(records);
        using var writer = new PcapWriter(path);
        foreach (var record in records)
            writer.Write(record);
    }

    public void Write(PcapRecord record)
    {
        ArgumentNullException.ThrowIfNull(record);
        Write(record.TimestampMicroseconds, record.Data);
    }

    /// <summary>Writes one frame stamped <paramref name="timestampMicroseconds"/> after the Unix epoch.</summary>
    public void Write(long timestampMicroseconds, ReadOnlySpan<byte> frame)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(timestampMicroseconds);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(timestampMicroseconds / 1_000_000, uint.MaxValue, nameof(timestampMicroseconds));
        ArgumentOutOfRangeException.ThrowIfGreaterThan(frame.Length, PcapFormat.DefaultSnapLength, nameof(frame));
        var h = _recordHeader.AsSpan();
        BinaryPrimitives.WriteUInt32LittleEndian(h, (uint)(timestampMicroseconds / 1_000_000));
        BinaryPrimitives.WriteUInt32LittleEndian(h[4..], (uint)(timestampMicroseconds % 1_000_000));
        BinaryPrimitives.WriteUInt32LittleEndian(h[8..], (uint)frame.Length);
        BinaryPrimitives.WriteUInt32LittleEndian(h[12..], (uint)frame.Length);
        _stream.Write(h);
        _stream.Write(frame);
    }

    public void Flush() => _stream.Flush();

    public void Dispose()
    {
        _stream.Flush();
        if (!_leaveOpen)
            _stream.Dispose();
    }
}
