#!/usr/bin/env pwsh
# One build entry for everything: dependencies, register map, RTL lint and synthesis, the
# Verilated native library, the .NET solution, tests, benchmarks and the demo.
#   dotnet pwsh ./build.ps1 [deps|regs|lint|synth|native|trace|build|test|bench|bench-live|profile|coverage|demo|fuzz|soak|clean]
#   dotnet pwsh ./build.ps1 coverage [--filter F]             line and toggle coverage of hw/rtl over the whole-card tests (docs/benchmarks/rtl-coverage.md)
#   dotnet pwsh ./build.ps1 fuzz [--seconds N] [--target T]   afl-fuzz campaigns of the parsers (docs/fuzzing.md)
#   dotnet pwsh ./build.ps1 soak [--frames N] [--seed S]      RTL == model on N seeded frames (default 10,000,000; docs/benchmarks/soak.md)
# A simple script, not an advanced one: the arguments after the target (e.g. the bench's --out)
# pass through untouched instead of colliding with PowerShell's common parameters (-OutVariable).
param(
    [ValidateSet('deps', 'regs', 'lint', 'synth', 'native', 'trace', 'build', 'test', 'bench', 'bench-live', 'profile', 'coverage', 'demo', 'fuzz', 'soak', 'clean')]
    [string]$Command = 'build'   # not $Target: PowerShell would bind the fuzz target's --target to it
)
[string[]]$Rest = $args

