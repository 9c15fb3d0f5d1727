using System.Numerics;
using System.Text;
using NitroCard.Ike.Crypto;
using NitroCard.Ike.Wire;

namespace NitroCard.Ike.Tests;

public class CryptoTests
{
    private static byte[] Hex(string s) => Convert.FromHexString(s.Replace(" ", "", StringComparison.Ordinal));

    // RFC 4231 §4.2 and §4.3 (test cases 1 and 2).
    [Theory]
    [InlineData(PrfId.HmacSha256, "0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b", "Hi There", "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7")]
    [InlineData(PrfId.HmacSha384, "0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b", "Hi There", "afd03944d84895626b0825f4ab46907f15f9dadbe4101ec682aa034c7cebc59cfaea9ea9076ede7f4af152e8b2fa9cb6")]
    [InlineData(PrfId.HmacSha512, "0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b", "Hi There", "87aa7cdea5ef619d4ff0b4241a1d6cb02379f4e2ce4ec2787ad0b30545e17cdedaa833b7d6b8a702038b274eaea3f4e4be9d914eeb61f1702e696c203a126854")]
    [InlineData(PrfId.HmacSha256, "4a656665", "what do ya want for nothing?", "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843")]
    [InlineData(PrfId.HmacSha384, "4a656665", "what do ya want for nothing?", "af45d2e376484031617f78d2b58a6b1b9c7ef464f5a01b47e42ec3736322445e8e2240ca5e69e2c78b3239ecfab21649")]
    [InlineData(PrfId.HmacSha512, "4a656665", "what do ya want for nothing?", "164b7a7bfcf819e2e395fbe73b56e0a387bd64222e831fd610270cd7ea2505549758bf75c05a994a6d034f65f8f0e6fdcaeab1a34d4a6b4b636e070a38bce737")]
    public void Prf_matches_rfc4231(PrfId id, string key, string data, string expected) =>
        Assert.Equal(Hex(expected), new Prf(id).Compute(Hex(key), Encoding.ASCII.GetBytes(data)));

    [Theory]
    [InlineData(PrfId.HmacSha256)]
    [InlineData(PrfId.HmacSha512)]
    public void Prf_plus_is_the_rfc7296_iteration(PrfId id)
    {
        var prf = new Prf(id);
        var key = Encoding.ASCII.GetBytes("key");
        var seed = Encoding.ASCII.GetBytes("seed of prf+");
        var t1 = prf.Compute(key, [.. seed, 1]);
        var t2 = prf.Compute(key, [.. t1, .. seed, 2]);
        var t3 = prf.Compute(key, [.. t2, .. seed, 3]);
        var expected = t1.Concat(t2).Concat(t3).Take((2 * prf.OutputLength) + 5).ToArray();
        Assert.Equal(expected, prf.PrfPlus(key, seed, expected.Length));
        Assert.Throws<ArgumentOutOfRangeException>(() => prf.PrfPlus(key, seed, (255 * prf.OutputLength) + 1));
        Assert.Equal(255 * prf.OutputLength, prf.PrfPlus(key, seed, 255 * prf.OutputLength).Length);
    }

    [Fact]
    public void Ike_keys_are_consecutive_slices_of_prf_plus()
    {
        var suite = IkeSuite.Cbc256Sha256Modp2048;
        var prf = new Prf(suite.Prf);
        byte[] ni = [.. Enumerable.Repeat((byte)1, 32)], nr = [.. Enumerable.Repeat((byte)2, 32)], shared = [.. Enumerable.Repeat((byte)3, 256)];
        var skeyseed = KeyDerivation.Skeyseed(prf, ni, nr, shared);
        Assert.Equal(prf.Compute([.. ni, .. nr], shared), skeyseed);
        var keys = KeyDerivation.DeriveIkeKeys(suite, skeyseed, ni, nr, 0x1122334455667788, 0x99aabbccddeeff00);
        var stream = prf.PrfPlus(skeyseed, [.. ni, .. nr, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88, 0x99, 0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0xff, 0x00], 32 + 32 + 32 + 32 + 32 + 32 + 32);
        Assert.Equal(stream, keys.SkD.Concat(keys.SkAi).Concat(keys.SkAr).Concat(keys.SkEi).Concat(keys.SkEr).Concat(keys.SkPi).Concat(keys.SkPr).ToArray());
        var gcm = KeyDerivation.DeriveIkeKeys(IkeSuite.Gcm256Sha256Ecp256, skeyseed, ni, nr, 1, 2);
        Assert.Empty(gcm.SkAi);
        Assert.Equal(36, gcm.SkEi.Length); // 32-byte key + 4-byte salt (RFC 5282 §7.1)
    }

