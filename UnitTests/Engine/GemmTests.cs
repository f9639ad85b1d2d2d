using Microsoft.VisualStudio.TestTools.UnitTesting;
using MLComponents.Engine;

namespace MLComponents.UnitTests.Engine;

[TestClass]
public sealed class GemmTests
{
    // Shapes chosen to hit every path: the scalar loop (tiny), partial micro-tiles in m and n, more rows
    // than one A block (MC = 144), more depth than one k block (KC = 256), more columns than one B block
    // (NC = 1024), and single rows/columns.
    private static readonly (int M, int N, int K)[] Shapes =
    [
        (1, 1, 1), (1, 37, 1), (37, 1, 3), (7, 13, 5), (6, 16, 8), (33, 17, 65), (12, 32, 300),
        (150, 40, 10), (45, 50, 70), (5, 1100, 4), (64, 64, 32), (300, 257, 129),
    ];

    private static IEnumerable<object[]> TransposeCases()
    {
        foreach (bool ta in new[] { false, true })
        {
            foreach (bool tb in new[] { false, true })
            {
                yield return [ta, tb];
            }
        }
    }

    [TestMethod]
    [DynamicData(nameof(TransposeCases))]
    public void MatchesDoublePrecisionReferenceForEveryShape(bool transA, bool transB)
    {
        var rng = new Random(7);
        foreach (var (m, n, k) in Shapes)
        {
            foreach (bool accumulate in new[] { false, true })
            {
                var p = Problem.Random(rng, transA, transB, m, n, k, pad: 0);
                float[] c0 = (float[])p.C.Clone();
                Gemm.Multiply(transA, transB, m, n, k, p.A, p.Lda, p.B, p.Ldb, p.C, p.Ldc, accumulate);
                p.AssertClose(c0, accumulate, $"{m}x{n}x{k} ta={transA} tb={transB} acc={accumulate}");
            }
        }
    }

    [TestMethod]
    [DynamicData(nameof(TransposeCases))]
    public void EqualsTheSequentialFusedMultiplyAddChainBitForBit(bool transA, bool transB)
    {
        // The documented contract: each element is fma(a_p, b_p, s) over p = 0..k-1 from 0 (or from C),
        // whichever path, tile position or thread count computes it.
        var rng = new Random(11);
        foreach (var (m, n, k) in Shapes)
        {
            var p = Problem.Random(rng, transA, transB, m, n, k, pad: 3);
            float[] expected = (float[])p.C.Clone();
            for (int i = 0; i < m; i++)
            {
                for (int j = 0; j < n; j++)
                {
                    float s = expected[i * p.Ldc + j];
                    for (int q = 0; q < k; q++)
                    {
                        s = MathF.FusedMultiplyAdd(p.OpA(i, q), p.OpB(q, j), s);
                    }

                    expected[i * p.Ldc + j] = s;
                }
            }

            Gemm.Multiply(transA, transB, m, n, k, p.A, p.Lda, p.B, p.Ldb, p.C, p.Ldc, accumulate: true, threads: 2);
            CollectionAssert.AreEqual(expected, p.C, $"{m}x{n}x{k} ta={transA} tb={transB}");
        }
    }

    [TestMethod]
    [DynamicData(nameof(TransposeCases))]
    public void HonoursLeadingDimensionsAndSliceOffsetsWithoutTouchingPadding(bool transA, bool transB)
    {
        var rng = new Random(3);
        foreach (var (m, n, k) in new[] { (7, 13, 5), (33, 17, 65), (40, 70, 300) })
        {
            var p = Problem.Random(rng, transA, transB, m, n, k, pad: 5);
            const int Offset = 9;

            // Padding of A and B is NaN: reading any of it would poison C.
            float[] a = Embed(p.A, Offset, float.NaN, p.PaddingMaskA());
            float[] b = Embed(p.B, Offset, float.NaN, p.PaddingMaskB());
            float[] c = Embed(p.C, Offset, 0f, new bool[p.C.Length]);
            bool[] cPad = p.PaddingMaskC();
            for (int x = 0; x < p.C.Length; x++)
            {
                if (cPad[x])
                {
                    c[Offset + x] = 12345f;
                }
            }

            Gemm.Multiply(transA, transB, m, n, k, a.AsSpan(Offset), p.Lda, b.AsSpan(Offset), p.Ldb,
                c.AsSpan(Offset, p.C.Length), p.Ldc, accumulate: false, threads: 2);

            for (int x = 0; x < Offset; x++)
            {
                Assert.AreEqual(0f, c[x], "C before the slice was written");
            }

            for (int x = 0; x < p.C.Length; x++)
            {
                if (cPad[x])
                {
                    Assert.AreEqual(12345f, c[Offset + x], $"C padding at {x} was written ({m}x{n}x{k})");
                }
            }

            float[] result = c.AsSpan(Offset, p.C.Length).ToArray();
            p.C = result;
            p.AssertClose(new float[result.Length], accumulate: false, $"{m}x{n}x{k} ta={transA} tb={transB}");
        }
    }

