using System.Buffers.Binary;

namespace NitroCard.InstanceServices.Tests;

/// <summary>A test-side IPFIX (RFC 7011) reader: header, template sets, data sets decoded with the templates seen.</summary>
internal sealed class IpfixReader
{
    public Dictionary<ushort, List<(ushort Id, ushort Length)>> Templates { get; } = [];

    public sealed record Message(ushort Version, int Length, uint ExportTime, uint Sequence, uint Domain, List<Dictionary<ushort, ulong>> Records);

    public Message Read(ReadOnlySpan<byte> m)
    {
        var version = BinaryPrimitives.ReadUInt16BigEndian(m);
        var length = BinaryPrimitives.ReadUInt16BigEndian(m[2..]);
        Assert.Equal(m.Length, length);
        var records = new List<Dictionary<ushort, ulong>>();
        var o = 16;
        while (o < length)
        {
            var setId = BinaryPrimitives.ReadUInt16BigEndian(m[o..]);
            var setLength = BinaryPrimitives.ReadUInt16BigEndian(m[(o + 2)..]);
            Assert.True(setLength >= 4 && o + setLength <= length);
            var set = m.Slice(o + 4, setLength - 4);
            if (setId == 2)
            {
                var t = 0;
                while (t + 4 <= set.Length)
                {
                    var templateId = BinaryPrimitives.ReadUInt16BigEndian(set[t..]);
                    var count = BinaryPrimitives.ReadUInt16BigEndian(set[(t + 2)..]);
                    t += 4;
                    var fields = new List<(ushort, ushort)>();
                    for (var i = 0; i < count; i++, t += 4)
                        fields.Add((BinaryPrimitives.ReadUInt16BigEndian(set[t..]), BinaryPrimitives.ReadUInt16BigEndian(set[(t + 2)..])));
                    Templates[templateId] = fields;
                }
            }
            else if (setId >= 256)
            {
                var fields = Templates[setId];
                var recordLength = fields.Sum(f => f.Length);
                for (var r = 0; r + recordLength <= set.Length; r += recordLength)
                {
                    var record = new Dictionary<ushort, ulong>();
                    var f0 = r;
                    foreach (var (id, fl) in fields)
                    {
                        ulong v = 0;
                        for (var b = 0; b < fl; b++)
                            v = (v << 8) | set[f0 + b];
                        record[id] = v;
                        f0 += fl;
                    }
                    records.Add(record);
                }
            }
            o += setLength;
        }
        return new Message(version, length, BinaryPrimitives.ReadUInt32BigEndian(m[4..]), BinaryPrimitives.ReadUInt32BigEndian(m[8..]),
            BinaryPrimitives.ReadUInt32BigEndian(m[12..]), records);
    }
}
