using System.Buffers.Binary;
using System.Net;
using NitroCard.Ike.Crypto;
using NitroCard.Ike.Wire;

namespace NitroCard.Ike.Tests;

public class WireTests
{
    private static readonly byte[] Nonce32 = [.. Enumerable.Range(1, 32).Select(i => (byte)i)];

    /// <summary>One message with every payload type the exchanges use.</summary>
    internal static IkeMessage Everything() => new(0x0102030405060708, 0x1112131415161718, ExchangeType.IkeAuth, HeaderBits.Initiator, 7,
    [
        new SaPayload([
            IkeSuite.Gcm256Sha256Ecp256.ToProposal(1, ReadOnlyMemory<byte>.Empty),
            IkeSuite.Cbc256Sha256Modp2048.ToProposal(2, new byte[8]),
            ChildSuite.Gcm128.ToProposal(3, 0xc0ffee01, withGroup: false),
            new ChildSuite(EncryptionId.AesCbc, 128, IntegrityId.HmacSha512_256, 20).ToProposal(3, 0xc0ffee02, withGroup: true),
        ]),
        new KePayload(19, new byte[64]),
        new NoncePayload(Nonce32),
        new IdPayload(true, IdType.Ipv4Address, new byte[] { 198, 51, 100, 1 }),
        IdPayload.FromFqdn(false, "vpn.example"),
        new AuthPayload(AuthMethod.SharedKeyMessageIntegrityCode, new byte[32]),
        NotifyPayload.Of(NotifyType.NatDetectionSourceIp, new byte[20]),
        NotifyPayload.Of(NotifyType.NatDetectionDestinationIp, new byte[20]),
        NotifyPayload.Of(NotifyType.Cookie, new byte[] { 1, 2, 3 }),
        NotifyPayload.Of(NotifyType.InvalidKePayload, new byte[] { 0, 14 }),
        NotifyPayload.Of(NotifyType.NoProposalChosen),
        NotifyPayload.Of(NotifyType.AuthenticationFailed),
        NotifyPayload.Of(NotifyType.TsUnacceptable),
        new NotifyPayload(ProtocolId.Esp, new byte[] { 0xc0, 0xff, 0xee, 0x01 }, NotifyType.RekeySa, ReadOnlyMemory<byte>.Empty),
        new DeletePayload(ProtocolId.Esp, [0xc0ffee01, 0xc0ffee02]),
        new DeletePayload(ProtocolId.Ike, []),
        new TrafficSelectorPayload(true, [TrafficSelector.FromPrefix("10.0.0.0/16"), new TrafficSelector(IPAddress.Parse("192.0.2.1"), IPAddress.Parse("192.0.2.9"), 6, 80, 443)]),
        new TrafficSelectorPayload(false, [TrafficSelector.FromPrefix("2001:db8::/32")]),
        new VendorIdPayload(new byte[] { 0xde, 0xad }),
        new UnknownPayload((PayloadType)200, false, new byte[] { 9, 9 }),
    ]);

    [Fact]
    public void Every_payload_round_trips_byte_for_byte()
    {
        var bytes = Everything().Encode();
        Assert.Equal(ParseStatus.Ok, IkeMessage.TryParse(bytes, out var parsed));
        Assert.Equal(Everything().Payloads.Length, parsed!.Payloads.Length);
        Assert.Equal(bytes, parsed.Encode());
        Assert.Equal(0x0102030405060708UL, parsed.SpiI);
        Assert.Equal(7u, parsed.MessageId);
        Assert.True(parsed.FromOriginalInitiator);
        Assert.False(parsed.IsResponse);
    }

    [Fact]
    public void Parsed_payloads_keep_their_fields()
    {
        IkeMessage.TryParse(Everything().Encode(), out var m);
        var sa = m!.Get<SaPayload>()!;
        Assert.Equal(4, sa.Proposals.Length);
        Assert.Equal(new Transform(TransformType.Encryption, (ushort)EncryptionId.AesGcm16, 256), sa.Proposals[0].Transforms[0]);
        Assert.Equal(8, sa.Proposals[1].Spi.Length);
        Assert.Equal(0xc0ffee02u, BinaryPrimitives.ReadUInt32BigEndian(sa.Proposals[3].Spi.Span));
        Assert.Contains(sa.Proposals[3].Transforms, t => t is { Type: TransformType.DiffieHellman, Id: 20 });
        Assert.Equal(19, m.Get<KePayload>()!.Group);
        Assert.Equal("vpn.example", System.Text.Encoding.ASCII.GetString(m.Id(false)!.Data.Span));
        Assert.Equal([0, 14], m.Notify(NotifyType.InvalidKePayload)!.Data.ToArray());
        Assert.Equal(NotifyType.InvalidKePayload, m.FirstError!.NotifyType);
        Assert.Equal([0xc0ffee01u, 0xc0ffee02u], m.Payloads.OfType<DeletePayload>().First().Spis.ToArray());
        var tsi = m.Ts(true)!.Selectors;
        Assert.Equal(new TrafficSelector(IPAddress.Parse("10.0.0.0"), IPAddress.Parse("10.0.255.255")), tsi[0]);
        Assert.Equal((byte)6, tsi[1].IpProtocol);
        Assert.Equal((ushort)443, tsi[1].EndPort);
        Assert.Equal(TrafficSelectorType.Ipv6AddressRange, m.Ts(false)!.Selectors[0].SelectorType);
    }

