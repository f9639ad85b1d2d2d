using System.Diagnostics;
using Microsoft.Extensions.AI;
using Microsoft.ML;
using Microsoft.ML.Data;
using MLComponents.Trainers;

namespace MLComponents.UnitTests.Reliability;

/// <summary>
/// Many threads over one set of loaded models: the classifier and similarity pipelines saved to .zip files and loaded back once,
/// and a <see cref="SentenceEmbeddingGenerator"/> loaded from its file. Each worker thread owns its PredictionEngines (made with
/// its own MLContext, as ML.NET asks) and checks every result, bit for bit, against the single-threaded one computed first.
/// Shared by <c>ConcurrencyTests</c> (a few seconds) and the 60-second load command (Benchmarks/ConcurrencyLoad), so
/// neither depends on a test framework.
/// </summary>
public sealed class ConcurrencyWorkload : IDisposable
{
    private readonly string _directory;
    private readonly ClassPrediction[] _classes;
    private readonly float[] _similarities;
    private readonly float[][] _embeddings;

    private ConcurrencyWorkload(string directory, ITransformer classifier, ITransformer similarity, SentenceEmbeddingGenerator generator,
        List<string> texts, List<PairInput> pairs)
    {
        _directory = directory;
        Classifier = classifier;
        Similarity = similarity;
        Generator = generator;
        Texts = texts;
        Pairs = pairs;
        var worker = new Worker(this);
        _classes = [.. texts.Select(t => worker.Classify(t))];
        _similarities = [.. pairs.Select(p => worker.Score(p))];
        _embeddings = worker.Embed();
    }

    /// <summary>The loaded classifier pipeline (one instance for every thread).</summary>
    public ITransformer Classifier { get; }

    /// <summary>The loaded similarity pipeline (one instance for every thread).</summary>
    public ITransformer Similarity { get; }

    /// <summary>The embedding generator (one instance for every thread).</summary>
    public SentenceEmbeddingGenerator Generator { get; }

    /// <summary>Texts classified and embedded: who-did-it sentences and the hostile classes, the 5 MB line included.</summary>
    public IReadOnlyList<string> Texts { get; }

    /// <summary>Sentence pairs scored: each text with the next.</summary>
    public IReadOnlyList<PairInput> Pairs { get; }

    /// <summary>Saves the reliability models to .zip files under a new temporary folder, loads them back and computes the expected results on one thread.</summary>
    public static ConcurrencyWorkload Create(int sentences = 40)
    {
        string directory = Path.Combine(Path.GetTempPath(), $"mlc-concurrency-{Environment.ProcessId}-{Guid.NewGuid():N}");
        Directory.CreateDirectory(directory);
        var texts = ReliabilityModels.Texts(sentences, withBigLine: true);
        var pairs = texts.Select((t, i) => new PairInput { Sentence1 = t, Sentence2 = texts[(i + 1) % texts.Count] }).ToList();
        var classifier = SaveAndLoad(ReliabilityModels.Classifier, new MLContext().Data.LoadFromEnumerable(new List<TextInput>()).Schema, Path.Combine(directory, "classifier.zip"));
        var similarity = SaveAndLoad(ReliabilityModels.Similarity, new MLContext().Data.LoadFromEnumerable(new List<PairInput>()).Schema, Path.Combine(directory, "similarity.zip"));
        var generator = SentenceEmbeddingGenerator.Load(new MLContext(), ReliabilityModels.EmbeddingPath);
        return new ConcurrencyWorkload(directory, classifier, similarity, generator, texts, pairs);
    }

    private static ITransformer SaveAndLoad(ITransformer model, DataViewSchema schema, string path)
    {
        new MLContext().Model.Save(model, schema, path);
        return new MLContext().Model.Load(path, out _);
    }

    /// <summary>A worker for one thread: its own MLContext and PredictionEngines over the shared models.</summary>
    public Worker CreateWorker() => new(this);

    /// <summary>
    /// Runs <paramref name="threads"/> workers at once (started together), each calling <paramref name="round"/> with its worker
    /// and round number until <paramref name="keepGoing"/> says stop; returns the mismatches counted and the exceptions thrown.
    /// </summary>
    public static RunResult RunThreads(ConcurrencyWorkload workload, int threads, Func<int, bool> keepGoing, Func<Worker, int, long> round)
    {
        long mismatches = 0, rounds = 0;
        var errors = new System.Collections.Concurrent.ConcurrentQueue<Exception>();
        using var start = new Barrier(threads);
        var pool = Enumerable.Range(0, threads).Select(t => new Thread(() =>
        {
            try
            {
                var worker = workload.CreateWorker();
                start.SignalAndWait();
                for (int r = 0; keepGoing(r); r++)
                {
                    Interlocked.Add(ref mismatches, round(worker, t + r));
                    Interlocked.Increment(ref rounds);
                }
            }
            catch (Exception e)
            {
                errors.Enqueue(e);
            }
        }) { IsBackground = true, Name = $"worker {t}" }).ToList();
        var clock = Stopwatch.StartNew();
        pool.ForEach(p => p.Start());
        pool.ForEach(p => p.Join());
        return new RunResult(Interlocked.Read(ref rounds), Interlocked.Read(ref mismatches), [.. errors], clock.Elapsed);
    }

