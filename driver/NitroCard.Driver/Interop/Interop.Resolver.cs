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

    private static volatile bool s_tracingRequested;

    /// <summary>
    /// Asks for the traced variant of the library (libnitrocard-trace.so: the same RTL with FST
    /// tracing compiled in) instead of the default one. Effective only before the library is
    /// loaded; returns whether the traced variant is (or will be) the one in use.
    /// </summary>
    internal static bool RequestTracing()
    {
        s_tracingRequested = true;
        return !s_library.IsValueCreated || TracingLibraryLoaded;
    }

    /// <summary>Asks for the traced variant only if it can be found and nothing is loaded yet.</summary>
    internal static void RequestTracingIfBuilt()
    {
        if (s_library.IsValueCreated)
            return;
        try
        {
            FindTracingLibrary();
            s_tracingRequested = true;
        }
        catch (NitroCardException)
        {
            // not built: the default library, whose nc_trace_start says how to get tracing
        }
    }

    /// <summary>Whether the loaded library is the traced variant.</summary>
    internal static bool TracingLibraryLoaded { get; private set; }

    private static bool TracingWanted =>
        s_tracingRequested || Environment.GetEnvironmentVariable("NITROCARD_TRACE") is "1" or "true";

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
        if (TracingWanted)
        {
            var traced = FindTracingLibrary();
            var handle = Load(traced);
            TracingLibraryLoaded = true;
            return handle;
        }

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

    /// <summary>
    /// The traced variant: $NITROCARD_TRACE_LIB (a full path), else libnitrocard-trace.so beside
    /// the default library ($NITROCARD_LIB's folder, or the first candidate folder that has it).
    /// </summary>
    private static string FindTracingLibrary()
    {
        const string fileName = "libnitrocard-trace.so";
        const string build = "Build it with `dotnet pwsh ./build.ps1 trace` (it lands in out/lib beside libnitrocard.so)";
        var explicitPath = Environment.GetEnvironmentVariable("NITROCARD_TRACE_LIB");
        if (!string.IsNullOrEmpty(explicitPath))
        {
            return File.Exists(explicitPath)
                ? explicitPath
                : throw new NitroCardException($"NITROCARD_TRACE_LIB is '{explicitPath}', which does not exist. {build} or fix the variable.");
        }

        var looked = new List<string>();
        var fromEnvironment = Environment.GetEnvironmentVariable("NITROCARD_LIB");
        IEnumerable<string> candidates = !string.IsNullOrEmpty(fromEnvironment)
            ? [Path.Combine(Path.GetDirectoryName(Path.GetFullPath(fromEnvironment))!, fileName)]
            : LibraryCandidates().Select(c => Path.Combine(Path.GetDirectoryName(c)!, fileName));
        foreach (var candidate in candidates)
        {
            looked.Add(candidate);
            if (File.Exists(candidate))
                return candidate;
        }

        throw new NitroCardException(
            $"A waveform needs the traced library {fileName}, which is not at any of: {string.Join(", ", looked)}. {build}, or set NITROCARD_TRACE_LIB to its full path.");
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
