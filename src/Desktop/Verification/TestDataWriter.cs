using System.Globalization;
using EdgeRnn.Deployment.IO;
using EdgeRnn.Deployment.Verification;
using EdgeRnn.Desktop.Onnx;
using EdgeRnn.Runtime;
using EdgeRnn.Runtime.Onnx;

namespace EdgeRnn.Desktop.Verification;

/// <summary>
/// Creates a folder in the ONNX backend test-data layout: <c>model.onnx</c> plus
/// <c>test_data_set_N/input_K.pb</c> and <c>output_K.pb</c>, numbered in the graph's input and output order and
/// named after the graph values. <see cref="TestDataVerifier"/> reads such folders back; ONNX's own test runners
/// read them too.
/// </summary>
public static class TestDataWriter
{
    /// <summary>
    /// Writes a test folder from model bytes. A new (or empty) folder is written as one set (a temporary sibling renamed
    /// when complete: a crash or a full disk leaves no folder or the whole one); in a folder that already holds files,
    /// files of the same names are replaced, each atomically.
    /// </summary>
    /// <param name="folder">The folder to create (or fill).</param>
    /// <param name="model">The model file's bytes, written as <c>model.onnx</c>.</param>
    /// <param name="inputs">Per data set, the inputs by graph input name; every graph input must be present.</param>
    /// <param name="outputs">Per data set, the expected outputs by graph output name; a subset of the outputs is allowed.</param>
    /// <exception cref="ArgumentException">The counts of input and output sets differ, or a name is not a graph input or output.</exception>
    /// <exception cref="ModelFormatException">The model bytes are not a valid ONNX model.</exception>
    public static void Write(string folder, byte[] model, IReadOnlyList<IReadOnlyDictionary<string, Tensor>> inputs,
        IReadOnlyList<IReadOnlyDictionary<string, Tensor>> outputs)
    {
        ArgumentNullException.ThrowIfNull(folder);
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(inputs);
        ArgumentNullException.ThrowIfNull(outputs);
        if (inputs.Count != outputs.Count)
        {
            throw new ArgumentException($"There are {inputs.Count} input sets but {outputs.Count} output sets.", nameof(outputs));
        }

        OnnxModel graph = OnnxModelReader.Read(model, ModelLoadOptions.Default, TestDataLayout.ModelFileName);
        AtomicFile.WriteFolder(folder, target =>
        {
            AtomicFile.WriteAllBytes(Path.Combine(target, TestDataLayout.ModelFileName), model);
            for (int set = 0; set < inputs.Count; set++)
            {
                string setFolder = Path.Combine(target, TestDataLayout.DataSetPrefix + set.ToString(CultureInfo.InvariantCulture));
                Directory.CreateDirectory(setFolder);
                WriteSet(setFolder, "input", graph.Inputs, inputs[set], requireAll: true);
                WriteSet(setFolder, "output", graph.Outputs, outputs[set], requireAll: false);
            }
        });
    }

    /// <summary>Writes a test folder, copying the model from <paramref name="modelPath"/>.</summary>
    /// <inheritdoc cref="Write(string, byte[], IReadOnlyList{IReadOnlyDictionary{string, Tensor}}, IReadOnlyList{IReadOnlyDictionary{string, Tensor}})"/>
    public static void Write(string folder, string modelPath, IReadOnlyList<IReadOnlyDictionary<string, Tensor>> inputs,
        IReadOnlyList<IReadOnlyDictionary<string, Tensor>> outputs)
    {
        ArgumentNullException.ThrowIfNull(modelPath);
        Write(folder, File.ReadAllBytes(modelPath), inputs, outputs);
    }

    private static void WriteSet(string setFolder, string kind, IReadOnlyList<OnnxValueInfo> declared,
        IReadOnlyDictionary<string, Tensor> values, bool requireAll)
    {
        ArgumentNullException.ThrowIfNull(values);
        foreach (string name in values.Keys)
        {
            if (!declared.Any(v => v.Name == name))
            {
                throw new ArgumentException($"The model has no {kind} '{name}'; it has {string.Join(", ", declared.Select(v => v.Name))}.");
            }
        }

        // Files are numbered by graph position, so that readers that ignore names still line them up.
        for (int k = 0; k < declared.Count; k++)
        {
            if (values.TryGetValue(declared[k].Name, out Tensor? tensor))
            {
                OnnxTensorWriter.Write(Path.Combine(setFolder, $"{kind}_{k.ToString(CultureInfo.InvariantCulture)}.pb"), declared[k].Name, tensor);
            }
            else if (requireAll)
            {
                throw new ArgumentException($"The {kind} '{declared[k].Name}' is missing from a data set.");
            }
        }
    }
}
