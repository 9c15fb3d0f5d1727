using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using NitroCard.Region;

namespace NitroCard.Live;

/// <summary>
/// The customer gateway of an IKE-keyed VPN connection's site <c>vpn-&lt;id&gt;</c>: strongSwan's charon with
/// kernel-libipsec (ARCHITECTURE.md's toolchain facts) in the site namespace, with a tmpfs /run of its own, configured
/// through swanctl from the region's tunnel options and pre-shared keys: one IKEv2 connection per tunnel to its outside
/// address, UDP encapsulation forced (ESP in UDP 4500, as behind a NAT), the site initiating (<c>startupAction</c> add:
/// the customer gateway starts). Its files — <c>strongswan.conf</c>, <c>swanctl.conf</c>, <c>charon.log</c> — are in
/// <see cref="Directory"/> (docs/live-region.md).
/// </summary>
public sealed partial class StrongSwanSite : IDisposable
{
    public const string Charon = "/usr/lib/ipsec/charon";
    public const string Swanctl = "/usr/sbin/swanctl";

    /// <summary>A policy routing priority after the main table's (32766).</summary>
    private const int AfterMainTable = 40000;

    private Process? _charon;

    public StrongSwanSite(VpnConnection vpn, string vpcCidr, string directory)
    {
        Vpn = vpn;
        VpcCidr = vpcCidr;
        Directory = directory;
    }

    public VpnConnection Vpn { get; }

    public string VpcCidr { get; }

    /// <summary>Where the site's configuration and log are.</summary>
    public string Directory { get; }

    public string Namespace => LiveNames.VpnNamespace(Vpn.Id);

    /// <summary>Writes the configuration, starts charon in the site namespace and loads the connections.</summary>
    public void Start(LiveState state)
    {
        if (!File.Exists(Charon) || !File.Exists(Swanctl) || !File.Exists("/usr/lib/ipsec/plugins/libstrongswan-kernel-libipsec.so"))
            throw new LiveException("an IKE-keyed VPN connection's site needs strongSwan with kernel-libipsec (strongswan-charon, strongswan-swanctl, libcharon-extra-plugins; see build.ps1)");
        System.IO.Directory.CreateDirectory(Directory);
        var conf = Path.Combine(Directory, "strongswan.conf");
        File.WriteAllText(conf, StrongSwanConf(Path.Combine(Directory, "charon.log"), routedByBgp: Vpn.UsesBgp));
        File.WriteAllText(Path.Combine(Directory, "swanctl.conf"), SwanctlConf(Vpn, VpcCidr));
        // sh execs too, so the recorded pid is charon's; charon logs to charon.log, not stderr.
        _charon = Shell.StartDaemon(state, Namespace, errorLabel: null, "sh", "-c", $"mount -t tmpfs tmpfs /run && STRONGSWAN_CONF={conf} exec {Charon}");
        Shell.WaitUntilReady(_charon, () => Run("--stats").Code == 0, TimeSpan.FromSeconds(20), $"charon did not come up in {Namespace} (see {Path.Combine(Directory, "charon.log")})");
        if (Vpn.UsesBgp)
            BirdSite.AddTunnelAddresses(Vpn, Namespace);
        var load = Run("--load-all", "--file", Path.Combine(Directory, "swanctl.conf"));
        if (load.Code != 0)
            throw new LiveException($"swanctl --load-all in {Namespace}: {load.Output}");
    }

    /// <summary>Runs swanctl against this site's charon (its vici socket is in charon's own /run).</summary>
    public (int Code, string Output) Run(params string[] args)
    {
        if (_charon is null)
            return (-1, "charon is not running");
        var (code, output, error) = Shell.TryRun("nsenter", ["-t", _charon.Id.ToString(CultureInfo.InvariantCulture), "-m", "-n", Swanctl, .. args]);
        return (code, output + error);
    }

    /// <summary>Each tunnel's negotiated proposals as charon reports them (<c>swanctl --list-sas</c>), in tunnel order.</summary>
    public IReadOnlyList<NegotiatedTunnel> NegotiatedTunnels()
    {
        var (code, output) = Run("--list-sas");
        return code == 0 ? [.. ParseListSas(output).OrderBy(t => t.Name, StringComparer.Ordinal)] : [];
    }

