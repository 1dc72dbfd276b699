using System.Buffers.Binary;
using EdgeRnn.Runtime.Onnx.Proto;
using Google.Protobuf;

namespace EdgeRnn.Runtime.Onnx;

/// <summary>
/// Converts between ONNX <see cref="TensorProto"/> and <see cref="Tensor"/>.
/// Supported element types: FLOAT, INT64, INT32, INT8, UINT8, BOOL (integers and booleans become
/// <see cref="Tensor.Int64Data"/>), and FLOAT16 for tensors (initializers and constants), not for graph inputs and
/// outputs: it is widened exactly into <see cref="Tensor.FloatData"/> and keeps its type, so it is written back as FLOAT16. INT16 and UINT16 are refused rather than widened, because
/// <see cref="TensorElementType"/> has no 16-bit type and widening would change the type on re-export; DOUBLE is
/// refused rather than narrowed, because narrowing would silently change the model's numbers.
/// </summary>
internal static class OnnxTensorConverter
{
    public const string SupportedTypes = "FLOAT, INT64, INT32, INT8, UINT8, BOOL";

    /// <summary>The element types of tensors (initializers, constants): <see cref="SupportedTypes"/> and FLOAT16.</summary>
    public const string SupportedTensorTypes = SupportedTypes + ", FLOAT16";

    /// <summary>
    /// Converts <paramref name="t"/> after checking its rank, dimensions, element count and data length.
    /// <paramref name="where"/> names the tensor in messages, e.g. <c>initializer 'W'</c>.
    /// </summary>
    public static Tensor FromProto(TensorProto t, ModelLoadOptions o, string where)
    {
        ArgumentNullException.ThrowIfNull(t);
        ArgumentNullException.ThrowIfNull(o);
        long count = CheckHeader(t, o, where, out TensorElementType type);
        int n = (int)count;
        int[] shape = new int[t.Dims.Count];
        for (int i = 0; i < shape.Length; i++)
        {
            shape[i] = (int)t.Dims[i];
        }

        ReadOnlySpan<byte> raw = t.RawData.Span;
        bool hasRaw = !t.RawData.IsEmpty;
        int typedCount = t.FloatData.Count + t.Int32Data.Count + t.Int64Data.Count + t.DoubleData.Count + t.Uint64Data.Count + t.StringData.Count;
        if (hasRaw && typedCount > 0)
        {
            throw new ModelFormatException($"{where} holds both raw_data and typed data fields; ONNX allows only one.");
        }

        int width = ElementWidth(type);
        if (hasRaw)
        {
            if (raw.Length != count * width)
            {
                throw new ModelFormatException(
                    $"{where} has shape {Tensor.FormatShape(shape)}, which needs {count} elements ({count * width} bytes of raw_data), but raw_data holds {raw.Length} bytes ({(double)raw.Length / width:0.##} elements).");
            }
        }
        else
        {
            int actual = type switch
            {
                TensorElementType.Float => t.FloatData.Count,
                TensorElementType.Int64 => t.Int64Data.Count,
                _ => t.Int32Data.Count,
            };
            if (actual != typedCount || actual != count)
            {
                string field = type switch
                {
                    TensorElementType.Float => "float_data",
                    TensorElementType.Int64 => "int64_data",
                    _ => "int32_data",
                };
                throw new ModelFormatException(
                    $"{where} has shape {Tensor.FormatShape(shape)}, which needs {count} elements, but {field} holds {actual}{(actual != typedCount ? " (and other data fields are set)" : "")}.");
            }
        }

        if (type == TensorElementType.Float16)
        {
            // raw_data: 2 little-endian bytes each; int32_data: one uint16 bit pattern per element (ONNX's rule).
            float[] halves = new float[n];
            for (int i = 0; i < n; i++)
            {
                int bits = hasRaw ? BinaryPrimitives.ReadUInt16LittleEndian(raw.Slice(i * 2, 2)) : t.Int32Data[i];
                if (bits is < 0 or > ushort.MaxValue)
                {
                    throw new ModelFormatException($"{where} holds {bits} at element {i} of int32_data, which is not a float16 bit pattern (0..65535).");
                }

                halves[i] = (float)BitConverter.UInt16BitsToHalf((ushort)bits);
            }

            return Tensor.FromFloat16(halves, shape);
        }

        if (type == TensorElementType.Float)
        {
            float[] data = new float[n];
            if (hasRaw)
            {
                for (int i = 0; i < n; i++)
                {
                    data[i] = BinaryPrimitives.ReadSingleLittleEndian(raw.Slice(i * 4, 4));
                }
            }
            else
            {
                t.FloatData.CopyTo(data, 0);
            }

            return Tensor.FromFloat(data, shape);
        }

        long[] values = new long[n];
        if (hasRaw)
        {
            for (int i = 0; i < n; i++)
            {
                values[i] = type switch
                {
                    TensorElementType.Int64 => BinaryPrimitives.ReadInt64LittleEndian(raw.Slice(i * 8, 8)),
                    TensorElementType.Int32 => BinaryPrimitives.ReadInt32LittleEndian(raw.Slice(i * 4, 4)),
                    TensorElementType.Int8 => (sbyte)raw[i],
                    _ => raw[i],
                };
            }
        }
        else if (type == TensorElementType.Int64)
        {
            t.Int64Data.CopyTo(values, 0);
        }
        else
        {
            for (int i = 0; i < n; i++)
            {
                values[i] = t.Int32Data[i];
            }
        }

        (long min, long max) = type switch
        {
            TensorElementType.Int8 => (sbyte.MinValue, sbyte.MaxValue),
            TensorElementType.UInt8 => (byte.MinValue, byte.MaxValue),
            TensorElementType.Bool => (0L, 1L),
            _ => (long.MinValue, long.MaxValue),
        };
        for (int i = 0; i < n; i++)
        {
            if (values[i] < min || values[i] > max)
            {
                throw new ModelFormatException($"{where} holds {values[i]} at element {i}, outside the range of {DataTypeName((int)type)} ({min}..{max}).");
            }
        }

        return Tensor.FromInt64(type, values, shape);
    }