$ErrorActionPreference = 'Stop'
Set-StrictMode -Version Latest
$Root = $PSScriptRoot
$Out = Join-Path $Root 'out'
$RtlDir = Join-Path $Root 'hw/rtl'
$ShimDir = Join-Path $Root 'hw/verilator'
# The suites that drive the Verilated card, for `build.ps1 coverage` (the driver's waveform tests accept a library without tracing).
$CoverageSuites = @('NitroCard.Rtl.Tests', 'NitroCard.Driver.Tests')
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
    '/usr/bin/nfcapd'      = 'nfdump'          # flow logs: IPFIX export checked against nfcapd/nfdump (issue 14)
    '/usr/sbin/nft'        = 'nftables'        # instance services live test (a container namespace behind an instance, NAT); a live region with several edges: services replies go back through the flow's edge
    '/usr/bin/dig'         = 'bind9-dnsutils'  # instance services live test: the Amazon DNS resolver asked by Debian's dig (issue 14)
    '/usr/sbin/dnsmasq'    = 'dnsmasq-base'    # live region: the region's dnsUpstream, a real DNS server in a namespace (issue 14)
    '/usr/sbin/bird'       = 'bird2'           # BGP tests, the live region's BGP VPN sites and the demo: BIRD 2 (bird, birdc) is the customer's router (issue 13)
    '/usr/lib/ipsec/charon' = 'strongswan-charon'       # IKEv2 interop tests (issue 13): charon in a namespace
    '/usr/sbin/swanctl'     = 'strongswan-swanctl'      # ... driven through vici
    '/usr/lib/ipsec/plugins/libstrongswan-kernel-libipsec.so' = 'libcharon-extra-plugins'   # ... ESP in user space, no XFRM
    '/usr/lib/ipsec/plugins/libstrongswan-gcm.so' = 'libstrongswan-standard-plugins'       # ... AES-GCM, openssl
    '/usr/bin/perf'        = 'linux-perf'      # build.ps1 profile: where the Verilated card spends its time, by module
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
    # Verilator output is cached per variant: rebuild only when the RTL, the shim or the flags change.
    #   default  out/lib/libnitrocard.so           what the driver, the tests and nitroctl load; no tracing
    #                                              compiled in (it keeps every traced signal and costs speed)
    #   trace    out/lib/libnitrocard-trace.so     the same RTL with FST tracing (nc_trace_start), loaded by the
    #                                              driver when a process asks for waveforms (NITROCARD_TRACE=1,
    #                                              nitroctl simulate --trace)
    #   profile  out/lib/libnitrocard-profile.so   modules kept apart (-fno-inline) for `build.ps1 profile`
    #   coverage out/lib/libnitrocard-coverage.so  line and toggle coverage points; each card writes its counts when
    #                                              destroyed, into NITROCARD_COVERAGE_DIR (`build.ps1 coverage`)
    param([ValidateSet('default', 'trace', 'profile', 'coverage')][string]$Variant = 'default')
    $name = if ($Variant -eq 'default') { 'libnitrocard.so' } else { "libnitrocard-$Variant.so" }
    $lib = Join-Path $Out "lib/$name"
    $mdir = Join-Path $Out $(if ($Variant -eq 'default') { 'obj_dir' } else { "obj_dir-$Variant" })
    $sources = @(Get-RtlFiles) + @(Get-ChildItem $ShimDir -File | Sort-Object Name | ForEach-Object FullName)
    # VL_USER_FATAL/STOP/FINISH: the shim's handlers record RTL fatals instead of ending the
    # .NET host process (Verilator's default $finish handler calls exit on a second $finish).
    $cflags = '-fPIC -O2 -DVL_USER_FATAL -DVL_USER_STOP -DVL_USER_FINISH -fvisibility=hidden'
    if ($Variant -eq 'profile') { $cflags += ' -g' }
    $ldflags = "-shared -Wl,--version-script=$(Join-Path $ShimDir 'libnitrocard.map')"
    $stampText = ($sources | ForEach-Object { (Get-FileHash $_ -Algorithm SHA256).Hash + ' ' + (Split-Path $_ -Leaf) }) -join "`n"
    # Verilator compiles the model's hot code with -Os by default; -O2 simulates faster
    # (the 100,000-frame differential test: 13 s with -Os, 10 s with -O2, on this machine).
    $makeflags = 'OPT_FAST=-O2'
    $vflags = @('-O3', '--x-assign', 'fast', '--x-initial', 'fast')
    switch ($Variant) {
        'trace' { $vflags += '--trace-fst' }
        'profile' { $vflags += '-fno-inline' }
        'coverage' { $vflags += @('--coverage-line', '--coverage-toggle') }
    }
    $stampText += "`n$cflags`n$ldflags`n$makeflags`n$($vflags -join ' ')`n" + (& verilator --version)
    $stamp = Join-Path $Out "lib/$([IO.Path]::GetFileNameWithoutExtension($name)).stamp"
    if ((Test-Path $lib) -and (Test-Path $stamp) -and ((Get-Content $stamp -Raw) -eq $stampText)) {
        Write-Host "$name is up to date"
        return
    }
    Write-Host "Verilating nitro_card into $name"
    New-Item -ItemType Directory -Force -Path (Split-Path $lib) | Out-Null
    $jobs = [Environment]::ProcessorCount
    $vargs = @('--cc', '--exe', '--build', '-j', "$jobs", '--top-module', 'nitro_card', '--Mdir', $mdir) + $vflags +
        @('-Wno-fatal', '-MAKEFLAGS', $makeflags, '-CFLAGS', $cflags, '-LDFLAGS', $ldflags, '-o', $name) +
        (Get-RtlFiles) + @(Get-ChildItem $ShimDir -Filter '*.cpp' | ForEach-Object FullName)
    Invoke-Native 'verilator' $vargs
    # copied beside the old library and renamed over it: a process that has it loaded (a test run) keeps its file
    # instead of seeing it rewritten under it
    Copy-Item (Join-Path $mdir $name) "$lib.next" -Force
    Move-Item "$lib.next" $lib -Force
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
        # The driver's suite runs on the traced library (its waveform tests write FST files); every other
        # suite runs on the default one, where nc_trace_start refuses and names libnitrocard-trace.so.
        $env:NITROCARD_TRACE = if ($name -eq 'NitroCard.Driver.Tests') { '1' } else { $null }
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