    /// <summary>
    /// The IKE SAs in <c>swanctl --list-sas</c>'s text: per IKE SA its name, state and version, the proposal line under
    /// it (<c>AES_GCM_16-256/PRF_HMAC_SHA2_256/ECP_256</c>), and its first child SA's state, mode (<c>TUNNEL-in-UDP</c>)
    /// and ESP proposal (<c>ESP:AES_GCM_16-256</c>).
    /// </summary>
    public static IReadOnlyList<NegotiatedTunnel> ParseListSas(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var list = new List<NegotiatedTunnel>();
        NegotiatedTunnel? current = null;
        foreach (var line in text.Split('\n'))
        {
            if (IkeSaLine().Match(line) is { Success: true } ike)
            {
                if (current is not null)
                    list.Add(current);
                current = new NegotiatedTunnel(ike.Groups["name"].Value, ike.Groups["state"].Value, ike.Groups["version"].Value, null, null, null, null);
            }
            else if (current is null)
            {
                continue;
            }
            else if (ChildSaLine().Match(line) is { Success: true } child)
            {
                current = current.ChildState is null
                    ? current with { ChildState = child.Groups["state"].Value, ChildMode = child.Groups["mode"].Value, EspProposal = child.Groups["esp"].Value }
                    : current;
            }
            else if (current.IkeProposal is null && ProposalLine().Match(line) is { Success: true } proposal)
            {
                current = current with { IkeProposal = proposal.Groups["proposal"].Value };
            }
        }
        if (current is not null)
            list.Add(current);
        return list;
    }

    [GeneratedRegex(@"^(?<name>[^\s:]+): #\d+, (?<state>[A-Z_]+), (?<version>IKEv\d)")]
    private static partial Regex IkeSaLine();

    [GeneratedRegex(@"^\s+[^\s:]+: #\d+, reqid \d+, (?<state>[A-Z_]+), (?<mode>[A-Za-z-]+), ESP:(?<esp>\S+)")]
    private static partial Regex ChildSaLine();

    [GeneratedRegex(@"^\s+(?<proposal>[A-Z][A-Z0-9_-]*(/[A-Z][A-Z0-9_-]*)+)\s*$")]
    private static partial Regex ProposalLine();

    /// <summary>
    /// strongswan.conf. <paramref name="routedByBgp"/> for a BGP site, where the customer's router (BIRD) routes the VPC
    /// into the tunnel link from what it learns, as a route-based VPN does: kernel-libipsec always installs its selectors'
    /// routes (table 220), so that table's rule comes after the main table, where BIRD puts its routes.
    /// </summary>
    public static string StrongSwanConf(string log, bool routedByBgp = false) => $$"""
        charon {
          load_modular = yes
          routing_table_prio = {{(routedByBgp ? AfterMainTable : 220)}}
          plugins {
            include /etc/strongswan.d/charon/*.conf
            kernel-libipsec {
              load = yes
            }
          }
          filelog {
            log {
              path = {{log}}
              default = 1
              ike = 2
              flush_line = yes
            }
          }
        }
        include /etc/strongswan.d/*.conf
        """;

    /// <summary>swanctl.conf for the customer side of <paramref name="vpn"/> (one setting per line, as swanctl wants).</summary>
    public static string SwanctlConf(VpnConnection vpn, string vpcCidr)
    {
        var text = new StringBuilder();
        text.AppendLine("connections {");
        for (var i = 0; i < vpn.Tunnels.Length; i++)
        {
            var t = vpn.Tunnels[i];
            var name = $"tunnel{i + 1}";
            var localTs = vpn.SiteTrafficSelectors(t);
            var remoteTs = vpn.VpcTrafficSelectors(t, vpcCidr);
            var margin = t.RekeyMarginTimeSeconds;
            text.AppendLine(CultureInfo.InvariantCulture, $$"""
                  {{name}} {
                    version = 2
                    local_addrs = {{vpn.CustomerGatewayIp}}
                    remote_addrs = {{t.OutsideIpAddress}}
                    proposals = {{IkeProposals(t)}}
                    encap = yes
                    dpd_delay = {{Math.Max(10, t.DpdTimeoutSeconds / 3)}}s
                    rekey_time = {{t.Phase1LifetimeSeconds - margin}}s
                    local {
                      auth = psk
                      id = {{vpn.CustomerGatewayIp}}
                    }
                    remote {
                      auth = psk
                      id = {{t.OutsideIpAddress}}
                    }
                    children {
                      {{name}} {
                        local_ts = {{string.Join(",", localTs)}}
                        remote_ts = {{string.Join(",", remoteTs)}}
                        esp_proposals = {{EspProposals(t)}}
                        rekey_time = {{t.Phase2LifetimeSeconds - margin}}s
                        replay_window = {{t.ReplayWindowSize}}
                        start_action = start
                        dpd_action = restart
                      }
                    }
                  }
                """);
        }
        text.AppendLine("}");
        text.AppendLine("secrets {");
        for (var i = 0; i < vpn.Tunnels.Length; i++)
        {
            text.AppendLine(CultureInfo.InvariantCulture, $$"""
                  ike-tunnel{{i + 1}} {
                    id-1 = {{vpn.Tunnels[i].OutsideIpAddress}}
                    secret = "{{vpn.Tunnels[i].PreSharedKey}}"
                  }
                """);
        }
        text.AppendLine("}");
        return text.ToString();
    }

    private static readonly string[] GcmNames = ["AES256-GCM-16", "AES128-GCM-16"];
    private static readonly string[] CbcNames = ["AES256", "AES128"];