    [Fact]
    public void Child_keymat_splits_initiator_to_responder_first()
    {
        var prf = new Prf(PrfId.HmacSha256);
        byte[] skd = [.. Enumerable.Repeat((byte)9, 32)], ni = [.. Enumerable.Repeat((byte)1, 32)], nr = [.. Enumerable.Repeat((byte)2, 32)];
        var cbc = new ChildSuite(EncryptionId.AesCbc, 128, IntegrityId.HmacSha256_128);
        var (eIr, aIr, eRi, aRi) = KeyDerivation.DeriveChildKeys(prf, skd, cbc, [], ni, nr);
        Assert.Equal(prf.PrfPlus(skd, [.. ni, .. nr], 16 + 32 + 16 + 32), eIr.Concat(aIr).Concat(eRi).Concat(aRi).ToArray());
        var (gIr, gaIr, gRi, _) = KeyDerivation.DeriveChildKeys(prf, skd, ChildSuite.Gcm256, [7, 7], ni, nr);
        Assert.Equal(36, gIr.Length);
        Assert.Empty(gaIr);
        Assert.Equal(prf.PrfPlus(skd, [7, 7, .. ni, .. nr], 72)[36..], gRi);
    }

    [Fact]
    public void Psk_auth_is_the_rfc7296_formula()
    {
        var prf = new Prf(PrfId.HmacSha256);
        var psk = Encoding.ASCII.GetBytes("secret");
        byte[] message = [1, 2, 3], nonce = [4, 5, 6], skp = [7], idBody = [1, 0, 0, 0, 198, 51, 100, 1];
        var expected = prf.Compute(prf.Compute(psk, Encoding.ASCII.GetBytes("Key Pad for IKEv2")), [.. message, .. nonce, .. prf.Compute(skp, idBody)]);
        Assert.Equal(expected, KeyDerivation.PskAuth(prf, psk, message, nonce, skp, idBody));
    }

    // RFC 5903 §8.1-8.3: i, g^i = (gix, giy), r, g^r, g^ir x coordinate.
    [Theory]
    [InlineData(19,
        "C88F01F510D9AC3F70A292DAA2316DE544E9AAB8AFE84049C62A9C57862D1433",
        "DAD0B65394221CF9B051E1FECA5787D098DFE637FC90B9EF945D0C3772581180" + "5271A0461CDB8252D61F1C456FA3E59AB1F45B33ACCF5F58389E0577B8990BB3",
        "C6EF9C5D78AE012A011164ACB397CE2088685D8F06BF9BE0B283AB46476BEE53",
        "D12DFB5289C8D4F81208B70270398C342296970A0BCCB74C736FC7554494BF63" + "56FBF3CA366CC23E8157854C13C58D6AAC23F046ADA30F8353E74F33039872AB",
        "D6840F6B42F6EDAFD13116E0E12565202FEF8E9ECE7DCE03812464D04B9442DE")]
    [InlineData(20,
        "099F3C7034D4A2C699884D73A375A67F7624EF7C6B3C0F160647B67414DCE655E35B538041E649EE3FAEF896783AB194",
        "667842D7D180AC2CDE6F74F37551F55755C7645C20EF73E31634FE72B4C55EE6DE3AC808ACB4BDB4C88732AEE95F41AA" + "9482ED1FC0EEB9CAFC4984625CCFC23F65032149E0E144ADA024181535A0F38EEB9FCFF3C2C947DAE69B4C634573A81C",
        "41CB0779B4BDB85D47846725FBEC3C9430FAB46CC8DC5060855CC9BDA0AA2942E0308312916B8ED2960E4BD55A7448FC",
        "E558DBEF53EECDE3D3FCCFC1AEA08A89A987475D12FD950D83CFA41732BC509D0D1AC43A0336DEF96FDA41D0774A3571" + "DCFBEC7AACF3196472169E838430367F66EEBE3C6E70C416DD5F0C68759DD1FFF83FA40142209DFF5EAAD96DB9E6386C",
        "11187331C279962D93D604243FD592CB9D0A926F422E47187521287E7156C5C4D603135569B9E9D09CF5D4A270F59746")]
    [InlineData(21,
        "0037ADE9319A89F4DABDB3EF411AACCCA5123C61ACAB57B5393DCE47608172A095AA85A30FE1C2952C6771D937BA9777F5957B2639BAB072462F68C27A57382D4A52",
        "0015417E84DBF28C0AD3C278713349DC7DF153C897A1891BD98BAB4357C9ECBEE1E3BF42E00B8E380AEAE57C2D107564941885942AF5A7F4601723C4195D176CED3E" + "017CAE20B6641D2EEB695786D8C946146239D099E18E1D5A514C739D7CB4A10AD8A788015AC405D7799DC75E7B7D5B6CF2261A6A7F1507438BF01BEB6CA3926F9582",
        "0145BA99A847AF43793FDD0E872E7CDFA16BE30FDC780F97BCCC3F078380201E9C677D600B343757A3BDBF2A3163E4C2F869CCA7458AA4A4EFFC311F5CB151685EB9",
        "00D0B3975AC4B799F5BEA16D5E13E9AF971D5E9B984C9F39728B5E5739735A219B97C356436ADC6E95BB0352F6BE64A6C2912D4EF2D0433CED2B6171640012D9460F" + "015C68226383956E3BD066E797B623C27CE0EAC2F551A10C2C724D9852077B87220B6536C5C408A1D2AEBB8E86D678AE49CB57091F4732296579AB44FCD17F0FC56A",
        "01144C7D79AE6956BC8EDB8E7C787C4521CB086FA64407F97894E5E6B2D79B04D1427E73CA4BAA240A34786859810C06B3C715A3A8CC3151F2BEE417996D19F3DDEA")]
    public void Ecp_groups_match_rfc5903(ushort group, string i, string gi, string r, string gr, string gir)
    {
        using var initiator = new EcpGroup(group, Hex(i));
        using var responder = new EcpGroup(group, Hex(r));
        Assert.Equal(Hex(gi), initiator.PublicValue);
        Assert.Equal(Hex(gr), responder.PublicValue);
        Assert.Equal(Hex(gir), initiator.TryComputeShared(responder.PublicValue));
        Assert.Equal(Hex(gir), responder.TryComputeShared(initiator.PublicValue));
    }