    [TestMethod]
    [DynamicData(nameof(TransposeCases))]
    public void ThreadCountsGiveBitIdenticalResults(bool transA, bool transB)
    {
        var rng = new Random(5);

        // Tall (split by rows, into more strips than threads) and wide (split by columns), both above the
        // threading threshold.
        foreach (var (m, n, k) in new[] { (420, 257, 129), (40, 500, 70) })
        {
            var p = Problem.Random(rng, transA, transB, m, n, k, pad: 1);
            float[] c0 = (float[])p.C.Clone();
            float[]? first = null;
            foreach (int threads in new[] { 1, 2, 4 })
            {
                float[] c = (float[])c0.Clone();
                Gemm.Multiply(transA, transB, m, n, k, p.A, p.Lda, p.B, p.Ldb, c, p.Ldc, accumulate: true, threads);
                if (first is null)
                {
                    first = c;
                    p.C = (float[])c.Clone();
                    p.AssertClose(c0, accumulate: true, $"{m}x{n}x{k}");
                }
                else
                {
                    CollectionAssert.AreEqual(first, c, $"{m}x{n}x{k} threads={threads} ta={transA} tb={transB}");
                }
            }
        }
    }

    [TestMethod]
    public void EmptyInnerDimensionClearsOrKeepsC()
    {
        float[] c = [1f, 2f, 3f, 4f, 5f, 6f];
        Gemm.Multiply(false, false, 2, 2, 0, [], 0, [], 2, c, 3, accumulate: true);
        CollectionAssert.AreEqual(new[] { 1f, 2f, 3f, 4f, 5f, 6f }, c);
        Gemm.Multiply(false, false, 2, 2, 0, [], 0, [], 2, c, 3, accumulate: false);
        CollectionAssert.AreEqual(new[] { 0f, 0f, 3f, 0f, 0f, 6f }, c);
    }

    [TestMethod]
    public void WorkedTwoByTwoExample()
    {
        // [1 2; 3 4] * [5 6; 7 8] = [19 22; 43 50], and A^T B^T = (BA)^T = [23 31; 34 46].
        float[] a = [1, 2, 3, 4], b = [5, 6, 7, 8], c = new float[4];
        Gemm.Multiply(false, false, 2, 2, 2, a, 2, b, 2, c, 2);
        CollectionAssert.AreEqual(new[] { 19f, 22f, 43f, 50f }, c);
        Gemm.Multiply(true, true, 2, 2, 2, a, 2, b, 2, c, 2);
        CollectionAssert.AreEqual(new[] { 23f, 31f, 34f, 46f }, c);
    }

