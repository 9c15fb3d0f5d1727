using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
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
        return GrpcChannel.ForAddress(endpoint, new GrpcChannelOptions { HttpHandler = handler, DisposeHttpClient = true, MaxReceiveMessageSize = 256 * 1024 * 1024 });
    }

    /// <summary>The operator channel from a CA directory (<c>operator.crt</c>, <c>operator.key</c>, <c>ca.crt</c>).</summary>
    public static GrpcChannel ForOperator(Uri endpoint, string caDirectory)
        => Create(endpoint, RegionCa.LoadIdentity(caDirectory, "operator"), RegionCa.LoadCa(caDirectory));

    /// <summary>A host's channel from its identity directory (<c>host.crt</c>, <c>host.key</c>, <c>ca.crt</c>).</summary>
    public static GrpcChannel ForHost(Uri endpoint, string identityDirectory)
        => Create(endpoint, RegionCa.LoadIdentity(identityDirectory, "host"), RegionCa.LoadCa(identityDirectory));
}
