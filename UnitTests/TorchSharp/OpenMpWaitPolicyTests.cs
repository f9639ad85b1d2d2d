using System.Diagnostics;
using Microsoft.VisualStudio.TestTools.UnitTesting;
using MLComponents.TorchSharp;

namespace MLComponents.UnitTests.TorchSharp;

/// <summary>
/// libtorch's OpenMP runtime (libgomp) must wait passively: its default busy-wait made the TorchSharp backend 10-80x
/// slower on a loaded machine. libgomp reads the policy once, when libtorch loads, so the end-to-end check runs the
/// TextClassification sample in a fresh process with OMP_DISPLAY_ENV=VERBOSE and reads what libgomp took.
/// </summary>
[TestClass]
[DoNotParallelize] // TorchSharp 0.107 can free an implicit Scalar mid-call when another thread's allocation triggers a GC (Trainers/TorchSharp/README.md)
public sealed class OpenMpWaitPolicyTests
{
    [TestMethod]
    public void PassiveUnlessTheApplicationChose()
    {
        Assert.AreEqual("PASSIVE", OpenMpWaitPolicy.Choose(null, null));
        Assert.AreEqual("PASSIVE", OpenMpWaitPolicy.Choose("", ""));
        Assert.IsNull(OpenMpWaitPolicy.Choose("ACTIVE", null));
        Assert.IsNull(OpenMpWaitPolicy.Choose("passive", null));
        Assert.IsNull(OpenMpWaitPolicy.Choose(null, "10000"));
        // Once libtorch is loaded the variable this assembly set is gone again (libgomp has read it).
        _ = TorchDevices.Resolve("cpu");
        Assert.IsFalse(OpenMpWaitPolicy.Applied);
    }

    [TestMethod]
    [Timeout(600_000, CooperativeCancellation = true)]
    [DataRow(null, "0", DisplayName = "nothing set: libgomp does not spin")]
    [DataRow("ACTIVE", "30000000000", DisplayName = "OMP_WAIT_POLICY=ACTIVE set by the application: kept")]
    public void TheSamplesLibTorchTakesTheWaitPolicy(string? applicationPolicy, string expectedSpinCount)
    {
        if (!OperatingSystem.IsLinux())
        {
            Assert.Inconclusive("libtorch's bundled libgomp is the Linux build's.");
        }
        string dir = Path.Combine(Path.GetTempPath(), "mlc-omp-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        try
        {
            string tsv = Path.Combine(dir, "tiny.tsv");
            File.WriteAllLines(tsv, ["Label\tText", "cat\tthe cat chased the dog", "dog\tthe dog chased the cat",
                "cat\tthe dog was chased by the cat", "dog\tthe cat was chased by the dog"]);
            var start = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet")
            {
                WorkingDirectory = dir,
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            };
            foreach (string a in new[] { Path.Combine(AppContext.BaseDirectory, "TextClassification.dll"), "--train", tsv, "--test", tsv,
                "--epochs", "1", "--backend", "torchsharp", "--model-out", Path.Combine(dir, "model.zip") })
            {
                start.ArgumentList.Add(a);
            }
            start.Environment.Remove("GOMP_SPINCOUNT");
            start.Environment.Remove("OMP_WAIT_POLICY");
            if (applicationPolicy is not null)
            {
                start.Environment["OMP_WAIT_POLICY"] = applicationPolicy;
            }
            start.Environment["OMP_DISPLAY_ENV"] = "VERBOSE";
            using var process = Process.Start(start)!;
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEndAsync();
            if (!process.WaitForExit(TimeSpan.FromMinutes(5)))
            {
                process.Kill(entireProcessTree: true);
                Assert.Fail("The sample did not finish in 5 minutes.");
            }
            string output = stdout.Result + stderr.Result;
            Assert.AreEqual(0, process.ExitCode, output);
            StringAssert.Contains(output, "test=tiny.tsv", "the sample trained and evaluated on the TorchSharp backend");
            // libgomp prints its settings once, when libtorch loads it.
            StringAssert.Contains(output, $"GOMP_SPINCOUNT = '{expectedSpinCount}'", output);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
