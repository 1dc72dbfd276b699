using EdgeRnn.Deployment.Cli;

namespace EdgeRnn.Deployment.Verification;

/// <summary>The outcome of a verification, a test folder, a data set or one output.</summary>
public enum VerifyStatus
{
    /// <summary>Every compared element is within tolerance.</summary>
    Passed,

    /// <summary>The comparison ran and at least one element (or a shape) is out of tolerance.</summary>
    Failed,

    /// <summary>The comparison could not run: a missing or malformed file, or a model the runtime refuses.</summary>
    Error,
}

/// <summary>The result of <see cref="TestDataVerifier.Verify(IEnumerable{string})"/>: every test folder found under the given paths.</summary>
/// <param name="Atol">The absolute tolerance used.</param>
/// <param name="Rtol">The relative tolerance used.</param>
/// <param name="Folders">One entry per test folder (or per path that could not be read), in order.</param>
public sealed record VerificationResult(double Atol, double Rtol, IReadOnlyList<TestFolderResult> Folders)
{
    /// <summary>Error when any folder has an error, else Failed when any comparison failed, else Passed.</summary>
    public VerifyStatus Status => Worst(Folders.Select(f => f.Status));

    /// <summary>The process exit code for this result: 0 passed, 1 a comparison failed, 2 bad input (<see cref="ToolExitCodes"/>).</summary>
    public int ExitCode => Status switch
    {
        VerifyStatus.Passed => ToolExitCodes.Success,
        VerifyStatus.Failed => ToolExitCodes.ComparisonFailed,
        _ => ToolExitCodes.BadInput,
    };

    internal static VerifyStatus Worst(IEnumerable<VerifyStatus> statuses)
    {
        VerifyStatus worst = VerifyStatus.Passed;
        foreach (VerifyStatus s in statuses)
        {
            worst = s > worst ? s : worst;
        }

        return worst;
    }
}

/// <summary>One test folder (a <c>model.onnx</c> with its data sets).</summary>
/// <param name="Path">The folder.</param>
/// <param name="DataSets">The data sets, in numeric order; empty when the folder could not be read.</param>
/// <param name="Error">Why the folder could not be verified (naming the file), or null.</param>
public sealed record TestFolderResult(string Path, IReadOnlyList<DataSetResult> DataSets, string? Error)
{
    /// <summary>Error when the folder or a data set has an error, else the worst output status.</summary>
    public VerifyStatus Status => Error is not null ? VerifyStatus.Error : VerificationResult.Worst(DataSets.Select(d => d.Status));
}

/// <summary>One <c>test_data_set_N</c> folder.</summary>
/// <param name="Name">The folder name, e.g. <c>test_data_set_0</c>.</param>
/// <param name="Outputs">The compared outputs, in file order; empty when the data set could not run.</param>
/// <param name="Error">Why the data set could not run (naming the file), or null.</param>
public sealed record DataSetResult(string Name, IReadOnlyList<OutputComparison> Outputs, string? Error)
{
    /// <summary>Error when the data set could not run, else Failed when any output failed, else Passed.</summary>
    public VerifyStatus Status => Error is not null ? VerifyStatus.Error
        : VerificationResult.Worst(Outputs.Select(o => o.Passed ? VerifyStatus.Passed : VerifyStatus.Failed));
}

/// <summary>The comparison of one expected output with the runtime's result.</summary>
/// <param name="Name">The graph output name.</param>
/// <param name="ExpectedShape">The expected tensor's shape.</param>
/// <param name="ActualShape">The runtime's tensor's shape.</param>
/// <param name="MaxAbsError">max |actual - expected| over all elements (NaN when an element is NaN; 0 for empty tensors).</param>
/// <param name="MaxRelError">max |actual - expected| / max(|expected|, 1.17549435e-38) (the smallest normal float32).</param>
/// <param name="Passed">True when the shapes match and every element satisfies |actual - expected| &lt;= atol + rtol * |expected|.</param>
/// <param name="Mismatches">How many elements are out of tolerance.</param>
public sealed record OutputComparison(string Name, IReadOnlyList<int> ExpectedShape, IReadOnlyList<int> ActualShape,
    double MaxAbsError, double MaxRelError, bool Passed, long Mismatches);
