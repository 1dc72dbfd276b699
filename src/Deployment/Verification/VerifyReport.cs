using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using EdgeRnn.Deployment.Cli;
using EdgeRnn.Runtime;

namespace EdgeRnn.Deployment.Verification;

/// <summary>
/// Prints a <see cref="VerificationResult"/> as an aligned text table or as JSON; shared by <c>edgernn verify</c>
/// and <c>edgernn-device verify</c> so both print the same thing.
/// </summary>
public static class VerifyReport
{
    private static readonly string[] s_header = ["folder", "data set", "output", "shape", "max abs err", "max rel err", "result"];

    /// <summary>
    /// Writes one row per compared output (folder, data set, output, shape, max abs error, max rel error, result),
    /// one row per error, and a summary line.
    /// </summary>
    public static void WriteTable(TextWriter writer, VerificationResult result)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(result);
        var rows = new List<string[]> { (string[])s_header.Clone() };
        var errors = new List<string>();
        foreach (TestFolderResult folder in result.Folders)
        {
            string folderName = Path.GetFileName(Path.TrimEndingDirectorySeparator(folder.Path));
            if (folder.Error is not null)
            {
                rows.Add([folderName, "-", "-", "-", "-", "-", "ERROR"]);
                errors.Add(folder.Error);
            }

            foreach (DataSetResult set in folder.DataSets)
            {
                if (set.Error is not null)
                {
                    rows.Add([folderName, set.Name, "-", "-", "-", "-", "ERROR"]);
                    errors.Add(set.Error);
                }

                foreach (OutputComparison o in set.Outputs)
                {
                    string shape = Tensor.FormatShape([.. o.ActualShape]);
                    if (!o.ExpectedShape.SequenceEqual(o.ActualShape))
                    {
                        shape += " (expected " + Tensor.FormatShape([.. o.ExpectedShape]) + ")";
                    }

                    rows.Add([folderName, set.Name, o.Name, shape, FormatError(o.MaxAbsError), FormatError(o.MaxRelError),
                        o.Passed ? "pass" : $"FAIL ({o.Mismatches.ToString(CultureInfo.InvariantCulture)} out of tolerance)"]);
                }
            }
        }

        WriteAligned(writer, rows);

        int outputs = result.Folders.Sum(f => f.DataSets.Sum(d => d.Outputs.Count));
        int failed = result.Folders.Sum(f => f.DataSets.Sum(d => d.Outputs.Count(o => !o.Passed)));
        string errorNote = errors.Count > 0 ? " (listed on stderr)" : "";
        writer.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{result.Status.ToString().ToUpperInvariant()}: {outputs - failed} of {outputs} outputs within |actual - expected| <= {result.Atol:G3} + {result.Rtol:G3} * |expected|, {errors.Count} error(s){errorNote}."));
    }

    /// <summary>Writes one <c>error: ...</c> line per folder or data set that could not be verified.</summary>
    public static void WriteErrors(TextWriter writer, VerificationResult result)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(result);
        foreach (TestFolderResult folder in result.Folders)
        {
            if (folder.Error is not null)
            {
                writer.WriteLine("error: " + folder.Error);
            }

            foreach (DataSetResult set in folder.DataSets.Where(d => d.Error is not null))
            {
                writer.WriteLine("error: " + set.Error);
            }
        }
    }

    /// <summary>
    /// The <c>verify</c> command of both CLIs: verifies <paramref name="paths"/>, prints the table (or JSON with
    /// <paramref name="json"/>) to <paramref name="stdout"/> and every error to <paramref name="stderr"/>, and returns
    /// the exit code (<see cref="ToolExitCodes"/>: 0 all within tolerance, 1 a comparison failed, 2 bad input).
    /// </summary>
    public static int Run(IReadOnlyList<string> paths, double atol, double rtol, bool json, TextWriter stdout, TextWriter stderr)
    {
        ArgumentNullException.ThrowIfNull(paths);
        ArgumentNullException.ThrowIfNull(stdout);
        ArgumentNullException.ThrowIfNull(stderr);
        if (paths.Count == 0)
        {
            stderr.WriteLine("error: give at least one test folder.");
            return ToolExitCodes.BadInput;
        }

        if (!(atol >= 0) || !(rtol >= 0))
        {
            stderr.WriteLine(string.Create(CultureInfo.InvariantCulture, $"error: tolerances must be zero or positive (--atol {atol}, --rtol {rtol})."));
            return ToolExitCodes.BadInput;
        }

        VerificationResult result = new TestDataVerifier(atol, rtol).Verify(paths);
        if (json)
        {
            WriteJson(stdout, result);
        }
        else
        {
            WriteTable(stdout, result);
        }

        WriteErrors(stderr, result);
        return result.ExitCode;
    }

    /// <summary>Writes the whole result tree as indented JSON (NaN and infinities as the strings "NaN", "Infinity").</summary>
    public static void WriteJson(TextWriter writer, VerificationResult result)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(result);
        writer.WriteLine(JsonSerializer.Serialize(result, ToolsJsonContext.Default.VerificationResult));
    }

    /// <summary>Writes <paramref name="rows"/> (the first is the header) as space-aligned columns with a rule under the header.</summary>
    public static void WriteAligned(TextWriter writer, IReadOnlyList<string[]> rows)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(rows);
        if (rows.Count == 0)
        {
            return;
        }

        int columns = rows.Max(r => r.Length);
        int[] widths = new int[columns];
        foreach (string[] row in rows)
        {
            for (int c = 0; c < row.Length; c++)
            {
                widths[c] = Math.Max(widths[c], row[c].Length);
            }
        }

        for (int r = 0; r < rows.Count; r++)
        {
            writer.WriteLine(string.Join("  ", rows[r].Select((cell, c) => c == rows[r].Length - 1 ? cell : cell.PadRight(widths[c]))).TrimEnd());
            if (r == 0)
            {
                writer.WriteLine(string.Join("  ", widths.Select(w => new string('-', w))));
            }
        }
    }

    private static string FormatError(double value) => value.ToString("0.###e+0", CultureInfo.InvariantCulture);
}

/// <summary>System.Text.Json source generation for the tools' JSON output (AOT- and trim-safe).</summary>
[JsonSourceGenerationOptions(WriteIndented = true, PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    UseStringEnumConverter = true, NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals)]
[JsonSerializable(typeof(VerificationResult))]
internal sealed partial class ToolsJsonContext : JsonSerializerContext
{
}
