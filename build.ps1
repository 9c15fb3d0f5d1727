#!/usr/bin/env pwsh
# One build entry for everything: dependencies, register map, RTL lint and synthesis, the
# Verilated native library, the .NET solution, tests, benchmarks and the demo.
#   dotnet pwsh ./build.ps1 [deps|regs|lint|synth|native|build|test|bench|bench-live|demo|fuzz|clean]
#   dotnet pwsh ./build.ps1 fuzz [--seconds N] [--target T]   afl-fuzz campaigns of the parsers (docs/fuzzing.md)
# A simple script, not an advanced one: the arguments after the target (e.g. the bench's --out)
# pass through untouched instead of colliding with PowerShell's common parameters (-OutVariable).
param(
    [ValidateSet('deps', 'regs', 'lint', 'synth', 'native', 'build', 'test', 'bench', 'bench-live', 'demo', 'fuzz', 'clean')]
    [string]$Command = 'build'   # not $Target: PowerShell would bind the fuzz target's --target to it
)
[string[]]$Rest = $args

$ErrorActionPreference = 'Stop'
Set-StrictMode -Version Latest
$Root = $PSScriptRoot
$Out = Join-Path $Root 'out'
$RtlDir = Join-Path $Root 'hw/rtl'
$ShimDir = Join-Path $Root 'hw/verilator'
$env:DOTNET_CLI_TELEMETRY_OPTOUT = '1'
$env:DOTNET_NOLOGO = '1'

function Invoke-Native {
    param([string]$Exe, [string[]]$Arguments)
    & $Exe @Arguments
    if ($LASTEXITCODE -ne 0) { throw "$Exe $($Arguments -join ' ') failed with exit code $LASTEXITCODE" }
}

# Debian packages the build needs, keyed by the file that proves each is present.
$DebianNeeds = [ordered]@{
    '/usr/bin/verilator'   = 'verilator'
    '/usr/bin/yosys'       = 'yosys'
    '/usr/include/zlib.h'  = 'zlib1g-dev'
    '/usr/bin/make'        = 'make'
    '/usr/bin/g++'         = 'g++'
    '/usr/bin/tshark'      = 'tshark'
    '/usr/lib/python3/dist-packages/scapy/__init__.py' = 'python3-scapy'   # the edge's ESP is checked against scapy's
    '/usr/bin/etcd'        = 'etcd-server'   # the Mapping Service's etcd backend tests start their own etcd
    '/usr/bin/ping'        = 'iputils-ping'    # live region tests (issue 6)
    '/usr/bin/nc.openbsd'  = 'netcat-openbsd'  # live region tests: a TCP exchange between instances
    '/usr/bin/iperf3'      = 'iperf3'          # live region benchmarks
    '/usr/bin/curl'        = 'curl'            # live region tests and demo: HTTP through the region
    '/usr/bin/python3'     = 'python3'         # live region: the services namespace's HTTP server (S3 side of gateway endpoints)
    '/usr/sbin/bird'       = 'bird2'           # BGP tests: BIRD 2 plays the customer's router against the edge's speaker (issue 13)
    '/usr/lib/ipsec/charon' = 'strongswan-charon'       # IKEv2 interop tests (issue 13): charon in a namespace
    '/usr/sbin/swanctl'     = 'strongswan-swanctl'      # ... driven through vici
    '/usr/lib/ipsec/plugins/libstrongswan-kernel-libipsec.so' = 'libcharon-extra-plugins'   # ... ESP in user space, no XFRM
    '/usr/lib/ipsec/plugins/libstrongswan-gcm.so' = 'libstrongswan-standard-plugins'       # ... AES-GCM, openssl
    '/usr/bin/afl-fuzz'     = 'afl++'                   # fuzz target: coverage-guided fuzzing of the parsers with SharpFuzz (issue 15)
}

