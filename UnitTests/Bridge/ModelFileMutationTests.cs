using System.Buffers.Binary;
using System.Diagnostics;
using System.IO.Compression;
using System.IO.Hashing;
using System.Reflection;
using System.Text;
using Microsoft.ML;
using MLComponents.Trainers;

namespace MLComponents.UnitTests.Bridge;

/// <summary>
/// Saved models damaged in many ways: every load attempt ends in an exception naming what is wrong (the file and entry, or our
/// component and its entry), or in a model that predicts exactly as the original did (a harmless change such as a timestamp).
/// Never a crash, a hang, or a silently different model.
/// </summary>
[TestClass]
public sealed class ModelFileMutationTests
{
    private const int Mutations = 400;
    private static byte[] _classifier = [], _featuriser = [];
    private static float[][] _classifierScores = [], _featuriserScores = [];

    private static readonly string[] Probes = ["the owl saw the cat", "a fox", "", "dog dog dog chased the barn owl"];

    [ClassInitialize]
    public static void Build(TestContext _)
    {
        var ml = new MLContext(seed: 3);
        var rows = Enumerable.Range(0, 120).Select(i => new Row { Label = (i % 3).ToString(), Text = $"w{i % 3} the owl saw the cat {i % 7}" }).ToArray();
        var data = ml.Data.LoadFromEnumerable(rows);
        var classifier = ml.Transforms.Conversion.MapValueToKey("Label")
            .Append(ml.Transforms.Text.TokenizeToIds("Tokens", "Text", maxTokens: 16))
            .Append(ml.MulticlassClassification.Trainers.Transformer(new TransformerClassifierOptions
            {
                FeatureColumnName = "Tokens", ModelDimension = 8, Heads = 2, Layers = 1, Epochs = 1, Threads = 1, Seed = 1,
                PositionEncoding = MLComponents.PositionEncoding.Learned(),
            }))
            .Append(ml.Transforms.Conversion.MapKeyToValue("PredictedLabel"))
            .Fit(data);
        var featuriser = ml.Transforms.Text.TokenizeToIds("Tokens", "Text", maxTokens: 16)
            .Append(ml.Transforms.PositionEncoding.EmbedTokens("Embedded", "Tokens", MLComponents.PositionEncoding.Learned(), dimension: 8, combine: EmbedCombine.Add, seed: 2))
            .Append(ml.Transforms.PositionEncoding.Pool("Score", "Embedded"))
            .Fit(data);
        _classifier = Save(ml, classifier, data.Schema);
        _featuriser = Save(ml, featuriser, data.Schema);
        _classifierScores = Predict(ml, classifier);
        _featuriserScores = Predict(ml, featuriser);
    }

