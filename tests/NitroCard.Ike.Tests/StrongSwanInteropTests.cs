using System.Diagnostics;
using System.Text;

namespace NitroCard.Ike.Tests;

/// <summary>
/// Interop with real strongSwan (charon with kernel-libipsec, ARCHITECTURE.md's toolchain facts) across a veth pair
/// between two network namespaces this test creates: charon in one, our InteropPeer in the other.
/// Needs root and the strongSwan packages (build.ps1's $DebianNeeds); skips otherwise.
/// </summary>
public sealed class StrongSwanInteropTests
{
    private const string Charon = "/usr/lib/ipsec/charon";
    private const string SwanctlPath = "/usr/sbin/swanctl";
    private const string Proposal = "AES_GCM_16-256/PRF_HMAC_SHA2_256/ECP_256";

    [SkippableFact]
    public void Strongswan_initiates_to_our_responder_and_both_sides_rekey()
    {
        using var lab = StrongSwanLab.Start(ourSideInitiates: false);
        var initiate = lab.Swanctl("--initiate", "--child", "net", "--timeout", "20");
        Assert.True(initiate.ExitCode == 0, initiate.Output + lab.Diagnostics());
        var sas = lab.Swanctl("--list-sas").Output;
        Assert.Contains("ESTABLISHED, IKEv2", sas, StringComparison.Ordinal);
        Assert.Contains(Proposal, sas, StringComparison.Ordinal);
        Assert.Contains("INSTALLED, TUNNEL-in-UDP, ESP:AES_GCM_16-256", sas, StringComparison.Ordinal);
        Assert.Contains("local  10.1.0.0/16", sas, StringComparison.Ordinal);
        Assert.Contains("remote 10.2.0.0/16", sas, StringComparison.Ordinal);
        lab.WaitForPeer("ChildSaInstalled");
        // The child SA's keys work both ways: charon's ping leaves in ESP-in-UDP, our peer answers under its keys.
        var ping = lab.Ping();
        Assert.True(ping.ExitCode == 0, ping.Output + lab.Diagnostics());
        lab.WaitForPeer("ESP-DECRYPTED");

        // strongSwan rekeys the child, then the IKE SA, then the child again over the new IKE SA (its keys must work).
        Assert.Equal(0, lab.Swanctl("--rekey", "--child", "net").ExitCode);
        Assert.Equal(0, lab.Swanctl("--rekey", "--ike", "nc").ExitCode);
        lab.WaitForPeer("IkeSaRekeyed");
        var again = lab.Swanctl("--rekey", "--child", "net");
        Assert.True(again.ExitCode == 0, again.Output + lab.Diagnostics());
        sas = lab.Swanctl("--list-sas").Output;
        Assert.Contains("ESTABLISHED, IKEv2", sas, StringComparison.Ordinal);
        Assert.Contains("INSTALLED, TUNNEL-in-UDP", sas, StringComparison.Ordinal);
        ping = lab.Ping(); // over the KEYMAT of a CREATE_CHILD_SA under the rekeyed IKE SA's SK_d
        Assert.True(ping.ExitCode == 0, ping.Output + lab.Diagnostics());
    }

    [SkippableFact]
    public void Our_initiator_reaches_strongswan_as_responder()
    {
        using var lab = StrongSwanLab.Start(ourSideInitiates: true);
        lab.WaitForPeer("ChildSaInstalled");
        var sas = lab.Swanctl("--list-sas").Output;
        Assert.Contains("ESTABLISHED, IKEv2", sas, StringComparison.Ordinal);
        Assert.Contains(Proposal, sas, StringComparison.Ordinal);
        Assert.Contains("INSTALLED, TUNNEL-in-UDP, ESP:AES_GCM_16-256", sas, StringComparison.Ordinal);
        var ping = lab.Ping();
        Assert.True(ping.ExitCode == 0, ping.Output + lab.Diagnostics());
    }