function Install-Dependencies {
    $missing = @($DebianNeeds.Keys | Where-Object { -not (Test-Path $_) } | ForEach-Object { $DebianNeeds[$_] })
    if ($missing.Count -eq 0) { return }
    $isRoot = (& id -u) -eq '0'
    if (-not $isRoot) {
        throw "Missing Debian packages: $($missing -join ' '). Install them with: sudo apt-get update && sudo apt-get install -y $($missing -join ' ')"
    }
    Write-Host "Installing Debian packages: $($missing -join ' ')"
    $env:DEBIAN_FRONTEND = 'noninteractive'
    Invoke-Native 'apt-get' @('update', '-qq')
    Invoke-Native 'apt-get' (@('install', '-y', '-qq', '--no-install-recommends') + $missing)
}

function Get-RtlFiles {
    # files.f lists the RTL in compile order (the package first).
    Get-Content (Join-Path $RtlDir 'files.f') |
        Where-Object { $_ -and -not $_.StartsWith('#') } |
        ForEach-Object { Join-Path $RtlDir $_.Trim() }
}

function Invoke-RegGen {
    Invoke-Native 'dotnet' @('run', '--project', (Join-Path $Root 'tools/RegGen/RegGen.csproj'), '-c', 'Release', '--', $Root)
}

function Invoke-Lint {
    $vlt = Join-Path $RtlDir 'lint.vlt'
    Write-Host 'verilator --lint-only -Wall'
    Invoke-Native 'verilator' (@('--lint-only', '-Wall', '--top-module', 'nitro_card', $vlt) + (Get-RtlFiles))
    Write-Host 'verilator --lint-only -Wall, 1M-entry mapping table (MAP_WAY_DEPTH_LOG2=19)'
    Invoke-Native 'verilator' (@('--lint-only', '-Wall', '--top-module', 'nitro_card', '-GMAP_WAY_DEPTH_LOG2=19', $vlt) + (Get-RtlFiles))
    Invoke-Synth -Quick
}

function Invoke-Synth {
    param([switch]$Quick)
    # Quick: generic synthesis with small tables (lint gate). Full: Xilinx mapping at default
    # parameters for the resource estimate in the README.
    New-Item -ItemType Directory -Force -Path $Out | Out-Null
    $files = (Get-RtlFiles) -join ' '
    if ($Quick) {
        # Small tables keep this gate quick: the mapping ways, the 1M-flow tracking table
        # (CT_BUCKETS_LOG2 18 -> 6), the security group rule array (14 -> 8) and the route banks
        # (12 -> 6) only change memory depths, which the default-parameter Verilator lint covers.
        # Elaboration, processes and memory inference with the structural check after each; the
        # coarse optimisations of `synth` add no check and took two thirds of the time (`synth`
        # target: the whole flow).
        $script = "read_verilog -sv $files; chparam -set MAP_WAY_DEPTH_LOG2 6 -set NUM_ENI 8 -set CT_BUCKETS_LOG2 6 -set SG_RULES_LOG2 8 -set ROUTE_LEVELS 6 nitro_card; hierarchy -check -top nitro_card; proc; opt_clean; check -assert; memory -nomap; opt_clean; check -assert"
        $log = Join-Path $Out 'yosys-lint.log'
    } else {
        # The 1M-flow tracking table (192 Mbit, UltraRAM-sized) is left out of the Yosys estimate:
        # CT_BUCKETS_LOG2 18 -> 12 (16,384 flows); the README gives its memory separately.
        $script = "read_verilog -sv $files; chparam -set CT_BUCKETS_LOG2 12 nitro_card; synth_xilinx -top nitro_card -family xcup; stat"
        $log = Join-Path $Out 'yosys-synth.log'
    }
    Write-Host "yosys ($(if ($Quick) { 'lint' } else { 'synth_xilinx' }))"
    & yosys -q -l $log -p $script | Out-Null
    if ($LASTEXITCODE -ne 0) { Get-Content $log -Tail 30 | Write-Host; throw "Yosys failed (log: $log)" }
}

