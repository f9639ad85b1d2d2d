using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace MLComponents.Engine;

/// <summary>
/// One thread's packing buffers, kept for the thread's lifetime so the product allocates nothing once
/// warm. Arrays live on the pinned heap, so their 64-byte-aligned addresses can be held across calls.
/// </summary>
internal sealed unsafe class GemmScratch
{
    [ThreadStatic]
    private static GemmScratch? s_current;

    private float[]? _a;
    private float[]? _b;
    private float[]? _edge;
    private float[]? _shared;
    private float[]? _transposed;
    private float[]? _hidden;

    /// <summary>The calling thread's buffers.</summary>
    public static GemmScratch Current => s_current ??= new GemmScratch();

    /// <summary>Packed A block, at least <paramref name="floats"/> long.</summary>
    public float* A(int floats) => Ensure(ref _a, floats);

    /// <summary>Packed B block, at least <paramref name="floats"/> long.</summary>
    public float* B(int floats) => Ensure(ref _b, floats);

    /// <summary>
    /// A whole packed op(B) that this thread's parallel product shares with its helpers (read-only while they run),
    /// at least <paramref name="floats"/> long.
    /// </summary>
    public float* SharedB(int floats) => Ensure(ref _shared, floats);

    /// <summary>A product computed transposed (see <see cref="LinearLayer"/>'s few-rows path), at least <paramref name="floats"/> long.</summary>
    public float* Transposed(int floats) => Ensure(ref _transposed, floats);

    /// <summary>A block of feed-forward hidden rows (<see cref="FeedForwardBlocks"/>), at least <paramref name="floats"/> long.</summary>
    public float* Hidden(int floats) => Ensure(ref _hidden, floats);

    /// <summary>Edge panels of A and B plus a C tile, at least <paramref name="floats"/> long.</summary>
    public float* Edge(int floats) => Ensure(ref _edge, floats);

    private static float* Ensure(ref float[]? array, int floats)
    {
        const int AlignFloats = 16;
        if (array is null || array.Length < floats + AlignFloats)
        {
            array = GC.AllocateUninitializedArray<float>(floats + AlignFloats, pinned: true);
        }

        nint address = (nint)Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(array));
        nint aligned = (address + 63) & ~(nint)63;
        return (float*)aligned;
    }
}
