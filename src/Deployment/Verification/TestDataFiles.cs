using EdgeRnn.Runtime;
using EdgeRnn.Runtime.Onnx;

namespace EdgeRnn.Deployment.Verification;

/// <summary>
/// Reads single tensors in the ONNX backend test-data layout (<c>test_data_set_0/input_0.pb</c>,
/// <c>output_0.pb</c>): each file is one serialized ONNX <c>TensorProto</c>.
/// </summary>
public static class TestDataFiles
{
    /// <summary>
    /// Reads one tensor file. The tensor's name is empty when the file does not carry one (the tensor is then
    /// matched by position). The same limits and checks as for model initializers apply.
    /// </summary>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="ModelFormatException">The file is not a valid TensorProto or exceeds a limit; the message names the file.</exception>
    public static (string Name, Tensor Tensor) ReadTensor(string path, ModelLoadOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"Tensor file '{path}' does not exist.", path);
        }

        return OnnxTensorFile.Read(path, options ?? ModelLoadOptions.Default);
    }
}
