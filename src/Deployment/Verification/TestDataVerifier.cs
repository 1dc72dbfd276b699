using System.Globalization;
using EdgeRnn.Runtime;

namespace EdgeRnn.Deployment.Verification;

/// <summary>
/// Runs folders in the ONNX backend test-data layout through <see cref="RnnModel.Run(IReadOnlyDictionary{string, Tensor})"/>
/// and compares the results with the expected outputs.
/// </summary>
/// <remarks>
/// <para>
/// Layout: <c>&lt;dir&gt;/model.onnx</c> and <c>&lt;dir&gt;/test_data_set_N/input_K.pb</c>, <c>output_K.pb</c>, each
/// file a serialized TensorProto. A tensor whose name is empty is matched by position: <c>input_K</c> is the K-th graph
/// input, <c>output_K</c> the K-th graph output. A path given to <see cref="Verify(IEnumerable{string})"/> is either
/// such a folder or a parent whose immediate subfolders (sorted by name) are such folders.
/// </para>
/// <para>
/// An element passes when <c>|actual - expected| &lt;= atol + rtol * |expected|</c>, the rule of
/// <c>numpy.allclose</c> (not symmetric: the tolerance scales with the expected value). Equal infinities pass; NaN
/// never passes (numpy's default <c>equal_nan=False</c>). Shapes must match exactly.
/// </para>
/// <para>
/// Nothing here throws for bad data: a missing or malformed file, or a model the runtime refuses, is recorded as an
/// <see cref="VerifyStatus.Error"/> with a message naming the file, and the other folders and data sets still run.
/// </para>
/// </remarks>
public sealed class TestDataVerifier
{
    /// <summary>The smallest normal float32, the floor of the relative error's denominator (numpy's <c>finfo(float32).tiny</c>).</summary>
    public const double Tiny = 1.17549435e-38;

    /// <summary>Creates a verifier with the given tolerances.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A tolerance is negative or NaN.</exception>
    public TestDataVerifier(double atol = 1e-5, double rtol = 1e-5, ModelLoadOptions? loadOptions = null)
    {
        if (!(atol >= 0))
        {
            throw new ArgumentOutOfRangeException(nameof(atol), atol, "The absolute tolerance must be zero or positive.");
        }

        if (!(rtol >= 0))
        {
            throw new ArgumentOutOfRangeException(nameof(rtol), rtol, "The relative tolerance must be zero or positive.");
        }

        Atol = atol;
        Rtol = rtol;
        LoadOptions = loadOptions ?? ModelLoadOptions.Default;
    }

    /// <summary>The absolute tolerance.</summary>
    public double Atol { get; }

    /// <summary>The relative tolerance.</summary>
    public double Rtol { get; }

    /// <summary>The limits applied when reading models and tensor files.</summary>
    public ModelLoadOptions LoadOptions { get; }

    /// <summary>Verifies every test folder found under <paramref name="paths"/>.</summary>
    public VerificationResult Verify(IEnumerable<string> paths)
    {
        ArgumentNullException.ThrowIfNull(paths);
        var folders = new List<TestFolderResult>();
        foreach (string path in paths)
        {
            if (!Directory.Exists(path))
            {
                string what = File.Exists(path) ? "is a file, not a folder (give the folder that holds model.onnx)" : "does not exist";
                folders.Add(new TestFolderResult(path, [], $"'{path}' {what}."));
            }
            else if (File.Exists(Path.Combine(path, TestDataLayout.ModelFileName)))
            {
                folders.Add(VerifyFolder(path));
            }
            else
            {
                string[] children = [.. Directory.GetDirectories(path)
                    .Where(d => File.Exists(Path.Combine(d, TestDataLayout.ModelFileName)))
                    .Order(StringComparer.Ordinal)];
                if (children.Length == 0)
                {
                    folders.Add(new TestFolderResult(path, [], $"'{path}' holds no {TestDataLayout.ModelFileName}, and none of its subfolders does."));
                }

                folders.AddRange(children.Select(VerifyFolder));
            }
        }

        return new VerificationResult(Atol, Rtol, folders);
    }

    /// <summary>Verifies every test folder found under <paramref name="paths"/>.</summary>
    public VerificationResult Verify(params string[] paths) => Verify((IEnumerable<string>)paths);

    /// <summary>Verifies one test folder (which holds <c>model.onnx</c>).</summary>
    public TestFolderResult VerifyFolder(string folder)
    {
        ArgumentNullException.ThrowIfNull(folder);
        string modelPath = Path.Combine(folder, TestDataLayout.ModelFileName);
        RnnModel model;
        try
        {
            model = RnnModel.Load(modelPath, LoadOptions);
        }
        catch (Exception e) when (IsDataError(e))
        {
            return new TestFolderResult(folder, [], $"{modelPath}: {e.Message}");
        }

        string[] sets = Directory.Exists(folder)
            ? [.. Directory.GetDirectories(folder, TestDataLayout.DataSetPrefix + "*")
                .Select(d => (Path: d, Index: ParseIndex(Path.GetFileName(d), TestDataLayout.DataSetPrefix, "")))
                .Where(d => d.Index >= 0)
                .OrderBy(d => d.Index)
                .Select(d => d.Path)]
            : [];
        if (sets.Length == 0)
        {
            return new TestFolderResult(folder, [], $"{folder}: no {TestDataLayout.DataSetPrefix}N folders next to {TestDataLayout.ModelFileName}.");
        }

        return new TestFolderResult(folder, [.. sets.Select(s => VerifyDataSet(model, s))], null);
    }

