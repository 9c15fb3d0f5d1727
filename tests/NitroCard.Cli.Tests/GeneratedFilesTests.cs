namespace NitroCard.Cli.Tests;

/// <summary>The register map has one source: the generated SV, C# and docs must match it.</summary>
public class GeneratedFilesTests
{
    [Fact]
    public void Generated_register_files_are_up_to_date_with_the_register_map()
    {
        var regGen = RepoPaths.File("tools/RegGen/bin/Release/net10.0/RegGen.dll");
        Assert.True(File.Exists(regGen), $"{regGen} is missing: build the solution first");
        var (code, _, stderr) = NitroctlProcess.RunTool("dotnet", [regGen, RepoPaths.Root, "--check"]);
        Assert.True(code == 0, stderr);
    }
}