    [SkippableFact]
    public void Strongswan_accepts_our_child_and_ike_rekeys()
    {
        // Our side initiates, then its lifetimes make it rekey the child at 4 s, 8 s, ... and the IKE SA at 9 s.
        using var lab = StrongSwanLab.Start(true, peerOptions: ["--child-lifetime", "7", "--ike-lifetime", "12", "--rekey-margin", "3"]);
        lab.WaitForPeer("ChildSaInstalled");
        lab.WaitForPeer("IkeSaRekeyed");
        lab.WaitForPeer("IkeSaClosed"); // the old IKE SA, deleted by us once the new one is up
        var sas = lab.Swanctl("--list-sas").Output;
        Assert.Single(sas.Split('\n'), l => l.Contains("ESTABLISHED, IKEv2", StringComparison.Ordinal));
        Assert.Contains("INSTALLED, TUNNEL-in-UDP, ESP:AES_GCM_16-256", sas, StringComparison.Ordinal);
        var ping = lab.Ping();
        Assert.True(ping.ExitCode == 0, ping.Output + lab.Diagnostics());
        Assert.DoesNotContain("Failed", lab.PeerOutput, StringComparison.Ordinal);
        Assert.True(lab.PeerOutput.Split('\n').Count(l => l.StartsWith("ChildSaInstalled", StringComparison.Ordinal)) >= 3, lab.Diagnostics());
    }

    [SkippableFact]
    public void Aes_cbc_hmac_sha256_modp2048_as_aws_offers_it()
    {
        using var lab = StrongSwanLab.Start(false, "aes256-sha256-modp2048", "aes256-sha256",
            ["--ike-suites", "cbc256-sha256-modp2048", "--esp-suites", "cbc256-sha256"]);
        var initiate = lab.Swanctl("--initiate", "--child", "net", "--timeout", "20");
        Assert.True(initiate.ExitCode == 0, initiate.Output + lab.Diagnostics());
        var sas = lab.Swanctl("--list-sas").Output;
        Assert.Contains("AES_CBC-256/HMAC_SHA2_256_128/PRF_HMAC_SHA2_256/MODP_2048", sas, StringComparison.Ordinal);
        Assert.Contains("INSTALLED, TUNNEL-in-UDP, ESP:AES_CBC-256/HMAC_SHA2_256_128", sas, StringComparison.Ordinal);
        Assert.Equal(0, lab.Swanctl("--rekey", "--ike", "nc").ExitCode);
        lab.WaitForPeer("IkeSaRekeyed");
        Assert.Equal(0, lab.Swanctl("--rekey", "--child", "net").ExitCode);
    }

    [SkippableFact]
    public void Rfc5114_group_24_for_ike_and_pfs()
    {
        using var lab = StrongSwanLab.Start(false, "aes256-sha256-modp2048s256", "aes256gcm16-modp2048s256",
            ["--ike-suites", "cbc256-sha256-modp2048s256", "--esp-suites", "gcm256-modp2048s256"]);
        var initiate = lab.Swanctl("--initiate", "--child", "net", "--timeout", "20");
        Assert.True(initiate.ExitCode == 0, initiate.Output + lab.Diagnostics());
        Assert.Contains("AES_CBC-256/HMAC_SHA2_256_128/PRF_HMAC_SHA2_256/MODP_2048_256", lab.Swanctl("--list-sas").Output, StringComparison.Ordinal);
        var rekey = lab.Swanctl("--rekey", "--child", "net");
        Assert.True(rekey.ExitCode == 0, rekey.Output + lab.Diagnostics());
        // swanctl returns once the rekey is under way; the new child (a MODP exponentiation on each side) follows.
        lab.WaitForSas("INSTALLED, TUNNEL-in-UDP, ESP:AES_GCM_16-256/MODP_2048_256");
        var ping = lab.Ping();
        Assert.True(ping.ExitCode == 0, ping.Output + lab.Diagnostics());
    }

