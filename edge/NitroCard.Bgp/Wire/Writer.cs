using System.Buffers.Binary;

namespace NitroCard.Bgp.Wire;

/// <summary>A growable big-endian octet writer for the encoder.</summary>
internal sealed class Writer
{
    private byte[] _buffer = new byte[64];

    public int Length { get; private set; }

    public void U8(byte value)
    {
        Ensure(1);
        _buffer[Length++] = value;
    }

    public void U16(ushort value)
    {
        Ensure(2);
        BinaryPrimitives.WriteUInt16BigEndian(_buffer.AsSpan(Length), value);
        Length += 2;
    }

    public void U32(uint value)
    {
        Ensure(4);
        BinaryPrimitives.WriteUInt32BigEndian(_buffer.AsSpan(Length), value);
        Length += 4;
    }

    public void Bytes(ReadOnlySpan<byte> value)
    {
        Ensure(value.Length);
        value.CopyTo(_buffer.AsSpan(Length));
        Length += value.Length;
    }

    public void PatchU16(int at, ushort value) => BinaryPrimitives.WriteUInt16BigEndian(_buffer.AsSpan(at), value);

    public byte[] ToArray() => _buffer.AsSpan(0, Length).ToArray();

    private void Ensure(int more)
    {
        if (Length + more > _buffer.Length)
        {
            Array.Resize(ref _buffer, Math.Max(_buffer.Length * 2, Length + more));
        }
    }
}
