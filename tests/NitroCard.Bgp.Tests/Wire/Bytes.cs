using System.Net;
using NitroCard.Bgp.Wire;

namespace NitroCard.Bgp.Tests.Wire;

/// <summary>Hand-built messages for the tests.</summary>
internal static class Bytes
{
    public static byte[] Hex(string hex) => Convert.FromHexString(hex.Replace(" ", "", StringComparison.Ordinal));

    /// <summary>A message with a correct header around the body.</summary>
    public static byte[] Message(BgpMessageType type, params byte[] body) => Message((byte)type, body);

    public static byte[] Message(byte type, byte[] body)
    {
        var m = new byte[19 + body.Length];
        m.AsSpan(0, 16).Fill(0xFF);
        m[16] = (byte)(m.Length >> 8);
        m[17] = (byte)m.Length;
        m[18] = type;
        body.CopyTo(m, 19);
        return m;
    }

    /// <summary>An UPDATE body: withdrawn, attribute block, NLRI.</summary>
    public static byte[] UpdateBody(byte[] withdrawn, byte[] attributes, byte[] nlri) =>
    [
        (byte)(withdrawn.Length >> 8), (byte)withdrawn.Length, .. withdrawn,
        (byte)(attributes.Length >> 8), (byte)attributes.Length, .. attributes,
        .. nlri,
    ];

    public static byte[] Origin(byte value = 0) => [0x40, 1, 1, value];

    public static byte[] AsPath4(params uint[] asns)
    {
        var value = new List<byte> { 2, (byte)asns.Length };
        foreach (uint a in asns)
        {
            value.AddRange([(byte)(a >> 24), (byte)(a >> 16), (byte)(a >> 8), (byte)a]);
        }

        return [0x40, 2, (byte)value.Count, .. value];
    }

    public static byte[] NextHop(string address) => [0x40, 3, 4, .. IPAddress.Parse(address).GetAddressBytes()];

    /// <summary>192.0.2.0/24 as NLRI.</summary>
    public static readonly byte[] Nlri192 = [24, 192, 0, 2];

    public static byte[] ValidAttributes => [.. Origin(), .. AsPath4(65000), .. NextHop("169.254.10.1")];

    public static byte[] Update(byte[] attributes, byte[]? nlri = null, byte[]? withdrawn = null) =>
        Message(BgpMessageType.Update, UpdateBody(withdrawn ?? [], attributes, nlri ?? Nlri192));
}
