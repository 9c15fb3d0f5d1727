using NitroCard.Fuzz;
using SharpFuzz;

// NitroCard.Fuzz <target>                     under afl-fuzz (SharpFuzz fork server): stdin/@@ is one input
// NitroCard.Fuzz <target> --replay <dir|file> every file through the target in process; a crash or hang fails
// NitroCard.Fuzz seed <corpus-dir> <repo>     writes the seed inputs made by the project's own encoders
// NitroCard.Fuzz list                         the targets, one a line: name, assemblies to instrument, description
if (args.Length == 0)
{
    Console.Error.WriteLine("usage: NitroCard.Fuzz <target> [--replay <dir|file>] | seed <corpus-dir> <repo> | list");
    Console.Error.WriteLine("targets: " + string.Join(", ", FuzzTargets.All.Select(t => t.Name)));
    return 2;
}
if (args[0] == "list")
{
    foreach (var t in FuzzTargets.All)
        Console.WriteLine($"{t.Name}\t{string.Join(',', t.Instrument)}\t{t.Description}");
    return 0;
}
if (args[0] == "seed" && args.Length == 3)
{
    foreach (var (targetName, name, bytes) in Seeds.All(args[2]))
    {
        var dir = Path.Combine(args[1], targetName);
        Directory.CreateDirectory(dir);
        File.WriteAllBytes(Path.Combine(dir, name), bytes);
    }
    return 0;
}
if (FuzzTargets.Find(args[0]) is not { } target)
{
    Console.Error.WriteLine($"NitroCard.Fuzz: no target '{args[0]}' (targets: {string.Join(", ", FuzzTargets.All.Select(t => t.Name))})");
    return 2;
}
if (args.Length == 3 && args[1] == "--replay")
    return Replay.Run(target, args[2], Console.Out);
if (args.Length != 1)
{
    Console.Error.WriteLine("usage: NitroCard.Fuzz <target> [--replay <dir|file>]");
    return 2;
}

// Under afl-fuzz: a documented refusal is a normal run; any other exception escapes and is the crash afl records.
Fuzzer.OutOfProcess.Run(stream =>
{
    using var buffer = new MemoryStream();
    stream.CopyTo(buffer);
    target.Run(buffer.ToArray());
});
return 0;