    [SkippableFact]
    public void Strongswan_retries_with_the_group_our_invalid_ke_payload_names()
    {
        using var lab = StrongSwanLab.Start(false, "aes256gcm16-prfsha256-ecp384-ecp256", "aes256gcm16", ["--ike-suites", "gcm256-sha256-ecp256"]);
        var initiate = lab.Swanctl("--initiate", "--child", "net", "--timeout", "20");
        Assert.True(initiate.ExitCode == 0, initiate.Output + lab.Diagnostics());
        Assert.Contains("AES_GCM_16-256/PRF_HMAC_SHA2_256/ECP_256", lab.Swanctl("--list-sas").Output, StringComparison.Ordinal);
        Assert.Contains("requested ECP_256", lab.CharonLog, StringComparison.Ordinal);
    }

    [SkippableFact]
    public void Strongswan_echoes_our_cookie_and_rekeys_with_pfs()
    {
        using var lab = StrongSwanLab.Start(false, "aes256gcm16-prfsha256-ecp256", "aes256gcm16-ecp256",
            ["--cookie-threshold", "0", "--esp-suites", "gcm256-ecp256"]);
        var initiate = lab.Swanctl("--initiate", "--child", "net", "--timeout", "20");
        Assert.True(initiate.ExitCode == 0, initiate.Output + lab.Diagnostics());
        Assert.Contains("COOKIE", lab.CharonLog, StringComparison.Ordinal);
        var rekey = lab.Swanctl("--rekey", "--child", "net");
        Assert.True(rekey.ExitCode == 0, rekey.Output + lab.Diagnostics());
        Assert.Contains("INSTALLED, TUNNEL-in-UDP, ESP:AES_GCM_16-256/ECP_256", lab.Swanctl("--list-sas").Output, StringComparison.Ordinal);
        var ping = lab.Ping();
        Assert.True(ping.ExitCode == 0, ping.Output + lab.Diagnostics());
    }

    [SkippableFact]
    public void Wrong_psk_is_refused_with_authentication_failed()
    {
        using var lab = StrongSwanLab.Start(false, swanPsk: "not the psk");
        var initiate = lab.Swanctl("--initiate", "--child", "net", "--timeout", "20");
        Assert.NotEqual(0, initiate.ExitCode);
        Assert.Contains("AUTHENTICATION_FAILED", initiate.Output + lab.CharonLog, StringComparison.Ordinal);
        lab.WaitForPeer("notify=AuthenticationFailed");
    }

    private sealed class StrongSwanLab : IDisposable
    {
        public const string Psk = "nitrocard interop psk 7296";
        private readonly string _swanNs;
        private readonly string _ourNs;
        private readonly string _dir;
        private readonly List<Process> _processes = [];
        private readonly StringBuilder _peerOut = new();
        private readonly Lock _peerLock = new();
        private int _charonPid;

        private StrongSwanLab()
        {
            var tag = Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture) + Random.Shared.Next(100, 999).ToString(System.Globalization.CultureInfo.InvariantCulture);
            _swanNs = "ikes" + tag;
            _ourNs = "iken" + tag;
            _dir = Directory.CreateTempSubdirectory("nitrocard-ike-").FullName;
        }

        public static StrongSwanLab Start(bool ourSideInitiates, string ikeProposals = "aes256gcm16-prfsha256-ecp256",
            string espProposals = "aes256gcm16", IEnumerable<string>? peerOptions = null, string swanPsk = Psk)
        {
            Skip.IfNot(OperatingSystem.IsLinux(), "Linux network namespaces are needed");
            Skip.IfNot(Run("id", "-u").Output.Trim() == "0", "needs root (network namespaces, charon)");
            Skip.IfNot(File.Exists(Charon) && File.Exists(SwanctlPath), "strongSwan is not installed (strongswan-charon, strongswan-swanctl; see build.ps1)");
            Skip.IfNot(File.Exists("/usr/lib/ipsec/plugins/libstrongswan-kernel-libipsec.so"), "kernel-libipsec is not installed (libcharon-extra-plugins)");
            var lab = new StrongSwanLab();
            try
            {
                lab.Build(ourSideInitiates, ikeProposals, espProposals, peerOptions ?? [], swanPsk);
                return lab;
            }
            catch
            {
                lab.Dispose();
                throw;
            }
        }

