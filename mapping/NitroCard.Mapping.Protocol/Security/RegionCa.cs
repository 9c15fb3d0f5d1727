using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace NitroCard.Mapping.Security;

/// <summary>
/// The region's own certificate authority, kept in a directory: <c>ca.crt</c>/<c>ca.key</c>, the
/// service's <c>server.crt</c>/<c>server.key</c> (for 127.0.0.1 and localhost) and an operator identity
/// <c>operator.crt</c>/<c>operator.key</c>. Host identities carry the host name as CN and DNS SAN and the
/// role <c>host</c> as OU; the operator's OU is <c>operator</c>. Keys are ECDSA P-256, PEM files.
/// </summary>
public sealed class RegionCa : IDisposable
{
    public const string HostRole = "host";
    public const string OperatorRole = "operator";
    public const string ServerRole = "server";
    public const string CaFile = "ca.crt";

    private RegionCa(X509Certificate2 certificate, string directory)
    {
        Certificate = certificate;
        Directory = directory;
    }

    public X509Certificate2 Certificate { get; }

    public string Directory { get; }

    /// <summary>Opens the CA in <paramref name="directory"/>, creating the CA, server and operator identities on first use.</summary>
    public static RegionCa OpenOrCreate(string directory)
    {
        System.IO.Directory.CreateDirectory(directory);
        var crt = Path.Combine(directory, CaFile);
        var key = Path.Combine(directory, "ca.key");
        if (!File.Exists(crt) || !File.Exists(key))
        {
            using var ecdsa = ECDsa.Create(ECCurve.NamedCurves.nistP256);
            var request = new CertificateRequest("CN=NitroCard region CA, O=NitroCard", ecdsa, HashAlgorithmName.SHA256);
            request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, true, 1, true));
            request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
            request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
            using var ca = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddYears(10));
            WritePem(crt, ca.ExportCertificatePem());
            WritePem(key, ecdsa.ExportPkcs8PrivateKeyPem());
        }
        var result = new RegionCa(X509Certificate2.CreateFromPemFile(crt, key), directory);
        if (!File.Exists(Path.Combine(directory, "server.crt")))
            result.Issue(ServerRole, "mapping-service", directory, "server");
        if (!File.Exists(Path.Combine(directory, "operator.crt")))
            result.Issue(OperatorRole, "operator", directory, "operator");
        return result;
    }

    /// <summary>Writes <c>host.crt</c>, <c>host.key</c> and <c>ca.crt</c> for a host into <paramref name="outDirectory"/>.</summary>
    public void IssueHost(string host, string outDirectory)
    {
        ArgumentNullException.ThrowIfNull(host);
        // The name becomes the certificate's CN and DNS SAN and, in a live region, a directory name.
        if (NitroCard.Region.ResourceName.Problem(host) is { } problem)
            throw new ArgumentException(problem, nameof(host));
        System.IO.Directory.CreateDirectory(outDirectory);
        Issue(HostRole, host, outDirectory, "host");
        File.Copy(Path.Combine(Directory, CaFile), Path.Combine(outDirectory, CaFile), overwrite: true);
    }

    private void Issue(string role, string name, string outDirectory, string fileStem)
    {
        using var ecdsa = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={name}, OU={role}, O=NitroCard", ecdsa, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, true));
        var usages = new OidCollection();
        usages.Add(role == ServerRole ? new Oid("1.3.6.1.5.5.7.3.1") : new Oid("1.3.6.1.5.5.7.3.2"));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension(usages, false));
        var san = new SubjectAlternativeNameBuilder();
        if (role == ServerRole)
        {
            san.AddIpAddress(IPAddress.Loopback);
            san.AddDnsName("localhost");
        }
        else
        {
            san.AddDnsName(name);
        }
        request.CertificateExtensions.Add(san.Build());
        var serial = RandomNumberGenerator.GetBytes(16);
        serial[0] &= 0x7F;
        using var cert = request.Create(Certificate, DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddYears(5), serial);
        WritePem(Path.Combine(outDirectory, fileStem + ".crt"), cert.ExportCertificatePem());
        WritePem(Path.Combine(outDirectory, fileStem + ".key"), ecdsa.ExportPkcs8PrivateKeyPem());
    }

    private static void WritePem(string path, string pem)
    {
        File.WriteAllText(path, pem);
        if (!OperatingSystem.IsWindows() && path.EndsWith(".key", StringComparison.Ordinal))
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
    }

    /// <summary>Loads an identity (<c>{stem}.crt</c> + <c>{stem}.key</c>) from a directory.</summary>
    public static X509Certificate2 LoadIdentity(string directory, string stem)
    {
        var crt = Path.Combine(directory, stem + ".crt");
        var key = Path.Combine(directory, stem + ".key");
        if (!File.Exists(crt) || !File.Exists(key))
            throw new FileNotFoundException($"{directory}: no identity {stem}.crt/{stem}.key there", crt);
        return X509Certificate2.CreateFromPemFile(crt, key);
    }

    public static X509Certificate2 LoadCa(string directory)
    {
        var crt = Path.Combine(directory, CaFile);
        if (!File.Exists(crt))
            throw new FileNotFoundException($"{directory}: no {CaFile} there", crt);
        return X509CertificateLoader.LoadCertificateFromFile(crt);
    }

    /// <summary>True when <paramref name="certificate"/> chains to <paramref name="ca"/> (and only to it).</summary>
    public static bool IsIssuedBy(X509Certificate2 certificate, X509Certificate2 ca)
    {
        ArgumentNullException.ThrowIfNull(certificate);
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(ca);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        chain.ChainPolicy.VerificationFlags = X509VerificationFlags.NoFlag;
        return chain.Build(certificate) && chain.ChainElements[^1].Certificate.Thumbprint == ca.Thumbprint;
    }

    /// <summary>The role (OU) and name (CN) a certificate carries.</summary>
    public static (string Role, string Name) IdentityOf(X509Certificate2 certificate)
    {
        ArgumentNullException.ThrowIfNull(certificate);
        var name = certificate.GetNameInfo(X509NameType.SimpleName, false);
        var role = "";
        foreach (var rdn in certificate.SubjectName.EnumerateRelativeDistinguishedNames())
        {
            if (rdn.GetSingleElementType().Value == "2.5.4.11")
                role = rdn.GetSingleElementValue() ?? "";
        }
        return (role, name);
    }

    public void Dispose() => Certificate.Dispose();
}
