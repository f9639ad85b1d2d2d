using MLComponents.Numerics;

namespace MLComponents.Numerics;

/// <summary>
/// Geometry of one padded batch: <see cref="Batch"/> sequences padded to <see cref="Length"/> tokens.
/// Sequence b holds real tokens at positions 0..Lengths[b]-1 and padding after them.
/// </summary>
public readonly record struct PositionBatch(int Batch, int Length, int[] Lengths)
{
    /// <summary>
    /// Null (the usual case): token t of every sequence sits at position t. Otherwise [B, T] row-major: the position of
    /// token t of sequence b (randomized positions in training, Ruoss et al. 2023), increasing along each row's real tokens.
    /// Only schemes whose module reports <see cref="PositionModule.SupportsExplicitPositions"/> are given one.
    /// </summary>
    public int[]? Positions { get; init; }

    /// <summary>
    /// Log-length attention scaling: 0 (off) or n0 &gt; 1, in which case the q.k logits of a sequence of n real tokens are
    /// multiplied by <see cref="LogLengthFactor(int)"/> = max(1, ln n / ln n0) (besides 1/sqrt(dh)). Position biases are
    /// scaled too only with <see cref="LogLengthScaleBiases"/>.
    /// </summary>
    public int LogLengthScale { get; init; }

    /// <summary>
    /// With <see cref="LogLengthScale"/> on: false (the default), the factor multiplies q.k alone and the logit hook's biases
    /// are added unscaled; true, it multiplies the whole logit, q.k/sqrt(dh) plus the hook's terms (the engine applies it
    /// after the hook, so hooks need not know).
    /// </summary>
    public bool LogLengthScaleBiases { get; init; }

    /// <summary>The factor on sequence <paramref name="b"/>'s q.k products before the logit hook runs.</summary>
    public float QueryKeyFactor(int b) => LogLengthScaleBiases ? 1f : LogLengthFactor(b);

    /// <summary>The factor on sequence <paramref name="b"/>'s whole logits after the logit hook ran (1 unless <see cref="LogLengthScaleBiases"/>).</summary>
    public float WholeLogitFactor(int b) => LogLengthScaleBiases ? LogLengthFactor(b) : 1f;

    /// <summary>Position of token <paramref name="t"/> of sequence <paramref name="b"/>.</summary>
    public int Position(int b, int t) => Positions is null ? t : Positions[(b * Length) + t];

    /// <summary>The factor on the q.k logits of sequence <paramref name="b"/>: 1 when log-length scaling is off.</summary>
    public float LogLengthFactor(int b) => LogLengthFactorOf(Lengths[b], LogLengthScale);

    /// <summary>max(1, ln n / ln n0) for n real tokens (1 when <paramref name="n0"/> is 0, the option's off value).</summary>
    public static float LogLengthFactorOf(int n, int n0) =>
        n0 <= 1 || n <= n0 ? 1f : (float)(Math.Log(n) / Math.Log(n0));
}

/// <summary>Model geometry a position module is built for.</summary>
public readonly record struct PositionModuleShape(int ModelDimension, int Heads, int Layers, int MaxTokens)
{
    /// <summary>Per-head dimension.</summary>
    public int HeadDimension => ModelDimension / Heads;
}

/// <summary>
/// The runtime of a <see cref="PositionEncoding"/> inside a Transformer: learned parameters (if any) and
/// up to three hooks, each with its backward. All tensors are row-major float32 arrays that may be longer
/// than the shape passed (the engine plans buffers for the largest batch); only the stated prefix is read
/// or written. Layouts:
/// <list type="bullet">
/// <item>embeddings: tok[B,T,Dt] in, x[B,T,D] out, Dt = <see cref="TokenEmbeddingWidth"/>(D)</item>
/// <item>queries/keys: q,k[B,H,T,dh], transformed in place</item>
/// <item>logits: logits[B,H,T,T] (already scaled q.k), probs[B,H,T,T], head outputs o[B,H,T,dh]</item>
/// </list>
/// Backward methods ACCUMULATE into parameter gradients (Parameter.Grad) and into the given input
/// gradients where the doc says "add", so the engine can sum contributions. The engine masks padded
/// keys after <see cref="ForwardLogits"/>; hooks need not. Hooks may use Parallel.For but must produce
/// bit-identical results for the same inputs and thread count.
/// </summary>
public abstract class PositionModule
{
    private int _threads = 1;
    private readonly ParallelOptions _parallelOptions = new() { MaxDegreeOfParallelism = 1 };

