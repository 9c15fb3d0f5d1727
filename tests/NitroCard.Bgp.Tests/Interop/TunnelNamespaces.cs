using System.Diagnostics;

namespace NitroCard.Bgp.Tests.Interop;

/// <summary>
/// Two network namespaces made for one test — the edge's and the customer's — joined by a veth pair that stands for
/// a VPN tunnel, with AWS-style inside addresses 169.254.10.1/30 (edge) and 169.254.10.2/30 (customer). Removed on Dispose.
/// </summary>
internal sealed class TunnelNamespaces : IDisposable
{
    public const string EdgeInside = "169.254.10.1";
    public const string CustomerInside = "169.254.10.2";

    public TunnelNamespaces()
    {
        string tag = $"{Environment.ProcessId}-{Guid.NewGuid().ToString("N")[..6]}";
        Edge = $"nbgp-e-{tag}";
        Customer = $"nbgp-c-{tag}";
        try
        {
            Ip($"netns add {Edge}");
            Ip($"netns add {Customer}");
            Ip($"-n {Edge} link add tun0 type veth peer name tun0 netns {Customer}");
            Ip($"-n {Edge} addr add {EdgeInside}/30 dev tun0");
            Ip($"-n {Customer} addr add {CustomerInside}/30 dev tun0");
            foreach (string ns in new[] { Edge, Customer })
            {
                Ip($"-n {ns} link set lo up");
                Ip($"-n {ns} link set tun0 up");
            }
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    public string Edge { get; }

    public string Customer { get; }

    public string EdgePath => $"/run/netns/{Edge}";

    /// <summary>Root and iproute2: what creating namespaces takes.</summary>
    public static string? Missing =>
        !Environment.IsPrivilegedProcess ? "creating network namespaces needs root"
        : !File.Exists(IpPath) ? "iproute2 is not installed (/usr/sbin/ip or /sbin/ip)"
        : null;

    private static string IpPath => File.Exists("/usr/sbin/ip") ? "/usr/sbin/ip" : "/sbin/ip";

    public void Dispose()
    {
        foreach (string ns in new[] { Edge, Customer })
        {
            if (ns is not null && File.Exists($"/run/netns/{ns}"))
            {
                Ip($"netns del {ns}", check: false);
            }
        }
    }

    private static void Ip(string arguments, bool check = true)
    {
        var start = new ProcessStartInfo(IpPath) { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
        foreach (string word in arguments.Split(' '))
        {
            start.ArgumentList.Add(word);
        }

        using var ip = Process.Start(start)!;
        string error = ip.StandardError.ReadToEnd();
        ip.WaitForExit();
        if (check && ip.ExitCode != 0)
        {
            throw new InvalidOperationException($"ip {arguments}: {error.Trim()}");
        }
    }
}