    /// <summary>The rounds run, results that differed from the single-threaded ones, exceptions, and the wall time.</summary>
    public sealed record RunResult(long Rounds, long Mismatches, IReadOnlyList<Exception> Errors, TimeSpan Elapsed);

    /// <summary>Deletes the saved models.</summary>
    public void Dispose()
    {
        Generator.Dispose();
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
            // A model file still mapped by a finalizer-less reader: the temp folder is left for the OS to clean.
        }
    }

    /// <summary>Whether two float arrays hold the same bits.</summary>
    public static bool SameBits(ReadOnlySpan<float> a, ReadOnlySpan<float> b) =>
        a.Length == b.Length && System.Runtime.InteropServices.MemoryMarshal.Cast<float, int>(a).SequenceEqual(System.Runtime.InteropServices.MemoryMarshal.Cast<float, int>(b));

    /// <summary>One thread's engines over the shared models; not to be shared between threads.</summary>
    public sealed class Worker
    {
        private readonly ConcurrencyWorkload _workload;
        private readonly PredictionEngine<TextInput, ClassPrediction> _classifier;
        private readonly PredictionEngine<PairInput, SimilarityPrediction> _similarity;
        private readonly TextInput _text = new();
        private readonly PairInput _pair = new();

        internal Worker(ConcurrencyWorkload workload)
        {
            _workload = workload;
            var ml = new MLContext();
            _classifier = ml.Model.CreatePredictionEngine<TextInput, ClassPrediction>(workload.Classifier);
            _similarity = ml.Model.CreatePredictionEngine<PairInput, SimilarityPrediction>(workload.Similarity);
        }

        /// <summary>The classifier's prediction for one text (a copy).</summary>
        public ClassPrediction Classify(string text)
        {
            _text.Text = text;
            var p = _classifier.Predict(_text);
            return new ClassPrediction { PredictedLabel = p.PredictedLabel, Score = [.. p.Score] };
        }

        /// <summary>The similarity score of one pair.</summary>
        public float Score(PairInput pair)
        {
            _pair.Sentence1 = pair.Sentence1;
            _pair.Sentence2 = pair.Sentence2;
            return _similarity.Predict(_pair).Score;
        }

        /// <summary>Embeddings of every text, through the shared generator.</summary>
        public float[][] Embed()
        {
            GeneratedEmbeddings<Embedding<float>> vectors = _workload.Generator.GenerateAsync(_workload.Texts).GetAwaiter().GetResult();
            return [.. vectors.Select(v => v.Vector.ToArray())];
        }

        /// <summary>Classifies every text, starting at <paramref name="offset"/>; returns how many differ from the single-threaded result.</summary>
        public long ClassifyAll(int offset)
        {
            long bad = 0;
            int n = _workload.Texts.Count;
            for (int k = 0; k < n; k++)
            {
                int i = (k + offset) % n;
                _text.Text = _workload.Texts[i];
                var p = _classifier.Predict(_text);
                if (p.PredictedLabel != _workload._classes[i].PredictedLabel || !SameBits(p.Score, _workload._classes[i].Score)) bad++;
            }
            return bad;
        }

        /// <summary>Scores every pair, starting at <paramref name="offset"/>; returns how many differ from the single-threaded result.</summary>
        public long ScoreAll(int offset)
        {
            long bad = 0;
            int n = _workload.Pairs.Count;
            for (int k = 0; k < n; k++)
            {
                int i = (k + offset) % n;
                if (BitConverter.SingleToInt32Bits(Score(_workload.Pairs[i])) != BitConverter.SingleToInt32Bits(_workload._similarities[i])) bad++;
            }
            return bad;
        }

        /// <summary>Embeds every text through the generator; returns how many vectors differ from the single-threaded ones.</summary>
        public long EmbedAll()
        {
            var vectors = Embed();
            long bad = 0;
            for (int i = 0; i < vectors.Length; i++)
            {
                if (!SameBits(vectors[i], _workload._embeddings[i])) bad++;
            }
            return bad;
        }
    }
}
