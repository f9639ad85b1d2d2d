using System.Text;
using static MLComponents.UnitTests.Core.ArchiveTestKit;

namespace MLComponents.UnitTests.Core;

/// <summary>The safetensors entries: exact bytes against a hand-built expectation, and every header check.</summary>
[TestClass]
public sealed class ArchiveSafeTensorsTests
{
    private static readonly byte[] EightFloatBytes = new byte[8];

    [TestMethod]
    public void WrittenBytes_MatchTheSpecByteForByte()
    {
        var ml = NewContext();
        var model = new ArchiveBag
        {
            Floats = { ("b.weight", [1f, -2f], [2]) },
            Ints = { ("a.ids", [7, -1, 256], [3, 1]), ("empty", [], [0]) },
        };
        byte[] actual = ReadEntries(SaveToBytes(ml, model)).Single(e => e.Name == RootTensors).Data;

        // Hand-built: sorted names, offsets relative to the data start, header padded with spaces to 8 bytes.
        string header = "{\"__metadata__\":{\"producer\":\"MLComponents\"}," +
            "\"a.ids\":{\"dtype\":\"I32\",\"shape\":[3,1],\"data_offsets\":[0,12]}," +
            "\"b.weight\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[12,20]}," +
            "\"empty\":{\"dtype\":\"I32\",\"shape\":[0],\"data_offsets\":[20,20]}}";
        header = header.PadRight((header.Length + 7) / 8 * 8);
        byte[] data =
        [
            0x07, 0x00, 0x00, 0x00, 0xFF, 0xFF, 0xFF, 0xFF, 0x00, 0x01, 0x00, 0x00, // 7, -1, 256 (int32 LE)
            0x00, 0x00, 0x80, 0x3F, 0x00, 0x00, 0x00, 0xC0,                         // 1.0f, -2.0f (IEEE LE)
        ];
        CollectionAssert.AreEqual(SafeTensors(header, data), actual);
        Assert.AreEqual(0, (actual.Length - data.Length) % 8, "data must start 8-byte aligned");
    }

    [TestMethod]
    public void HandBuiltFile_FromAnotherWriter_Loads()
    {
        // No padding, no metadata, different key order and spacing: still valid safetensors.
        var ml = NewContext();
        byte[] archive = SaveToBytes(ml, new ArchiveBag { Floats = { ("w", [0f, 0f], [2]) } });
        string header = "{ \"w\" : {\"shape\": [2], \"data_offsets\": [0, 8], \"dtype\": \"F32\"} }";
        byte[] data = [.. BitConverter.GetBytes(0.5f), .. BitConverter.GetBytes(-3.25f)];
        var loaded = (ArchiveBag)LoadFromBytes(ml, ReplaceEntry(archive, RootTensors, SafeTensors(header, data)), out _);
        CollectionAssert.AreEqual(new[] { 0.5f, -3.25f }, loaded.Floats.Single().Data);
    }

    [TestMethod]
    [DataRow("{\"w\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[0,16]}}", 8, "run past the 8-byte data region")]
    [DataRow("{\"w\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[4,12]}}", 8, "[4, 12] run past")]
    [DataRow("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},\"b\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]}}", 8, "overlap tensor 'a'")]
    [DataRow("{\"w\":{\"dtype\":\"F32\",\"shape\":[3],\"data_offsets\":[0,8]}}", 8, "shape [3] needs 12 bytes but data_offsets [0, 8] span 8")]
    [DataRow("{\"w\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]}}", 8, "leave bytes [0, 4) unused")]
    [DataRow("{\"w\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}", 8, "cover only 4")]
    [DataRow("{\"w\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[8,0]}}", 8, "end before they begin")]
    [DataRow("{\"w\":{\"dtype\":\"F16\",\"shape\":[4],\"data_offsets\":[0,8]}}", 8, "dtype 'F16' is not supported")]
    [DataRow("{\"w\":{\"dtype\":\"F32\",\"shape\":[-2],\"data_offsets\":[0,8]}}", 8, "shape holds '-2'")]
    [DataRow("{\"w\":{\"dtype\":\"F32\",\"shape\":[2.5],\"data_offsets\":[0,8]}}", 8, "shape holds '2.5'")]
    [DataRow("{\"w\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0]}}", 8, "must be [begin, end]")]
    [DataRow("{\"w\":{\"dtype\":\"F32\",\"shape\":[2]}}", 8, "needs dtype, shape and data_offsets")]
    [DataRow("{\"w\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8],\"extra\":1}}", 8, "unexpected or repeated field 'extra'")]
    [DataRow("{\"w\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},\"w\":{\"dtype\":\"F32\",\"shape\":[0],\"data_offsets\":[8,8]}}", 8, "names 'w' twice")]
    [DataRow("{\"__metadata__\":{\"n\":1},\"w\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}", 8, "__metadata__ value 'n' is not a string")]
    [DataRow("{\"w\":[1,2]}", 8, "header value is not an object")]
    [DataRow("{\"w\": {", 8, "not valid JSON")]
    [DataRow("[]", 0, "does not start with '{'")]
    [DataRow("{\"w\":{\"dtype\":\"F32\",\"shape\":[65536,65536],\"data_offsets\":[0,8]}}", 8, "more elements than an array can hold")]
    public void BadHeader_IsRefusedNamingTheEntry(string header, int dataBytes, string problem)
    {
        var e = LoadWithTensors(SafeTensors(header, new byte[dataBytes]));
        StringAssert.Contains(e.Message, problem);
    }

