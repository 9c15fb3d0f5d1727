using System.Net;
using System.Net.Sockets;
using Makaretu.Dns;

namespace NitroCard.InstanceServices.Tests;

/// <summary>A tiny upstream DNS server on loopback UDP: www.example. is 192.0.2.1, big.example. has 60 A records, others NXDOMAIN.</summary>
internal sealed class DnsServerStub : IDisposable
{
    private readonly UdpClient udp = new(new IPEndPoint(IPAddress.Loopback, 0));
    private readonly CancellationTokenSource stop = new();
    private readonly Task loop;

    public DnsServerStub()
    {
        Endpoint = (IPEndPoint)udp.Client.LocalEndPoint!;
        loop = Task.Run(RunAsync);
    }

    public IPEndPoint Endpoint { get; }

    public int Queries { get; private set; }

    private async Task RunAsync()
    {
        while (!stop.IsCancellationRequested)
        {
            UdpReceiveResult request;
            try
            {
                request = await udp.ReceiveAsync(stop.Token);
            }
            catch (OperationCanceledException)
            {
                return;
            }
            Queries++;
            var query = new Message();
            query.Read(request.Buffer);
            var response = query.CreateResponse();
            response.RA = true;
            var q = query.Questions[0];
            var name = q.Name.ToString().TrimEnd('.');
            if (name == "www.example")
                response.Answers.Add(new ARecord { Name = q.Name, Address = IPAddress.Parse("192.0.2.1"), TTL = TimeSpan.FromSeconds(300) });
            else if (name == "big.example")
            {
                for (var i = 1; i <= 60; i++)
                    response.Answers.Add(new ARecord { Name = q.Name, Address = IPAddress.Parse($"192.0.2.{i}"), TTL = TimeSpan.FromSeconds(300) });
            }
            else
                response.Status = MessageStatus.NameError;
            await udp.SendAsync(response.ToByteArray(), request.RemoteEndPoint);
        }
    }

    public void Dispose()
    {
        stop.Cancel();
        try
        {
            loop.Wait(TimeSpan.FromSeconds(5));
        }
        catch (AggregateException)
        {
        }
        udp.Dispose();
        stop.Dispose();
    }
}
