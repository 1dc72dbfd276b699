using System.Globalization;

namespace EdgeRnn.Runtime.Onnx;

/// <summary>
/// Counts the bytes one step of loading allocates against <see cref="ModelLoadOptions.MaxLoadBytes"/>, and refuses
/// the step with a <see cref="ModelFormatException"/> naming what asked for too much. Callers charge BEFORE they
/// allocate, so a request over the limit is never made.
/// </summary>
/// <remarks>
/// One budget covers loading a model and planning it. Reading counts the file's bytes, the protobuf messages the parser
/// will make (estimated from the wire data before it runs), the validated nodes and the tensors converted from them;
/// the <see cref="OnnxModel"/> keeps that count (<see cref="OnnxModel.LoadedBytes"/>), and each plan for a set of
/// input shapes starts its own budget there and counts its slots, folded constants, index maps and packed weights. The
/// count is cumulative: garbage made along the way counts too, so the budget bounds the work and the memory of loading
/// plus any one plan however the collector runs. A budget is used by one thread.
/// </remarks>
internal sealed class LoadBudget
{
    /// <summary>Creates a budget of <paramref name="limit"/> bytes, <paramref name="used"/> of which are already taken.</summary>
    public LoadBudget(long limit, string sourceName, long used = 0)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(limit);
        ArgumentOutOfRangeException.ThrowIfNegative(used);
        ArgumentNullException.ThrowIfNull(sourceName);
        Limit = limit;
        Used = used;
        SourceName = sourceName;
    }

    /// <summary>The most bytes the step may allocate.</summary>
    public long Limit { get; }

    /// <summary>The bytes charged so far.</summary>
    public long Used { get; private set; }

    /// <summary>Names the model in messages.</summary>
    public string SourceName { get; }

    /// <summary>The bytes still available.</summary>
    public long Remaining => Math.Max(0, Limit - Used);

    /// <summary>
    /// Takes <paramref name="bytes"/> from the budget, or throws a <see cref="ModelFormatException"/> saying that
    /// <paramref name="what"/> (e.g. "node 'e0' (Expand, #0) output 'e0' Int64[8, 8388608]") would take more than is left.
    /// </summary>
    public void Charge(long bytes, string what)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(bytes);
        if (bytes > Limit - Used)
        {
            throw Exceeded(bytes, what);
        }

        Used += bytes;
    }

    /// <summary>
    /// Takes <paramref name="bytes"/> from the budget and returns true, or returns false (taking nothing) when they do not
    /// fit; callers that would build a costly label for <see cref="Charge"/> throw <see cref="Exceeded"/> themselves.
    /// </summary>
    public bool TryCharge(long bytes)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(bytes);
        if (bytes > Limit - Used)
        {
            return false;
        }

        Used += bytes;
        return true;
    }

    /// <summary>Takes <paramref name="count"/> elements of <paramref name="elementBytes"/> bytes each (saturating, never wrapping).</summary>
    public void ChargeElements(long count, int elementBytes, string what) => Charge(Multiply(count, elementBytes), what);

    /// <summary>count * size, saturated at <see cref="long.MaxValue"/>; both must be non-negative.</summary>
    public static long Multiply(long count, long size)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        ArgumentOutOfRangeException.ThrowIfNegative(size);
        return size != 0 && count > long.MaxValue / size ? long.MaxValue : count * size;
    }

    /// <summary>a + b, saturated at <see cref="long.MaxValue"/>; both must be non-negative.</summary>
    public static long Add(long a, long b) => a > long.MaxValue - b ? long.MaxValue : a + b;

    /// <summary>Formats a byte count for messages: <c>64.0 MiB (67108864 bytes)</c>.</summary>
    public static string FormatBytes(long bytes)
    {
        if (bytes == long.MaxValue)
        {
            return "more than 8 EiB (the count saturated)";
        }

        string exact = bytes.ToString(CultureInfo.InvariantCulture) + " bytes";
        (double unit, string name) = bytes switch
        {
            >= 1L << 30 => (1L << 30, "GiB"),
            >= 1L << 20 => (1L << 20, "MiB"),
            >= 1L << 10 => (1L << 10, "KiB"),
            _ => (0d, ""),
        };
        return unit == 0 ? exact : $"{(bytes / unit).ToString("0.0", CultureInfo.InvariantCulture)} {name} ({exact})";
    }

    /// <summary>The error for a charge of <paramref name="bytes"/> for <paramref name="what"/> that does not fit.</summary>
    public ModelFormatException Exceeded(long bytes, string what)
    {
        long total = Add(Used, bytes);
        return new ModelFormatException(
            $"{SourceName}: {what} would take {FormatBytes(bytes)}, bringing the memory this load allocates to {FormatBytes(total)}; the limit is {FormatBytes(Limit)} (ModelLoadOptions.MaxLoadBytes).");
    }
}