function Invoke-Coverage {
    # Line and toggle coverage of hw/rtl over the test suites that run the Verilated card: the coverage variant of
    # the library writes each card's counts when it is destroyed; verilator_coverage merges them; the table per
    # module goes between the markers of docs/benchmarks/rtl-coverage.md, the annotated sources to out/coverage.
    $filter = $null
    for ($i = 0; $i -lt $Rest.Count; $i++) {
        switch ($Rest[$i]) {
            '--filter' { $filter = $Rest[++$i] }
            default { throw "coverage: unknown argument '$($Rest[$i])' (coverage [--filter F], F a dotnet test filter)" }
        }
    }
    Build-Native -Variant coverage
    $dir = Join-Path $Out 'coverage'
    $dat = Join-Path $dir 'cards'
    Remove-Item -Recurse -Force $dir -ErrorAction SilentlyContinue
    New-Item -ItemType Directory -Force -Path $dat | Out-Null
    $env:NITROCARD_LIB = Join-Path $Out 'lib/libnitrocard-coverage.so'
    $env:NITROCARD_ROOT = $Root
    $env:NITROCARD_COVERAGE_DIR = $dat
    foreach ($suite in $CoverageSuites) {
        Write-Host "== $suite (coverage library)"
        $testArgs = @('test', (Join-Path $Root "tests/$suite/$suite.csproj"), '-c', 'Release', '--no-build', '-nologo', '--logger', 'console;verbosity=minimal')
        if ($filter) { $testArgs += @('--filter', $filter) }
        & dotnet @testArgs
        if ($LASTEXITCODE -ne 0) { throw "coverage: $suite failed on the coverage library" }
    }
    $env:NITROCARD_COVERAGE_DIR = $null
    $files = @(Get-ChildItem $dat -Filter '*.dat' | ForEach-Object FullName)
    if ($files.Count -eq 0) { throw "coverage: no card wrote coverage into $dat" }
    $merged = Join-Path $dir 'merged.dat'
    Invoke-Native 'verilator_coverage' (@('--write', $merged) + $files)
    Invoke-Native 'verilator_coverage' @('--annotate', (Join-Path $dir 'annotated'), '--annotate-min', '1', $merged)
    Write-Host "coverage: $($files.Count) cards merged into $merged"
    Write-CoverageReport -Merged $merged -Cards $files.Count -Suites $CoverageSuites -Filter $filter
}

function Write-CoverageReport {
    # Per module (RTL file): Verilator's line coverage (its v_line blocks and v_branch arms: a point is hit when some
    # instance ran it) and toggle coverage (v_toggle: each bit of a signal seen going both ways). Rewrites the table
    # between the markers of docs/benchmarks/rtl-coverage.md and lists the lines no test reaches.
    param([string]$Merged, [int]$Cards, [string[]]$Suites, [string]$Filter)
    $modules = @{}
    $missed = [Collections.Generic.SortedSet[string]]::new()
    foreach ($record in [IO.File]::ReadLines($Merged)) {
        if ($record -notmatch "^C '(.*)' (\d+)$") { continue }
        $count = [long]$Matches[2]
        $fields = @{}
        foreach ($pair in $Matches[1].Split([char]1)) {
            $kv = $pair.Split([char]2)
            if ($kv.Count -eq 2) { $fields[$kv[0]] = $kv[1] }
        }
        if (-not $fields.ContainsKey('page') -or -not $fields.ContainsKey('f')) { continue }
        $kind = ($fields['page'] -split '/')[0]
        $file = Split-Path $fields['f'] -Leaf
        if (-not $modules.ContainsKey($file)) { $modules[$file] = @{ LineHit = 0; Line = 0; ToggleHit = 0; Toggle = 0 } }
        $m = $modules[$file]
        if ($kind -eq 'v_toggle') {
            $m.Toggle++
            if ($count -gt 0) { $m.ToggleHit++ }
        } else {
            $m.Line++
            if ($count -gt 0) { $m.LineHit++ } else { [void]$missed.Add("$file`:$($fields['l'].PadLeft(4, '0'))") }
        }
    }
    function Percent([long]$hit, [long]$all) { if ($all -eq 0) { '—' } else { (100.0 * $hit / $all).ToString('F1', [Globalization.CultureInfo]::InvariantCulture) } }
    $commit = (& git -C $Root rev-parse --short HEAD).Trim()
    $when = [DateTime]::UtcNow.ToString('yyyy-MM-dd HH:mm', [Globalization.CultureInfo]::InvariantCulture)
    $command = 'dotnet pwsh ./build.ps1 coverage' + $(if ($Filter) { " --filter $Filter" } else { '' })
    $lines = @("Commit $commit, $when UTC, ``$command``: the coverage variant of the library under $($Suites -join ', ')",
        "($Cards cards, merged with ``verilator_coverage``). Points per RTL file over every instance of it.", '',
        '| module | line points hit | line coverage (%) | toggle bits hit | toggle coverage (%) |', '|---|---:|---:|---:|---:|')
    $totals = @{ LineHit = 0; Line = 0; ToggleHit = 0; Toggle = 0 }
    foreach ($file in ($modules.Keys | Sort-Object)) {
        $m = $modules[$file]
        foreach ($k in @('LineHit', 'Line', 'ToggleHit', 'Toggle')) { $totals[$k] += $m[$k] }
        $lines += "| $([IO.Path]::GetFileNameWithoutExtension($file)) | $($m.LineHit) / $($m.Line) | $(Percent $m.LineHit $m.Line) | $($m.ToggleHit) / $($m.Toggle) | $(Percent $m.ToggleHit $m.Toggle) |"
    }
    $lines += "| **hw/rtl** | **$($totals.LineHit) / $($totals.Line)** | **$(Percent $totals.LineHit $totals.Line)** | **$($totals.ToggleHit) / $($totals.Toggle)** | **$(Percent $totals.ToggleHit $totals.Toggle)** |"
    $lines += ''
    $lines += "Lines with a line or branch point no test reaches ($($missed.Count)): " +
        $(if ($missed.Count -eq 0) { 'none.' } else { (($missed | ForEach-Object { $_ -replace ':0+(\d)', ':$1' }) -join ', ') + '.' })
    $doc = Join-Path $Root 'docs/benchmarks/rtl-coverage.md'
    $text = Get-Content $doc -Raw
    $begin = '<!-- coverage:begin -->'; $end = '<!-- coverage:end -->'
    $from = $text.IndexOf($begin); $to = $text.IndexOf($end)
    if ($from -lt 0 -or $to -lt $from) { throw "coverage: $doc has no $begin ... $end markers" }
    $text = $text.Substring(0, $from + $begin.Length) + "`n" + ($lines -join "`n") + "`n" + $text.Substring($to)
    Set-Content -Path $doc -Value $text -NoNewline
    Write-Host "coverage: line $(Percent $totals.LineHit $totals.Line)%, toggle $(Percent $totals.ToggleHit $totals.Toggle)% (docs/benchmarks/rtl-coverage.md)"
}