function Build-Native {
    # Verilator output is cached: rebuild only when the RTL, the shim or the flags change.
    $lib = Join-Path $Out 'lib/libnitrocard.so'
    $mdir = Join-Path $Out 'obj_dir'
    $sources = @(Get-RtlFiles) + @(Get-ChildItem $ShimDir -File | Sort-Object Name | ForEach-Object FullName)
    # VL_USER_FATAL/STOP/FINISH: the shim's handlers record RTL fatals instead of ending the
    # .NET host process (Verilator's default $finish handler calls exit on a second $finish).
    $cflags = '-fPIC -O2 -DVL_USER_FATAL -DVL_USER_STOP -DVL_USER_FINISH -fvisibility=hidden'
    $ldflags = "-shared -Wl,--version-script=$(Join-Path $ShimDir 'libnitrocard.map')"
    $stampText = ($sources | ForEach-Object { (Get-FileHash $_ -Algorithm SHA256).Hash + ' ' + (Split-Path $_ -Leaf) }) -join "`n"
    # Verilator compiles the model's hot code with -Os by default; -O2 simulates faster
    # (the 100,000-frame differential test: 13 s with -Os, 10 s with -O2, on this machine).
    $makeflags = 'OPT_FAST=-O2'
    $stampText += "`n$cflags`n$ldflags`n$makeflags`n" + (& verilator --version)
    $stamp = Join-Path $Out 'lib/libnitrocard.stamp'
    if ((Test-Path $lib) -and (Test-Path $stamp) -and ((Get-Content $stamp -Raw) -eq $stampText)) {
        Write-Host 'libnitrocard.so is up to date'
        return
    }
    Write-Host 'Verilating nitro_card into libnitrocard.so'
    New-Item -ItemType Directory -Force -Path (Split-Path $lib) | Out-Null
    $jobs = [Environment]::ProcessorCount
    $vargs = @('--cc', '--exe', '--build', '-j', "$jobs", '--top-module', 'nitro_card', '--Mdir', $mdir,
        '--trace-fst', '-O3', '--x-assign', 'fast', '--x-initial', 'fast', '-Wno-fatal',
        '-MAKEFLAGS', $makeflags, '-CFLAGS', $cflags, '-LDFLAGS', $ldflags, '-o', 'libnitrocard.so') +
        (Get-RtlFiles) + @(Get-ChildItem $ShimDir -Filter '*.cpp' | ForEach-Object FullName)
    Invoke-Native 'verilator' $vargs
    Copy-Item (Join-Path $mdir 'libnitrocard.so') $lib -Force
    Set-Content -Path $stamp -Value $stampText -NoNewline
}

function Build-Dotnet {
    Invoke-Native 'dotnet' @('build', (Join-Path $Root 'NitroCard.sln'), '-c', 'Release', '-nologo', '-v', 'q', '-clp:ErrorsOnly')
    Invoke-Native 'dotnet' @('publish', (Join-Path $Root 'driver/nitroctl/nitroctl.csproj'), '-c', 'Release', '--no-build', '-nologo', '-v', 'q', '-o', (Join-Path $Out 'bin'))
}

function Build-All {
    Install-Dependencies
    Invoke-RegGen
    Build-Native
    Build-Dotnet
}

