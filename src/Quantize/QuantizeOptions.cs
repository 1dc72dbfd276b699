namespace EdgeRnn.Quantize;

/// <summary>How activations are quantized.</summary>
internal enum QuantizeMode
{
    /// <summary>Weights int8 in the file; activations quantized per step at run time from their own range.</summary>
    Dynamic,

    /// <summary>Weights int8; activation ranges fixed from calibration data (QuantizeLinear / DequantizeLinear on inputs).</summary>
    Static,
}

/// <summary>The file format of the int8 model.</summary>
internal enum QuantizeFormat
{
    /// <summary>int8 initializers + DequantizeLinear feeding the standard operators: portable ONNX.</summary>
    Qdq,

    /// <summary>com.microsoft DynamicQuantizeLSTM / DynamicQuantizeMatMul (GRU and RNN stay qdq: ORT has no such node).</summary>
    Ort,
}

/// <summary>How a static activation range is chosen from calibration values.</summary>
internal enum CalibrationMethod
{
    /// <summary>The largest absolute value seen.</summary>
    MinMax,

    /// <summary>The given percentile of absolute values (clips rare outliers).</summary>
    Percentile,
}

/// <summary>What to quantize and how.</summary>
internal sealed record QuantizeOptions
{
    public QuantizeMode Mode { get; init; } = QuantizeMode.Dynamic;

    public QuantizeFormat Format { get; init; } = QuantizeFormat.Qdq;

    /// <summary>One scale per weight tensor instead of one per output channel (gate row).</summary>
    public bool PerTensor { get; init; }

    /// <summary>
    /// Store per-channel scales and folded biases (tensors of <see cref="ModelQuantizer.HalfMinElements"/> or more
    /// values) as FLOAT16 initializers widened by a Cast, half their bytes. Scales are rounded up to a float16, so no
    /// weight clips; a tensor with a value float16 cannot hold to 11 bits (a scale below 2^-14, a bias beyond 65504)
    /// stays float32.
    /// </summary>
    public bool Float16Params { get; init; } = true;

    /// <summary>Node names that stay float.</summary>
    public IReadOnlySet<string> Exclude { get; init; } = new HashSet<string>(StringComparer.Ordinal);

    public CalibrationMethod CalibrationMethod { get; init; } = CalibrationMethod.MinMax;

    /// <summary>For <see cref="CalibrationMethod.Percentile"/>: the percentile of |x| kept (e.g. 99.99).</summary>
    public double Percentile { get; init; } = 99.99;
}
