namespace NitroCard.Packets.Tests;

public class PcapMergeTests
{
    private static PcapReader Reader(string name, params long[] timestamps)
    {
        var stream = new MemoryStream();
        using (var writer = new PcapWriter(stream, leaveOpen: true))
        {
            foreach (var t in timestamps)
                writer.Write(t, [(byte)t]);
        }
        stream.Position = 0;
        return new PcapReader(stream, name);
    }

    [Fact]
    public void Records_come_out_in_timestamp_order_and_ties_keep_the_readers_then_the_files_order()
    {
        using var a = Reader("a.pcap", 1, 3, 3, 7);
        using var b = Reader("b.pcap", 0, 3, 8);
        var merged = PcapMerge.Merge([a, b]).Select(m => (m.Source, m.Record.TimestampMicroseconds)).ToList();
        Assert.Equal([(1, 0L), (0, 1L), (0, 3L), (0, 3L), (1, 3L), (0, 7L), (1, 8L)], merged);
    }

    [Fact]
    public void A_record_earlier_than_its_predecessor_names_the_file_and_the_record()
    {
        using var a = Reader("a.pcap", 5, 6, 4);
        var ex = Assert.Throws<PcapFormatException>(() => PcapMerge.Merge([a]).ToList());
        Assert.Equal("a.pcap: record 3: timestamp 4 µs is earlier than record 2's 6 µs; inputs must be in time order (sort the file with reordercap)", ex.Message);
    }

    /// <summary>A pcap that never ends: a file header, then the same 60-byte record forever; counts what was read.</summary>
    private sealed class EndlessPcap : Stream
    {
        private readonly byte[] _header;
        private readonly byte[] _record;
        private long _position;

        public EndlessPcap()
        {
            var file = new MemoryStream();
            using (var writer = new PcapWriter(file, leaveOpen: true))
                writer.Write(1, new byte[60]);
            var bytes = file.ToArray();
            _header = bytes[..PcapFormat.FileHeaderLength];
            _record = bytes[PcapFormat.FileHeaderLength..];
        }

        public long BytesRead => _position;

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => _position; set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count)
        {
            for (var i = 0; i < count; i++, _position++)
            {
                buffer[offset + i] = _position < _header.Length
                    ? _header[_position]
                    : _record[(_position - _header.Length) % _record.Length];
            }
            return count;
        }

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }

    [Fact]
    public void The_merge_reads_an_endless_input_as_far_as_it_is_consumed()
    {
        using var endless = new EndlessPcap();
        using var reader = new PcapReader(endless, "endless.pcap");
        using var other = Reader("b.pcap", 2);
        Assert.Equal(1_001, PcapMerge.Merge([reader, other]).Take(1_001).Count());
        // Every record taken is an endless one (timestamp 1, before b.pcap's 2), and nothing past the last one was read.
        Assert.Equal(1_001, reader.RecordsRead);
        Assert.Equal(PcapFormat.FileHeaderLength + (1_001L * (PcapFormat.RecordHeaderLength + 60)), endless.BytesRead);
    }
}