    private static string Group(int g) => g switch
    {
        2 => "modp1024",
        14 => "modp2048",
        15 => "modp3072",
        16 => "modp4096",
        17 => "modp6144",
        18 => "modp8192",
        19 => "ecp256",
        20 => "ecp384",
        21 => "ecp521",
        22 => "modp1024s160",
        23 => "modp2048s224",
        24 => "modp2048s256",
        _ => throw new ArgumentOutOfRangeException(nameof(g), g, "not a Diffie-Hellman group AWS accepts"),
    };

    private static string Hash(string name) => name switch
    {
        "SHA2-384" => "sha384",
        "SHA2-512" => "sha512",
        _ => "sha256",
    };

    /// <summary>The tunnel's phase 1 options as strongSwan proposals: AES-GCM first (larger keys first), then AES-CBC; SHA2-256 and ECP-256 first.</summary>
    public static string IkeProposals(VpnTunnelOptions t)
    {
        var groups = VpnTunnelOptions.DhGroupPreference.Where(t.Phase1DhGroupNumbers.Contains).Select(Group).ToList();
        var hashes = t.Phase1IntegrityAlgorithms.Select(Hash).Distinct().Order(StringComparer.Ordinal).ToList();
        var gcm = GcmNames.Where(t.Phase1EncryptionAlgorithms.Contains).Select(c => c.StartsWith("AES256", StringComparison.Ordinal) ? "aes256gcm16" : "aes128gcm16").ToList();
        var cbc = CbcNames.Where(t.Phase1EncryptionAlgorithms.Contains).Select(c => c.ToLowerInvariant()).ToList();
        var proposals = new List<string>();
        if (gcm.Count > 0)
            proposals.Add(string.Join('-', [.. gcm, .. hashes.Select(h => "prf" + h), .. groups]));
        if (cbc.Count > 0)
            proposals.Add(string.Join('-', [.. cbc, .. hashes, .. groups]));
        return string.Join(',', proposals);
    }

    /// <summary>The tunnel's phase 2 options as strongSwan ESP proposals (no PFS): AES-GCM first, then AES-CBC with the listed integrity.</summary>
    public static string EspProposals(VpnTunnelOptions t)
    {
        var hashes = t.Phase2IntegrityAlgorithms.Select(Hash).Distinct().Order(StringComparer.Ordinal).ToList();
        var gcm = GcmNames.Where(t.Phase2EncryptionAlgorithms.Contains).Select(c => c.StartsWith("AES256", StringComparison.Ordinal) ? "aes256gcm16" : "aes128gcm16").ToList();
        var cbc = CbcNames.Where(t.Phase2EncryptionAlgorithms.Contains).Select(c => c.ToLowerInvariant()).ToList();
        var proposals = new List<string>();
        if (gcm.Count > 0)
            proposals.Add(string.Join('-', gcm));
        if (cbc.Count > 0 && hashes.Count > 0)
            proposals.Add(string.Join('-', [.. cbc, .. hashes]));
        return string.Join(',', proposals);
    }

    public void Dispose()
    {
        if (_charon is { HasExited: false })
        {
            _charon.Kill();
            _charon.WaitForExit(5000);
        }
        _charon?.Dispose();
    }
}

/// <summary>One IKE SA as <c>swanctl --list-sas</c> shows it (a tunnel of a site: the connection is named <c>tunnel&lt;n&gt;</c>).</summary>
/// <param name="Name">The connection's name.</param>
/// <param name="IkeState">For example <c>ESTABLISHED</c>.</param>
/// <param name="IkeVersion"><c>IKEv2</c>.</param>
/// <param name="IkeProposal">For example <c>AES_GCM_16-256/PRF_HMAC_SHA2_256/ECP_256</c>.</param>
/// <param name="ChildState">Its first child SA's state, for example <c>INSTALLED</c>.</param>
/// <param name="ChildMode">For example <c>TUNNEL-in-UDP</c> (ESP in UDP 4500).</param>
/// <param name="EspProposal">For example <c>AES_GCM_16-256</c>.</param>
public sealed record NegotiatedTunnel(string Name, string IkeState, string IkeVersion, string? IkeProposal, string? ChildState, string? ChildMode, string? EspProposal)
{
    /// <summary>True when the IKE SA is established and its child SA installed.</summary>
    public bool IsUp => IkeState == "ESTABLISHED" && ChildState == "INSTALLED";

    /// <summary>For example <c>IKEv2 AES_GCM_16-256/PRF_HMAC_SHA2_256/ECP_256, ESP-in-UDP AES_GCM_16-256</c>.</summary>
    public override string ToString() =>
        $"{IkeVersion} {IkeProposal ?? "-"}, {(ChildMode?.EndsWith("-in-UDP", StringComparison.Ordinal) == true ? "ESP-in-UDP" : "ESP")} {EspProposal ?? "(no child SA)"}";
}
