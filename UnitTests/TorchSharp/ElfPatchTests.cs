using System.Diagnostics;
using System.Text;
using Microsoft.VisualStudio.TestTools.UnitTesting;
using MLComponents.TorchSharp.Build;

namespace MLComponents.UnitTests.TorchSharp;

/// <summary>
/// The Debian 12 fix: libLibTorchSharp.so's GLIBCXX_3.4.32 requirement is made weak in output copies only (this test
/// run's own copy, every copy of a build and of a publish), never in the NuGet cache, and the build refuses when a symbol
/// other than GCC 13's marker needs that version.
/// </summary>
[TestClass]
public sealed class ElfPatchTests
{
    private const string Library = "libstdc++.so.6", Version = "GLIBCXX_3.4.32", Marker = "_ZSt21ios_base_library_initv";

    public TestContext TestContext { get; set; } = null!;

    private static string CacheCopy()
    {
        string packages = Environment.GetEnvironmentVariable("NUGET_PACKAGES") is { Length: > 0 } p
            ? p : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");
        string path = Path.Combine(packages, "torchsharp", "0.107.0", "runtimes", "linux-x64", "native", "libLibTorchSharp.so");
        if (!File.Exists(path))
        {
            Assert.Inconclusive($"TorchSharp's native library is not in the NuGet cache at {path}.");
        }
        return path;
    }

    [TestMethod]
    public void ThisRunsCopyIsPatchedAndTheNuGetCacheIsNot()
    {
        string output = Path.Combine(AppContext.BaseDirectory, "runtimes", "linux-x64", "native", "libLibTorchSharp.so");
        var patched = ElfWeakVersion.Inspect(File.ReadAllBytes(output), Library, Version);
        Assert.IsTrue(patched.IsWeak, "the test output's copy");
        CollectionAssert.AreEqual(new[] { Marker }, patched.Symbols);
        var cache = ElfWeakVersion.Inspect(File.ReadAllBytes(CacheCopy()), Library, Version);
        Assert.IsFalse(cache.IsWeak, "the NuGet cache's copy must stay as shipped");
        Assert.AreEqual(patched.FlagsOffset, cache.FlagsOffset);
    }

    [TestMethod]
    public void OnlyTheFlagsOfThatOneRequirementChange()
    {
        byte[] original = File.ReadAllBytes(CacheCopy());
        byte[] elf = (byte[])original.Clone();
        var finding = ElfWeakVersion.Inspect(elf, Library, Version);
        Assert.IsGreaterThan(0L, finding.FlagsOffset);
        Assert.IsNull(ElfWeakVersion.OtherSymbol(finding, Marker));
        ElfWeakVersion.MarkWeak(elf, finding);
        var changed = Enumerable.Range(0, elf.Length).Where(i => elf[i] != original[i]).ToArray();
        CollectionAssert.AreEqual(new[] { (int)finding.FlagsOffset }, changed, "one byte of vna_flags");
        Assert.AreEqual(ElfWeakVersion.VerFlagWeak, elf[finding.FlagsOffset]);
        Assert.IsTrue(ElfWeakVersion.Inspect(elf, Library, Version).IsWeak);
        // Other requirements are found but untouched.
        Assert.IsFalse(ElfWeakVersion.Inspect(elf, Library, "GLIBCXX_3.4.30").IsWeak);
        Assert.AreEqual(-1L, ElfWeakVersion.Inspect(elf, Library, "GLIBCXX_9.9").FlagsOffset);
        Assert.ThrowsExactly<InvalidDataException>(() => ElfWeakVersion.Inspect(Encoding.ASCII.GetBytes("not an ELF file at all, but long enough to have a header...."), Library, Version));
    }

