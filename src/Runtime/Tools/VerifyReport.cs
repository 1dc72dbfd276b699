using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace EdgeRnn.Runtime.Tools;

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
        foreach (string error in errors)
        {
            writer.WriteLine("error: " + error);
        }

        int outputs = result.Folders.Sum(f => f.DataSets.Sum(d => d.Outputs.Count));
        int failed = result.Folders.Sum(f => f.DataSets.Sum(d => d.Outputs.Count(o => !o.Passed)));
        writer.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{result.Status.ToString().ToUpperInvariant()}: {outputs - failed} of {outputs} outputs within |actual - expected| <= {result.Atol:G3} + {result.Rtol:G3} * |expected|, {errors.Count} error(s)."));
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
