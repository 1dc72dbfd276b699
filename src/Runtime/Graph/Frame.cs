using System.Runtime.CompilerServices;

namespace EdgeRnn.Runtime.Graph;

/// <summary>What a plan slot holds: float or 64-bit integer elements, and how many.</summary>
internal readonly record struct SlotInfo(bool IsFloat, int Length, string Name);

/// <summary>
/// The mutable buffers one execution of a <see cref="ExecutionPlan"/> works in: one array per slot. A streaming
/// state owns one frame for its whole life; a whole-sequence run makes one per call. Frames are not thread-safe.
/// </summary>
internal sealed class Frame
{
    private readonly float[]?[] _floats;
    private readonly long[]?[] _longs;
    private readonly IReadOnlyList<SlotInfo> _slots;

    public Frame(IReadOnlyList<SlotInfo> slots, bool allocateAll)
    {
        _slots = slots;
        _floats = new float[]?[slots.Count];
        _longs = new long[]?[slots.Count];
        if (allocateAll)
        {
            for (int i = 0; i < slots.Count; i++)
            {
                _ = slots[i].IsFloat ? Floats(i) : (object)Longs(i);
            }
        }
    }

    /// <summary>
    /// A frame for constant folding: it allocates slots lazily and has room for <paramref name="capacity"/> slots, more
    /// than <paramref name="slots"/> holds yet, so a plan builder can keep using it while the list grows.
    /// </summary>
    public Frame(IReadOnlyList<SlotInfo> slots, int capacity)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, slots.Count);
        _slots = slots;
        _floats = new float[]?[capacity];
        _longs = new long[]?[capacity];
    }

    /// <summary>The number of slots this frame has room for.</summary>
    public int Capacity => _floats.Length;

    /// <summary>Forgets the buffers of slots [<paramref name="start"/>, <paramref name="end"/>), which their owners keep or drop.</summary>
    public void Release(int start, int end)
    {
        Array.Clear(_floats, start, end - start);
        Array.Clear(_longs, start, end - start);
    }

    /// <summary>The float buffer of a slot, allocated on first use (frames for folding allocate lazily).</summary>
    /// <remarks>Called a few dozen times per step: the lookup inlines, the first-use allocation does not.</remarks>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public float[] Floats(int slot) => _floats[slot] ?? AllocateFloats(slot);

    /// <summary>The integer buffer of a slot, allocated on first use.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public long[] Longs(int slot) => _longs[slot] ?? AllocateLongs(slot);

    [MethodImpl(MethodImplOptions.NoInlining)]
    private float[] AllocateFloats(int slot) => _floats[slot] = new float[_slots[slot].Length];

    [MethodImpl(MethodImplOptions.NoInlining)]
    private long[] AllocateLongs(int slot) => _longs[slot] = new long[_slots[slot].Length];
}