    [TestMethod]
    public void BuildAndPublishPatchEveryOutputCopyButNeverTheSource()
    {
        string dir = MiniProject(doctored: false);
        try
        {
            string source = Path.Combine(dir, "cache", "libLibTorchSharp.so");
            byte[] before = File.ReadAllBytes(source);
            var (code, log) = Dotnet(dir, "build -nologo -v:n");
            Assert.AreEqual(0, code, log);
            var (publishCode, publishLog) = Dotnet(dir, "publish -nologo -v:n -o pub");
            Assert.AreEqual(0, publishCode, publishLog);
            var copies = new[] { "bin/Debug/net10.0/runtimes/linux-x64/native", "bin/Debug/net10.0/cpu", "pub/runtimes/linux-x64/native", "pub/cpu" }
                .Select(d => Path.Combine(dir, d, "libLibTorchSharp.so")).ToArray();
            foreach (string copy in copies)
            {
                Assert.IsTrue(ElfWeakVersion.Inspect(File.ReadAllBytes(copy), Library, Version).IsWeak, copy);
            }
            CollectionAssert.AreEqual(before, File.ReadAllBytes(source), "the source (standing in for the NuGet cache, hard-linked into the output) is untouched");
            TestContext.WriteLine($"patched {copies.Length} copies; source unchanged");
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [TestMethod]
    public void TheBuildRefusesWhenAnotherSymbolNeedsTheVersion()
    {
        string dir = MiniProject(doctored: true);
        try
        {
            var (code, log) = Dotnet(dir, "build -nologo -v:m");
            Assert.AreNotEqual(0, code, "the build must fail");
            StringAssert.Contains(log, "refusing to mark GLIBCXX_3.4.32 weak");
            StringAssert.Contains(log, "_ZSt21ios_base_library_initX");
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    // A project that copies a stand-in of the NuGet cache's libLibTorchSharp.so into the two output folders TorchSharp
    // uses (hard links where possible, as the SDK may do with the cache) and imports the targets.
    private string MiniProject(bool doctored)
    {
        string dir = Path.Combine(Path.GetTempPath(), "mlc-elf-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Path.Combine(dir, "cache"));
        byte[] elf = File.ReadAllBytes(CacheCopy());
        if (doctored)
        {
            // Rename the marker in .dynstr: the symbol bound to GLIBCXX_3.4.32 is then not the marker any more.
            byte[] name = Encoding.ASCII.GetBytes(Marker + "\0");
            int at = elf.AsSpan().IndexOf(name);
            Assert.IsGreaterThan(0, at);
            elf[at + Marker.Length - 1] = (byte)'X';
        }
        File.WriteAllBytes(Path.Combine(dir, "cache", "libLibTorchSharp.so"), elf);
        string targets = Path.Combine(RepositoryRoot(), "Trainers", "TorchSharp", "build", "MLComponents.Trainers.TorchSharp.targets");
        File.WriteAllText(Path.Combine(dir, "Mini.csproj"), $"""
            <Project Sdk="Microsoft.NET.Sdk">
              <PropertyGroup>
                <TargetFramework>net10.0</TargetFramework>
                <EnableDefaultItems>false</EnableDefaultItems>
                <CreateHardLinksForAdditionalFilesIfPossible>true</CreateHardLinksForAdditionalFilesIfPossible>
                <CreateHardLinksForCopyAdditionalFilesIfPossible>true</CreateHardLinksForCopyAdditionalFilesIfPossible>
                <CreateHardLinksForPublishFilesIfPossible>true</CreateHardLinksForPublishFilesIfPossible>
              </PropertyGroup>
              <ItemGroup>
                <None Include="cache/libLibTorchSharp.so" Link="runtimes/linux-x64/native/libLibTorchSharp.so" CopyToOutputDirectory="PreserveNewest" CopyToPublishDirectory="PreserveNewest" />
                <None Include="cache/libLibTorchSharp.so" Link="cpu/libLibTorchSharp.so" CopyToOutputDirectory="PreserveNewest" CopyToPublishDirectory="PreserveNewest" />
              </ItemGroup>
              <Import Project="{targets}" />
            </Project>
            """);
        return dir;
    }

    private static string RepositoryRoot()
    {
        for (var d = new DirectoryInfo(AppContext.BaseDirectory); d is not null; d = d.Parent)
        {
            if (File.Exists(Path.Combine(d.FullName, "MLComponents.sln")))
            {
                return d.FullName;
            }
        }
        throw new InvalidOperationException("The repository root (MLComponents.sln) is not above the test output.");
    }

    private static (int Code, string Log) Dotnet(string dir, string arguments)
    {
        var start = new ProcessStartInfo("dotnet", arguments + " -nodeReuse:false") { WorkingDirectory = dir, RedirectStandardOutput = true, RedirectStandardError = true };
        // The test host's MSBuild variables would point the child build at the test's own SDK resolution; start clean.
        foreach (string key in start.Environment.Keys.Where(k => k.StartsWith("MSBuild", StringComparison.OrdinalIgnoreCase) || k == "MSBUILD_EXE_PATH").ToList())
        {
            start.Environment.Remove(key);
        }
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromMinutes(4)))
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail($"dotnet {arguments} did not finish in 4 minutes");
        }
        return (process.ExitCode, stdout.Result + stderr.Result);
    }
}