    [TestMethod]
    [Timeout(600_000, CooperativeCancellation = true)]
    public void EveryMutationIsRefusedNamingWhatIsWrongOrLoadsTheSameModel()
    {
        var rng = new Random(20261129);
        var outcomes = new SortedDictionary<string, int>(StringComparer.Ordinal);
        var examples = new SortedDictionary<string, string>(StringComparer.Ordinal);
        var slowest = TimeSpan.Zero;
        for (int i = 0; i < Mutations; i++)
        {
            bool classifier = i % 2 == 0;
            var (kind, bytes) = Mutate(classifier ? _classifier : _featuriser, classifier ? _featuriser : _classifier, rng);
            string name = $"mutant-{i}-{kind}.zip";
            var ml = new MLContext(seed: 1);
            var clock = Stopwatch.StartNew();
            string outcome;
            try
            {
                var model = ml.Model.LoadVerified(new MemoryStream(bytes), name, out _);
                var scores = Predict(ml, model);
                AssertSameScores(classifier ? _classifierScores : _featuriserScores, scores, name);
                outcome = "loads the same model";
            }
            catch (ModelFormatException e)
            {
                Assert.IsTrue(e.Message.Contains(name, StringComparison.Ordinal) || e.Message.StartsWith("Saved component ", StringComparison.Ordinal),
                    $"{name}: the message names neither the file nor a component: {e.Message}");
                Assert.IsTrue(e.Message.Length > 40, $"{name}: {e.Message}");
                outcome = e.Entry is null ? "refused: the file" : e.Message.StartsWith("Saved component ", StringComparison.Ordinal) ? "refused: a component's entry" : "refused: a zip entry";
                examples.TryAdd($"{kind}: {outcome}", e.Message);
            }
            catch (Exception e) when (e is not AssertFailedException)
            {
                throw new AssertFailedException($"{name}: {e.GetType().Name} instead of ModelFormatException: {e}", e);
            }
            if (clock.Elapsed > slowest) slowest = clock.Elapsed;
            Assert.IsTrue(clock.Elapsed < TimeSpan.FromSeconds(5), $"{name} took {clock.Elapsed}");
            string key = $"{kind}: {outcome}";
            outcomes[key] = outcomes.GetValueOrDefault(key) + 1;
        }
        foreach (var (key, count) in outcomes) Console.WriteLine($"{count,5}  {key}{(examples.TryGetValue(key, out var m) ? $"\n         e.g. {m}" : "")}");
        Console.WriteLine($"slowest attempt {slowest.TotalMilliseconds:F0} ms");
        // Mutations that reach our components' blobs must be caught by them (CRC, header, shape and finiteness checks).
        Assert.IsTrue(outcomes.Where(o => o.Key.StartsWith("hostile", StringComparison.Ordinal)).All(o => o.Key.EndsWith("a component's entry", StringComparison.Ordinal)),
            string.Join("\n", outcomes.Keys));
        Assert.IsTrue(outcomes.Keys.Count(k => k.Contains("refused", StringComparison.Ordinal)) >= 8, string.Join("\n", outcomes.Keys));
    }

    [TestMethod]
    public void PlainModelLoadReportsDamageToOurEntriesNamingComponentAndEntry()
    {
        foreach (var entry in new[] { "weights.safetensors", "options.json", "vocabulary.txt" })
        {
            var bytes = Rezip(_classifier, (name, data) =>
            {
                if (!name.EndsWith("/" + entry, StringComparison.Ordinal)) return data;
                var copy = (byte[])data.Clone();
                copy[copy.Length / 2] ^= 0x20;
                return copy;
            });
            var e = Assert.ThrowsExactly<TargetInvocationException>(() => new MLContext().Model.Load(new MemoryStream(bytes), out _));
            // ML.NET creates components through reflection and wraps what they throw; the cause names component and entry.
            var cause = ModelFiles.Cause(e) as ModelFormatException;
            Assert.IsNotNull(cause, e.ToString());
            Assert.AreEqual(entry, cause.Entry);
            StringAssert.Contains(cause.Message, "CRC-32");
            StringAssert.Contains(cause.Message, "TransformerChain/Transform_");
        }
    }

    private static (string Kind, byte[] Bytes) Mutate(byte[] original, byte[] other, Random rng)
    {
        var b = (byte[])original.Clone();
        switch (rng.Next(10))
        {
            case 0:
                b[rng.Next(b.Length)] ^= (byte)(1 << rng.Next(8));
                return ("bit flip", b);
            case 1:
                int at = rng.Next(b.Length), run = Math.Min(rng.Next(1, 65), b.Length - at);
                rng.NextBytes(b.AsSpan(at, run));
                return ("byte run", b);
            case 2:
                return ("truncation", b[..rng.Next(b.Length)]);
            case 3:
                return ("declared size", InflateDeclaredSize(b, rng));
            case 4:
            {
                var names = EntryNames(original);
                string drop = names[rng.Next(names.Count)];
                return ("entry dropped", Rezip(original, (n, d) => n == drop ? null : d));
            }
            case 5:
            {
                var names = EntryNames(original);
                string dup = names[rng.Next(names.Count)];
                return ("entry duplicated", Rezip(original, (n, d) => d, extra: (dup, EntryBytes(original, dup))));
            }
            case 6:
            {
                var names = EntryNames(original);
                string from = names[rng.Next(names.Count)];
                return ("entry renamed", Rezip(original, (n, d) => d, rename: (from, from + "x")));
            }
            case 7:
            {
                // The same entry of the other model (both have TokenizeToIds first): contents with a valid zip CRC of their own.
                var shared = EntryNames(original).Intersect(EntryNames(other)).Where(n => n.Contains("Transform_", StringComparison.Ordinal)).ToList();
                string swap = shared[rng.Next(shared.Count)];
                var replacement = EntryBytes(other, swap);
                if (replacement.AsSpan().SequenceEqual(EntryBytes(original, swap))) goto case 0;
                return ("entry swapped between models", Rezip(original, (n, d) => n == swap ? replacement : d));
            }
            case 8:
                return ("hostile safetensors header", Hostile(original, rng, nanWeights: false));
            default:
                return ("hostile non-finite weight", Hostile(original, rng, nanWeights: true));
        }
    }

