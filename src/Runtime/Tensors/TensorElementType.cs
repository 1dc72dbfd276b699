namespace EdgeRnn.Runtime;

/// <summary>Element types the runtime reads; values equal ONNX's <c>TensorProto.DataType</c> codes.</summary>
#pragma warning disable CA1720 // The members are named after the element types they denote, as in ONNX.
public enum TensorElementType
{
    /// <summary>No type (an ONNX file that leaves it unset is malformed).</summary>
    Undefined = 0,
    /// <summary>32-bit IEEE float.</summary>
    Float = 1,
    /// <summary>Unsigned 8-bit integer.</summary>
    UInt8 = 2,
    /// <summary>Signed 8-bit integer.</summary>
    Int8 = 3,
    /// <summary>Signed 32-bit integer (held as <see cref="long"/> in a <see cref="Tensor"/>).</summary>
    Int32 = 6,
    /// <summary>Signed 64-bit integer.</summary>
    Int64 = 7,
    /// <summary>Boolean (held as 0 / 1 <see cref="long"/> values in a <see cref="Tensor"/>).</summary>
    Bool = 9,
    /// <summary>
    /// 16-bit IEEE float, held as exactly widened <see cref="float"/> values in a <see cref="Tensor"/>. A model may keep
    /// constants in it (int8 models store scales and biases this way) and read them through a Cast to Float; the runtime
    /// does no float16 arithmetic.
    /// </summary>
    Float16 = 10,
}
#pragma warning restore CA1720
