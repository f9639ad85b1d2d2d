using Microsoft.VisualStudio.TestTools.UnitTesting;
using MLComponents.Engine;
using MLComponents.TorchSharp;
using MLComponents.TorchSharp.Position;
using TorchSharp;
using PE = MLComponents.PositionEncoding;

namespace MLComponents.UnitTests.TorchSharp;

/// <summary>
/// Bad inputs stop in managed code with errors that name the problem, before libtorch sees them (a mismatched matmul
/// aborts the process in TorchSharp 0.107); the RoPE/xPos tables the backend computes are the schemes' own.
/// </summary>
[TestClass]
[DoNotParallelize] // TorchSharp 0.107 can free an implicit Scalar mid-call when another thread's allocation triggers a GC (Trainers/TorchSharp/README.md)
public sealed class NativeHygieneTests
{
    [TestMethod]
    public void MismatchedProductsAreRejectedBeforeLibtorch()
    {
        using var scope = torch.NewDisposeScope();
        var e = Assert.ThrowsExactly<ArgumentException>(() => Checked.MatMul(torch.zeros(2, 3), torch.zeros(4, 5), "test product"));
        StringAssert.Contains(e.Message, "[2, 3]");
        StringAssert.Contains(e.Message, "[4, 5]");
        Assert.ThrowsExactly<ArgumentException>(() => Checked.MatMul(torch.zeros(3, 2, 4), torch.zeros(2, 4, 5), "batch dims"));
        CollectionAssert.AreEqual(new long[] { 3, 2, 5 }, Checked.MatMul(torch.zeros(3, 2, 4), torch.zeros(1, 4, 5), "broadcast").shape);
    }

    [TestMethod]
    public void BadBatchesAreNamedOnTheHost()
    {
        var managed = new SequenceClassifier(TorchTestKit.SmallConfig(), 3, PE.Learned(maxPositions: 6), seed: 1);
        using var model = new TorchSequenceClassifier(managed);
        int[] ids = [1, 2, 3, 4];
        var vocabulary = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => model.Batch([1, 99, 3, 4], [4], 1, 4));
        StringAssert.Contains(vocabulary.Message, "Token id 99");
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => model.Batch(ids, [5], 1, 4));
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => model.Batch(new int[13], [13], 1, 13), "longer than MaxTokens");
        Assert.ThrowsExactly<ArgumentException>(() => model.Batch(ids, [2, 2], 2, 4), "ids shorter than batch x length");
        using var scope = torch.NewDisposeScope();
        var past = Assert.ThrowsExactly<ArgumentException>(() => model.Forward(model.Batch(new int[8], [8], 1, 8), training: false));
        StringAssert.Contains(past.Message, "maxPositions = 6");
        var labels = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => model.Loss(model.Forward(model.Batch(ids, [4], 1, 4), false), [3]));
        StringAssert.Contains(labels.Message, "Label 3");
    }

    [TestMethod]
    [DataRow(10000.0, RotaryPairing.Interleaved, 1.0, "none", 1.0)]
    [DataRow(500.0, RotaryPairing.RotateHalf, 0.5, "linear", 2.0)]
    [DataRow(10000.0, RotaryPairing.Interleaved, 0.75, "ntk", 4.0)]
    [DataRow(100.0, RotaryPairing.Interleaved, 1.0, "yarn", 3.0)]
    [DataRow(500.0, RotaryPairing.RotateHalf, 0.5, "dynamic-yarn", 1.0)]
    [DataRow(10000.0, RotaryPairing.Interleaved, 1.0, "dynamic-ntk", 1.0)]
    public void RotaryTablesAreTheSchemesOwn(double @base, RotaryPairing pairing, double fraction, string scaling, double factor)
    {
        var s = scaling switch
        {
            "linear" => RotaryScaling.Linear(factor),
            "ntk" => RotaryScaling.NtkAware(factor),
            "yarn" => RotaryScaling.Yarn(factor, 24, alpha: 0.5, beta: 3),
            "dynamic-yarn" => RotaryScaling.Dynamic(RotaryScalingKind.Yarn, 16),
            "dynamic-ntk" => RotaryScaling.Dynamic(RotaryScalingKind.NtkAware, 16),
            _ => RotaryScaling.None,
        };
        var rope = PE.Rotary(@base, pairing, fraction, s);
        // A dynamic scaling's inspection angles are those of a sequence of that many tokens: 40 over 16, factor 2.5.
        CollectionAssert.AreEqual(rope.Angles(40, 16), RotaryTables.For(rope, 16).ForLength(40).Angles(40));
        CollectionAssert.AreEqual(rope.Angles(12, 16), RotaryTables.For(rope, 16).Angles(12));
        var xpos = PE.XPos(@base, pairing, fraction, s, gamma: 0.3, scaleBase: 16);
        var tables = RotaryTables.For(xpos, 16);
        CollectionAssert.AreEqual(xpos.Angles(40, 16), tables.ForLength(40).Angles(40));
        foreach (int n in new[] { 1, 17, 40 })
        {
            CollectionAssert.AreEqual(xpos.QueryScales(40, 16, n), tables.QueryScales(40, n), $"query scales, real length {n}");
        }
    }
}