    [Theory]
    [InlineData((ushort)19)]
    [InlineData((ushort)20)]
    [InlineData((ushort)21)]
    public void Ecp_rejects_points_off_the_curve_and_wrong_lengths(ushort group)
    {
        using var a = DhGroup.Create(group);
        using var b = DhGroup.Create(group);
        var bad = (byte[])b.PublicValue.Clone();
        bad[^1] ^= 1;
        Assert.Null(a.TryComputeShared(bad));
        Assert.Null(a.TryComputeShared(b.PublicValue.AsSpan(1)));
        Assert.Null(a.TryComputeShared(new byte[a.PublicLength]));
        Assert.Equal(a.TryComputeShared(b.PublicValue), b.TryComputeShared(a.PublicValue));
    }

    // The first and last 64 bits of each prime as RFC 2409 §6.2 and RFC 3526 print them; all start FFFFFFFF FFFFFFFF C90FDAA2 2168C234.
    [Theory]
    [InlineData((ushort)2, 1024, "ECE65381FFFFFFFFFFFFFFFF")]
    [InlineData((ushort)14, 2048, "8AACAA68FFFFFFFFFFFFFFFF")]
    [InlineData((ushort)15, 3072, "A93AD2CAFFFFFFFFFFFFFFFF")]
    [InlineData((ushort)16, 4096, "34063199FFFFFFFFFFFFFFFF")]
    [InlineData((ushort)17, 6144, "6DCC4024FFFFFFFFFFFFFFFF")]
    [InlineData((ushort)18, 8192, "98EDD3DFFFFFFFFFFFFFFFFF")]
    public void Modp_primes_are_the_published_ones(ushort group, int bits, string tail)
    {
        var p = ModpGroup.PrimeOf(group);
        Assert.Equal(bits, (int)p.GetBitLength());
        var hex = Convert.ToHexString(p.ToByteArray(isUnsigned: true, isBigEndian: true));
        Assert.StartsWith("FFFFFFFFFFFFFFFFC90FDAA22168C234", hex, StringComparison.Ordinal);
        Assert.EndsWith(tail, hex, StringComparison.Ordinal);
        // A safe prime: 2^((p-1)/2) ≡ ±1 and Fermat holds for a few bases (a cheap sanity check, not a proof).
        foreach (var a in new BigInteger[] { 2, 3, 5, 7 })
            Assert.Equal(BigInteger.One, BigInteger.ModPow(a, p - 1, p));
    }