        private void Build(bool ourSideInitiates, string ikeProposals, string espProposals, IEnumerable<string> peerOptions, string swanPsk)
        {
            var vethS = "v" + _swanNs;
            var vethN = "v" + _ourNs;
            Must("ip", "netns", "add", _swanNs);
            Must("ip", "netns", "add", _ourNs);
            Must("ip", "link", "add", vethS, "type", "veth", "peer", "name", vethN);
            Must("ip", "link", "set", vethS, "netns", _swanNs);
            Must("ip", "link", "set", vethN, "netns", _ourNs);
            Must("ip", "-n", _swanNs, "addr", "add", "198.51.100.1/24", "dev", vethS);
            Must("ip", "-n", _ourNs, "addr", "add", "198.51.100.2/24", "dev", vethN);
            foreach (var (ns, dev) in new[] { (_swanNs, vethS), (_ourNs, vethN), (_swanNs, "lo"), (_ourNs, "lo") })
                Must("ip", "-n", ns, "link", "set", dev, "up");
            // kernel-libipsec routes the child's traffic from an address inside local_ts: give the site one.
            Must("ip", "-n", _swanNs, "addr", "add", "10.1.0.1/16", "dev", "lo");

            var conf = Path.Combine(_dir, "strongswan.conf");
            File.WriteAllText(conf, $$"""
                charon {
                  load_modular = yes
                  plugins {
                    include /etc/strongswan.d/charon/*.conf
                    kernel-libipsec {
                      load = yes
                    }
                  }
                  filelog {
                    log {
                      path = {{_dir}}/charon.log
                      default = 1
                      flush_line = yes
                    }
                  }
                }
                include /etc/strongswan.d/*.conf
                """);
            File.WriteAllText(Path.Combine(_dir, "swanctl.conf"), $$"""
                connections {
                  nc {
                    version = 2
                    local_addrs = 198.51.100.1
                    remote_addrs = 198.51.100.2
                    proposals = {{ikeProposals}}
                    encap = yes
                    local {
                      auth = psk
                      id = swan.example
                    }
                    remote {
                      auth = psk
                      id = nitro.example
                    }
                    children {
                      net {
                        local_ts = 10.1.0.0/16
                        remote_ts = 10.2.0.0/16
                        esp_proposals = {{espProposals}}
                        mode = tunnel
                      }
                    }
                  }
                }
                secrets {
                  ike-nc {
                    id-1 = swan.example
                    id-2 = nitro.example
                    secret = "{{swanPsk}}"
                  }
                }
                """);

            var charon = Spawn("ip", ["netns", "exec", _swanNs, "sh", "-c", $"mount -t tmpfs tmpfs /run && STRONGSWAN_CONF={conf} exec {Charon}"], null);
            _charonPid = charon.Id; // ip netns exec and sh both exec: this is charon
            var deadline = DateTime.UtcNow.AddSeconds(20);
            while (Swanctl("--stats").ExitCode != 0)
            {
                Assert.True(DateTime.UtcNow < deadline, "charon's vici socket did not come up" + Diagnostics());
                Thread.Sleep(200);
            }
            var load = Swanctl("--load-all", "--file", Path.Combine(_dir, "swanctl.conf"));
            Assert.True(load.ExitCode == 0, load.Output);

            var peer = Path.Combine(AppContext.BaseDirectory, "NitroCard.Ike.InteropPeer.dll");
            List<string> args = ["netns", "exec", _ourNs, "dotnet", peer, "--address", "198.51.100.2", "--psk", Psk,
                "--local-id", "nitro.example", "--remote-id", "swan.example", "--local-ts", "10.2.0.0/16", "--remote-ts", "10.1.0.0/16"];
            if (ourSideInitiates)
                args.AddRange(["--initiate", "198.51.100.1"]);
            args.AddRange(peerOptions);
            Spawn("ip", args, line =>
            {
                lock (_peerLock)
                    _peerOut.AppendLine(line);
            });
            WaitForPeer("LISTENING");
        }