    [Fact]
    public void Every_truncation_is_a_typed_failure()
    {
        var bytes = Everything().Encode();
        for (var n = 0; n < bytes.Length; n++)
            Assert.NotEqual(ParseStatus.Ok, IkeMessage.TryParse(bytes.AsMemory(0, n), out _));
    }

    [Fact]
    public void Truncated_payload_chains_with_a_patched_length_are_typed_failures()
    {
        var bytes = Everything().Encode();
        for (var n = IkeMessage.HeaderLength; n < bytes.Length; n++)
        {
            var cut = bytes[..n];
            BinaryPrimitives.WriteUInt32BigEndian(cut.AsSpan(24), (uint)n);
            Assert.NotEqual(ParseStatus.Ok, IkeMessage.TryParse(cut, out _));
        }
    }

    [Fact]
    public void Random_corruption_never_throws()
    {
        var rng = new Random(7296);
        var original = Everything().Encode();
        var ok = 0;
        for (var i = 0; i < 20000; i++)
        {
            var bytes = (byte[])original.Clone();
            for (var flips = rng.Next(1, 6); flips > 0; flips--)
                bytes[rng.Next(bytes.Length)] = (byte)rng.Next(256);
            if (IkeMessage.TryParse(bytes, out var m) == ParseStatus.Ok)
            {
                ok++;
                _ = m!.Encode(); // whatever parsed must encode again
            }
        }
        Assert.InRange(ok, 1, 20000);
        for (var i = 0; i < 5000; i++)
        {
            var junk = new byte[rng.Next(0, 200)];
            rng.NextBytes(junk);
            IkeMessage.TryParse(junk, out _);
        }
    }

    [Fact]
    public void Header_checks()
    {
        var bytes = Everything().Encode();
        var v1 = (byte[])bytes.Clone();
        v1[17] = 0x10;
        Assert.Equal(ParseStatus.UnsupportedVersion, IkeMessage.TryParse(v1, out _));
        Assert.Equal(ParseStatus.BadLength, IkeMessage.TryParse((byte[])[.. bytes, 0], out _)); // trailing garbage
        var big = (byte[])bytes.Clone();
        BinaryPrimitives.WriteUInt32BigEndian(big.AsSpan(24), 70000);
        Assert.Equal(ParseStatus.BadLength, IkeMessage.TryParse(big, out _));
        Assert.Equal(ParseStatus.Truncated, IkeMessage.TryParse(bytes.AsMemory(0, 27), out _));
    }

    [Fact]
    public void Unknown_critical_payload_is_refused_and_unknown_noncritical_kept()
    {
        var critical = new IkeMessage(1, 0, ExchangeType.IkeSaInit, HeaderBits.Initiator, 0, [new UnknownPayload((PayloadType)201, true, new byte[] { 1 })]).Encode();
        Assert.Equal(ParseStatus.UnsupportedCriticalPayload, IkeMessage.TryParse(critical, out _));
        var plain = new IkeMessage(1, 0, ExchangeType.IkeSaInit, HeaderBits.Initiator, 0, [new UnknownPayload((PayloadType)201, false, new byte[] { 1 })]).Encode();
        Assert.Equal(ParseStatus.Ok, IkeMessage.TryParse(plain, out var m));
        Assert.IsType<UnknownPayload>(m!.Payloads[0]);
    }

    [Fact]
    public void Payload_length_below_the_generic_header_is_refused()
    {
        var bytes = new IkeMessage(1, 0, ExchangeType.IkeSaInit, HeaderBits.Initiator, 0, [new NoncePayload(Nonce32)]).Encode();
        BinaryPrimitives.WriteUInt16BigEndian(bytes.AsSpan(30), 3);
        Assert.Equal(ParseStatus.BadLength, IkeMessage.TryParse(bytes, out _));
    }

    [Theory]
    [InlineData(15)]
    [InlineData(257)]
    public void Nonce_sizes_outside_16_to_256_are_refused(int length)
    {
        var bytes = new IkeMessage(1, 0, ExchangeType.IkeSaInit, HeaderBits.Initiator, 0, [new NoncePayload(new byte[length])]).Encode();
        Assert.Equal(ParseStatus.InvalidSyntax, IkeMessage.TryParse(bytes, out _));
    }

