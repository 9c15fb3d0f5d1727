using System.Buffers.Binary;

namespace NitroCard.Packets.Tests;

public class PcapTests
{
    private static readonly PcapRecord[] Records =
    [
        new(1_700_000_000_123_456, [1, 2, 3, 4, 5]),
        new(1_700_000_001_000_000, []),
        new(0, new byte[9065]),
    ];

    private static byte[] Write(IEnumerable<PcapRecord> records)
    {
        using var stream = new MemoryStream();
        using (var writer = new PcapWriter(stream, leaveOpen: true))
        {
            foreach (var r in records)
                writer.Write(r);
        }
        return stream.ToArray();
    }

    private static List<PcapRecord> Read(byte[] file, string name = "test.pcap")
    {
        using var reader = new PcapReader(new MemoryStream(file), name);
        return reader.ReadAll().ToList();
    }

    private static void AssertSame(PcapRecord[] expected, List<PcapRecord> actual)
    {
        Assert.Equal(expected.Length, actual.Count);
        for (var i = 0; i < expected.Length; i++)
        {
            Assert.Equal(expected[i].TimestampMicroseconds, actual[i].TimestampMicroseconds);
            Assert.Equal(expected[i].Data, actual[i].Data);
        }
    }

    [Fact]
    public void Round_trip_through_a_stream()
    {
        var file = Write(Records);
        Assert.Equal(24 + (3 * 16) + 5 + 9065, file.Length);
        Assert.Equal(0xA1B2C3D4u, BinaryPrimitives.ReadUInt32LittleEndian(file)); // microseconds, little-endian
        Assert.Equal(1u, BinaryPrimitives.ReadUInt32LittleEndian(file.AsSpan(20))); // LINKTYPE_ETHERNET
        AssertSame(Records, Read(file));
    }

