using System.Xml.Linq;

namespace NitroCard.Architecture.Tests;

/// <summary>Every .csproj of the repository and the projects each one references, read from the files.</summary>
internal sealed class ProjectGraph
{
    private ProjectGraph(string root, IReadOnlyDictionary<string, IReadOnlyList<string>> references)
    {
        Root = root;
        References = references;
    }

    /// <summary>The repository root (the directory holding NitroCard.sln).</summary>
    public string Root { get; }

    /// <summary>Project path relative to the root (forward slashes) → the projects it references, the same way.</summary>
    public IReadOnlyDictionary<string, IReadOnlyList<string>> References { get; }

    public IEnumerable<string> Projects => References.Keys;

    public static ProjectGraph Load()
    {
        var root = RepoPaths.Root;
        var references = new Dictionary<string, IReadOnlyList<string>>(StringComparer.Ordinal);
        foreach (var file in Directory.EnumerateFiles(root, "*.csproj", SearchOption.AllDirectories))
        {
            var relative = Relative(root, file);
            if (relative.StartsWith("out/", StringComparison.Ordinal) || relative.Contains("/obj/", StringComparison.Ordinal) || relative.Contains("/bin/", StringComparison.Ordinal))
                continue;
            var directory = Path.GetDirectoryName(file)!;
            references[relative] = XDocument.Load(file).Descendants("ProjectReference")
                .Select(r => (string?)r.Attribute("Include") ?? throw new InvalidDataException($"{relative}: a ProjectReference without Include"))
                .Select(include => Relative(root, Path.GetFullPath(Path.Combine(directory, include.Replace('\\', '/')))))
                .ToList();
        }
        return new ProjectGraph(root, references);
    }

    /// <summary>Everything <paramref name="project"/> reaches through references, itself excluded.</summary>
    public IReadOnlySet<string> Closure(string project)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var work = new Stack<string>(References[project]);
        while (work.TryPop(out var next))
        {
            if (!seen.Add(next))
                continue;
            if (References.TryGetValue(next, out var further))
                foreach (var f in further)
                    work.Push(f);
        }
        return seen;
    }

    private static string Relative(string root, string path) => Path.GetRelativePath(root, path).Replace('\\', '/');
}