    [Fact]
    public void Proposal_numbers_are_not_zero_and_step_by_one()
    {
        var bad = new IkeMessage(1, 0, ExchangeType.IkeSaInit, HeaderBits.Initiator, 0, [new SaPayload([IkeSuite.Gcm256Sha256Ecp256.ToProposal(0, ReadOnlyMemory<byte>.Empty)])]).Encode();
        Assert.Equal(ParseStatus.InvalidSyntax, IkeMessage.TryParse(bad, out _));
        var gap = new IkeMessage(1, 0, ExchangeType.IkeSaInit, HeaderBits.Initiator, 0, [new SaPayload([
            IkeSuite.Gcm256Sha256Ecp256.ToProposal(1, ReadOnlyMemory<byte>.Empty), IkeSuite.Gcm256Sha256Ecp256.ToProposal(3, ReadOnlyMemory<byte>.Empty)])]).Encode();
        Assert.Equal(ParseStatus.InvalidSyntax, IkeMessage.TryParse(gap, out _));
    }

    [Fact]
    public void Transform_with_an_unknown_attribute_is_marked_and_never_selected()
    {
        var bytes = new IkeMessage(1, 0, ExchangeType.IkeSaInit, HeaderBits.Initiator, 0, [new SaPayload([IkeSuite.Gcm256Sha256Ecp256.ToProposal(1, ReadOnlyMemory<byte>.Empty)])]).Encode();
        // SA body: proposal header (8) then the first transform (ENCR with key length): change its attribute type 14 -> 15.
        var attribute = IkeMessage.HeaderLength + 4 + 8 + 8;
        Assert.Equal(0x800E, BinaryPrimitives.ReadUInt16BigEndian(bytes.AsSpan(attribute)));
        bytes[attribute + 1] = 0x0F;
        Assert.Equal(ParseStatus.Ok, IkeMessage.TryParse(bytes, out var m));
        var proposal = m!.Get<SaPayload>()!.Proposals[0];
        Assert.True(proposal.Transforms[0].HasUnknownAttribute);
        Assert.False(IkeSuite.Gcm256Sha256Ecp256.OfferedBy(proposal));
    }

    [Fact]
    public void Traffic_selector_with_inverted_range_or_wrong_length_is_refused()
    {
        var inverted = new IkeMessage(1, 0, ExchangeType.IkeAuth, HeaderBits.Initiator, 1,
            [new TrafficSelectorPayload(true, [new TrafficSelector(IPAddress.Parse("10.0.0.9"), IPAddress.Parse("10.0.0.1"))])]).Encode();
        Assert.Equal(ParseStatus.InvalidSyntax, IkeMessage.TryParse(inverted, out _));
        var sel = IkeMessage.HeaderLength + 4 + 4;
        var wrongLength = new IkeMessage(1, 0, ExchangeType.IkeAuth, HeaderBits.Initiator, 1, [new TrafficSelectorPayload(true, [TrafficSelector.FromPrefix("10.0.0.0/8")])]).Encode();
        BinaryPrimitives.WriteUInt16BigEndian(wrongLength.AsSpan(sel + 2), 24);
        Assert.NotEqual(ParseStatus.Ok, IkeMessage.TryParse(wrongLength, out _));
    }

    [Fact]
    public void Delete_of_the_ike_sa_with_spis_is_refused()
    {
        var bytes = new IkeMessage(1, 2, ExchangeType.Informational, HeaderBits.Initiator, 3, [new DeletePayload(ProtocolId.Esp, [5])]).Encode();
        bytes[IkeMessage.HeaderLength + 4] = (byte)ProtocolId.Ike;
        Assert.Equal(ParseStatus.InvalidSyntax, IkeMessage.TryParse(bytes, out _));
    }

    [Theory]
    [MemberData(nameof(Ciphers))]
    public void Sk_payload_round_trips_and_detects_tampering(string name)
    {
        var (send, receive) = Pair(Suites[name]);
        using var s = send;
        using var r = receive;
        var message = Everything() with { Exchange = ExchangeType.CreateChildSa };
        var bytes = message.Encode(send);
        Assert.Equal(ParseStatus.Ok, IkeMessage.TryParse(bytes, out var outer));
        Assert.IsType<EncryptedPayload>(Assert.Single(outer!.Payloads));
        Assert.Equal(ParseStatus.Ok, IkeMessage.TryDecrypt(bytes, outer, receive, out var inner));
        Assert.True(inner!.Encrypted);
        Assert.Equal(message.Encode(), inner.Encode());
        for (var i = 0; i < bytes.Length; i += 7)
        {
            var tampered = (byte[])bytes.Clone();
            tampered[i] ^= 0x40;
            if (IkeMessage.TryParse(tampered, out var t) == ParseStatus.Ok)
                Assert.NotEqual(ParseStatus.Ok, IkeMessage.TryDecrypt(tampered, t!, receive, out _));
        }
    }