function Invoke-Tests {
    $results = Join-Path $Out 'test-results'
    Remove-Item -Recurse -Force $results -ErrorAction SilentlyContinue
    New-Item -ItemType Directory -Force -Path $results | Out-Null
    $env:NITROCARD_LIB = Join-Path $Out 'lib/libnitrocard.so'
    $env:NITROCARD_ROOT = $Root
    $projects = Get-ChildItem (Join-Path $Root 'tests') -Recurse -Filter '*.Tests.csproj' | Sort-Object FullName
    $anyRunFailed = $false
    foreach ($project in $projects) {
        $name = $project.BaseName
        Write-Host "== $name"
        & dotnet test $project.FullName -c Release --no-build -nologo --logger "trx;LogFileName=$name.trx" --logger 'console;verbosity=minimal' --results-directory $results
        if ($LASTEXITCODE -ne 0) { $anyRunFailed = $true }
    }
    $passed = 0; $failed = 0; $skipped = 0
    foreach ($trx in Get-ChildItem $results -Filter '*.trx') {
        $counters = ([xml](Get-Content $trx.FullName -Raw)).TestRun.ResultSummary.Counters
        $passed += [int]$counters.passed
        $failed += [int]$counters.failed + [int]$counters.error + [int]$counters.timeout + [int]$counters.aborted
        # A skipped xunit test is neither executed nor 'notExecuted' in the trx: count it as total - executed.
        $skipped += [int]$counters.total - [int]$counters.executed
    }
    if ($anyRunFailed -and $failed -eq 0) { $failed = 1 }  # a test host that crashed reports no counters
    $line = "$passed passed, $failed failed"
    if ($skipped -gt 0) { $line += ", $skipped skipped" }
    Write-Host $line
    if ($failed -gt 0) { exit 1 }
}

function Invoke-LiveBench {
    # Ping RTT and iperf3 TCP throughput between eni-red1 (host-a) and eni-red2 (host-b) on a live region (root):
    # two RTL cards, two model-engine hosts, two kernel VXLAN hosts. Rewrites docs/benchmarks/live.md.
    if ((& id -u) -ne '0') { throw 'bench-live needs root (a live region: network namespaces and TAP devices)' }
    $env:NITROCARD_LIB = Join-Path $Out 'lib/libnitrocard.so'
    $nitroctl = Join-Path $Out 'bin/nitroctl'
    $regions = Join-Path $Root 'tests/NitroCard.Live.Tests/regions'
    $configurations = @(
        @{ Name = 'Linux kernel VXLAN (software anchor)'; Region = 'two-kernel-hosts.json'; Engine = 'model' },
        @{ Name = 'model engine (C# Virtual Router) + TAP pump'; Region = 'two-hosts.json'; Engine = 'model' },
        @{ Name = 'RTL engine (Verilated card, 512-bit datapath) + TAP pump'; Region = 'two-hosts.json'; Engine = 'rtl' })
    $rows = @()
    foreach ($c in $configurations) {
        Write-Host "== $($c.Name)"
        & $nitroctl region down | Out-Null
        $log = Join-Path $Out "bench-live-region.log"
        $up = Start-Process -FilePath $nitroctl -ArgumentList @('region', 'up', '--topology', (Join-Path $regions $c.Region), '--engine', $c.Engine) `
            -RedirectStandardOutput $log -RedirectStandardError "$log.err" -PassThru
        $deadline = (Get-Date).AddSeconds(120)
        while (-not ((Test-Path $log) -and (Select-String -Path $log -Pattern '^region ready$' -Quiet))) {
            if ($up.HasExited -or (Get-Date) -gt $deadline) { throw "region up failed: $(Get-Content "$log.err" -Raw)" }
            Start-Sleep -Milliseconds 200
        }
        try {
            & ip netns exec eni-red1 ping -c 3 -W 2 10.0.2.20 | Out-Null     # warm-up (ARP)
            $ping = (& ip netns exec eni-red1 ping -c 50 -i 0.05 10.0.2.20) -join "`n"
            if ($ping -notmatch 'rtt min/avg/max/mdev = ([\d.]+)/([\d.]+)/([\d.]+)/') { throw "ping failed: $ping" }
            $rtt = "$($Matches[1]) / $($Matches[2]) / $($Matches[3])"
            & ip netns exec eni-red2 iperf3 -s -1 -D -p 5201
            Start-Sleep -Milliseconds 500
            $json = (& ip netns exec eni-red1 iperf3 -c 10.0.2.20 -t 10 -p 5201 -J) -join "`n" | ConvertFrom-Json
            $bits = [double]$json.end.sum_received.bits_per_second
            $rate = if ($bits -ge 1e9) { '{0:F2} Gbit/s' -f ($bits / 1e9) } else { '{0:F0} Mbit/s' -f ($bits / 1e6) }
            $rows += "| $($c.Name) | $rtt | $rate |"
            Write-Host "   rtt $rtt ms, $rate"
        } finally {
            & kill -TERM $up.Id
            $up.WaitForExit(60000) | Out-Null
        }
    }
    $cpu = (Get-Content /proc/cpuinfo | Select-String -Pattern '^model name' | Select-Object -First 1).Line -replace '^model name\s*:\s*', ''
    $text = @"
