using System.Buffers.Binary;
using System.Net;
using Makaretu.Dns;
using NitroCard.InstanceServices.Identity;
using NitroCard.InstanceServices.Punt;

namespace NitroCard.InstanceServices.Dns;

/// <summary>How a query arrived: UDP answers are limited to 512 bytes or the query's EDNS size (RFC 1035 4.2.1, RFC 6891).</summary>
public enum DnsTransport
{
    Udp,
    Tcp,
}

/// <summary>A resolver outcome: the answer's bytes, or no answer and why.</summary>
public readonly record struct DnsOutcome(byte[]? Answer, PuntDrop Drop);

/// <summary>
/// The Amazon DNS resolver (Route 53 Resolver) at 169.254.169.253 and the VPC base + 2, as it answers an instance:
/// <list type="bullet">
/// <item>enableDnsSupport off: no answer at all for that VPC's instances.</item>
/// <item>Private IP names (<c>ip-10-0-1-10.ec2.internal</c> in us-east-1, <c>ip-10-0-1-10.REGION.compute.internal</c> elsewhere)
/// of the VPC's ENIs: A; their PTR (<c>10.1.0.10.in-addr.arpa</c>); NXDOMAIN for other names and addresses in those zones.</item>
/// <item>Public names (<c>ec2-198-51-100-10.compute-1.amazonaws.com</c>, <c>ec2-…REGION.compute.amazonaws.com</c>) of ENIs with a
/// public IP in a VPC with enableDnsHostnames on: the private address when the ENI is in the asker's VPC (split horizon),
/// the public one otherwise; the public IP's PTR is the public name.</item>
/// <item>Everything else forwarded to the upstream (REFUSED when there is none, SERVFAIL when it does not answer).</item>
/// <item>A UDP answer that does not fit is sent empty with TC set, for the client to ask again over TCP (RFC 7766).</item>
/// </list>
/// </summary>
public sealed class AmazonDnsResolver(IRegionDnsView region, IDnsUpstream? upstream = null)
{
    /// <summary>The TTL of the resolver's own records (seconds).</summary>
    public const int RecordTtl = 60;

    /// <summary>The classic UDP limit without EDNS.</summary>
    public const int UdpLimit = 512;

    /// <summary>The largest UDP answer however large the EDNS size asked for.</summary>
    public const int MaxUdpLimit = 4096;

    private IDnsUpstream? _upstream = upstream;

    /// <summary>Where names the resolver does not own go (null: REFUSED); the firmware replaces it when a push changes it.</summary>
    public IDnsUpstream? Upstream
    {
        get => Volatile.Read(ref _upstream);
        set => Volatile.Write(ref _upstream, value);
    }

    /// <summary>Answers <paramref name="query"/> from <paramref name="asker"/>.</summary>
    public async ValueTask<DnsOutcome> ResolveAsync(ReadOnlyMemory<byte> query, InstanceIdentity asker, DnsTransport transport, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(asker);
        var vpc = region.Vpc(asker.VpcId);
        if (vpc is null || !vpc.EnableDnsSupport)
            return new(null, PuntDrop.ServiceOff);
        if (query.Length < 12)
            return new(null, PuntDrop.BadRequest);
        var message = new Message();
        try
        {
            message.Read(query.ToArray());
        }
#pragma warning disable CA1031 // any parse failure of hostile input is a counted drop
        catch (Exception)
#pragma warning restore CA1031
        {
            return new(null, PuntDrop.BadRequest);
        }
        if (!message.IsQuery)
            return new(null, PuntDrop.BadRequest);
        var limit = transport == DnsTransport.Tcp ? ushort.MaxValue : UdpLimit;
        var opt = message.AdditionalRecords.OfType<OPTRecord>().FirstOrDefault();
        if (opt is not null && transport == DnsTransport.Udp)
            limit = Math.Clamp((int)opt.RequestorPayloadSize, UdpLimit, MaxUdpLimit);

        var response = Respond(message, opt is not null);
        if (message.Opcode != MessageOperation.Query)
            response.Status = MessageStatus.NotImplemented;
        else if (message.Questions.Count != 1)
            response.Status = MessageStatus.FormatError;
        else if (!Authoritative(message.Questions[0], vpc, response))
        {
            if (Upstream is not { } upstream)
            {
                response.Status = MessageStatus.Refused;
            }
            else
            {
                var forwarded = await upstream.ForwardAsync(query, cancellationToken).ConfigureAwait(false);
                if (forwarded is null)
                {
                    response.Status = MessageStatus.ServerFailure;
                }
                else
                {
                    if (forwarded.Length <= limit)
                        return new(forwarded, default);
                    response.TC = true;
                    response.Status = (MessageStatus)(forwarded[3] & 0x0F);
                    return new(response.ToByteArray(), default);
                }
            }
        }
        var bytes = response.ToByteArray();
        if (bytes.Length > limit)
        {
            response.Answers.Clear();
            response.AuthorityRecords.Clear();
            response.TC = true;
            bytes = response.ToByteArray();
        }
        return new(bytes, default);
    }

    private static Message Respond(Message query, bool edns)
    {
        var response = new Message
        {
            Id = query.Id,
            QR = true,
            Opcode = query.Opcode,
            RD = query.RD,
            RA = true,
        };
        response.Questions.AddRange(query.Questions);
        if (edns)
            response.AdditionalRecords.Add(new OPTRecord { RequestorPayloadSize = MaxUdpLimit });
        return response;
    }