    private static readonly Dictionary<string, IkeSuite> Suites = new()
    {
        ["gcm128"] = new IkeSuite(EncryptionId.AesGcm16, 128, PrfId.HmacSha256, IntegrityId.None, 19),
        ["gcm256"] = IkeSuite.Gcm256Sha256Ecp256,
        ["cbc128-sha256"] = new IkeSuite(EncryptionId.AesCbc, 128, PrfId.HmacSha256, IntegrityId.HmacSha256_128, 19),
        ["cbc256-sha384"] = new IkeSuite(EncryptionId.AesCbc, 256, PrfId.HmacSha384, IntegrityId.HmacSha384_192, 20),
        ["cbc256-sha512"] = new IkeSuite(EncryptionId.AesCbc, 256, PrfId.HmacSha512, IntegrityId.HmacSha512_256, 21),
    };

    public static TheoryData<string> Ciphers() => [.. Suites.Keys];

    private static (SkCipher, SkCipher) Pair(IkeSuite suite)
    {
        var keys = KeyDerivation.DeriveIkeKeys(suite, new byte[32], Nonce32, Nonce32, 1, 2);
        return (SkCipher.Create(suite.Encryption, suite.Integrity, keys.SkEi, keys.SkAi), SkCipher.Create(suite.Encryption, suite.Integrity, keys.SkEi, keys.SkAi));
    }

    [Fact]
    public void Sk_under_another_key_fails_authentication()
    {
        var (send, _) = Pair(IkeSuite.Gcm256Sha256Ecp256);
        var keys = KeyDerivation.DeriveIkeKeys(IkeSuite.Gcm256Sha256Ecp256, new byte[32], Nonce32, Nonce32, 1, 2);
        using var other = SkCipher.Create(EncryptionId.AesGcm16, IntegrityId.None, keys.SkEr, keys.SkAr);
        var bytes = Everything().Encode(send);
        IkeMessage.TryParse(bytes, out var outer);
        Assert.Equal(ParseStatus.AuthenticationFailed, IkeMessage.TryDecrypt(bytes, outer!, other, out _));
        send.Dispose();
    }

    [Fact]
    public void Sk_must_be_the_last_payload()
    {
        var (send, _) = Pair(IkeSuite.Gcm256Sha256Ecp256);
        var bytes = new IkeMessage(1, 2, ExchangeType.Informational, HeaderBits.Initiator, 1, [new NoncePayload(Nonce32)]).Encode(send);
        // Make the SK payload claim a following payload by rewriting it as a Vendor ID followed by SK: simplest hostile
        // case is an SK whose length stops short of the message end.
        BinaryPrimitives.WriteUInt16BigEndian(bytes.AsSpan(IkeMessage.HeaderLength + 2), (ushort)(bytes.Length - IkeMessage.HeaderLength - 4));
        Assert.NotEqual(ParseStatus.Ok, IkeMessage.TryParse(bytes, out _));
        send.Dispose();
    }

    [Fact]
    public void Plaintext_message_does_not_decrypt()
    {
        var (send, receive) = Pair(IkeSuite.Gcm256Sha256Ecp256);
        var bytes = Everything().Encode();
        IkeMessage.TryParse(bytes, out var outer);
        Assert.Equal(ParseStatus.NotEncrypted, IkeMessage.TryDecrypt(bytes, outer!, receive, out _));
        send.Dispose();
        receive.Dispose();
    }

    [Fact]
    public void Traffic_selector_narrowing()
    {
        var wide = TrafficSelector.FromPrefix("10.0.0.0/8");
        var narrow = TrafficSelector.FromPrefix("10.1.0.0/16");
        Assert.Equal(narrow, wide.Intersect(narrow));
        Assert.True(narrow.IsWithin(wide));
        Assert.False(wide.IsWithin(narrow));
        Assert.Null(narrow.Intersect(TrafficSelector.FromPrefix("10.2.0.0/16")));
        var tcp = new TrafficSelector(IPAddress.Parse("10.1.2.3"), IPAddress.Parse("10.1.2.3"), 6, 443, 443);
        Assert.Equal(tcp, wide.Intersect(tcp));
        Assert.Null(tcp.Intersect(new TrafficSelector(IPAddress.Parse("10.0.0.0"), IPAddress.Parse("10.255.255.255"), 17)));
        Assert.Null(wide.Intersect(TrafficSelector.FromPrefix("2001:db8::/32")));
    }
}
