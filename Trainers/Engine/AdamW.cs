using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using MLComponents.Numerics;

namespace MLComponents.Engine;

/// <summary>
/// AdamW exactly as torch.optim.AdamW (amsgrad off): p -= lr*wd*p (decoupled decay, skipped for parameters with
/// <see cref="Parameter.ApplyWeightDecay"/> false), m = b1 m + (1-b1) g, v = b2 v + (1-b2) g^2,
/// p -= lr/(1-b1^t) * m / (sqrt(v)/sqrt(1-b2^t) + eps). A parameter can have its own learning-rate multiplier
/// (<see cref="ScaleLearningRate"/>), as a torch parameter group with lr x scale: its step and its decay both use the scaled rate.
/// </summary>
public sealed class AdamW
{
    private readonly IReadOnlyList<Parameter> _parameters;
    private readonly float[][] _m;
    private readonly float[][] _v;
    private readonly (int Parameter, int Start, int End)[] _chunks;
    private readonly double[] _scale;
    private readonly float[] _decayOf, _stepOf;

    /// <summary>Floats per parallel chunk of the update (a chunk never spans two parameters).</summary>
    private const int ChunkFloats = 16384;

    /// <summary>
    /// Creates the optimiser with zero moments (torch defaults: betas 0.9/0.999, eps 1e-8, decay 0.01).
    /// <paramref name="learningRateScale"/> gives a parameter's multiplier of each step's rate (null: 1 for all; see <see cref="ScaleLearningRate"/>).
    /// </summary>
    public AdamW(IReadOnlyList<Parameter> parameters, float weightDecay = 0.01f, float beta1 = 0.9f, float beta2 = 0.999f, float epsilon = 1e-8f,
        Func<Parameter, double>? learningRateScale = null)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        _parameters = parameters;
        WeightDecay = weightDecay;
        Beta1 = beta1;
        Beta2 = beta2;
        Epsilon = epsilon;
        _m = [.. parameters.Select(p => new float[p.Length])];
        _v = [.. parameters.Select(p => new float[p.Length])];
        var chunks = new List<(int, int, int)>();
        for (int i = 0; i < parameters.Count; i++)
        {
            for (int start = 0; start < parameters[i].Length; start += ChunkFloats)
            {
                chunks.Add((i, start, Math.Min(parameters[i].Length, start + ChunkFloats)));
            }
        }