    /// <summary>Fills <paramref name="response"/> and returns true when the name is in a zone the resolver owns.</summary>
    private bool Authoritative(Question question, VpcDnsView vpc, Message response)
    {
        var name = question.Name.ToString().TrimEnd('.').ToLowerInvariant();
        var privateZone = Ec2Names.PrivateZone(region.Region);
        var publicZone = Ec2Names.PublicZone(region.Region);
        if (question.Class != DnsClass.IN)
            return false;
        if (InZone(name, privateZone, out var label))
        {
            response.AA = true;
            var ip = label is null ? null : Ec2Names.ParseLabel(label, "ip");
            var eni = ip is null ? null : vpc.Enis.FirstOrDefault(e => e.PrivateIp.Equals(ip));
            if (label is not null && eni is null)
                response.Status = MessageStatus.NameError;
            else if (eni is not null)
                AddAddress(question, response, eni.PrivateIp);
            return true;
        }
        if (InZone(name, publicZone, out label))
        {
            var ip = label is null ? null : Ec2Names.ParseLabel(label, "ec2");
            var found = ip is null ? null : region.FindPublic(ip);
            if (found is not { } f || !f.Vpc.EnableDnsHostnames)
            {
                if (label is null)
                    return false; // the zone apex itself is the public DNS's
                response.AA = true;
                response.Status = MessageStatus.NameError;
                return true;
            }
            response.AA = true;
            AddAddress(question, response, f.Vpc.VpcId == vpc.VpcId && vpc.EnableDnsHostnames ? f.Eni.PrivateIp : f.Eni.PublicIp!);
            return true;
        }
        if (name.EndsWith(".in-addr.arpa", StringComparison.Ordinal) && ReverseAddress(name) is { } address)
        {
            if (vpc.Cidr.Contains(address))
            {
                response.AA = true;
                var eni = vpc.Enis.FirstOrDefault(e => e.PrivateIp.Equals(address));
                if (eni is null)
                    response.Status = MessageStatus.NameError;
                else if (question.Type is DnsType.PTR or DnsType.ANY)
                    response.Answers.Add(new PTRRecord { Name = question.Name, DomainName = Ec2Names.PrivateName(address, region.Region), TTL = TimeSpan.FromSeconds(RecordTtl) });
                return true;
            }
            if (region.FindPublic(address) is { } pub && pub.Vpc.EnableDnsHostnames)
            {
                response.AA = true;
                if (question.Type is DnsType.PTR or DnsType.ANY)
                    response.Answers.Add(new PTRRecord { Name = question.Name, DomainName = Ec2Names.PublicName(address, region.Region), TTL = TimeSpan.FromSeconds(RecordTtl) });
                return true;
            }
        }
        return false;
    }

    private static void AddAddress(Question question, Message response, IPAddress address)
    {
        if (question.Type is DnsType.A or DnsType.ANY)
            response.Answers.Add(new ARecord { Name = question.Name, Address = address, TTL = TimeSpan.FromSeconds(RecordTtl) });
    }

    /// <summary>True when <paramref name="name"/> is <paramref name="zone"/> (label null) or one label below it (label set); a deeper name is in the zone with an unparseable label.</summary>
    private static bool InZone(string name, string zone, out string? label)
    {
        label = null;
        if (name == zone)
            return true;
        if (!name.EndsWith("." + zone, StringComparison.Ordinal))
            return false;
        label = name[..^(zone.Length + 1)];
        return true;
    }

    private static IPAddress? ReverseAddress(string name)
    {
        var labels = name[..^".in-addr.arpa".Length].Split('.');
        if (labels.Length != 4)
            return null;
        Span<byte> bytes = stackalloc byte[4];
        for (var i = 0; i < 4; i++)
        {
            if (!byte.TryParse(labels[3 - i], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out bytes[i]))
                return null;
        }
        return new IPAddress(bytes);
    }
}

/// <summary>DNS over one punted TCP connection (RFC 1035 4.2.2, RFC 7766): two-byte length, message; the connection stays open.</summary>
internal sealed class DnsTcpApplication(AmazonDnsResolver resolver, IInstanceIdentitySource identity) : ITcpApplication
{
    public async ValueTask<TcpAppResult> OnReceiveAsync(ReadOnlyMemory<byte> received, CancellationToken cancellationToken)
    {
        if (received.Length < 2)
            return TcpAppResult.NeedMore;
        var length = BinaryPrimitives.ReadUInt16BigEndian(received.Span);
        if (length < 12)
            return new TcpAppResult(received.Length, [], Abort: true);
        if (received.Length < 2 + length)
            return TcpAppResult.NeedMore;
        var id = identity.Current;
        if (id is null)
            return new TcpAppResult(received.Length, [], Abort: true);
        var outcome = await resolver.ResolveAsync(received.Slice(2, length), id, DnsTransport.Tcp, cancellationToken).ConfigureAwait(false);
        if (outcome.Answer is null)
            return new TcpAppResult(2 + length, [], Abort: outcome.Drop == PuntDrop.ServiceOff);
        var framed = new byte[2 + outcome.Answer.Length];
        BinaryPrimitives.WriteUInt16BigEndian(framed, (ushort)outcome.Answer.Length);
        outcome.Answer.CopyTo(framed, 2);
        return new TcpAppResult(2 + length, [new TcpReply(framed)]);
    }
}