    /// <summary>
    /// Checks a tensor's type, storage, rank and dimensions without reading its data, and returns the element count it
    /// declares. Call before <see cref="FromProto"/> to account totals before allocating.
    /// </summary>
    public static long CheckHeader(TensorProto t, ModelLoadOptions o, string where, out TensorElementType type)
    {
        ArgumentNullException.ThrowIfNull(t);
        ArgumentNullException.ThrowIfNull(o);
        if (t.DataLocation == TensorProto.Types.DataLocation.External || t.ExternalData.Count > 0)
        {
            string location = DisplayText.Sanitize(t.ExternalData.FirstOrDefault(e => e.Key == "location")?.Value ?? "?");

            throw new ModelFormatException(
                $"{where} keeps its data in an external file ('{location}'); EdgeRnn loads self-contained models only.");
        }

        if (t.Segment is not null)
        {
            throw new ModelFormatException($"{where} is a segment of a larger tensor; EdgeRnn does not support segmented tensors.");
        }

        type = t.DataType == (int)TensorProto.Types.DataType.Float16
            ? TensorElementType.Float16
            : ToElementType(t.DataType, where, "element type", SupportedTensorTypes);
        if (t.Dims.Count > o.MaxRank)
        {
            throw new ModelFormatException($"{where} has rank {t.Dims.Count}; the limit is {o.MaxRank} (ModelLoadOptions.MaxRank).");
        }

        long count = 1;
        for (int i = 0; i < t.Dims.Count; i++)
        {
            long d = t.Dims[i];
            if (d < 0)
            {
                throw new ModelFormatException($"{where} has a negative dimension {d} at axis {i}.");
            }

            if (d > o.MaxDimension)
            {
                throw new ModelFormatException($"{where} has dimension {d} at axis {i}; the limit is {o.MaxDimension} (ModelLoadOptions.MaxDimension).");
            }

            if (d != 0 && count > long.MaxValue / d)
            {
                throw new ModelFormatException($"{where} declares dimensions [{string.Join(", ", t.Dims)}] whose element count overflows a 64-bit integer.");
            }

            count *= d;
        }

        long limit = Math.Min(o.MaxTensorElements, Array.MaxLength);
        if (count > limit)
        {
            throw new ModelFormatException(
                $"{where} declares {count} elements; the limit is {limit} ({(limit == o.MaxTensorElements ? "ModelLoadOptions.MaxTensorElements" : "Array.MaxLength")}).");
        }

        return count;
    }