    /// <summary>
    /// Most threads a hook may use; the engine sets it to its own thread count so a model trained or run with
    /// Threads = n never uses more than n cores. Results are bit-identical for any value.
    /// </summary>
    public int Threads
    {
        get => _threads;
        set
        {
            ArgumentOutOfRangeException.ThrowIfNegativeOrZero(value);
            // Mutated, not replaced: the engine sets this around every single-sentence prediction, which must not allocate.
            _threads = value;
            _parallelOptions.MaxDegreeOfParallelism = value;
        }
    }

    /// <summary>Runs body(0..count-1) on up to <see cref="Threads"/> threads (on the caller's thread when Threads is 1).</summary>
    protected void ParallelFor(int count, Action<int> body)
    {
        ArgumentNullException.ThrowIfNull(body);
        if (_threads == 1 || count <= 1)
        {
            for (int i = 0; i < count; i++) body(i);
            return;
        }
        Parallel.For(0, count, _parallelOptions, body);
    }

    /// <summary>Learned parameters (empty for fixed schemes). Names are unique and stable (saved by name).</summary>
    public virtual IReadOnlyList<Parameter> Parameters => [];

    /// <summary>True when the embeddings hook does anything.</summary>
    public virtual bool HasEmbeddingHook => false;

    /// <summary>True when queries/keys are transformed (RoPE, xPos).</summary>
    public virtual bool HasQueryKeyHook => false;

    /// <summary>True when attention logits get a bias or a query-dependent term (ALiBi, T5, Shaw, FIRE, scaled).</summary>
    public virtual bool HasLogitHook => false;

    /// <summary>True when attention outputs get a value-side term (Shaw relative values).</summary>
    public virtual bool HasValueHook => false;

    /// <summary>
    /// True when the hooks read <see cref="PositionBatch.Positions"/> (so training can use randomized positions); schemes
    /// that index by token number only are refused with RandomizedPositions on.
    /// </summary>
    public virtual bool SupportsExplicitPositions => false;

    /// <summary>Width of the token embedding the model must produce for model dimension D (D unless the scheme concatenates).</summary>
    public virtual int TokenEmbeddingWidth(int modelDimension) => modelDimension;

    /// <summary>x[B,T,D] = combine(tok[B,T,Dt], position encodings).</summary>
    public virtual void ForwardEmbeddings(float[] tok, float[] x, PositionBatch batch, int modelDimension) =>
        Array.Copy(tok, x, batch.Batch * batch.Length * modelDimension);

    /// <summary>dtok[B,T,Dt] = d x / d tok applied to dx (overwrite); add parameter gradients.</summary>
    public virtual void BackwardEmbeddings(float[] dx, float[] dtok, PositionBatch batch, int modelDimension) =>
        Array.Copy(dx, dtok, batch.Batch * batch.Length * modelDimension);

    /// <summary>Transforms q and k of one layer in place.</summary>
    public virtual void ForwardQueryKey(int layer, float[] q, float[] k, PositionBatch batch, int heads, int headDimension) { }

    /// <summary>Maps dq and dk (gradients w.r.t. the transformed q, k) in place to gradients w.r.t. the inputs; add parameter gradients.</summary>
    public virtual void BackwardQueryKey(int layer, float[] dq, float[] dk, PositionBatch batch, int heads, int headDimension) { }

    /// <summary>
    /// Adds the position term to logits[B,H,T,T] of one layer. <paramref name="q"/>[B,H,T,dh] are the queries
    /// (after any query/key hook) and <paramref name="scale"/> the factor already applied to q.k (1/sqrt(dh)),
    /// for schemes whose term depends on the query (Shaw relative keys).
    /// </summary>
    public virtual void ForwardLogits(int layer, float[] q, float[] logits, PositionBatch batch, int heads, int headDimension, float scale) { }

    /// <summary>Given dlogits, add parameter gradients and add the query-dependent part to dq.</summary>
    public virtual void BackwardLogits(int layer, float[] q, float[] dlogits, float[] dq, PositionBatch batch, int heads, int headDimension, float scale) { }

    /// <summary>Adds the value-side term to o[B,H,T,dh] of one layer from probs[B,H,T,T] (Shaw: o_i += sum_j p_ij aV[clip(j-i)]).</summary>
    public virtual void ForwardValues(int layer, float[] probs, float[] output, PositionBatch batch, int heads, int headDimension) { }

    /// <summary>Given dout[B,H,T,dh], add parameter gradients and add to dprobs[B,H,T,T].</summary>
    public virtual void BackwardValues(int layer, float[] probs, float[] dOutput, float[] dProbs, PositionBatch batch, int heads, int headDimension) { }
}