    /// <summary>Claims a much larger uncompressed size for one entry, in its central directory record or its local header.</summary>
    private static byte[] InflateDeclaredSize(byte[] b, Random rng)
    {
        var headers = new List<(int Offset, int SizeField)>();
        for (int i = 0; i + 30 < b.Length; i++)
        {
            uint sig = BinaryPrimitives.ReadUInt32LittleEndian(b.AsSpan(i));
            if (sig == 0x02014b50) headers.Add((i, 24));
            else if (sig == 0x04034b50) headers.Add((i, 22));
        }
        var (offset, field) = headers[rng.Next(headers.Count)];
        BinaryPrimitives.WriteUInt32LittleEndian(b.AsSpan(offset + field), (uint)rng.Next(1 << 20, int.MaxValue));
        return b;
    }

    /// <summary>
    /// A deliberately crafted weights blob: a bad safetensors header (overlapping, out-of-range, negative offsets, wrong dtype or
    /// shape) or a NaN weight, with the zip CRC and our Model.key record updated to match, so only the blob reader can catch it.
    /// </summary>
    private static byte[] Hostile(byte[] original, Random rng, bool nanWeights)
    {
        string weights = EntryNames(original).First(n => n.EndsWith("/weights.safetensors", StringComparison.Ordinal));
        var blob = EntryBytes(original, weights);
        ulong headerLength = BinaryPrimitives.ReadUInt64LittleEndian(blob);
        string header = Encoding.UTF8.GetString(blob, 8, (int)headerLength);
        byte[] crafted;
        if (nanWeights)
        {
            crafted = (byte[])blob.Clone();
            int data = 8 + (int)headerLength, floats = (crafted.Length - data) / 4;
            float bad = rng.Next(3) switch { 0 => float.NaN, 1 => float.PositiveInfinity, _ => float.NegativeInfinity };
            BinaryPrimitives.WriteSingleLittleEndian(crafted.AsSpan(data + (4 * rng.Next(floats))), bad);
        }
        else
        {
            string changed = rng.Next(5) switch
            {
                0 => ReplaceFirst(header, "\"data_offsets\":[0,", "\"data_offsets\":[4,"),                 // overlap / gap
                1 => ReplaceFirst(header, "\"data_offsets\":[", "\"data_offsets\":[-8,"),                  // negative
                2 => ReplaceFirst(header, "\"shape\":[", "\"shape\":[1000000,"),                          // larger than its data
                3 => ReplaceFirst(header, "\"F32\"", "\"F64\""),                                          // unsupported dtype
                _ => ReplaceFirst(header, "]}", "]},\"extra\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[999999999,1000000015]}"),
            };
            var headerBytes = Encoding.UTF8.GetBytes(changed.PadRight((changed.Length + 7) & ~7));
            crafted = new byte[8 + headerBytes.Length + blob.Length - 8 - (int)headerLength];
            BinaryPrimitives.WriteUInt64LittleEndian(crafted, (ulong)headerBytes.Length);
            headerBytes.CopyTo(crafted, 8);
            blob.AsSpan(8 + (int)headerLength).CopyTo(crafted.AsSpan(8 + headerBytes.Length));
        }
        string key = weights[..weights.LastIndexOf('/')] + "/Model.key";
        var modelKey = PatchRecord(EntryBytes(original, key), "weights.safetensors", crafted);
        return Rezip(original, (n, d) => n == weights ? crafted : n == key ? modelKey : d);
    }

