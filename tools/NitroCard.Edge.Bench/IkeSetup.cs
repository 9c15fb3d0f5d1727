using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text;
using NitroCard.Edge.Vpn;
using NitroCard.Ike.Crypto;
using NitroCard.Ike.Exchanges;
using NitroCard.Ike.Wire;

namespace NitroCard.Edge.Bench;

/// <summary>
/// What a tunnel costs the edge's CPU: IKE tunnel setups per second (IKE_SA_INIT and IKE_AUTH with the first child SA,
/// initiator and responder both in this thread, so one setup is both ends' work), and ESP through one SA with each
/// transform the edge runs.
/// </summary>
internal static class IkeSetup
{
    private static readonly IPEndPoint Initiator = new(IPAddress.Parse("203.0.113.9"), 500);
    private static readonly IPEndPoint Responder = new(IPAddress.Parse("198.51.100.201"), 500);

    public static void Run(double seconds)
    {
        Console.WriteLine();
        Console.WriteLine("| IKE suite (phase 1 / phase 2) | tunnel setups/s (1 core, both ends) | ms per setup |");
        Console.WriteLine("|---|---:|---:|");
        (IkeSuite Ike, ChildSuite Esp)[] cases =
        [
            (IkeSuite.Gcm256Sha256Ecp256, ChildSuite.Gcm256),
            (new IkeSuite(EncryptionId.AesGcm16, 256, PrfId.HmacSha384, IntegrityId.None, 20), ChildSuite.Gcm256),
            (IkeSuite.Cbc256Sha256Modp2048, new ChildSuite(EncryptionId.AesCbc, 256, IntegrityId.HmacSha256_128)),
            (IkeSuite.Cbc256Sha256Modp2048 with { DhGroup = 24 }, new ChildSuite(EncryptionId.AesCbc, 256, IntegrityId.HmacSha256_128)),
        ];
        foreach (var (ike, esp) in cases)
        {
            Setup(ike, esp); // warm-up
            var n = 0;
            var clock = Stopwatch.StartNew();
            while (clock.Elapsed.TotalSeconds < seconds)
            {
                Setup(ike, esp);
                n++;
            }
            var rate = n / clock.Elapsed.TotalSeconds;
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| {ike} / {esp} | {rate:N0} | {1000 / rate:F2} |"));
        }

        Console.WriteLine();
        Console.WriteLine("| ESP through one SA (no edge around it) | inner IPv4 bytes | encrypt packets/s | decrypt packets/s |");
        Console.WriteLine("|---|---:|---:|---:|");
        foreach (var size in new[] { 64, 1400 })
        {
            foreach (var (name, suite, key, integrity) in new (string, ChildSuite, int, int)[]
            {
                ("AES-256-GCM-16", ChildSuite.Gcm256, 36, 0),
                ("AES-256-CBC / HMAC-SHA2-256-128", new ChildSuite(EncryptionId.AesCbc, 256, IntegrityId.HmacSha256_128), 32, 32),
                ("AES-256-CBC / HMAC-SHA2-512-256", new ChildSuite(EncryptionId.AesCbc, 256, IntegrityId.HmacSha512_256), 32, 64),
            })
            {
                var (encrypt, decrypt) = Esp(suite, new byte[key], new byte[integrity], size, seconds);
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| {name} | {size} | {encrypt:N0} | {decrypt:N0} |"));
            }
        }
    }

    /// <summary>One tunnel from nothing to an installed child SA on both ends.</summary>
    private static void Setup(IkeSuite ike, ChildSuite esp)
    {
        var wire = new Queue<(bool ToResponder, IkeDatagram Datagram)>();
        var installed = 0;
        IkeConfig Config(string who) => new()
        {
            PreSharedKey = [.. Encoding.ASCII.GetBytes("tunnel_one.key")],
            LocalId = IkeIdentity.Fqdn(who + ".example"),
            IkeProposals = [ike],
            ChildProposals = [esp],
            DpdDelay = null,
            IkeSaLifetime = null,
            ChildSaLifetime = null,
        };
        void Observe(IkeEvent e)
        {
            if (e.Kind == IkeEventKind.ChildSaInstalled)
                installed++;
            else if (e.Kind == IkeEventKind.Failed)
                throw new InvalidOperationException($"{ike}: {e.Notify} {e.Detail}");
        }
        using var initiator = new IkeEndpoint(Config("customer"), Initiator, TimeProvider.System, d => wire.Enqueue((true, d)), Observe);
        using var responder = new IkeEndpoint(Config("edge"), Responder, TimeProvider.System, d => wire.Enqueue((false, d)), Observe);
        initiator.Initiate(Responder);
        while (wire.TryDequeue(out var next))
        {
            var d = next.Datagram;
            (next.ToResponder ? responder : initiator).Receive(new IkeDatagram(d.Remote, d.Local, d.Message));
        }
        if (installed != 2)
            throw new InvalidOperationException($"{ike}: {installed} child SAs installed, expected one on each end");
    }

    private static (double Encrypt, double Decrypt) Esp(ChildSuite suite, byte[] key, byte[] integrityKey, int size, double seconds)
    {
        var inner = new byte[size];
        inner[0] = 0x45;
        using var tx = EspSecurityAssociation.ForChild(suite, 1, key, integrityKey);
        using var rx = EspSecurityAssociation.ForChild(suite, 1, key, integrityKey);
        var packets = new List<byte[]>();
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed.TotalSeconds < seconds / 2)
            packets.Add(tx.Encrypt(inner)!);
        var encrypt = packets.Count / clock.Elapsed.TotalSeconds;
        clock.Restart();
        foreach (var p in packets)
        {
            if (rx.Decrypt(p, out _, out _) != EspRejection.None)
                throw new InvalidOperationException($"{suite}: a packet did not decrypt");
        }
        return (encrypt, packets.Count / clock.Elapsed.TotalSeconds);
    }
}
