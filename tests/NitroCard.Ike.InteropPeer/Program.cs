// A tiny IKE peer on real UDP sockets for interop tests: our responder (or initiator) bound on <address>:500 and
// :4500, one line on stdout per event. Run it inside a network namespace (ip netns exec); stop it with SIGTERM.
// To prove the child SA keys end to end it also answers ICMP echo requests that arrive in ESP-in-UDP (AES-GCM):
// it decrypts them with the child's inbound key and sends the echo reply back under the outbound key.
//
// usage: NitroCard.Ike.InteropPeer --address A --psk S --local-id ID --remote-id ID --local-ts CIDR --remote-ts CIDR
//        [--initiate ADDR] [--ike-suites gcm256-sha256-ecp256,...] [--esp-suites gcm256,...] [--cookie-threshold N]
//        [--ike-lifetime S] [--child-lifetime S] [--rekey-margin S]  (seconds; rekeys then start at lifetime - margin)
using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using NitroCard.Ike;
using NitroCard.Ike.Crypto;
using NitroCard.Ike.Exchanges;
using NitroCard.Ike.Wire;

var options = new Dictionary<string, string>(StringComparer.Ordinal);
for (var i = 0; i + 1 < args.Length; i += 2)
    options[args[i].TrimStart('-')] = args[i + 1];
string Need(string name) => options.TryGetValue(name, out var v) ? v : throw new ArgumentException($"--{name} is required");

var address = IPAddress.Parse(Need("address"));
var config = new IkeConfig
{
    PreSharedKey = [.. Encoding.UTF8.GetBytes(Need("psk"))],
    LocalId = IkeIdentity.Fqdn(Need("local-id")),
    RemoteId = options.TryGetValue("remote-id", out var rid) ? IkeIdentity.Fqdn(rid) : null,
    LocalTrafficSelectors = [TrafficSelector.FromPrefix(Need("local-ts"))],
    RemoteTrafficSelectors = [TrafficSelector.FromPrefix(Need("remote-ts"))],
    DpdDelay = TimeSpan.FromSeconds(30),
    CookieThreshold = options.TryGetValue("cookie-threshold", out var ct) ? int.Parse(ct, System.Globalization.CultureInfo.InvariantCulture) : 16,
};
if (options.TryGetValue("ike-lifetime", out var ikeLife))
    config = config with { IkeSaLifetime = TimeSpan.FromSeconds(int.Parse(ikeLife, System.Globalization.CultureInfo.InvariantCulture)), RekeyFuzz = 0 };
if (options.TryGetValue("child-lifetime", out var childLife))
    config = config with { ChildSaLifetime = TimeSpan.FromSeconds(int.Parse(childLife, System.Globalization.CultureInfo.InvariantCulture)), RekeyFuzz = 0 };
if (options.TryGetValue("rekey-margin", out var margin))
    config = config with { RekeyMargin = TimeSpan.FromSeconds(int.Parse(margin, System.Globalization.CultureInfo.InvariantCulture)) };
if (options.TryGetValue("ike-suites", out var ikeSuites))
    config = config with { IkeProposals = [.. ikeSuites.Split(',').Select(IkeSuiteNamed)] };
if (options.TryGetValue("esp-suites", out var espSuites))
    config = config with { ChildProposals = [.. espSuites.Split(',').Select(ChildSuiteNamed)] };

// Suites in a strongSwan-like notation: gcm256-sha256-ecp256, cbc256-sha256-modp2048 (integrity follows the PRF hash);
// ESP: gcm256, cbc128-sha256, optionally with a PFS group: gcm256-ecp256.
static (EncryptionId Encryption, ushort Bits) Cipher(string name) => name switch
{
    "gcm128" => (EncryptionId.AesGcm16, 128),
    "gcm256" => (EncryptionId.AesGcm16, 256),
    "cbc128" => (EncryptionId.AesCbc, 128),
    "cbc256" => (EncryptionId.AesCbc, 256),
    _ => throw new ArgumentException("unknown cipher " + name),
};

static (PrfId Prf, IntegrityId Integrity) Hash(string name) => name switch
{
    "sha256" => (PrfId.HmacSha256, IntegrityId.HmacSha256_128),
    "sha384" => (PrfId.HmacSha384, IntegrityId.HmacSha384_192),
    "sha512" => (PrfId.HmacSha512, IntegrityId.HmacSha512_256),
    _ => throw new ArgumentException("unknown hash " + name),
};