function Write-EncapPcap {
    # $Count UDP frames of $Size bytes (no FCS) from eni-a1 (10.0.1.10, docs/examples/region.json) to eni-a2 on host-b
    # (10.0.2.20), all with one timestamp (a microsecond pcap: magic 0xa1b2c3d4, version 2.4, snaplen 262144, Ethernet): `simulate` pushes them back to back and the card encapsulates every one.
    param([string]$Path, [int]$Count, [int]$Size)
    $ipLen = $Size - 14
    $frame = [byte[]]::new($Size)
    [byte[]]$head = 0x02, 0x4e, 0x47, 0x57, 0x00, 0x01, 0x02, 0x00, 0x0a, 0x00, 0x01, 0x0a, 0x08, 0x00,
        0x45, 0x00, ($ipLen -shr 8), ($ipLen -band 0xff), 0x00, 0x00, 0x40, 0x00, 64, 17, 0, 0, 10, 0, 1, 10, 10, 0, 2, 20,
        0xc3, 0x50, 0x13, 0x88, (($ipLen - 20) -shr 8), (($ipLen - 20) -band 0xff), 0, 0
    [Array]::Copy($head, $frame, $head.Length)
    $sum = 0
    for ($i = 14; $i -lt 34; $i += 2) { $sum += ([int]$frame[$i] -shl 8) + [int]$frame[$i + 1] }
    while ($sum -gt 0xffff) { $sum = ($sum -band 0xffff) + ($sum -shr 16) }
    $sum = (-bnot $sum) -band 0xffff
    $frame[24] = $sum -shr 8; $frame[25] = $sum -band 0xff
    $stream = [IO.File]::Create($Path)
    try {
        $w = [IO.BinaryWriter]::new($stream)
        $w.Write([uint32]2712847316); $w.Write([uint16]2); $w.Write([uint16]4); $w.Write([int32]0); $w.Write([uint32]0)
        $w.Write([uint32]262144); $w.Write([uint32]1)
        for ($n = 0; $n -lt $Count; $n++) {
            $w.Write([uint32]1); $w.Write([uint32]0); $w.Write([uint32]$Size); $w.Write([uint32]$Size); $w.Write($frame)
        }
        $w.Flush()
    } finally { $stream.Dispose() }
}