    [TestMethod]
    public void AbsurdHeaderLength_IsRefused()
    {
        var e = LoadWithTensors(SafeTensors("{}", EightFloatBytes, declaredHeaderLength: 1UL << 62));
        StringAssert.Contains(e.Message, $"header length {1UL << 62} exceeds the 10 bytes that follow it");
        e = LoadWithTensors(SafeTensors("{}", EightFloatBytes, declaredHeaderLength: ulong.MaxValue));
        StringAssert.Contains(e.Message, "exceeds");
    }

    [TestMethod]
    public void HeaderLongerThanTheLimit_IsRefused()
    {
        var ml = NewContext();
        ml.Model.ArchiveLimits = new ModelArchiveLimits { MaxTensorHeaderBytes = 64 };
        string header = "{\"w\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}".PadRight(80);
        var e = LoadWithTensors(SafeTensors(header, EightFloatBytes), ml);
        StringAssert.Contains(e.Message, "exceeds the limit of 64 bytes");
    }

    [TestMethod]
    public void TooShortForTheLengthPrefix_IsRefused()
    {
        var e = LoadWithTensors([1, 2, 3]);
        StringAssert.Contains(e.Message, "shorter than its 8-byte header length");
    }

    [TestMethod]
    public void HeaderThatIsNotUtf8_IsRefused()
    {
        byte[] blob = SafeTensors("{\"w\":{}}", []);
        blob[10] = 0xFF;
        StringAssert.Contains(LoadWithTensors(blob).Message, "not valid UTF-8");
    }

    [TestMethod]
    public void StoredTensorOfTheWrongShape_IsRefusedByTheComponentAccessor()
    {
        // The file is valid; the component asks for a different shape, as a layer with fixed dims would.
        string header = "{\"w\":{\"dtype\":\"F32\",\"shape\":[1,2],\"data_offsets\":[0,8]}}";
        var tensors = SafeTensorsFormat.Read(SafeTensors(header, EightFloatBytes), "t", 1 << 20);
        var ctx = new ModelLoadContext("T", "model", [], tensors, [], [], new ComponentRegistry());
        var e = Assert.ThrowsExactly<ModelFormatException>(() => ctx.GetFloatTensor("w", 2));
        Assert.AreEqual("model", e.Entry);
        StringAssert.Contains(e.Message, "tensor 'w' has shape [1,2], expected [2]");
        StringAssert.Contains(Assert.ThrowsExactly<ModelFormatException>(() => ctx.GetIntTensor("w")).Message, "is float32, int32 expected");
    }

    private static ModelFormatException LoadWithTensors(byte[] blob, MLContext? ml = null)
    {
        ml ??= NewContext();
        byte[] archive = SaveToBytes(ml, new ArchiveBag { Floats = { ("w", [1f, 2f], [2]) } });
        var e = LoadExpectingFormatError(ml, ReplaceEntry(archive, RootTensors, blob));
        Assert.AreEqual(RootTensors, e.Entry, e.Message);
        return e;
    }
}
