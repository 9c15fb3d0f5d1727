using System.Net.Security;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using Grpc.Core;
using Grpc.Net.Client;
using NitroCard.Mapping.Security;

namespace NitroCard.Mapping.Grpc;

/// <summary>A gRPC channel to the service with mutual TLS: our identity, and the region CA as the only trust.</summary>
public static class MappingChannel
{
    public static GrpcChannel Create(Uri endpoint, X509Certificate2 identity, X509Certificate2 ca)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        if (endpoint.Scheme != Uri.UriSchemeHttps)
            throw new ArgumentException($"{endpoint}: the endpoint must be https://", nameof(endpoint));
        var handler = new SocketsHttpHandler
        {
            EnableMultipleHttp2Connections = true,
            KeepAlivePingDelay = TimeSpan.FromSeconds(10),
            KeepAlivePingTimeout = TimeSpan.FromSeconds(5),
            SslOptions = new SslClientAuthenticationOptions
            {
                ClientCertificates = [identity],
                RemoteCertificateValidationCallback = (_, certificate, _, _) =>
                    certificate is X509Certificate2 c && RegionCa.IsIssuedBy(c, ca),
            },
        };
        return GrpcChannel.ForAddress(endpoint, new GrpcChannelOptions { HttpHandler = handler, DisposeHttpClient = true, MaxReceiveMessageSize = 256 * 1024 * 1024, MaxSendMessageSize = Hosting.MappingLimits.MaxRequestBytes });
    }

    /// <summary>
    /// What a failed call's transport error means for the user. TLS failures surface as generic
    /// connection errors ("did not complete the HTTP/2 handshake"); name the certificate at fault instead.
    /// </summary>
    /// <param name="e">The failed call.</param>
    /// <param name="trustDirectory">The directory whose <c>ca.crt</c> the client trusts (named in the message).</param>
    public static string Explain(RpcException e, string trustDirectory)
    {
        ArgumentNullException.ThrowIfNull(e);
        var chain = new List<Exception>();
        foreach (var start in new[] { e, e.Status.DebugException })
        {
            for (var x = start; x is not null; x = x.InnerException)
                chain.Add(x);
        }
        if (chain.Any(x => x is AuthenticationException && x.Message.Contains("RemoteCertificateValidationCallback", StringComparison.Ordinal)))
            return $"the server's certificate is not issued by the CA in {trustDirectory} (ca.crt): this is not the region's Mapping Service, or {trustDirectory} is another region's";
        if (chain.Any(x => x.Message.Contains("HTTP/2 handshake", StringComparison.Ordinal) || x.Message.Contains("certificate", StringComparison.OrdinalIgnoreCase) && x is AuthenticationException or IOException))
            return "the Mapping Service refused this client's certificate (not issued by the region CA): use the identity the region's CA issued";
        return e.Status.Detail;
    }

    /// <summary>The operator channel from a CA directory (<c>operator.crt</c>, <c>operator.key</c>, <c>ca.crt</c>).</summary>
    public static GrpcChannel ForOperator(Uri endpoint, string caDirectory)
        => Create(endpoint, RegionCa.LoadIdentity(caDirectory, "operator"), RegionCa.LoadCa(caDirectory));

    /// <summary>A host's channel from its identity directory (<c>host.crt</c>, <c>host.key</c>, <c>ca.crt</c>).</summary>
    public static GrpcChannel ForHost(Uri endpoint, string identityDirectory)
        => Create(endpoint, RegionCa.LoadIdentity(identityDirectory, "host"), RegionCa.LoadCa(identityDirectory));
}