function Invoke-Profile {
    # Where the Verilated card spends its time, by RTL module: the profile variant of the library (modules kept
    # apart, -fno-inline) runs two fixed `nitroctl simulate` workloads under perf; the self time of every sample is
    # charged to the module whose Verilated class it is in. Rewrites the table between the markers of
    # docs/benchmarks/simulation-profile.md.
    Build-Native -Variant profile
    $dir = Join-Path $Out 'profile'
    New-Item -ItemType Directory -Force -Path $dir | Out-Null
    $env:NITROCARD_LIB = Join-Path $Out 'lib/libnitrocard-profile.so'
    $nitroctl = Join-Path $Out 'bin/nitroctl'
    $region = Join-Path $Root 'docs/examples/region.json'
    $workloads = @(
        @{ Name = 'encap-1514'; Count = 20000; Size = 1514 },
        @{ Name = 'encap-64'; Count = 100000; Size = 64 })
    $shares = @{}
    $totals = @{}
    $runs = @()
    foreach ($w in $workloads) {
        $pcap = Join-Path $dir "$($w.Name).pcap"
        Write-EncapPcap -Path $pcap -Count $w.Count -Size $w.Size
        $data = Join-Path $dir "$($w.Name).perf.data"
        $result = Join-Path $dir "$($w.Name)-out"
        Remove-Item -Recurse -Force $result -ErrorAction SilentlyContinue
        Write-Host "perf record: $($w.Count) x $($w.Size)-byte TX frames"
        $watch = [Diagnostics.Stopwatch]::StartNew()
        Invoke-Native 'perf' @('record', '-q', '-e', 'cpu-clock', '-F', '1999', '-o', $data, '--', $nitroctl, 'simulate',
            '--topology', $region, '--host', 'host-a', '--engine', 'rtl', '--from-eni', "eni-a1=$pcap", '--out', $result)
        $watch.Stop()
        $cycles = [double]((Get-Content (Join-Path $result 'counters.json') -Raw | ConvertFrom-Json).cycles)
        $runs += @{ Name = $w.Name; Count = $w.Count; Size = $w.Size; Seconds = $watch.Elapsed.TotalSeconds; Cycles = $cycles }
        $report = & perf report -i $data --stdio -q --no-children --sort 'dso,sym' --percent-limit 0 2>$null
        $share = @{}
        $total = 0.0
        foreach ($line in $report) {
            if ($line -notmatch '^\s*([\d.]+)%\s+(\S+)\s+\[.\]\s+(.*)$') { continue }
            $pct = [double]$Matches[1]; $dso = $Matches[2]; $sym = $Matches[3]
            $module = if ($dso -ne 'libnitrocard-profile.so') { '.NET host, pcap I/O, kernel (outside the library)' }
                elseif ($sym -match '^Vnitro_card___024root') { 'Verilated scheduler (root class)' }
                elseif ($sym -match '^Vnitro_card_(nitro_[A-Za-z0-9]+(?:_[A-Za-z0-9]+)*)') { $Matches[1] }
                else { 'shim and Verilator runtime' }
            $share[$module] = $(if ($share.ContainsKey($module)) { $share[$module] } else { 0.0 }) + $pct
            $total += $pct
        }
        $shares[$w.Name] = $share
        $totals[$w.Name] = $total
    }
    $modules = $shares.Values | ForEach-Object { $_.Keys } | Sort-Object -Unique |
        Sort-Object { -($shares[$workloads[0].Name][$_] + 0) }
    $commit = (& git -C $Root rev-parse --short HEAD).Trim()
    if (& git -C $Root status --porcelain -- hw/rtl hw/verilator) { $commit += ' + uncommitted RTL/shim changes' }
    $lines = @(
        "Commit $commit, $(Get-Date -Format 'yyyy-MM-dd HH:mm') UTC, ``dotnet pwsh ./build.ps1 profile``: ``perf record -e cpu-clock -F 1999``",
        "of ``out/bin/nitroctl simulate --topology docs/examples/region.json --host host-a --engine rtl --from-eni eni-a1=<pcap>``",
        'with `NITROCARD_LIB=out/lib/libnitrocard-profile.so`; self time by symbol (`perf report --no-children --sort dso,sym`),',
        'charged to the module whose Verilated class holds it. Wall times are under perf, with the profile variant (no module',
        'inlining), on the shared machine: read them as proportions, not speeds.',
        '',
        "| workload | frames | wall under perf (s) | simulated cycles | cycles/s |",
        '|---|---:|---:|---:|---:|')
    foreach ($r in $runs) {
        $lines += "| $($r.Name) | $('{0:N0}' -f $r.Count) | $('{0:F2}' -f $r.Seconds) | $('{0:N0}' -f $r.Cycles) | $('{0:N0}' -f ($r.Cycles / $r.Seconds)) |"
    }
    $lines += ''
    $lines += "| module | $(($workloads | ForEach-Object { "$($_.Name) (% of samples)" }) -join ' | ') |"
    $lines += "|---|$(($workloads | ForEach-Object { '---:' }) -join '|')|"
    foreach ($m in $modules) {
        $cells = $workloads | ForEach-Object { $v = $shares[$_.Name][$m]; if ($v) { '{0:F1}' -f $v } else { '—' } }
        $lines += "| $m | $($cells -join ' | ') |"
    }
    $table = $lines -join "`n"
    Set-Content -Path (Join-Path $dir 'profile.md') -Value $table
    $doc = Join-Path $Root 'docs/benchmarks/simulation-profile.md'
    $text = Get-Content $doc -Raw
    $begin = '<!-- profile:begin -->'; $end = '<!-- profile:end -->'
    $i = $text.IndexOf($begin); $j = $text.IndexOf($end)
    if ($i -lt 0 -or $j -lt $i) { throw "$doc has no $begin ... $end block" }
    $text = $text.Substring(0, $i + $begin.Length) + "`n$table`n" + $text.Substring($j)
    Set-Content -Path $doc -Value $text -NoNewline
    Write-Host $table
    Write-Host "docs/benchmarks/simulation-profile.md rewritten (also out/profile/profile.md)"
}