# Live region: ping RTT and TCP throughput

Measured by ``dotnet pwsh ./build.ps1 bench-live`` (root) on $([Environment]::ProcessorCount) cores ($cpu), shared with other
jobs, on $(Get-Date -Format 'yyyy-MM-dd'), one region at a time, between ``eni-red1`` (10.0.1.10, host-a) and ``eni-red2``
(10.0.2.20, host-b): different hosts, different subnets, one VPC. Regions: ``tests/NitroCard.Live.Tests/regions/two-hosts.json``
(two card hosts, ``--engine rtl`` or ``model``) and ``two-kernel-hosts.json`` (the same region with ``"dataplane": "linux-vxlan"``
on both hosts). Every host is programmed by its agent from the embedded Mapping Service. For each configuration the
target runs ``nitroctl region up``, then ``ping -c 50 -i 0.05`` (after a 3-packet warm-up) and ``iperf3 -c 10.0.2.20 -t 10``
(receiver's rate) from ``eni-red1``, then stops the region.

| data plane (both hosts) | ping RTT min / avg / max (ms) | TCP, iperf3 10 s (receiver) |
|---|---|---|
$($rows -join "`n")

Every packet on the card paths crosses two TAPs, the pump and the card twice (sender's TX, receiver's RX) plus the
kernel router namespace; the RTL figure is bound by Verilator simulation speed (one 9001-byte segment is ~142
beats each way plus pipeline cycles, all simulated on a shared core).
"@
    Set-Content -Path (Join-Path $Root 'docs/benchmarks/live.md') -Value $text
    Write-Host 'docs/benchmarks/live.md rewritten'
}