static ushort Group(string name) => name switch
{
    "ecp256" => 19,
    "ecp384" => 20,
    "ecp521" => 21,
    "modp1024" => 2,
    "modp2048" => 14,
    "modp3072" => 15,
    "modp4096" => 16,
    "modp1024s160" => 22,
    "modp2048s224" => 23,
    "modp2048s256" => 24,
    _ => throw new ArgumentException("unknown group " + name),
};

static IkeSuite IkeSuiteNamed(string name)
{
    var p = name.Split('-');
    var (encryption, bits) = Cipher(p[0]);
    var (prf, integrity) = Hash(p[1]);
    return new IkeSuite(encryption, bits, prf, encryption == EncryptionId.AesGcm16 ? IntegrityId.None : integrity, Group(p[2]));
}

static ChildSuite ChildSuiteNamed(string name)
{
    var p = name.Split('-');
    var (encryption, bits) = Cipher(p[0]);
    var aead = encryption == EncryptionId.AesGcm16;
    var integrity = aead ? IntegrityId.None : Hash(p[1]).Integrity;
    var rest = p.Skip(aead ? 1 : 2).ToList();
    return new ChildSuite(encryption, bits, integrity, rest.Count == 1 ? Group(rest[0]) : null);
}

using var ike = new UdpClient(new IPEndPoint(address, NatTraversal.IkePort));
using var natT = new UdpClient(new IPEndPoint(address, NatTraversal.NatTPort));
var gate = new Lock();
var stdout = Console.Out;

void Send(IkeDatagram d)
{
    var socket = d.Local.Port == NatTraversal.NatTPort ? natT : ike;
    socket.Send(NatTraversal.Frame(d.Message.Span, d.Local.Port), d.Remote);
}

var children = new Dictionary<uint, ChildSa>();
var sent = new Dictionary<uint, uint>();

void Print(IkeEvent e)
{
    if (e is { Kind: IkeEventKind.ChildSaInstalled, Child: { } installed })
        children[installed.InboundSpi] = installed;
    if (e is { Kind: IkeEventKind.ChildSaDeleted, Child: { } deleted })
        children.Remove(deleted.InboundSpi);
    var child = e.Child is { } c ? " " + c : "";
    stdout.WriteLine($"{e.Kind} {e.Sa}{child}{(e.Notify is { } n ? " notify=" + n : "")}{(e.Detail is { } d ? " " + d : "")}");
    stdout.Flush();
}

using var endpoint = new IkeEndpoint(config, new IPEndPoint(address, NatTraversal.IkePort), TimeProvider.System, Send, Print);
using var stop = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true;
    stop.Cancel();
};
AppDomain.CurrentDomain.ProcessExit += (_, _) => stop.Cancel();

async Task ReceiveLoop(UdpClient socket, int port)
{
    while (!stop.IsCancellationRequested)
    {
        UdpReceiveResult r;
        try
        {
            r = await socket.ReceiveAsync(stop.Token);
        }
        catch (OperationCanceledException)
        {
            return;
        }
        catch (SocketException)
        {
            continue; // ICMP errors surface here; IKE retransmits
        }
        ReadOnlyMemory<byte> message = r.Buffer;
        if (port == NatTraversal.NatTPort)
        {
            var kind = NatTraversal.Classify(r.Buffer);
            if (kind == Udp4500Kind.Esp)
            {
                lock (gate)
                    Esp(r.Buffer, r.RemoteEndPoint);
            }
            if (kind != Udp4500Kind.Ike)
                continue;
            message = NatTraversal.StripMarker(r.Buffer);
        }
        lock (gate)
            endpoint.Receive(new IkeDatagram(new IPEndPoint(address, port), r.RemoteEndPoint, message));
    }
}

