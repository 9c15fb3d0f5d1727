using System.Collections.Immutable;
using NitroCard.Ike.Wire;

namespace NitroCard.Ike.Crypto;

/// <summary>One concrete IKE SA algorithm set: what a proposal offers and what a selection results in.</summary>
public sealed record IkeSuite(EncryptionId Encryption, ushort KeyBits, PrfId Prf, IntegrityId Integrity, ushort DhGroup)
{
    /// <summary>AES-GCM-16/256, PRF-HMAC-SHA2-256, ECP-256: AWS's and strongSwan's common modern choice.</summary>
    public static IkeSuite Gcm256Sha256Ecp256 { get; } = new(EncryptionId.AesGcm16, 256, PrfId.HmacSha256, IntegrityId.None, 19);

    /// <summary>AES-CBC-256, HMAC-SHA2-256-128, PRF-HMAC-SHA2-256, MODP-2048: AWS's default for older customer gateways.</summary>
    public static IkeSuite Cbc256Sha256Modp2048 { get; } = new(EncryptionId.AesCbc, 256, PrfId.HmacSha256, IntegrityId.HmacSha256_128, 14);

    public bool IsAead => Encryption == EncryptionId.AesGcm16;

    /// <summary>SK_e length: the AES key plus, for GCM, the 4-byte salt (RFC 5282 §7.1).</summary>
    public int EncryptionKeyLength => (KeyBits / 8) + (IsAead ? 4 : 0);

    public int IntegrityKeyLength => Crypto.Integrity.KeyLength(this.Integrity);

    /// <summary>True when every algorithm is implemented here and the combination is coherent (AEAD ⇔ no integrity).</summary>
    public bool IsValid => KeyBits is 128 or 192 or 256 && Crypto.Prf.IsSupported((ushort)Prf) && Crypto.DhGroup.IsSupported(this.DhGroup)
        && (IsAead ? this.Integrity == IntegrityId.None : Crypto.Integrity.IsSupported((ushort)this.Integrity))
        && this.Encryption is EncryptionId.AesGcm16 or EncryptionId.AesCbc;

    /// <summary>This suite as a proposal with one transform of each type.</summary>
    public Proposal ToProposal(byte number, ReadOnlyMemory<byte> spi)
    {
        var transforms = ImmutableArray.CreateBuilder<Transform>();
        transforms.Add(new Transform(TransformType.Encryption, (ushort)Encryption, KeyBits));
        transforms.Add(new Transform(TransformType.Prf, (ushort)Prf));
        if (!IsAead)
            transforms.Add(new Transform(TransformType.Integrity, (ushort)Integrity));
        transforms.Add(new Transform(TransformType.DiffieHellman, DhGroup));
        return new Proposal(number, ProtocolId.Ike, spi, transforms.ToImmutable());
    }

    /// <summary>Whether <paramref name="proposal"/> offers this suite's transforms (group ignored when <paramref name="ignoreGroup"/>).</summary>
    public bool OfferedBy(Proposal proposal, bool ignoreGroup = false)
    {
        ArgumentNullException.ThrowIfNull(proposal);
        if (proposal.Protocol != ProtocolId.Ike || proposal.Transforms.Any(t => t.HasUnknownAttribute && Matches(t)))
            return false;
        return proposal.Transforms.Any(t => t.Type == TransformType.Encryption && t.Id == (ushort)Encryption && t.KeyLength == KeyBits)
            && proposal.Transforms.Any(t => t.Type == TransformType.Prf && t.Id == (ushort)Prf)
            && (IsAead
                ? proposal.Transforms.All(t => t.Type != TransformType.Integrity || t.Id == (ushort)IntegrityId.None)
                : proposal.Transforms.Any(t => t.Type == TransformType.Integrity && t.Id == (ushort)this.Integrity))
            && (ignoreGroup || proposal.Transforms.Any(t => t.Type == TransformType.DiffieHellman && t.Id == DhGroup));
    }

    private bool Matches(Transform t) => t.Type switch
    {
        TransformType.Encryption => t.Id == (ushort)Encryption,
        TransformType.Prf => t.Id == (ushort)Prf,
        TransformType.Integrity => t.Id == (ushort)this.Integrity,
        TransformType.DiffieHellman => t.Id == DhGroup,
        _ => false,
    };

    /// <summary>Whether a responder's one-transform-per-type proposal is exactly this suite.</summary>
    public bool IsExactly(Proposal proposal)
    {
        ArgumentNullException.ThrowIfNull(proposal);
        var expected = ToProposal(proposal.Number, proposal.Spi).Transforms;
        return proposal.Protocol == ProtocolId.Ike && proposal.Transforms.Length == expected.Length
            && expected.All(e => proposal.Transforms.Any(t => t.Type == e.Type && t.Id == e.Id && t.KeyLength == e.KeyLength && !t.HasUnknownAttribute));
    }