function Invoke-Fuzz {
    # Coverage-guided fuzzing (docs/fuzzing.md): SharpFuzz instruments the parsers' assemblies, afl-fuzz runs each target of
    # tools/NitroCard.Fuzz for --seconds from its corpus; new inputs (afl-cmin'd) go back into the corpus, crashes and hangs
    # into crashes/<target>/, where tests/NitroCard.Fuzz.Tests replays them as regression tests.
    $seconds = 60
    $only = $null
    for ($i = 0; $i -lt $Rest.Count; $i++) {
        switch ($Rest[$i]) {
            '--seconds' { $seconds = [int]$Rest[++$i] }
            '--target' { $only = $Rest[++$i] }
            default { throw "fuzz: unknown argument '$($Rest[$i])' (fuzz [--seconds N] [--target T])" }
        }
    }
    $fuzzDir = Join-Path $Root 'tools/NitroCard.Fuzz'
    $work = Join-Path $Out 'fuzz'
    $bin = Join-Path $work 'bin'
    Remove-Item -Recurse -Force $work -ErrorAction SilentlyContinue
    New-Item -ItemType Directory -Force -Path $work | Out-Null
    # The instrumented copy lives apart from the build output: sharpfuzz rewrites the assemblies in place.
    Invoke-Native 'dotnet' @('build', (Join-Path $fuzzDir 'NitroCard.Fuzz.csproj'), '-c', 'Release', '-nologo', '-v', 'q', '-clp:ErrorsOnly')
    Copy-Item -Recurse (Join-Path $fuzzDir 'bin/Release/net10.0') $bin
    $dotnet = (Get-Command dotnet).Source
    $dotnet = (Get-Item $dotnet).ResolvedTarget ?? $dotnet   # afl-cmin wants the real path
    $fuzzDll = Join-Path $bin 'NitroCard.Fuzz.dll'
    $targets = @(& $dotnet $fuzzDll list | ForEach-Object { $f = $_ -split "`t"; [pscustomobject]@{ Name = $f[0]; Instrument = $f[1] -split ',' } })
    if ($only) {
        $targets = @($targets | Where-Object Name -eq $only)
        if ($targets.Count -eq 0) { throw "fuzz: no target '$only'" }
    }
    foreach ($assembly in ($targets.Instrument | Sort-Object -Unique)) {
        Write-Host "sharpfuzz $assembly"
        Invoke-Native 'dotnet' @('sharpfuzz', (Join-Path $bin $assembly))
    }
    # As root on a shared machine: no CPU governor or core dump checks, no core binding, no curses UI; the target is
    # `dotnet`, not an instrumented binary (the instrumentation is in the .NET assemblies). The GC heap limit makes an
    # unbounded allocation an OutOfMemoryException, a crash like any other.
    $env:AFL_SKIP_CPUFREQ = '1'; $env:AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES = '1'; $env:AFL_NO_UI = '1'
    $env:AFL_SKIP_BIN_CHECK = '1'; $env:AFL_NO_AFFINITY = '1'
    $env:DOTNET_GCHeapHardLimit = '0x40000000'
    $env:DOTNET_TieredCompilation = '0'   # one JIT per method, at once: no re-JIT in the middle of a campaign
    $timeoutMs = 5000
    $maxFiles = 50
    $maxBytes = 1MB
    $rows = @()
    foreach ($t in $targets) {
        $corpus = Join-Path $fuzzDir "corpus/$($t.Name)"
        $crashDir = Join-Path $fuzzDir "crashes/$($t.Name)"
        $afl = Join-Path $work $t.Name
        Write-Host "== $($t.Name): afl-fuzz for $seconds s"
        & afl-fuzz -i $corpus -o $afl -t $timeoutMs -m none -V $seconds -- $dotnet $fuzzDll $t.Name *> (Join-Path $work "$($t.Name).log")
        if ($LASTEXITCODE -ne 0) { Get-Content (Join-Path $work "$($t.Name).log") -Tail 20 | Write-Host; throw "afl-fuzz failed on $($t.Name) (log: out/fuzz/$($t.Name).log)" }
        $stats = @{}
        Get-Content (Join-Path $afl 'default/fuzzer_stats') | ForEach-Object { $k, $v = $_ -split '\s*:\s*', 2; $stats[$k.Trim()] = $v.Trim() }
        # New inputs: the queue minimized against the corpus; the smallest that add coverage go back into the corpus.
        $min = Join-Path $work "$($t.Name)-cmin"
        & afl-cmin -i (Join-Path $afl 'default/queue') -o $min -t $timeoutMs -m none -- $dotnet $fuzzDll $t.Name *> (Join-Path $work "$($t.Name)-cmin.log")
        $known = @{}
        Get-ChildItem $corpus -File | ForEach-Object { $known[(Get-FileHash $_.FullName -Algorithm SHA1).Hash] = $true }
        $files = @(Get-ChildItem $corpus -File).Count
        $bytes = (Get-ChildItem $corpus -File | Measure-Object Length -Sum).Sum
        $added = 0
        if (Test-Path $min) {
            foreach ($f in Get-ChildItem $min -File | Sort-Object Length) {
                $hash = (Get-FileHash $f.FullName -Algorithm SHA1).Hash
                if ($known.ContainsKey($hash)) { continue }
                if ($files -ge $maxFiles -or $bytes + $f.Length -gt $maxBytes) { break }
                Copy-Item $f.FullName (Join-Path $corpus ('afl-' + $hash.Substring(0, 12).ToLowerInvariant()))
                $known[$hash] = $true; $files++; $bytes += $f.Length; $added++
            }
        }
        # Crashes and hangs: kept for the regression test (Every_crash_ever_found_is_fixed) until the parser is fixed.
        $found = @()
        foreach ($kind in 'crashes', 'hangs') {
            $dir = Join-Path $afl "default/$kind"
            if (-not (Test-Path $dir)) { continue }
            foreach ($f in Get-ChildItem $dir -File -Filter 'id*') {
                New-Item -ItemType Directory -Force -Path $crashDir | Out-Null
                $name = ($kind -eq 'hangs' ? 'hang-' : 'crash-') + (Get-FileHash $f.FullName -Algorithm SHA1).Hash.Substring(0, 12).ToLowerInvariant()
                Copy-Item $f.FullName (Join-Path $crashDir $name)
                $found += "tools/NitroCard.Fuzz/crashes/$($t.Name)/$name"
            }
        }
        $rows += [pscustomobject]@{
            Target = $t.Name; Execs = [long]$stats['execs_done']; PerSecond = [double]$stats['execs_per_sec']
            Paths = [int]$stats['corpus_found']; Edges = [int]$stats['edges_found']; Crashes = [int]$stats['saved_crashes']
            Hangs = [int]$stats['saved_hangs']; Added = $added; Corpus = $files
        }
        foreach ($c in $found) { Write-Host "   crash: $c (replay: dotnet out/fuzz/bin/NitroCard.Fuzz.dll $($t.Name) --replay $c)" }
    }
    $table = @('| target | execs | execs/s | new paths | edges | crashes | hangs | added to corpus | corpus files |', '|---|---:|---:|---:|---:|---:|---:|---:|---:|')
    $table += $rows | ForEach-Object { "| $($_.Target) | $($_.Execs) | $([math]::Round($_.PerSecond)) | $($_.Paths) | $($_.Edges) | $($_.Crashes) | $($_.Hangs) | $($_.Added) | $($_.Corpus) |" }
    $summary = "fuzz: $seconds s per target, $(Get-Date -Format 'yyyy-MM-dd HH:mm') UTC`n`n" + ($table -join "`n")
    Set-Content -Path (Join-Path $work 'summary.md') -Value $summary
    Write-Host $summary
    $total = ($rows | Measure-Object Crashes -Sum).Sum + ($rows | Measure-Object Hangs -Sum).Sum
    if ($total -gt 0) { Write-Host "$total crash(es)/hang(s): each is now a failing regression case in tests/NitroCard.Fuzz.Tests until fixed (docs/fuzzing.md)" }
}