    [TestMethod]
    public void BadArgumentsNameTheOperand()
    {
        float[] a = new float[6], b = new float[6], c = new float[4];
        var e1 = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => Gemm.Multiply(false, false, -1, 2, 3, a, 3, b, 2, c, 2));
        Assert.AreEqual("m", e1.ParamName);
        var e2 = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => Gemm.Multiply(false, false, 2, 2, 3, a, 2, b, 2, c, 2));
        Assert.AreEqual("lda", e2.ParamName);
        var e3 = Assert.ThrowsExactly<ArgumentException>(() => Gemm.Multiply(false, false, 2, 2, 3, a, 3, b.AsSpan(1), 2, c, 2));
        Assert.AreEqual("b", e3.ParamName);
        var e4 = Assert.ThrowsExactly<ArgumentException>(() => Gemm.Multiply(false, true, 2, 2, 3, a, 3, b, 3, c.AsSpan(0, 3), 2));
        Assert.AreEqual("c", e4.ParamName);
    }

    private static float[] Embed(float[] x, int offset, float fill, bool[] isPadding)
    {
        var r = new float[offset + x.Length + 7];
        Array.Fill(r, fill);
        for (int i = 0; i < x.Length; i++)
        {
            if (!isPadding[i])
            {
                r[offset + i] = x[i];
            }
        }

        return r;
    }

    /// <summary>A random product with row strides wider than the stored widths by <c>pad</c>.</summary>
    private sealed class Problem
    {
        public required bool TransA { get; init; }
        public required bool TransB { get; init; }
        public required int M { get; init; }
        public required int N { get; init; }
        public required int K { get; init; }
        public required float[] A { get; init; }
        public required float[] B { get; init; }
        public required float[] C { get; set; }
        public required int Lda { get; init; }
        public required int Ldb { get; init; }
        public required int Ldc { get; init; }

        public static Problem Random(Random rng, bool transA, bool transB, int m, int n, int k, int pad)
        {
            int aRows = transA ? k : m, aCols = transA ? m : k;
            int bRows = transB ? n : k, bCols = transB ? k : n;
            int lda = aCols + pad, ldb = bCols + pad, ldc = n + pad;
            return new Problem
            {
                TransA = transA, TransB = transB, M = m, N = n, K = k,
                Lda = lda, Ldb = ldb, Ldc = ldc,
                A = Fill(rng, aRows == 0 ? 0 : (aRows - 1) * lda + aCols),
                B = Fill(rng, bRows == 0 ? 0 : (bRows - 1) * ldb + bCols),
                C = Fill(rng, (m - 1) * ldc + n),
            };
        }

        public float OpA(int i, int p) => TransA ? A[p * Lda + i] : A[i * Lda + p];

        public float OpB(int p, int j) => TransB ? B[j * Ldb + p] : B[p * Ldb + j];

        public bool[] PaddingMaskA() => Mask(A.Length, Lda, TransA ? M : K);

        public bool[] PaddingMaskB() => Mask(B.Length, Ldb, TransB ? K : N);

        public bool[] PaddingMaskC() => Mask(C.Length, Ldc, N);

        /// <summary>
        /// Checks C against a double-precision product; the allowance is the float32 dot-product error
        /// bound (k+1) u (|c0| + sum |a||b|), so a wrong or missing term fails it.
        /// </summary>
        public void AssertClose(float[] c0, bool accumulate, string what)
        {
            const double U = 1.0 / (1 << 24);
            for (int i = 0; i < M; i++)
            {
                for (int j = 0; j < N; j++)
                {
                    double start = accumulate ? c0[i * Ldc + j] : 0.0;
                    double exact = start, magnitude = Math.Abs(start);
                    for (int p = 0; p < K; p++)
                    {
                        double t = (double)OpA(i, p) * OpB(p, j);
                        exact += t;
                        magnitude += Math.Abs(t);
                    }

                    double tolerance = (K + 1) * U * magnitude + 1e-30;
                    double got = C[i * Ldc + j];
                    if (!(Math.Abs(got - exact) <= tolerance))
                    {
                        Assert.Fail($"{what}: C[{i},{j}] = {got}, expected {exact} within {tolerance}");
                    }
                }
            }
        }

        private static bool[] Mask(int length, int ld, int width)
        {
            var mask = new bool[length];
            for (int x = 0; x < length; x++)
            {
                mask[x] = x % ld >= width;
            }

            return mask;
        }

        private static float[] Fill(Random rng, int count)
        {
            var x = new float[Math.Max(count, 0)];
            for (int i = 0; i < x.Length; i++)
            {
                x[i] = (float)(rng.NextDouble() * 2 - 1);
            }

            return x;
        }
    }
}