    private static string ReplaceFirst(string s, string what, string with)
    {
        int i = s.IndexOf(what, StringComparison.Ordinal);
        Assert.IsTrue(i >= 0, $"'{what}' not in {s}");
        return s[..i] + with + s[(i + what.Length)..];
    }

    /// <summary>Updates our entry table in Model.key (name, int64 length, uint32 CRC-32) for <paramref name="entry"/>.</summary>
    private static byte[] PatchRecord(byte[] modelKey, string entry, byte[] content)
    {
        var name = Encoding.UTF8.GetBytes(entry);
        var needle = new byte[name.Length + 1];
        needle[0] = (byte)name.Length;
        name.CopyTo(needle, 1);
        int at = modelKey.AsSpan().IndexOf(needle);
        Assert.IsTrue(at >= 0, "entry record not found in Model.key");
        var patched = (byte[])modelKey.Clone();
        BinaryPrimitives.WriteInt64LittleEndian(patched.AsSpan(at + needle.Length), content.Length);
        BinaryPrimitives.WriteUInt32LittleEndian(patched.AsSpan(at + needle.Length + 8), Crc32.HashToUInt32(content));
        return patched;
    }

    private static List<string> EntryNames(byte[] zip)
    {
        using var z = new ZipArchive(new MemoryStream(zip));
        return [.. z.Entries.Select(e => e.FullName)];
    }

    private static byte[] EntryBytes(byte[] zip, string name)
    {
        using var z = new ZipArchive(new MemoryStream(zip));
        using var s = z.GetEntry(name)!.Open();
        var ms = new MemoryStream();
        s.CopyTo(ms);
        return ms.ToArray();
    }

    private static byte[] Rezip(byte[] zip, Func<string, byte[], byte[]?> change, (string Name, byte[] Data)? extra = null, (string From, string To)? rename = null)
    {
        var output = new MemoryStream();
        using (var source = new ZipArchive(new MemoryStream(zip)))
        using (var target = new ZipArchive(output, ZipArchiveMode.Create, leaveOpen: true))
        {
            foreach (var entry in source.Entries)
            {
                using var s = entry.Open();
                var ms = new MemoryStream();
                s.CopyTo(ms);
                var data = change(entry.FullName, ms.ToArray());
                if (data is null) continue;
                string name = rename is { } r && r.From == entry.FullName ? r.To : entry.FullName;
                using var w = target.CreateEntry(name).Open();
                w.Write(data);
            }
            if (extra is { } x)
            {
                using var w = target.CreateEntry(x.Name).Open();
                w.Write(x.Data);
            }
        }
        return output.ToArray();
    }

    private static byte[] Save(MLContext ml, ITransformer model, DataViewSchema schema)
    {
        var ms = new MemoryStream();
        ml.Model.Save(model, schema, ms);
        return ms.ToArray();
    }

    private static float[][] Predict(MLContext ml, ITransformer model)
    {
        var engine = ml.Model.CreatePredictionEngine<Row, Scored>(model);
        return [.. Probes.Select(p => (float[])engine.Predict(new Row { Text = p, Label = "0" }).Score.Clone())];
    }

    private static void AssertSameScores(float[][] expected, float[][] actual, string name)
    {
        for (int i = 0; i < expected.Length; i++)
            CollectionAssert.AreEqual(expected[i], actual[i], $"{name}: loaded, but probe {i} scores differ from the original model's");
    }

    private sealed class Row
    {
        public string Label { get; set; } = "";
        public string Text { get; set; } = "";
    }

    private sealed class Scored
    {
        public float[] Score { get; set; } = [];
    }
}