function Format-Rate([double]$bits) {
    if ($bits -ge 1e9) { '{0:F2} Gbit/s' -f ($bits / 1e9) } else { '{0:F0} Mbit/s' -f ($bits / 1e6) }
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
            $rate = Format-Rate ([double]$json.end.sum_received.bits_per_second)
            # The same again while eni-blue1 (host-a, another VPC) floods eni-blue2 with small UDP datagrams as fast as
            # its TAP takes them: what a neighbour's flood leaves of eni-red1's throughput.
            & ip netns exec eni-blue2 iperf3 -s -1 -D -p 5202
            & ip netns exec eni-red2 iperf3 -s -1 -D -p 5201
            Start-Sleep -Milliseconds 500
            $floodLog = Join-Path $Out 'bench-live-flood.json'
            $flood = Start-Process -FilePath ip -ArgumentList @('netns', 'exec', 'eni-blue1', 'iperf3', '-c', '10.0.1.20', '-p', '5202', '-u', '-b', '0', '-l', '18', '-t', '13', '-J') `
                -RedirectStandardOutput $floodLog -PassThru
            Start-Sleep -Seconds 2
            $during = (& ip netns exec eni-red1 iperf3 -c 10.0.2.20 -t 10 -p 5201 -J) -join "`n" | ConvertFrom-Json
            $flood.WaitForExit(60000) | Out-Null
            $floodJson = Get-Content $floodLog -Raw | ConvertFrom-Json
            $floodRate = '{0:N0}' -f ([double]$floodJson.end.sum.packets / [double]$floodJson.end.sum.seconds)
            $duringRate = Format-Rate ([double]$during.end.sum_received.bits_per_second)
            $rows += "| $($c.Name) | $rtt | $rate | $duringRate (flood sent $floodRate datagrams/s) |"
            Write-Host "   rtt $rtt ms, $rate; during the flood $duringRate, flood $floodRate datagrams/s"
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
(receiver's rate) from ``eni-red1``; then the same iperf3 again while ``eni-blue1`` (host-a, the blue VPC) floods
``eni-blue2`` (host-b) with ``iperf3 -u -b 0 -l 18`` (18-byte UDP datagrams, 60-byte frames, as fast as its TAP takes
them, for 13 s around the measurement); then stops the region. The card hosts' pump takes its ports' queues round robin
and spreads the network port's frames by flow (``docs/live-region.md``), so the flood cannot fill ``eni-red1``'s queues;
but on this 2-core machine the flooder, both pumps and iperf3 share the cores with the measured path (the kernel's own
path loses about half too), so what the neighbour loses here is mostly CPU, not queueing.

| data plane (both hosts) | ping RTT min / avg / max (ms) | TCP, iperf3 10 s (receiver) | the same while a neighbour floods |
|---|---|---|---|
$($rows -join "`n")

Every packet on the card paths crosses two TAPs, the pump and the card twice (sender's TX, receiver's RX) plus the
kernel router namespace; the RTL figure is bound by Verilator simulation speed (one 9001-byte segment is ~142
beats each way plus pipeline cycles, all simulated on a shared core).
"@
    Set-Content -Path (Join-Path $Root 'docs/benchmarks/live.md') -Value $text
    Write-Host 'docs/benchmarks/live.md rewritten'
}

function Invoke-Soak {
    # The suite's differential test (RTL == model, every frame, counter and alarm) on more frames and any seed; the
    # result line goes to docs/benchmarks/soak.md. A mismatch leaves its reproducer pcap under out/differential/.
    $frames = 10000000
    $seed = 20261127
    for ($i = 0; $i -lt $Rest.Count; $i++) {
        switch ($Rest[$i]) {
            '--frames' { $frames = [long]$Rest[++$i] }
            '--seed' { $seed = [long]$Rest[++$i] }
            default { throw "soak: unknown argument '$($Rest[$i])' (soak [--frames N] [--seed S])" }
        }
    }
    $env:NITROCARD_LIB = Join-Path $Out 'lib/libnitrocard.so'
    $env:NITROCARD_ROOT = $Root
    $env:NITROCARD_DIFFERENTIAL_FRAMES = "$frames"
    $env:NITROCARD_DIFFERENTIAL_SEED = "$seed"
    $log = Join-Path $Out 'soak.log'
    Write-Host "soak: $frames frames, seed $seed (log: $log)"
    & dotnet test (Join-Path $Root 'tests/NitroCard.Rtl.Tests/NitroCard.Rtl.Tests.csproj') -c Release --no-build -nologo `
        --filter 'FullyQualifiedName~DifferentialTests.Rtl_and_model_agree_on_seeded_random_frames' --logger 'console;verbosity=detailed' *>&1 | Tee-Object -FilePath $log
    $failed = $LASTEXITCODE -ne 0
    $result = Select-String -Path $log -Pattern '^\s*differential: .*' | Select-Object -Last 1
    if ($failed -or -not $result) { throw "soak: RTL and model disagree or the run failed (see $log and out/differential/)" }
    $commit = (& git -C $Root rev-parse --short HEAD).Trim()
    $cpu = ((Get-Content /proc/cpuinfo | Select-String '^model name' | Select-Object -First 1) -split ':\s*', 2)[1]
    $text = @"
# Soak: RTL == model on many seeded frames

Measured by ``dotnet pwsh ./build.ps1 soak --frames $frames --seed $seed`` at commit $commit on $((Get-Date).ToUniversalTime().ToString('yyyy-MM-dd HH:mm')) UTC,
$([Environment]::ProcessorCount) cores ($cpu), shared with other work. The test is the suite's differential test
(``tests/NitroCard.Rtl.Tests/DifferentialTests.cs``: valid, invalid, spoofed, cross-VPC and truncated frames from
``FrameGenerator``, both ports, every output frame, counter and alarm compared), which the suite runs on 100,000 frames.

    $($result.Line.Trim())
"@
    Set-Content -Path (Join-Path $Root 'docs/benchmarks/soak.md') -Value $text
    Write-Host "docs/benchmarks/soak.md rewritten: $($result.Line.Trim())"
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
    'test' { Build-All; Build-Native -Variant trace; Invoke-Tests }   # nitroctl simulate --trace and the driver's waveform tests load libnitrocard-trace.so
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
    'profile' { Install-Dependencies; Invoke-RegGen; Build-Dotnet; Invoke-Profile }   # needs nitroctl and its own library variant only
    'trace' { Install-Dependencies; Build-Native -Variant trace }
    'coverage' { Build-All; Invoke-Coverage }
    'demo' {
        Build-All
        $env:NITROCARD_LIB = Join-Path $Out 'lib/libnitrocard.so'
        Invoke-Native (Join-Path $Out 'bin/nitroctl') (@('demo') + $Rest)
    }
    'soak' { Build-All; Invoke-Soak }
    'fuzz' { Install-Dependencies; Invoke-Fuzz }
    'clean' { Remove-Item -Recurse -Force $Out -ErrorAction SilentlyContinue }
}
