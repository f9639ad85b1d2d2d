using Microsoft.VisualStudio.TestTools.UnitTesting;
using MLComponents.Numerics;
using static MLComponents.UnitTests.PositionEncoding.PositionTestKit;
using PE = MLComponents.PositionEncoding;

namespace MLComponents.UnitTests.PositionEncoding;

/// <summary>
/// Batches large enough to take the threaded paths: results must be bit-identical run to run, and each sequence's
/// output must equal what the module gives for that sequence alone (the serial path, with its own real length).
/// </summary>
[TestClass]
public sealed class DeterminismTests
{
    private const int B = 6, H = 4, T = 64, Dh = 32; // above every module's threading threshold

    private static MLComponents.PositionEncoding Scheme(string kind) => kind switch
    {
        "scaled" => PE.ScaledRelative(),
        "shaw" => PE.ShawRelative(clip: 5),
        "t5" => PE.T5Bias(),
        "alibi" => PE.ALiBi(learnSlopes: true),
        "fire" => PE.Fire(),
        "rope" => PE.Rotary(),
        _ => PE.XPos(),
    };

    [TestMethod]
    [DataRow("scaled")]
    [DataRow("shaw")]
    [DataRow("t5")]
    [DataRow("alibi")]
    [DataRow("fire")]
    [DataRow("rope")]
    [DataRow("xpos")]
    public void ThreadedPathsAreRepeatableAndMatchOneSequenceAtATime(string kind)
    {
        var rng = new Random(8);
        int[] lengths = [64, 40, 33, 20, 7, 1];
        var batch = new PositionBatch(B, T, lengths);
        var q = Randn(rng, B * H * T * Dh);
        var k = Randn(rng, B * H * T * Dh);
        var logits = Randn(rng, B * H * T * T);
        var shape = new PositionModuleShape(H * Dh, H, 1, T);

        float[] Run(PositionModule m, PositionBatch pb, float[] q0, float[] k0, float[] l0)
        {
            var qq = (float[])q0.Clone();
            var kk = (float[])k0.Clone();
            var ll = (float[])l0.Clone();
            var dq = new float[qq.Length];
            if (m.HasQueryKeyHook)
            {
                m.ForwardQueryKey(0, qq, kk, pb, H, Dh);
                return [.. qq, .. kk];
            }
            m.ForwardLogits(0, qq, ll, pb, H, Dh, 0.35f);
            m.BackwardLogits(0, qq, l0, dq, pb, H, Dh, 0.35f);
            return [.. ll, .. dq, .. m.Parameters.SelectMany(p => p.Grad)];
        }

        var first = Run(Scheme(kind).CreateModule(shape, 1), batch, q, k, logits);
        var second = Run(Scheme(kind).CreateModule(shape, 1), batch, q, k, logits);
        CollectionAssert.AreEqual(first, second, "run to run");

        var whole = Scheme(kind).CreateModule(shape, 1);
        Run(whole, batch, q, k, logits);
        int nq = H * T * Dh, nl = H * T * T;
        for (int b = 0; b < B; b++)
        {
            var single = Scheme(kind).CreateModule(shape, 1);
            var one = Run(single, new PositionBatch(1, T, [lengths[b]]),
                q.AsSpan(b * nq, nq).ToArray(), k.AsSpan(b * nq, nq).ToArray(), logits.AsSpan(b * nl, nl).ToArray());
            if (whole.HasQueryKeyHook)
            {
                CollectionAssert.AreEqual(first.AsSpan(b * nq, nq).ToArray(), one.AsSpan(0, nq).ToArray(), $"q of sequence {b}");
                CollectionAssert.AreEqual(first.AsSpan((B * nq) + (b * nq), nq).ToArray(), one.AsSpan(nq, nq).ToArray(), $"k of sequence {b}");
            }
            else
            {
                CollectionAssert.AreEqual(first.AsSpan(b * nl, nl).ToArray(), one.AsSpan(0, nl).ToArray(), $"logits of sequence {b}");
                CollectionAssert.AreEqual(first.AsSpan((B * nl) + (b * nq), nq).ToArray(), one.AsSpan(nl, nq).ToArray(), $"dq of sequence {b}");
            }
        }
    }
}
