using EdgeRnn.Runtime.Onnx.Proto;
using Google.Protobuf;

namespace EdgeRnn.Runtime.Onnx;

/// <summary>
/// Reads and writes single tensors in the ONNX backend test-data layout (<c>test_data_set_0/input_0.pb</c>,
/// <c>output_0.pb</c>): each file is one serialized TensorProto.
/// </summary>
internal static class OnnxTensorFile
{
    /// <summary>Reads a tensor file; the same limits and checks as model initializers apply.</summary>
    public static (string Name, Tensor Tensor) Read(string path, ModelLoadOptions options)
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(options);
        string sourceName = Path.GetFileName(path);
        byte[] bytes = OnnxModelReader.ReadAllBytesLimited(path, options.MaxFileBytes, sourceName);
        var budget = new LoadBudget(options.MaxLoadBytes, sourceName);
        budget.Charge(bytes.Length, $"the file's {bytes.Length} bytes");
        OnnxWireScanner.CheckTensorFile(bytes, options, sourceName, budget);
        TensorProto proto = OnnxModelReader.Parse(bytes, TensorProto.Parser, sourceName, "ONNX tensor file");
        if (proto.Name.Length > options.MaxStringLength)
        {
            throw new ModelFormatException(
                $"{sourceName}: the tensor name is {proto.Name.Length} characters long; the limit is {options.MaxStringLength} (ModelLoadOptions.MaxStringLength).");
        }

        string where = $"{sourceName}: tensor '{DisplayText.Sanitize(proto.Name)}'";
        if (proto.DataType == (int)TensorProto.Types.DataType.Float16)
        {
            // Test data are graph inputs and outputs, which are never FLOAT16 in EdgeRnn (FLOAT16 is constant storage).
            throw new ModelFormatException($"{where} is FLOAT16; test data are graph inputs and outputs, which EdgeRnn takes as {OnnxTensorConverter.SupportedTypes}.");
        }

        long count = OnnxTensorConverter.CheckHeader(proto, options, where, out TensorElementType type);
        budget.ChargeElements(count, OnnxTensorConverter.HeldElementBytes(type), $"converting {where} ({count} {type} elements)");
        return (proto.Name, OnnxTensorConverter.FromProto(proto, options, where));
    }
}