    [Fact]
    public void Round_trip_through_a_file()
    {
        var path = Path.Combine(Path.GetTempPath(), $"nitrocard-{Guid.NewGuid():N}.pcap");
        try
        {
            PcapWriter.WriteFile(path, Records);
            AssertSame(Records, PcapReader.ReadFile(path));
            using var reader = new PcapReader(path);
            Assert.False(reader.IsBigEndian);
            Assert.False(reader.IsNanosecond);
            Assert.Equal(PcapFormat.LinkTypeEthernet, reader.LinkType);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void Timestamp_converts_to_date_time_offset()
    {
        var when = new DateTimeOffset(2024, 5, 6, 7, 8, 9, TimeSpan.Zero).AddTicks(1234560);
        var record = PcapRecord.At(when, []);
        Assert.Equal(when, record.Timestamp);
        Assert.Equal(123456, record.TimestampMicroseconds % 1_000_000);
    }

    /// <summary>A file written by hand in either byte order and resolution.</summary>
    private static byte[] HandMade(bool bigEndian, bool nanoseconds, uint seconds, uint fraction, byte[] data)
    {
        var file = new byte[24 + 16 + data.Length];
        void U32(int offset, uint v)
        {
            if (bigEndian)
                BinaryPrimitives.WriteUInt32BigEndian(file.AsSpan(offset), v);
            else
                BinaryPrimitives.WriteUInt32LittleEndian(file.AsSpan(offset), v);
        }
        void U16(int offset, ushort v)
        {
            if (bigEndian)
                BinaryPrimitives.WriteUInt16BigEndian(file.AsSpan(offset), v);
            else
                BinaryPrimitives.WriteUInt16LittleEndian(file.AsSpan(offset), v);
        }
        U32(0, nanoseconds ? 0xA1B23C4D : 0xA1B2C3D4);
        U16(4, 2);
        U16(6, 4);
        U32(16, 65535);
        U32(20, 1);
        U32(24, seconds);
        U32(28, fraction);
        U32(32, (uint)data.Length);
        U32(36, (uint)data.Length);
        data.CopyTo(file, 40);
        return file;
    }

    [Theory]
    [InlineData(false, false, 250_000u, 250_000L)]
    [InlineData(true, false, 250_000u, 250_000L)]
    [InlineData(false, true, 250_000_999u, 250_000L)]
    [InlineData(true, true, 999_999_999u, 999_999L)]
    public void Reads_both_byte_orders_and_both_resolutions(bool bigEndian, bool nanoseconds, uint fraction, long micros)
    {
        var file = HandMade(bigEndian, nanoseconds, 1_600_000_000, fraction, [0xAA, 0xBB, 0xCC]);
        using var reader = new PcapReader(new MemoryStream(file), "hand.pcap");
        Assert.Equal(bigEndian, reader.IsBigEndian);
        Assert.Equal(nanoseconds, reader.IsNanosecond);
        Assert.Equal(65535u, reader.SnapLength);
        var record = Assert.Single(reader.ReadAll());
        Assert.Equal((1_600_000_000L * 1_000_000) + micros, record.TimestampMicroseconds);
        Assert.Equal(new byte[] { 0xAA, 0xBB, 0xCC }, record.Data);
    }

    private static PcapFormatException ReadFails(byte[] file)
        => Assert.Throws<PcapFormatException>(() => Read(file, "broken.pcap"));

    [Fact]
    public void Bad_magic_is_reported()
    {
        var file = Write(Records);
        file[0] = 0x0A;
        file[1] = 0x0D;
        file[2] = 0x0D;
        file[3] = 0x0A; // pcapng section header
        var ex = ReadFails(file);
        Assert.Contains("broken.pcap", ex.Message, StringComparison.Ordinal);
        Assert.Contains("magic_number 0x0a0d0d0a at byte offset 0", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Short_file_header_is_reported()
    {
        var ex = ReadFails(Write(Records)[..10]);
        Assert.Contains("broken.pcap", ex.Message, StringComparison.Ordinal);
        Assert.Contains("file header", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Other_link_type_is_reported()
    {
        var file = Write(Records);
        file[20] = 101; // LINKTYPE_RAW
        var ex = ReadFails(file);
        Assert.Contains("link type 101", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Truncated_record_data_names_the_record_and_offset()
    {
        var file = Write(Records);
        var ex = ReadFails(file[..^100]);
        // Record 3 starts after the file header and two records (16 + 5, 16 + 0).
        Assert.Contains("broken.pcap: record 3 at byte offset 61", ex.Message, StringComparison.Ordinal);
        Assert.Contains("truncated record data", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Truncated_record_header_names_the_record_and_offset()
    {
        var file = Write(Records.Take(1));
        var ex = ReadFails([.. file, 1, 2, 3]);
        Assert.Contains("record 2 at byte offset 45", ex.Message, StringComparison.Ordinal);
        Assert.Contains("truncated record header", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Implausible_record_length_is_reported()
    {
        var file = Write(Records.Take(2));
        BinaryPrimitives.WriteUInt32LittleEndian(file.AsSpan(24 + 16 + 5 + 8), 0x7FFF_FFFF);
        BinaryPrimitives.WriteUInt32LittleEndian(file.AsSpan(24 + 16 + 5 + 12), 0x7FFF_FFFF);
        var ex = ReadFails(file);
        Assert.Contains("record 2 at byte offset 45", ex.Message, StringComparison.Ordinal);
        Assert.Contains("incl_len (captured length) 2147483647 exceeds the largest record", ex.Message, StringComparison.Ordinal);
    }

    /// <summary>A little-endian file declaring <paramref name="snapLength"/> with one record of <paramref name="length"/> bytes.</summary>
    private static byte[] OneRecord(uint snapLength, int length, uint? originalLength = null)
    {
        var file = HandMade(false, false, 1, 0, new byte[length]);
        BinaryPrimitives.WriteUInt32LittleEndian(file.AsSpan(16), snapLength);
        BinaryPrimitives.WriteUInt32LittleEndian(file.AsSpan(36), originalLength ?? (uint)length);
        return file;
    }

    [Fact]
    public void A_record_longer_than_the_files_snaplen_names_the_file_record_and_field()
    {
        var ex = ReadFails(OneRecord(snapLength: 1500, length: 1501));
        Assert.Contains("broken.pcap: record 1 at byte offset 24", ex.Message, StringComparison.Ordinal);
        Assert.Contains("incl_len (captured length) 1501 exceeds the file's snaplen (snapshot length) 1500", ex.Message, StringComparison.Ordinal);
        Assert.Single(Read(OneRecord(snapLength: 1500, length: 1500)));
    }

    [Theory]
    [InlineData(0u)]
    [InlineData(0x7FFF_FFFFu)]
    public void A_record_above_the_readers_maximum_is_refused_whatever_the_snaplen(uint snapLength)
    {
        Assert.Single(Read(OneRecord(snapLength, PcapFormat.MaxRecordLength)));
        var ex = ReadFails(OneRecord(snapLength, PcapFormat.MaxRecordLength + 1));
        Assert.Contains("broken.pcap: record 1 at byte offset 24", ex.Message, StringComparison.Ordinal);
        Assert.Contains($"incl_len (captured length) {PcapFormat.MaxRecordLength + 1} exceeds the largest record", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_captured_length_above_the_original_length_names_both_fields()
    {
        var ex = ReadFails(OneRecord(65535, 100, originalLength: 99));
        Assert.Contains("broken.pcap: record 1 at byte offset 24", ex.Message, StringComparison.Ordinal);
        Assert.Contains("incl_len (captured length) 100 is larger than orig_len (original length) 99", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Bad_timestamp_fraction_is_reported()
    {
        var file = HandMade(false, false, 1, 1_000_000, [1]);
        var ex = ReadFails(file);
        Assert.Contains("record 1 at byte offset 24", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Empty_capture_has_no_records()
    {
        Assert.Empty(Read(Write([])));
    }

    [Fact]
    public void Writer_rejects_negative_timestamps()
    {
        using var writer = new PcapWriter(new MemoryStream());
        Assert.Throws<ArgumentOutOfRangeException>(() => writer.Write(-1, [1]));
    }
}