        /// <summary>Waits until <c>swanctl --list-sas</c> shows <paramref name="text"/>.</summary>
        public void WaitForSas(string text)
        {
            var deadline = DateTime.UtcNow.AddSeconds(30);
            while (true)
            {
                var sas = Swanctl("--list-sas").Output;
                if (sas.Contains(text, StringComparison.Ordinal))
                    return;
                Assert.True(DateTime.UtcNow < deadline, $"strongSwan never listed {text}; last listing:\n{sas}" + Diagnostics());
                Thread.Sleep(200);
            }
        }

        public void WaitForPeer(string text)
        {
            var deadline = DateTime.UtcNow.AddSeconds(30);
            while (true)
            {
                lock (_peerLock)
                {
                    if (_peerOut.ToString().Contains(text, StringComparison.Ordinal))
                        return;
                }
                Assert.True(DateTime.UtcNow < deadline, $"our peer never printed {text}" + Diagnostics());
                Thread.Sleep(100);
            }
        }

        public (int ExitCode, string Output) Swanctl(params string[] args) =>
            Run("nsenter", ["-t", _charonPid.ToString(System.Globalization.CultureInfo.InvariantCulture), "-m", "-n", SwanctlPath, .. args]);

        /// <summary>Three pings from the strongSwan site (10.1.0.1) to our side of the tunnel (10.2.0.1).</summary>
        public (int ExitCode, string Output) Ping() => Run("ip", "netns", "exec", _swanNs, "ping", "-c", "3", "-W", "2", "-I", "10.1.0.1", "10.2.0.1");

        public string PeerOutput
        {
            get
            {
                lock (_peerLock)
                    return _peerOut.ToString();
            }
        }

        public string CharonLog => File.Exists(Path.Combine(_dir, "charon.log")) ? File.ReadAllText(Path.Combine(_dir, "charon.log")) : "";

        public string Diagnostics()
        {
            string peer;
            lock (_peerLock)
                peer = _peerOut.ToString();
            var log = Path.Combine(_dir, "charon.log");
            var charon = File.Exists(log) ? string.Join('\n', File.ReadAllLines(log).TakeLast(40)) : "(no charon log)";
            return $"\n--- our peer ---\n{peer}\n--- charon ---\n{charon}";
        }

        private Process Spawn(string file, IEnumerable<string> args, Action<string>? onLine)
        {
            var info = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            foreach (var a in args)
                info.ArgumentList.Add(a);
            var p = Process.Start(info)!;
            _processes.Add(p);
            p.OutputDataReceived += (_, e) =>
            {
                if (e.Data is { } line)
                    onLine?.Invoke(line);
            };
            p.ErrorDataReceived += (_, e) =>
            {
                if (e.Data is { } line)
                    onLine?.Invoke(line);
            };
            p.BeginOutputReadLine();
            p.BeginErrorReadLine();
            return p;
        }

        private static void Must(string file, params string[] args)
        {
            var r = Run(file, args);
            Assert.True(r.ExitCode == 0, $"{file} {string.Join(' ', args)}: {r.Output}");
        }

        private static (int ExitCode, string Output) Run(string file, params IEnumerable<string> args)
        {
            var info = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            foreach (var a in args)
                info.ArgumentList.Add(a);
            using var p = Process.Start(info)!;
            var stderr = p.StandardError.ReadToEndAsync();
            var stdout = p.StandardOutput.ReadToEnd();
            p.WaitForExit();
            return (p.ExitCode, stdout + stderr.Result);
        }

        public void Dispose()
        {
            foreach (var p in _processes)
            {
                try
                {
                    if (!p.HasExited)
                    {
                        p.Kill();
                        p.WaitForExit(5000);
                    }
                }
                catch (InvalidOperationException)
                {
                }
                p.Dispose();
            }
            Run("ip", "netns", "del", _swanNs);
            Run("ip", "netns", "del", _ourNs);
            try
            {
                Directory.Delete(_dir, recursive: true);
            }
            catch (IOException)
            {
            }
        }
    }
}