    [Theory]
    [InlineData((ushort)2)]
    [InlineData((ushort)14)]
    [InlineData((ushort)15)]
    public void Modp_agreement_and_validation(ushort group)
    {
        using var a = DhGroup.Create(group);
        using var b = DhGroup.Create(group);
        var shared = a.TryComputeShared(b.PublicValue);
        Assert.NotNull(shared);
        Assert.Equal(a.PublicLength, shared!.Length);
        Assert.Equal(shared, b.TryComputeShared(a.PublicValue));
        var one = new byte[a.PublicLength];
        one[^1] = 1;
        Assert.Null(a.TryComputeShared(one));
        Assert.Null(a.TryComputeShared(new byte[a.PublicLength]));
        var pMinus1 = (ModpGroup.PrimeOf(group) - 1).ToByteArray(isUnsigned: true, isBigEndian: true);
        Assert.Null(a.TryComputeShared(pMinus1));
        Assert.Null(a.TryComputeShared(Enumerable.Repeat((byte)0xFF, a.PublicLength).ToArray()));
        Assert.Null(a.TryComputeShared(b.PublicValue.AsSpan(1)));
    }

    [Theory]
    [InlineData((ushort)22, 1024, 160)]
    [InlineData((ushort)23, 2048, 224)]
    [InlineData((ushort)24, 2048, 256)]
    public void Rfc5114_groups_have_a_generator_of_prime_order_q_dividing_p_minus_1(ushort group, int pBits, int qBits)
    {
        var (p, g, order) = ModpGroup.ParametersOf(group);
        var q = Assert.IsType<BigInteger>(order);
        Assert.Equal(pBits, (int)p.GetBitLength());
        Assert.Equal(qBits, (int)q.GetBitLength());
        Assert.True(IsProbablePrime(p), "p is prime");
        Assert.True(IsProbablePrime(q), "q is prime");
        Assert.Equal(BigInteger.Zero, (p - 1) % q);
        Assert.True(g > 1 && g < p - 1);
        Assert.Equal(BigInteger.One, BigInteger.ModPow(g, q, p));
    }

    [Theory]
    [InlineData((ushort)22)]
    [InlineData((ushort)23)]
    [InlineData((ushort)24)]
    public void Rfc5114_agreement_and_the_subgroup_check(ushort group)
    {
        using var a = DhGroup.Create(group);
        using var b = DhGroup.Create(group);
        var shared = a.TryComputeShared(b.PublicValue);
        Assert.NotNull(shared);
        Assert.Equal(shared, b.TryComputeShared(a.PublicValue));
        var (p, _, order) = ModpGroup.ParametersOf(group);
        Assert.Equal(BigInteger.One, BigInteger.ModPow(new BigInteger(a.PublicValue, isUnsigned: true, isBigEndian: true), order!.Value, p));

        // 2 lies outside the order-q subgroup (checked here), yet passes the range check of RFC 6989 §2.1.
        Assert.NotEqual(BigInteger.One, BigInteger.ModPow(2, order.Value, p));
        var two = new byte[a.PublicLength];
        two[^1] = 2;
        Assert.Null(a.TryComputeShared(two));
        var pMinus1 = (p - 1).ToByteArray(isUnsigned: true, isBigEndian: true);
        Assert.Null(a.TryComputeShared(pMinus1));
    }

    /// <summary>Miller–Rabin with 20 fixed bases: a composite passes with probability below 4^-20.</summary>
    private static bool IsProbablePrime(BigInteger n)
    {
        var d = n - 1;
        var r = 0;
        while (d.IsEven)
        {
            d >>= 1;
            r++;
        }
        foreach (var a in new BigInteger[] { 2, 3, 5, 7, 11, 13, 17, 19, 23, 29, 31, 37, 41, 43, 47, 53, 59, 61, 67, 71 })
        {
            var x = BigInteger.ModPow(a, d, n);
            if (x.IsOne || x == n - 1)
                continue;
            var witness = true;
            for (var i = 1; i < r && witness; i++)
            {
                x = BigInteger.ModPow(x, 2, n);
                witness = x != n - 1;
            }
            if (witness)
                return false;
        }
        return true;
    }

    [Fact]
    public void Nat_detection_hash_is_sha1_of_spis_address_and_port()
    {
        var hash = KeyDerivation.NatDetectionHash(1, 2, new System.Net.IPEndPoint(System.Net.IPAddress.Parse("198.51.100.1"), 500));
#pragma warning disable CA5350
        var expected = System.Security.Cryptography.SHA1.HashData((byte[])[0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 2, 198, 51, 100, 1, 0x01, 0xF4]);
#pragma warning restore CA5350
        Assert.Equal(expected, hash);
    }
}
