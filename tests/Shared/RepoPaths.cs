namespace NitroCard.Testing;

/// <summary>Finds files in the repository from a test's output directory.</summary>
internal static class RepoPaths
{
    public static string Root { get; } = FindRoot();

    public static string File(string relative) => Path.Combine(Root, relative);

    private static string FindRoot()
    {
        var fromEnv = Environment.GetEnvironmentVariable("NITROCARD_ROOT");
        if (!string.IsNullOrEmpty(fromEnv))
            return fromEnv;
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (System.IO.File.Exists(Path.Combine(dir.FullName, "NitroCard.sln")))
                return dir.FullName;
        }
        throw new InvalidOperationException("NitroCard.sln not found above " + AppContext.BaseDirectory);
    }
}