    /// <summary>Compares <paramref name="actual"/> with <paramref name="expected"/> under this verifier's tolerances.</summary>
    public OutputComparison Compare(string name, Tensor expected, Tensor actual)
    {
        ArgumentNullException.ThrowIfNull(expected);
        ArgumentNullException.ThrowIfNull(actual);
        int[] expectedShape = expected.GetShape();
        int[] actualShape = actual.GetShape();
        bool shapesMatch = expectedShape.AsSpan().SequenceEqual(actualShape);
        double maxAbs = 0, maxRel = 0;
        long mismatches = 0;
        int count = Math.Min(expected.Length, actual.Length);
        for (int i = 0; i < count; i++)
        {
            double e = Element(expected, i);
            double a = Element(actual, i);
            double diff = a == e ? 0 : Math.Abs(a - e);
            double rel = diff / Math.Max(Math.Abs(e), Tiny);
            // Once NaN, a maximum stays NaN: NaN > x is false.
            maxAbs = double.IsNaN(diff) || diff > maxAbs ? diff : maxAbs;
            maxRel = double.IsNaN(rel) || rel > maxRel ? rel : maxRel;
            if (!(diff <= Atol + (Rtol * Math.Abs(e))))
            {
                mismatches++;
            }
        }

        return new OutputComparison(name, expectedShape, actualShape, maxAbs, maxRel, shapesMatch && mismatches == 0, mismatches);
    }

    private DataSetResult VerifyDataSet(RnnModel model, string setFolder)
    {
        string setName = Path.GetFileName(setFolder);
        string file = setFolder;
        try
        {
            var inputs = new Dictionary<string, Tensor>(StringComparer.Ordinal);
            foreach ((string path, int index) in TensorFiles(setFolder, "input_"))
            {
                file = path;
                string name = Resolve(model.Inputs, TestDataFiles.ReadTensor(path, LoadOptions), index, path, "input", out Tensor tensor);
                if (!inputs.TryAdd(name, tensor))
                {
                    return new DataSetResult(setName, [], $"{path}: input '{name}' is given twice in this data set.");
                }
            }

            for (int k = 0; k < model.Inputs.Count; k++)
            {
                if (!inputs.ContainsKey(model.Inputs[k].Name))
                {
                    return new DataSetResult(setName, [],
                        $"{setFolder}: no input file for graph input #{k} '{model.Inputs[k].Name}' (expected input_{k}.pb, or a file naming it).");
                }
            }

            var expected = new List<(string Name, Tensor Tensor)>();
            foreach ((string path, int index) in TensorFiles(setFolder, "output_"))
            {
                file = path;
                string name = Resolve(model.Outputs, TestDataFiles.ReadTensor(path, LoadOptions), index, path, "output", out Tensor tensor);
                expected.Add((name, tensor));
            }

            if (expected.Count == 0)
            {
                return new DataSetResult(setName, [], $"{setFolder}: no output_K.pb files (expected outputs) in the data set.");
            }

            file = Path.Combine(Path.GetDirectoryName(setFolder) ?? ".", TestDataLayout.ModelFileName);
            IReadOnlyDictionary<string, Tensor> actual = model.Run(inputs);
            return new DataSetResult(setName, [.. expected.Select(x => Compare(x.Name, x.Tensor, actual[x.Name]))], null);
        }
        catch (Exception e) when (IsDataError(e))
        {
            string message = e.Message.StartsWith(Path.GetFileName(file), StringComparison.Ordinal) || e.Message.Contains(file, StringComparison.Ordinal)
                ? e.Message
                : $"{file}: {e.Message}";
            return new DataSetResult(setName, [], message);
        }
    }

    private static string Resolve(IReadOnlyList<OnnxValueInfo> declared, (string Name, Tensor Tensor) read, int index, string path, string kind, out Tensor tensor)
    {
        tensor = read.Tensor;
        if (read.Name.Length > 0)
        {
            return declared.Any(v => v.Name == read.Name)
                ? read.Name
                : throw new InvalidDataException($"{path}: the tensor is named '{read.Name}' but the model has no {kind} of that name; it has {string.Join(", ", declared.Select(v => v.Name))}.");
        }

        return index < declared.Count
            ? declared[index].Name
            : throw new InvalidDataException($"{path}: the tensor has no name and the model has only {declared.Count} {kind}s, so {kind} #{index} does not exist.");
    }

    private static IEnumerable<(string Path, int Index)> TensorFiles(string setFolder, string prefix) =>
        Directory.GetFiles(setFolder, prefix + "*.pb")
            .Select(p => (Path: p, Index: ParseIndex(Path.GetFileName(p), prefix, ".pb")))
            .Where(p => p.Index >= 0)
            .OrderBy(p => p.Index);

    private static int ParseIndex(string fileName, string prefix, string suffix)
    {
        if (!fileName.StartsWith(prefix, StringComparison.Ordinal) || !fileName.EndsWith(suffix, StringComparison.Ordinal))
        {
            return -1;
        }

        string digits = fileName[prefix.Length..^suffix.Length];
        return int.TryParse(digits, NumberStyles.None, CultureInfo.InvariantCulture, out int index) ? index : -1;
    }

    private static double Element(Tensor t, int i) => t.IsFloat ? t.FloatData[i] : t.Int64Data[i];

    private static bool IsDataError(Exception e) =>
        e is ModelFormatException or IOException or InvalidDataException or ArgumentException or NotSupportedException or UnauthorizedAccessException;
}
