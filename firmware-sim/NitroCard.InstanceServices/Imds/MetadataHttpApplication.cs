using NitroCard.InstanceServices.Identity;
using NitroCard.InstanceServices.Punt;

namespace NitroCard.InstanceServices.Imds;

/// <summary>HTTP/1.1 over one punted TCP connection to 169.254.169.254:80: requests assembled from segments, keep-alive.</summary>
internal sealed class MetadataHttpApplication(MetadataService service, IInstanceIdentitySource identity) : ITcpApplication
{
    public ValueTask<TcpAppResult> OnReceiveAsync(ReadOnlyMemory<byte> received, CancellationToken cancellationToken)
    {
        var now = service.Time.GetUtcNow();
        switch (HttpRequest.TryParse(received.Span, out var request, out var consumed))
        {
            case HttpParse.Incomplete:
                return ValueTask.FromResult(TcpAppResult.NeedMore);
            case HttpParse.Bad:
                var bad = new HttpResponse(400, "");
                return ValueTask.FromResult(new TcpAppResult(received.Length, [new TcpReply(bad.Encode(false, now))], Close: true));
        }
        var id = identity.Current;
        if (id is null || !id.Metadata.HttpEndpointEnabled)
            return ValueTask.FromResult(new TcpAppResult(received.Length, [], Abort: true));
        var response = service.Answer(request!, id);
        var keepAlive = request!.KeepAlive;
        return ValueTask.FromResult(new TcpAppResult(consumed, [new TcpReply(response.Encode(keepAlive, now, headOnly: request.Method == "HEAD"), response.Ttl)], Close: !keepAlive));
    }
}
