using System.Reflection;
using System.Runtime.InteropServices;
using NitroCard.Card;

namespace NitroCard.Driver;

internal static partial class Interop
{
    // Runs before the first P/Invoke of this class: installs the resolver exactly once.
    static Interop()
    {
        NativeLibrary.SetDllImportResolver(typeof(Interop).Assembly, Resolve);
    }

    private static readonly Lazy<nint> s_library = new(LoadNitroCard, LazyThreadSafetyMode.ExecutionAndPublication);

    /// <summary>
    /// Loads libnitrocard.so (once) and returns its handle, or throws a
    /// <see cref="NitroCardException"/> saying where it looked and how to build it.
    /// </summary>
    internal static nint EnsureLibraryLoaded() => s_library.Value;

    private static nint Resolve(string libraryName, Assembly assembly, DllImportSearchPath? searchPath) =>
        libraryName == Libraries.NitroCard ? EnsureLibraryLoaded() : 0;

    /// <summary>
    /// Where libnitrocard.so may be, in order: $NITROCARD_LIB (a full path); next to the
    /// application; ../lib from it (out/bin → out/lib); out/lib/ under the application folder
    /// or any of its parents (tests run from tests/X/bin/Release/net10.0/).
    /// </summary>
    internal static IEnumerable<string> LibraryCandidates()
    {
        const string fileName = "libnitrocard.so";
        var baseDirectory = AppContext.BaseDirectory;
        yield return Path.Combine(baseDirectory, fileName);
        yield return Path.GetFullPath(Path.Combine(baseDirectory, "..", "lib", fileName));
        for (var directory = new DirectoryInfo(baseDirectory); directory is not null; directory = directory.Parent)
        {
            yield return Path.Combine(directory.FullName, "out", "lib", fileName);
        }
    }

    private static nint LoadNitroCard()
    {
        var fromEnvironment = Environment.GetEnvironmentVariable("NITROCARD_LIB");
        if (!string.IsNullOrEmpty(fromEnvironment))
        {
            if (!File.Exists(fromEnvironment))
            {
                throw new NitroCardException(
                    $"NITROCARD_LIB is '{fromEnvironment}', which does not exist. Build the library with `dotnet pwsh ./build.ps1 build` or fix the variable.");
            }

            return Load(fromEnvironment);
        }

        var looked = new List<string>();
        foreach (var candidate in LibraryCandidates())
        {
            looked.Add(candidate);
            if (File.Exists(candidate))
            {
                return Load(candidate);
            }
        }

        throw new NitroCardException(
            "libnitrocard.so was not found. NITROCARD_LIB is not set, and it is not at any of: "
            + string.Join(", ", looked)
            + ". Build it with `dotnet pwsh ./build.ps1 build` (it lands in out/lib), or set NITROCARD_LIB to its full path.");
    }

    private static nint Load(string path)
    {
        try
        {
            return NativeLibrary.Load(path);
        }
        catch (DllNotFoundException e)
        {
            throw new NitroCardException($"{path} exists but could not be loaded: {e.Message}", e);
        }
        catch (BadImageFormatException e)
        {
            throw new NitroCardException($"{path} is not a loadable library for this process: {e.Message}", e);
        }
    }
}
