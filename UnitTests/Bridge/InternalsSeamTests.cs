using System.Reflection;
using MLComponents.MLNet;

namespace MLComponents.UnitTests.Bridge;

/// <summary>
/// Our components bind to ML.NET internals (see MLNetBridge/build/PublicizedMLNet.targets). These tests keep that binding in one
/// small, reviewed seam and say exactly what broke if a Microsoft.ML upgrade changes it.
/// </summary>
[TestClass]
public sealed class InternalsSeamTests
{
    private static readonly Assembly[] Ours =
    [
        typeof(ComponentStore).Assembly,                         // MLComponents.MLNetBridge
        typeof(TokenizeToIdsTransformer).Assembly,               // MLComponents.Transforms
        typeof(Trainers.TransformerClassifierTrainer).Assembly,  // MLComponents.Trainers
    ];

    private static readonly Lazy<MLNetInternalsScan.Result> Scan = new(() => MLNetInternalsScan.Scan(Ours));

    [TestMethod]
    public void EveryInternalMemberWeUseResolvesInTheReferencedMicrosoftML()
    {
        var failures = Scan.Value.Failures;
        Assert.AreEqual(0, failures.Count,
            $"Microsoft.ML {typeof(Microsoft.ML.MLContext).Assembly.GetName().Version} no longer has internals MLComponents binds to " +
            $"(MLNetBridge must be adapted to the new version):\n{string.Join("\n", failures)}");
    }

    [TestMethod]
    public void OnlyMLNetBridgeUsesMLNetInternals()
    {
        var outside = Scan.Value.Uses.Where(u => !u.StartsWith("MLComponents.MLNetBridge:", StringComparison.Ordinal)).ToList();
        Assert.AreEqual(0, outside.Count,
            "ML.NET internals used outside MLComponents.MLNetBridge (they compile because the component projects see publicized " +
            $"references, but fail at run time with MethodAccessException; go through the bridge):\n{string.Join("\n", outside)}");
    }

    [TestMethod]
    public void TheInternalsWeUseAreExactlyTheReviewedList()
    {
        string path = Path.Combine(AppContext.BaseDirectory, "Bridge", "MLNetInternals.txt");
        var expected = File.ReadAllLines(path).Where(l => l.Length > 0 && !l.StartsWith('#')).ToList();
        var actual = Scan.Value.Uses.ToList();
        var added = actual.Except(expected, StringComparer.Ordinal).ToList();
        var removed = expected.Except(actual, StringComparer.Ordinal).ToList();
        Assert.IsTrue(added.Count == 0 && removed.Count == 0,
            "The ML.NET internals MLComponents uses changed; review the change, then update UnitTests/Bridge/MLNetInternals.txt.\n" +
            $"New uses:\n{string.Join("\n", added)}\nNo longer used:\n{string.Join("\n", removed)}");
    }

    [TestMethod]
    public void EveryLoadableComponentIsRegisteredWithAValidUniqueSignature()
    {
        var attributes = Ours.SelectMany(a => a.GetCustomAttributes<LoadableComponentAttribute>()).ToList();
        var types = attributes.Select(a => a.ComponentType).ToList();
        CollectionAssert.AllItemsAreUnique(types);
        var signatures = types.Select(t => (ComponentSignature)typeof(ComponentLoader<>).MakeGenericType(t)
            .GetProperty(nameof(ComponentLoader<TokenizeToIdsTransformer>.Signature))!.GetValue(null)!).ToList();
        CollectionAssert.AllItemsAreUnique(signatures.Select(s => s.LoaderSignature.ToLowerInvariant()).ToList(), "loader signatures (ML.NET compares them case-insensitively)");
        CollectionAssert.AllItemsAreUnique(signatures.Select(s => s.ModelSignature).ToList(), "model signatures");
        foreach (var s in signatures)
        {
            Assert.IsTrue(s.LoaderSignature.Length is > 0 and <= 24, $"'{s.LoaderSignature}': ML.NET stores at most 24 characters");
            Assert.AreEqual(8, s.ModelSignature.Length, $"'{s.ModelSignature}'");
        }
        // Every concrete ILoadableComponent in our assemblies must be declared, or models holding it would not load.
        var loadable = Ours.SelectMany(a => a.GetTypes()).Where(t => !t.IsAbstract && t.GetInterfaces().Any(i =>
            i.IsGenericType && i.GetGenericTypeDefinition() == typeof(ILoadableComponent<>) && i.GetGenericArguments()[0] == t)).ToList();
        CollectionAssert.AreEquivalent(loadable, types, "loadable component types vs [assembly: LoadableComponent] declarations");
    }
}