switch ($Command) {
    'deps' { Install-Dependencies }
    'regs' { Invoke-RegGen }
    'lint' { Install-Dependencies; Invoke-Lint }
    'synth' { Install-Dependencies; Invoke-Synth }
    'native' { Install-Dependencies; Build-Native }
    'build' { Build-All }
    'test' { Build-All; Invoke-Tests }
    'bench' {
        Build-All
        Invoke-Native 'dotnet' (@('run', '--project', (Join-Path $Root 'tools/NitroCard.Bench/NitroCard.Bench.csproj'), '-c', 'Release', '--', '--root', $Root) + $Rest)
        # Mapping Service: API change -> every affected host acknowledged, full resyncs (docs/benchmarks/mapping.md).
        # Not when only some card sections were asked for (--only).
        if ($Rest -notcontains '--only') {
            $env:NITROCARD_LIB = Join-Path $Out 'lib/libnitrocard.so'
            Invoke-Native 'dotnet' @('run', '--project', (Join-Path $Root 'tools/NitroCard.MappingBench/NitroCard.MappingBench.csproj'), '-c', 'Release', '--',
                '--hosts', '1000', '--enis', '1000000', '--singles', '100', '--batches', '3', '--out', (Join-Path $Root 'docs/benchmarks/mapping.md'))
        }
    }
    'bench-live' { Build-All; Invoke-LiveBench }
    'demo' {
        Build-All
        $env:NITROCARD_LIB = Join-Path $Out 'lib/libnitrocard.so'
        Invoke-Native (Join-Path $Out 'bin/nitroctl') (@('demo') + $Rest)
    }
    'fuzz' { Install-Dependencies; Invoke-Fuzz }
    'clean' { Remove-Item -Recurse -Force $Out -ErrorAction SilentlyContinue }
}
