using System.Collections.Immutable;
using NitroCard.Ike.Crypto;
using NitroCard.Ike.Wire;
using NitroCard.Region;

namespace NitroCard.Edge.Vpn;

/// <summary>
/// AWS's tunnel option names turned into what <c>NitroCard.Ike</c> negotiates. Phase 1: every cipher × integrity ×
/// group the options list, in their order (AES-GCM takes its PRF from the integrity name and has no integrity
/// transform). Phase 2: every cipher (× integrity for AES-CBC) the options list — the edge's ESP runs AES-GCM (RFC 4106)
/// and AES-CBC with HMAC-SHA2 (RFC 3602, RFC 4868) — first without PFS (the child SA of IKE_AUTH), then with each phase
/// 2 group (CREATE_CHILD_SA with PFS). Every group AWS accepts (2, 14–24) is implemented; the RFC 5114 groups 22–24
/// come after the safe-prime groups of the same size.
/// </summary>
public static class IkeSuites
{
    private static readonly string[] CipherPreference = ["AES256-GCM-16", "AES128-GCM-16", "AES256", "AES128"];
    private static readonly string[] HashPreference = ["SHA2-256", "SHA2-384", "SHA2-512"];

    public static ImmutableArray<IkeSuite> Phase1(VpnTunnelOptions t)
    {
        var list = ImmutableArray.CreateBuilder<IkeSuite>();
        foreach (var cipher in CipherPreference.Where(t.Phase1EncryptionAlgorithms.Contains))
        {
            var (encryption, bits) = Cipher(cipher);
            foreach (var hash in HashPreference.Where(t.Phase1IntegrityAlgorithms.Contains))
            {
                var (prf, integrity) = Hash(hash);
                foreach (var group in VpnTunnelOptions.DhGroupPreference.Where(t.Phase1DhGroupNumbers.Contains))
                {
                    var suite = new IkeSuite(encryption, bits, prf, encryption == EncryptionId.AesGcm16 ? IntegrityId.None : integrity, (ushort)group);
                    if (!list.Contains(suite))
                        list.Add(suite);
                }
            }
        }
        return list.ToImmutable();
    }

    public static ImmutableArray<ChildSuite> Phase2(VpnTunnelOptions t)
    {
        var withoutPfs = new List<ChildSuite>();
        foreach (var cipher in CipherPreference.Where(t.Phase2EncryptionAlgorithms.Contains))
        {
            var (encryption, bits) = Cipher(cipher);
            if (encryption == EncryptionId.AesGcm16)
                withoutPfs.Add(new ChildSuite(encryption, bits, IntegrityId.None));
            else
                withoutPfs.AddRange(HashPreference.Where(t.Phase2IntegrityAlgorithms.Contains).Select(h => new ChildSuite(encryption, bits, Hash(h).Integrity)));
        }
        var list = ImmutableArray.CreateBuilder<ChildSuite>();
        list.AddRange(withoutPfs.Distinct());
        foreach (var suite in withoutPfs.Distinct())
        {
            foreach (var group in VpnTunnelOptions.DhGroupPreference.Where(t.Phase2DhGroupNumbers.Contains))
                list.Add(suite with { PfsGroup = (ushort)group });
        }
        return list.ToImmutable();
    }

    private static (EncryptionId Encryption, ushort Bits) Cipher(string name) => name switch
    {
        "AES128" => (EncryptionId.AesCbc, 128),
        "AES256" => (EncryptionId.AesCbc, 256),
        "AES128-GCM-16" => (EncryptionId.AesGcm16, 128),
        _ => (EncryptionId.AesGcm16, 256),
    };

    private static (PrfId Prf, IntegrityId Integrity) Hash(string name) => name switch
    {
        "SHA2-384" => (PrfId.HmacSha384, IntegrityId.HmacSha384_192),
        "SHA2-512" => (PrfId.HmacSha512, IntegrityId.HmacSha512_256),
        _ => (PrfId.HmacSha256, IntegrityId.HmacSha256_128),
    };
}