    /// <summary>
    /// The bytes a <see cref="Tensor"/> holds for each element of <paramref name="type"/>: 4 for float and float16 (held
    /// widened), 8 for integers and booleans (held as long).
    /// </summary>
    public static int HeldElementBytes(TensorElementType type) =>
        type is TensorElementType.Float or TensorElementType.Float16 ? sizeof(float) : sizeof(long);

    /// <summary>Maps an ONNX data type code to a supported element type or throws naming <paramref name="where"/>.</summary>
    public static TensorElementType ToElementType(int dataType, string where, string what) => ToElementType(dataType, where, what, SupportedTypes);

    private static TensorElementType ToElementType(int dataType, string where, string what, string supported)
    {
        switch ((TensorProto.Types.DataType)dataType)
        {
            case TensorProto.Types.DataType.Float:
            case TensorProto.Types.DataType.Int64:
            case TensorProto.Types.DataType.Int32:
            case TensorProto.Types.DataType.Int8:
            case TensorProto.Types.DataType.Uint8:
            case TensorProto.Types.DataType.Bool:
                return (TensorElementType)dataType;
            case TensorProto.Types.DataType.Undefined:
                throw new ModelFormatException($"{where} has no {what} (UNDEFINED); supported: {supported}.");
            default:
                throw new ModelFormatException(
                    dataType == (int)TensorProto.Types.DataType.Float16
                        ? $"{where} has {what} FLOAT16; EdgeRnn takes FLOAT16 only in initializers and constants (read through a Cast to FLOAT), not as a graph input or output (supported: {supported})."
                        : $"{where} has {what} {DataTypeName(dataType)}, which EdgeRnn does not support (supported: {supported}).");
        }
    }

    /// <summary>The ONNX name of a data type code (FLOAT16, STRING ...), or the number when unknown.</summary>
    public static string DataTypeName(int dataType) => dataType switch
    {
        0 => "UNDEFINED",
        1 => "FLOAT",
        2 => "UINT8",
        3 => "INT8",
        4 => "UINT16",
        5 => "INT16",
        6 => "INT32",
        7 => "INT64",
        8 => "STRING",
        9 => "BOOL",
        10 => "FLOAT16",
        11 => "DOUBLE",
        12 => "UINT32",
        13 => "UINT64",
        14 => "COMPLEX64",
        15 => "COMPLEX128",
        16 => "BFLOAT16",
        17 => "FLOAT8E4M3FN",
        18 => "FLOAT8E4M3FNUZ",
        19 => "FLOAT8E5M2",
        20 => "FLOAT8E5M2FNUZ",
        21 => "UINT4",
        22 => "INT4",
        23 => "FLOAT4E2M1",
        _ => $"#{dataType}",
    };

    /// <summary>The bytes one element of <paramref name="type"/> takes in raw_data.</summary>
    internal static int ElementWidth(TensorElementType type) => type switch
    {
        TensorElementType.Float or TensorElementType.Int32 => 4,
        TensorElementType.Int64 => 8,
        TensorElementType.Float16 => 2,
        TensorElementType.Int8 or TensorElementType.UInt8 or TensorElementType.Bool => 1,
        _ => throw new ArgumentException($"{type} is not a supported element type.", nameof(type)),
    };
}