    /// <summary>strongSwan's notation, e.g. AES_GCM_16_256/PRF_HMAC_SHA2_256/ECP_256.</summary>
    public override string ToString() => IsAead
        ? $"AES_GCM_16_{KeyBits}/{PrfName(Prf)}/{GroupName(DhGroup)}"
        : $"AES_CBC_{KeyBits}/{IntegrityName(this.Integrity)}/{PrfName(Prf)}/{GroupName(DhGroup)}";

    internal static string PrfName(PrfId id) => id switch
    {
        PrfId.HmacSha256 => "PRF_HMAC_SHA2_256",
        PrfId.HmacSha384 => "PRF_HMAC_SHA2_384",
        _ => "PRF_HMAC_SHA2_512",
    };

    internal static string IntegrityName(IntegrityId id) => id switch
    {
        IntegrityId.HmacSha256_128 => "HMAC_SHA2_256_128",
        IntegrityId.HmacSha384_192 => "HMAC_SHA2_384_192",
        IntegrityId.HmacSha512_256 => "HMAC_SHA2_512_256",
        _ => "NONE",
    };

    internal static string GroupName(ushort group) => group switch
    {
        19 => "ECP_256",
        20 => "ECP_384",
        21 => "ECP_521",
        2 => "MODP_1024",
        14 => "MODP_2048",
        15 => "MODP_3072",
        16 => "MODP_4096",
        17 => "MODP_6144",
        18 => "MODP_8192",
        22 => "MODP_1024_160",
        23 => "MODP_2048_224",
        24 => "MODP_2048_256",
        _ => $"GROUP_{group}",
    };
}

/// <summary>One concrete ESP algorithm set; <see cref="PfsGroup"/> is the KE group of CREATE_CHILD_SA (null: no PFS).</summary>
public sealed record ChildSuite(EncryptionId Encryption, ushort KeyBits, IntegrityId Integrity, ushort? PfsGroup = null)
{
    /// <summary>AES-GCM-16/256 without PFS: what the edge's <c>EspSecurityAssociation</c> runs.</summary>
    public static ChildSuite Gcm256 { get; } = new(EncryptionId.AesGcm16, 256, IntegrityId.None);

    /// <summary>AES-GCM-16/128 without PFS.</summary>
    public static ChildSuite Gcm128 { get; } = new(EncryptionId.AesGcm16, 128, IntegrityId.None);

    public bool IsAead => Encryption == EncryptionId.AesGcm16;

    /// <summary>Encryption key length (with the GCM salt, RFC 4106 §8.1).</summary>
    public int EncryptionKeyLength => (KeyBits / 8) + (IsAead ? 4 : 0);

    public int IntegrityKeyLength => Crypto.Integrity.KeyLength(Integrity);

    /// <summary>This suite as an ESP proposal; <paramref name="withGroup"/> adds the PFS group (CREATE_CHILD_SA only).</summary>
    public Proposal ToProposal(byte number, uint spi, bool withGroup)
    {
        var transforms = ImmutableArray.CreateBuilder<Transform>();
        transforms.Add(new Transform(TransformType.Encryption, (ushort)Encryption, KeyBits));
        if (!IsAead)
            transforms.Add(new Transform(TransformType.Integrity, (ushort)Integrity));
        if (withGroup && PfsGroup is { } g)
            transforms.Add(new Transform(TransformType.DiffieHellman, g));
        transforms.Add(new Transform(TransformType.ExtendedSequenceNumbers, (ushort)EsnId.NoEsn));
        var spiBytes = new byte[4];
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(spiBytes, spi);
        return new Proposal(number, ProtocolId.Esp, spiBytes, transforms.ToImmutable());
    }

    /// <summary>Whether <paramref name="proposal"/> offers this suite; the group is checked only when <paramref name="checkGroup"/> (CREATE_CHILD_SA).</summary>
    public bool OfferedBy(Proposal proposal, bool checkGroup)
    {
        ArgumentNullException.ThrowIfNull(proposal);
        if (proposal.Protocol != ProtocolId.Esp || proposal.Spi.Length != 4)
            return false;
        var t = proposal.Transforms.Where(t => !t.HasUnknownAttribute).ToList();
        var groups = t.Where(x => x.Type == TransformType.DiffieHellman && x.Id != 0).Select(x => x.Id).ToList();
        var esns = t.Where(x => x.Type == TransformType.ExtendedSequenceNumbers).Select(x => x.Id).ToList();
        return t.Any(x => x.Type == TransformType.Encryption && x.Id == (ushort)Encryption && x.KeyLength == KeyBits)
            && (IsAead
                ? t.All(x => x.Type != TransformType.Integrity || x.Id == (ushort)IntegrityId.None)
                : t.Any(x => x.Type == TransformType.Integrity && x.Id == (ushort)Integrity))
            && (esns.Count == 0 || esns.Contains((ushort)EsnId.NoEsn))
            && (!checkGroup || (PfsGroup is { } g ? groups.Contains(g) : groups.Count == 0));
    }

    public override string ToString() => (IsAead ? $"AES_GCM_16_{KeyBits}" : $"AES_CBC_{KeyBits}/{IkeSuite.IntegrityName(Integrity)}")
        + (PfsGroup is { } g ? "/" + IkeSuite.GroupName(g) : "");
}
