namespace NitroCard.Ike.Wire;

/// <summary>Exchange types (RFC 7296 §3.1).</summary>
public enum ExchangeType : byte
{
    IkeSaInit = 34,
    IkeAuth = 35,
    CreateChildSa = 36,
    Informational = 37,
}

/// <summary>Header flags (RFC 7296 §3.1).</summary>
[Flags]
public enum HeaderBits : byte
{
    None = 0,

    /// <summary>Set by the original initiator of the IKE SA.</summary>
    Initiator = 0x08,

    /// <summary>Can speak a higher major version (never set here).</summary>
    Version = 0x10,

    /// <summary>The message is a response.</summary>
    Response = 0x20,
}

/// <summary>Payload types (RFC 7296 §3.2).</summary>
public enum PayloadType : byte
{
    None = 0,
    SecurityAssociation = 33,
    KeyExchange = 34,
    IdInitiator = 35,
    IdResponder = 36,
    Certificate = 37,
    CertificateRequest = 38,
    Authentication = 39,
    Nonce = 40,
    Notify = 41,
    Delete = 42,
    VendorId = 43,
    TrafficSelectorInitiator = 44,
    TrafficSelectorResponder = 45,
    Encrypted = 46,
    Configuration = 47,
    Eap = 48,
    EncryptedFragment = 53,
}

/// <summary>Protocol identifiers of proposals, notifies and deletes (RFC 7296 §3.3.1).</summary>
public enum ProtocolId : byte
{
    None = 0,
    Ike = 1,
    Ah = 2,
    Esp = 3,
}

/// <summary>Transform types (RFC 7296 §3.3.2).</summary>
public enum TransformType : byte
{
    Encryption = 1,
    Prf = 2,
    Integrity = 3,
    DiffieHellman = 4,
    ExtendedSequenceNumbers = 5,
}

/// <summary>Encryption transform ids used here (IANA "Transform Type 1").</summary>
public enum EncryptionId : ushort
{
    AesCbc = 12,
    AesGcm16 = 20,
}

/// <summary>Pseudorandom functions (IANA "Transform Type 2", RFC 4868).</summary>
public enum PrfId : ushort
{
    HmacSha256 = 5,
    HmacSha384 = 6,
    HmacSha512 = 7,
}

/// <summary>Integrity algorithms (IANA "Transform Type 3", RFC 4868).</summary>
public enum IntegrityId : ushort
{
    None = 0,
    HmacSha256_128 = 12,
    HmacSha384_192 = 13,
    HmacSha512_256 = 14,
}

/// <summary>Extended sequence numbers (Transform Type 5).</summary>
public enum EsnId : ushort
{
    NoEsn = 0,
    Esn = 1,
}

/// <summary>Identification types (RFC 7296 §3.5).</summary>
public enum IdType : byte
{
    Ipv4Address = 1,
    Fqdn = 2,
    Rfc822Address = 3,
    Ipv6Address = 5,
    DerAsn1Dn = 9,
    DerAsn1Gn = 10,
    KeyId = 11,
}

/// <summary>Authentication methods (RFC 7296 §3.8).</summary>
public enum AuthMethod : byte
{
    RsaSignature = 1,
    SharedKeyMessageIntegrityCode = 2,
    DssSignature = 3,
}

/// <summary>Traffic selector types (RFC 7296 §3.13.1).</summary>
public enum TrafficSelectorType : byte
{
    Ipv4AddressRange = 7,
    Ipv6AddressRange = 8,
}

/// <summary>Notify message types (RFC 7296 §3.10.1, RFC 7383, RFC 7427, RFC 4555): errors below 16384, status above.</summary>
public enum NotifyType : ushort
{
    UnsupportedCriticalPayload = 1,
    InvalidIkeSpi = 4,
    InvalidMajorVersion = 5,
    InvalidSyntax = 7,
    InvalidMessageId = 9,
    InvalidSpi = 11,
    NoProposalChosen = 14,
    InvalidKePayload = 17,
    AuthenticationFailed = 24,
    SinglePairRequired = 34,
    NoAdditionalSas = 35,
    InternalAddressFailure = 36,
    FailedCpRequired = 37,
    TsUnacceptable = 38,
    InvalidSelectors = 39,
    TemporaryFailure = 43,
    ChildSaNotFound = 44,
    InitialContact = 16384,
    SetWindowSize = 16385,
    AdditionalTsPossible = 16386,
    IpcompSupported = 16387,
    NatDetectionSourceIp = 16388,
    NatDetectionDestinationIp = 16389,
    Cookie = 16390,
    UseTransportMode = 16391,
    HttpCertLookupSupported = 16392,
    RekeySa = 16393,
    EspTfcPaddingNotSupported = 16394,
    NonFirstFragmentsAlso = 16395,
    MobikeSupported = 16396,
    Ikev2FragmentationSupported = 16430,
    SignatureHashAlgorithms = 16431,
}

/// <summary>Why a datagram did not parse or decrypt. Every failure is one of these, never an exception.</summary>
public enum ParseStatus
{
    Ok = 0,

    /// <summary>Shorter than a header or than a length field says.</summary>
    Truncated,

    /// <summary>A length field that contradicts the datagram or its own structure.</summary>
    BadLength,

    /// <summary>Major version other than 2 (RFC 7296 §2.5).</summary>
    UnsupportedVersion,

    /// <summary>An unknown payload with the critical bit set (RFC 7296 §2.5).</summary>
    UnsupportedCriticalPayload,

    /// <summary>Well-formed lengths, but contents the RFC forbids (bad substructure numbering, SK not last, ...).</summary>
    InvalidSyntax,

    /// <summary>The SK payload's ICV does not verify or its padding is wrong.</summary>
    AuthenticationFailed,

    /// <summary>An SK payload arrived where no keys exist yet, or a plaintext message where SK was required.</summary>
    NotEncrypted,
}
