using NitroCard.Edge.Vpn;
using NitroCard.Ike.Wire;
using NitroCard.Region;

namespace NitroCard.Edge.Tests;

/// <summary>AWS tunnel options turned into the suites the edge negotiates.</summary>
public class IkeSuitesTests
{
    [Fact]
    public void Every_group_aws_accepts_is_offered_in_the_edges_preference_order()
    {
        var options = new VpnTunnelOptions(Phase1EncryptionAlgorithms: ["AES256"], Phase1IntegrityAlgorithms: ["SHA2-256"],
            Phase2EncryptionAlgorithms: ["AES256-GCM-16"]);
        Assert.Equal([19, 20, 21, 14, 15, 16, 17, 18, 24, 23, 22, 2], IkeSuites.Phase1(options).Select(s => (int)s.DhGroup));
        Assert.All(IkeSuites.Phase1(options), s => Assert.True(s.IsValid, s.ToString()));
        Assert.Equal([null, 19, 20, 21, 14, 15, 16, 17, 18, 24, 23, 22, 2], IkeSuites.Phase2(options).Select(s => (int?)s.PfsGroup));
    }

    [Fact]
    public void A_tunnel_limited_to_an_rfc5114_group_negotiates_it()
    {
        var options = new VpnTunnelOptions(Phase1EncryptionAlgorithms: ["AES128-GCM-16"], Phase1IntegrityAlgorithms: ["SHA2-384"],
            Phase1DhGroupNumbers: [23], Phase2EncryptionAlgorithms: ["AES128-GCM-16"], Phase2DhGroupNumbers: [22]);
        var suite = Assert.Single(IkeSuites.Phase1(options));
        Assert.Equal((EncryptionId.AesGcm16, (ushort)128, PrfId.HmacSha384, IntegrityId.None, (ushort)23), (suite.Encryption, suite.KeyBits, suite.Prf, suite.Integrity, suite.DhGroup));
        Assert.Equal([null, (ushort)22], IkeSuites.Phase2(options).Select(s => s.PfsGroup));
    }

    [Fact]
    public void Phase_2_offers_aes_cbc_with_each_listed_integrity_after_aes_gcm()
    {
        var options = new VpnTunnelOptions(Phase2EncryptionAlgorithms: ["AES128", "AES256-GCM-16"], Phase2IntegrityAlgorithms: ["SHA2-512", "SHA2-256"],
            Phase2DhGroupNumbers: [14]);
        Assert.Equal(["AES_GCM_16_256", "AES_CBC_128/HMAC_SHA2_256_128", "AES_CBC_128/HMAC_SHA2_512_256"], IkeSuites.Phase2(options).Where(s => s.PfsGroup is null).Select(s => s.ToString()));
        Assert.Equal(3, IkeSuites.Phase2(options).Count(s => s.PfsGroup == 14));
    }
}
