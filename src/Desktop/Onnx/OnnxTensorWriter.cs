using System.Buffers.Binary;
using EdgeRnn.Deployment.IO;
using EdgeRnn.Runtime;
using EdgeRnn.Runtime.Onnx;
using EdgeRnn.Runtime.Onnx.Proto;
using Google.Protobuf;

namespace EdgeRnn.Desktop.Onnx;

/// <summary>
/// Writes tensors as ONNX <c>TensorProto</c>s: model initializers and attributes (<see cref="OnnxGraphBuilder"/>) and the
/// single-tensor files of the ONNX backend test-data layout, which the engine reads back with the same limits as a model.
/// </summary>
public static class OnnxTensorWriter
{
    /// <summary>
    /// Converts <paramref name="t"/> to a TensorProto named <paramref name="name"/>. Elements go to raw_data,
    /// little-endian, in their own width (float 4, INT64 8, INT32 4, INT8/UINT8/BOOL 1 byte).
    /// </summary>
    public static TensorProto ToProto(Tensor t, string name)
    {
        ArgumentNullException.ThrowIfNull(t);
        ArgumentNullException.ThrowIfNull(name);
        var proto = new TensorProto { Name = name, DataType = (int)t.ElementType };
        foreach (int d in t.Shape)
        {
            proto.Dims.Add(d);
        }

        int width = OnnxTensorConverter.ElementWidth(t.ElementType);
        byte[] raw = new byte[checked(t.Length * width)];
        if (t.ElementType == TensorElementType.Float16)
        {
            float[] data = t.FloatData!;
            for (int i = 0; i < data.Length; i++)
            {
                // FromFloat16 checked the values, but FloatData is writable: refuse rather than round a changed one.
                Half h = (Half)data[i];
                if (!float.IsNaN(data[i]) && (float)h != data[i])
                {
                    throw new InvalidOperationException($"Float16 tensor '{name}' holds {data[i]:R} at element {i}, which is not a float16 value.");
                }

                BinaryPrimitives.WriteUInt16LittleEndian(raw.AsSpan(i * 2), BitConverter.HalfToUInt16Bits(h));
            }
        }
        else if (t.IsFloat)
        {
            float[] data = t.FloatData;
            for (int i = 0; i < data.Length; i++)
            {
                BinaryPrimitives.WriteSingleLittleEndian(raw.AsSpan(i * 4), data[i]);
            }
        }
        else
        {
            long[] data = t.Int64Data;
            for (int i = 0; i < data.Length; i++)
            {
                switch (t.ElementType)
                {
                    case TensorElementType.Int64:
                        BinaryPrimitives.WriteInt64LittleEndian(raw.AsSpan(i * 8), data[i]);
                        break;
                    case TensorElementType.Int32:
                        BinaryPrimitives.WriteInt32LittleEndian(raw.AsSpan(i * 4), checked((int)data[i]));
                        break;
                    case TensorElementType.Int8:
                        raw[i] = (byte)checked((sbyte)data[i]);
                        break;
                    case TensorElementType.Bool:
                        raw[i] = data[i] != 0 ? (byte)1 : (byte)0;
                        break;
                    default:
                        raw[i] = checked((byte)data[i]);
                        break;
                }
            }
        }

        proto.RawData = UnsafeByteOperations.UnsafeWrap(raw);
        return proto;
    }

    /// <summary>Writes <paramref name="tensor"/> as a TensorProto file named <paramref name="name"/> (may be empty), atomically.</summary>
    /// <exception cref="ArgumentException">The tensor is FLOAT16: test data are graph inputs and outputs, never FLOAT16 in EdgeRnn.</exception>
    public static void Write(string path, string name, Tensor tensor)
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(name);
        ArgumentNullException.ThrowIfNull(tensor);
        if (tensor.ElementType == TensorElementType.Float16)
        {
            throw new ArgumentException("Test data are graph inputs and outputs, which are never FLOAT16 in EdgeRnn; the reader would refuse the file.", nameof(tensor));
        }

        AtomicFile.WriteAllBytes(path, ToProto(tensor, name).ToByteArray());
    }
}