// ESP (RFC 4303) with AES-GCM (RFC 4106): SPI, sequence, 8-byte IV, ciphertext, 16-byte ICV; nonce salt||IV, AAD SPI||seq.
void Esp(byte[] packet, IPEndPoint from)
{
    var spi = BinaryPrimitives.ReadUInt32BigEndian(packet);
    if (!children.TryGetValue(spi, out var child) || !child.Suite.IsAead || packet.Length < 8 + 8 + 2 + 16)
    {
        stdout.WriteLine($"ESP-REFUSED spi {spi:x8}");
        return;
    }
    var key = child.InboundEncryptionKey;
    using var aes = new AesGcm(key.AsSpan(0, key.Length - 4), 16);
    var plain = new byte[packet.Length - 32];
    try
    {
        aes.Decrypt([.. key[^4..], .. packet[8..16]], packet.AsSpan(16, plain.Length), packet.AsSpan(packet.Length - 16), plain, packet.AsSpan(0, 8));
    }
    catch (AuthenticationTagMismatchException)
    {
        stdout.WriteLine($"ESP-AUTH-FAILED spi {spi:x8}");
        return;
    }
    var inner = plain[..^(plain[^2] + 2)];
    stdout.WriteLine($"ESP-DECRYPTED spi {spi:x8} {new IPAddress(inner.AsSpan(12, 4))} -> {new IPAddress(inner.AsSpan(16, 4))} proto {inner[9]}");
    stdout.Flush();
    var ihl = (inner[0] & 0x0F) * 4;
    if (plain[^1] != 4 || inner[9] != 1 || inner[ihl] != 8)
        return; // only IPv4 ICMP echo requests are answered
    var reply = (byte[])inner.Clone();
    inner.AsSpan(12, 4).CopyTo(reply.AsSpan(16));
    inner.AsSpan(16, 4).CopyTo(reply.AsSpan(12));
    reply[8] = 64;
    reply[ihl] = 0; // echo reply
    Checksum(reply.AsSpan(0, ihl), 10);
    Checksum(reply.AsSpan(ihl), 2);
    var pad = (4 - ((reply.Length + 2) % 4)) % 4;
    var body = new byte[reply.Length + pad + 2];
    reply.CopyTo(body, 0);
    for (var i = 0; i < pad; i++)
        body[reply.Length + i] = (byte)(i + 1);
    body[^2] = (byte)pad;
    body[^1] = 4;
    var seq = sent[child.OutboundSpi] = sent.GetValueOrDefault(child.OutboundSpi) + 1;
    var esp = new byte[16 + body.Length + 16];
    BinaryPrimitives.WriteUInt32BigEndian(esp, child.OutboundSpi);
    BinaryPrimitives.WriteUInt32BigEndian(esp.AsSpan(4), seq);
    BinaryPrimitives.WriteUInt64BigEndian(esp.AsSpan(8), seq);
    var outKey = child.OutboundEncryptionKey;
    using var outAes = new AesGcm(outKey.AsSpan(0, outKey.Length - 4), 16);
    outAes.Encrypt([.. outKey[^4..], .. esp[8..16]], body, esp.AsSpan(16, body.Length), esp.AsSpan(16 + body.Length), esp.AsSpan(0, 8));
    natT.Send(esp, from);
}

static void Checksum(Span<byte> data, int at)
{
    data[at] = data[at + 1] = 0;
    uint sum = 0;
    for (var i = 0; i + 1 < data.Length; i += 2)
        sum += BinaryPrimitives.ReadUInt16BigEndian(data[i..]);
    if (data.Length % 2 == 1)
        sum += (uint)data[^1] << 8;
    while (sum > 0xFFFF)
        sum = (sum & 0xFFFF) + (sum >> 16);
    BinaryPrimitives.WriteUInt16BigEndian(data[at..], (ushort)~sum);
}

if (options.TryGetValue("initiate", out var peer))
{
    lock (gate)
        endpoint.Initiate(new IPEndPoint(IPAddress.Parse(peer), NatTraversal.IkePort));
}
stdout.WriteLine($"LISTENING {address} 500 4500");
stdout.Flush();
var loops = Task.WhenAll(ReceiveLoop(ike, NatTraversal.IkePort), ReceiveLoop(natT, NatTraversal.NatTPort));
while (!stop.IsCancellationRequested)
{
    try
    {
        await Task.Delay(250, stop.Token);
    }
    catch (OperationCanceledException)
    {
        break;
    }
    lock (gate)
        endpoint.Poll();
}
await loops;
return 0;
