using EdgeRnn.Deployment.Metadata;
using EdgeRnn.Runtime;

namespace EdgeRnn.Train.Tests.Commands;

/// <summary><c>edgernn train --time-features</c> and <c>edgernn score --results --plot</c> on a model that takes the clock.</summary>
public sealed class TimeFeaturesCommandTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("edgernn-clock-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public void TrainWithTimeFeatures_ThenScore_ClockComesFromTimestamps()
    {
        string csv = Path.Combine(_folder, "ambient.csv");
        File.WriteAllLines(csv, File.ReadLines(Path.Combine(TestPaths.NabData, "realKnownCause", "ambient_temperature_system_failure.csv")).Take(1501));
        string model = Path.Combine(_folder, "clock.onnx");

        (int code, _, string stderr) = Edgernn("train", "--data", csv, "--keep-file-order", "--probationary", "--hidden", "8", "--epochs", "2",
            "--seq-len", "16", "--time-features", "week", "--scorer", "log-tail", "--out", model);

        Assert.True(code == 0, stderr);
        EdgeRnnMetadata metadata = EdgeRnnMetadata.Read(RnnModel.Load(model).Metadata)!;
        Assert.Equal(["value", .. TimeFeatures.DailyAndWeekly], metadata.Features.Select(f => f.Name));
        Assert.All(metadata.Features.Skip(1), f => Assert.Equal((0f, 1f), (f.Mean, f.Std)));

        string results = Path.Combine(_folder, "results.csv");
        string plot = Path.Combine(_folder, "score.png");
        (code, _, stderr) = Edgernn("score", "--model", model, "--data", csv, "--keep-file-order", "--results", results, "--plot", plot);
        Assert.True(code == 0, stderr);
        Assert.Equal(1501, File.ReadAllLines(results).Length);
        Assert.True(new FileInfo(plot).Length > 10_000, "the plot was not written");
    }

    [Fact]
    public void Score_ModelFeatureNamedOtherThanColumn_ColumnsMapsIt()
    {
        // Named as in NAB, without the category folder: the windows file's key is found by file name.
        string csv = Path.Combine(_folder, "ambient_temperature_system_failure.csv");
        File.WriteAllLines(csv, File.ReadLines(Path.Combine(TestPaths.NabData, "realKnownCause", "ambient_temperature_system_failure.csv")).Take(1201));
        string model = Path.Combine(_folder, "named.onnx");
        Assert.Equal(0, Edgernn("train", "--data", csv, "--keep-file-order", "--probationary", "--hidden", "8", "--epochs", "2", "--seq-len", "16",
            "--feature-names", "temperature", "--units", "degF", "--out", model).Code);

        (int code, _, string stderr) = Edgernn("score", "--model", model, "--data", csv, "--keep-file-order");
        Assert.Equal(2, code);
        Assert.Contains("temperature", stderr, StringComparison.Ordinal);
        (code, string stdout, stderr) = Edgernn("score", "--model", model, "--data", csv, "--keep-file-order", "--columns", "value",
            "--windows", Path.Combine(TestPaths.NabData, "..", "labels", "combined_windows.json"));
        Assert.True(code == 0, stderr);
        Assert.Contains("scored 1200 rows", stdout, StringComparison.Ordinal);
        Assert.Contains("2013-12-15 07:00", stdout, StringComparison.Ordinal); // the file's first labelled window
    }

    [Fact]
    public void TrainWithTimeFeatures_AutoencoderTask_ExitsTwo()
    {
        string csv = Path.Combine(_folder, "ambient.csv");
        File.WriteAllLines(csv, File.ReadLines(Path.Combine(TestPaths.NabData, "realKnownCause", "ambient_temperature_system_failure.csv")).Take(400));

        (int code, _, string stderr) = Edgernn("train", "--data", csv, "--task", "autoencoder", "--time-features", "day", "--out", Path.Combine(_folder, "ae.onnx"));

        Assert.Equal(2, code);
        Assert.Contains("--time-features", stderr, StringComparison.Ordinal);
    }

    private static ToolResult Edgernn(params string[] args) => ToolRun.Run(Program.Run, args);
}