        _chunks = [.. chunks];
        _scale = new double[parameters.Count];
        Array.Fill(_scale, 1.0);
        _decayOf = new float[parameters.Count];
        _stepOf = new float[parameters.Count];
        if (learningRateScale is not null)
        {
            foreach (var p in parameters)
            {
                ScaleLearningRate(p, learningRateScale(p));
            }
        }
    }

    /// <summary>
    /// Trains <paramref name="parameter"/> at <paramref name="scale"/> times the learning rate given to each update (its
    /// decoupled weight decay scales with it, as in a torch parameter group of its own). 1 is the plain update.
    /// </summary>
    public void ScaleLearningRate(Parameter parameter, double scale)
    {
        ArgumentNullException.ThrowIfNull(parameter);
        if (!(scale > 0) || double.IsInfinity(scale))
        {
            throw new ArgumentOutOfRangeException(nameof(scale), scale, $"The learning-rate scale of '{parameter.Name}' must be positive and finite.");
        }

        for (int i = 0; i < _parameters.Count; i++)
        {
            if (ReferenceEquals(_parameters[i], parameter))
            {
                _scale[i] = scale;
                return;
            }
        }

        throw new ArgumentException($"'{parameter.Name}' is not a parameter this optimiser updates.", nameof(parameter));
    }

    /// <summary>
    /// Opt-in sparse ("lazy") update of a table: each step visits only the rows in <paramref name="rows"/> (the rows the
    /// step's backward passes wrote, e.g. <see cref="TransformerEncoder.TokenRows"/>) instead of all of them. Rows a step
    /// did not touch keep their weights and moments exactly, where torch's dense AdamW would (1) decay their weights by
    /// lr x weight decay, (2) decay m and v by beta1 and beta2 and (3) keep moving them by the decaying momentum
    /// m/(sqrt(v)+eps) left from earlier steps. So the result differs from dense AdamW wherever a row was touched before
    /// and skipped since (like torch.optim.SparseAdam / TF LazyAdam); rows touched in every step, and a first step with
    /// no weight decay, match the dense update bit for bit. The table's gradient outside the rows must be zero.
    /// </summary>
    public void UpdateRowsOnly(Parameter table, TouchedRows rows)
    {
        ArgumentNullException.ThrowIfNull(table);
        ArgumentNullException.ThrowIfNull(rows);
        int index = -1;
        for (int i = 0; i < _parameters.Count; i++)
        {
            if (ReferenceEquals(_parameters[i], table))
            {
                index = i;
            }
        }

        if (index < 0 || table.Shape.Length < 2)
        {
            throw new ArgumentException($"'{table.Name}' is not a table (rank >= 2) this optimiser updates.", nameof(table));
        }

        _sparse = (index, rows, table.Length / table.Shape[0]);
    }

    private (int Parameter, TouchedRows Rows, int Width)? _sparse;

    /// <summary>Threads for the update (elementwise, so the result is the same for any count).</summary>
    public int Threads
    {
        get => _threads;
        set
        {
            ArgumentOutOfRangeException.ThrowIfNegativeOrZero(value);
            _threads = value;
        }
    }

    private int _threads = 1;

    /// <summary>Decoupled weight-decay coefficient.</summary>
    public float WeightDecay { get; }

    /// <summary>First-moment decay.</summary>
    public float Beta1 { get; }

    /// <summary>Second-moment decay.</summary>
    public float Beta2 { get; }

    /// <summary>Denominator epsilon.</summary>
    public float Epsilon { get; }

    /// <summary>Updates taken so far.</summary>
    public long Step { get; private set; }

    /// <summary>A table whose rows each update also pulls toward their mean (null: none).</summary>
    public RowMeanPull? MeanPull { get; init; }

    /// <summary>The trainers' step: clips the global gradient norm to <paramref name="clipNorm"/> (when &gt; 0), then updates.</summary>
    public void ClipAndUpdate(double clipNorm, double learningRate)
    {
        if (clipNorm > 0)
        {
            ClipGradientNorm(_parameters, clipNorm);
        }
        Update(learningRate);
    }

    /// <summary>Applies one update with learning rate <paramref name="learningRate"/> using the current gradients.</summary>
    public void Update(double learningRate)
    {
        long clock = StepProfiler.Start();
        Step++;
        double bc1 = 1 - Math.Pow(Beta1, Step);
        double bc2Sqrt = Math.Sqrt(1 - Math.Pow(Beta2, Step));
        float invBc2Sqrt = (float)(1 / bc2Sqrt);
        for (int i = 0; i < _scale.Length; i++)
        {
            // lr x 1.0 is lr exactly, so unscaled parameters keep the arithmetic of a single group bit for bit.
            double lr = learningRate * _scale[i];
            _decayOf[i] = _parameters[i].ApplyWeightDecay ? (float)(1 - lr * WeightDecay) : 1f;
            _stepOf[i] = (float)(lr / bc1);
        }

        var work = new UpdateWork(this, invBc2Sqrt);
        if (_threads > 1)
        {
            Parallelism.For(_threads, _chunks.Length, ref work, parts: 4 * _threads);
        }
        else
        {
            work.Run(0, _chunks.Length);
        }

        if (_sparse is { } sparse)
        {
            var rowsWork = new RowsWork(this, sparse.Parameter, sparse.Rows, sparse.Width, _decayOf[sparse.Parameter], _stepOf[sparse.Parameter], invBc2Sqrt);
            int count = sparse.Rows.Rows.Length;
            if (_threads > 1 && count > 64)
            {
                Parallelism.For(_threads, count, ref rowsWork, parts: 4 * _threads);
            }
            else
            {
                rowsWork.Run(0, count);
            }
        }

        if (MeanPull is { } pull && pull.ActsAt(Step))
        {
            RowMeanPull.Apply(pull.Table.Value, pull.Width, learningRate * pull.Factor);
        }
        StepProfiler.Stop(StepPart.Optimiser, true, clock);
    }

    private readonly struct RowsWork(AdamW owner, int index, TouchedRows rows, int width, float decay, float stepSize, float invBc2Sqrt) : IRangeWork
    {
        public void Run(int start, int end)
        {
            var p = owner._parameters[index];
            var list = rows.Rows;
            for (int r = start; r < end; r++)
            {
                int from = list[r] * width;
                Update(p.Value.AsSpan(from, width), p.Grad.AsSpan(from, width), owner._m[index].AsSpan(from, width),
                    owner._v[index].AsSpan(from, width), decay, stepSize, invBc2Sqrt, owner.Beta1, owner.Beta2, owner.Epsilon);
            }
        }
    }

    private readonly struct UpdateWork(AdamW owner, float invBc2Sqrt) : IRangeWork
    {
        public void Run(int start, int end)
        {
            for (int c = start; c < end; c++)
            {
                var (i, from, to) = owner._chunks[c];
                if (owner._sparse is { } sparse && sparse.Parameter == i)
                {
                    continue;
                }

                var p = owner._parameters[i];
                Update(p.Value.AsSpan(from, to - from), p.Grad.AsSpan(from, to - from), owner._m[i].AsSpan(from, to - from),
                    owner._v[i].AsSpan(from, to - from), owner._decayOf[i], owner._stepOf[i], invBc2Sqrt, owner.Beta1, owner.Beta2, owner.Epsilon);
            }
        }
    }

    /// <summary>
    /// One span's update in one register pass, operation for operation the span-maths version it replaced (the
    /// same unfused multiplies and adds, so the same bits): m += (1 - b1)(g - m); v = b2 v + (1 - b2) g^2;
    /// w = w decay - stepSize m / (sqrt(v) / sqrt(bc2) + eps).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Update(Span<float> w, Span<float> g, Span<float> m, Span<float> v, float decay, float stepSize, float invBc2Sqrt,
        float b1, float b2, float eps)
    {
        ref float wr = ref MemoryMarshal.GetReference(w);
        ref float gr = ref MemoryMarshal.GetReference(g);
        ref float mr = ref MemoryMarshal.GetReference(m);
        ref float vr = ref MemoryMarshal.GetReference(v);
        int n = w.Length, j = 0;
        bool decayed = decay != 1f;
        var oneMinusB1 = Vector256.Create(1 - b1);
        var oneMinusB2 = Vector256.Create(1 - b2);
        var vb2 = Vector256.Create(b2);
        var vInv = Vector256.Create(invBc2Sqrt);
        var vEps = Vector256.Create(eps);
        var vDecay = Vector256.Create(decay);
        var vStep = Vector256.Create(-stepSize);
        for (; j + 8 <= n; j += 8)
        {
            Vector256<float> gv = Vector256.LoadUnsafe(ref gr, (nuint)j);
            Vector256<float> mv = Vector256.LoadUnsafe(ref mr, (nuint)j);
            Vector256<float> vv = Vector256.LoadUnsafe(ref vr, (nuint)j);
            mv = ((gv - mv) * oneMinusB1) + mv;
            vv = ((gv * gv) * oneMinusB2) + (vv * vb2);
            Vector256<float> t = (Vector256.Sqrt(vv) * vInv) + vEps;
            t = mv / t;
            Vector256<float> wv = Vector256.LoadUnsafe(ref wr, (nuint)j);
            if (decayed)
            {
                wv *= vDecay;
            }

            wv = (t * vStep) + wv;
            mv.StoreUnsafe(ref mr, (nuint)j);
            vv.StoreUnsafe(ref vr, (nuint)j);
            wv.StoreUnsafe(ref wr, (nuint)j);
        }

        for (; j < n; j++)
        {
            float gv = Unsafe.Add(ref gr, j);
            float mv = ((gv - Unsafe.Add(ref mr, j)) * (1 - b1)) + Unsafe.Add(ref mr, j);
            float vv = ((gv * gv) * (1 - b2)) + (Unsafe.Add(ref vr, j) * b2);
            float t = mv / ((MathF.Sqrt(vv) * invBc2Sqrt) + eps);
            float wv = Unsafe.Add(ref wr, j);
            if (decayed)
            {
                wv *= decay;
            }

            Unsafe.Add(ref mr, j) = mv;
            Unsafe.Add(ref vr, j) = vv;
            Unsafe.Add(ref wr, j) = (t * -stepSize) + wv;
        }
    }

    /// <summary>
    /// Global gradient-norm clipping as torch.nn.utils.clip_grad_norm_: with total 2-norm n over all gradients,
    /// multiplies every gradient by min(1, maxNorm / (n + 1e-6)). Returns n. The sum runs in a fixed order (double).
    /// </summary>
    public static double ClipGradientNorm(IReadOnlyList<Parameter> parameters, double maxNorm)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        double sum = 0;
        for (int i = 0; i < parameters.Count; i++)
        {
            // Per 4096-float chunk in float SIMD, chunks summed in double: fixed order, little rounding.
            var grad = parameters[i].Grad;
            for (int start = 0; start < grad.Length; start += 4096)
            {
                sum += TensorPrimitives.SumOfSquares(grad.AsSpan(start, Math.Min(4096, grad.Length - start)));
            }
        }
        double norm = Math.Sqrt(sum);
        double coef = maxNorm / (norm + 1e-6);
        if (coef < 1)
        {
            float c = (float)coef;
            for (int i = 0; i < parameters.Count; i++)
            {
                TensorPrimitives.Multiply(parameters[i].Grad, c, parameters[i].Grad);
            }
        }
        return norm;
    }
}
