using System.CommandLine;
using System.Text.Json;
using EdgeRnn.Deployment.Metadata;
using EdgeRnn.Runtime;

namespace EdgeRnn.Train.Tests.Commands;

/// <summary>edgernn train / synth / export / score as a new user runs them: real command lines, exit codes, outputs.</summary>
public sealed class CommandLineTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("edgernn-cli-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private static ToolResult Edgernn(params string[] args) => ToolRun.Run(Program.Run, args);

    private string PathOf(string name) => Path.Combine(_folder, name);

    /// <summary>Every command and subcommand of edgernn, as a command line.</summary>
    public static TheoryData<string> Commands => new(["train", "synth", "export", "score", "bench", "testdata", "verify", "demo", "nab", "nab score", "nab run"]);

    [Theory]
    [MemberData(nameof(Commands))]
    public void Help_EveryCommand_DocumentsEveryOptionAndExitCodes(string command)
    {
        (int code, string stdout, string stderr) = Edgernn([.. command.Split(' '), "--help"]);

        Assert.Equal(0, code);
        Assert.Equal("", stderr);
        Assert.Contains("Exit codes", stdout, StringComparison.Ordinal);
        Command parsed = command.Split(' ').Aggregate((Command)Program.CreateRootCommand(), (c, name) => c.Subcommands.Single(s => s.Name == name));
        foreach (Option option in parsed.Options.Where(o => o.Name.StartsWith("--", StringComparison.Ordinal) && o.Name != "--help"))
        {
            Assert.Contains(option.Name, stdout, StringComparison.Ordinal);
            Assert.False(string.IsNullOrWhiteSpace(option.Description), option.Name + " has no description");
        }
    }

    /// <summary>An output under a path whose parent is a file can never be written: said at once, exit 2, nothing trained or read.</summary>
    [Fact]
    public void Outputs_Unwritable_ExitTwoBeforeAnyWork()
    {
        string file = PathOf("a-file");
        File.WriteAllText(file, "not a folder");
        string recording = Path.Combine(RepoPaths.Devices, "data", "nab", "ambient_temperature_system_failure.csv");
        string model = Path.Combine(RepoPaths.Devices, "models", "temperature-forecast.onnx");

        ToolResult train = Edgernn("train", "--data", recording, "--out", Path.Combine(file, "model.onnx"));
        ToolResult testdata = Edgernn("testdata", "--builtin", "lstm", "--out", Path.Combine(file, "folder"));
        ToolResult results = Edgernn("score", "-m", model, "--data", recording, "--results", Path.Combine(file, "r.csv"));
        Directory.CreateDirectory(PathOf("plots"));
        ToolResult plotFolder = Edgernn("score", "-m", model, "--data", recording, "--plot", PathOf("plots"));

        Assert.Equal((2, true), (train.Code, train.Err.Contains("--out", StringComparison.Ordinal) && train.Err.Contains("is a file, not a folder", StringComparison.Ordinal)));
        Assert.DoesNotContain("epoch", train.Err, StringComparison.OrdinalIgnoreCase);
        Assert.Equal((2, true), (testdata.Code, testdata.Err.Contains("--out", StringComparison.Ordinal)));
        Assert.Equal((2, true), (results.Code, results.Err.Contains("--results", StringComparison.Ordinal)));
        Assert.Equal((2, true), (plotFolder.Code, plotFolder.Err.Contains("--plot", StringComparison.Ordinal) && plotFolder.Err.Contains("is a folder", StringComparison.Ordinal)));
        Assert.Equal(["a-file", "plots"], Directory.GetFileSystemEntries(_folder).Select(Path.GetFileName).Order(StringComparer.Ordinal));
    }

    [Theory]
    [InlineData("train", "--hidden")]
    [InlineData("export", "--out")]
    [InlineData("score", "--model")]
    [InlineData("bench", "--model")]
    [InlineData("testdata", "--model")]
    [InlineData("synth", "--out")]
    [InlineData("demo", "--out")]
    [InlineData("nab run", "--out")]
    public void Help_SharedOptions_SameNameAndShortAliasEverywhere(string command, string option)
    {
        string stdout = Edgernn([.. command.Split(' '), "--help"]).Out;

        Assert.Contains(option == "--model" ? "-m, --model" : option == "--out" ? "-o, --out" : option, stdout, StringComparison.Ordinal);
    }

    [Fact]
    public void Help_EnumValues_AreLowerCase()
    {
        string train = Edgernn("train", "--help").Out;
        string synth = Edgernn("synth", "--help").Out;

        Assert.Contains("--task <forecast|autoencoder|classify>", train, StringComparison.Ordinal);
        Assert.Contains("[default: forecast]", train, StringComparison.Ordinal);
        Assert.Contains("--missing <error|interpolate|drop>", train, StringComparison.Ordinal);
        Assert.Contains("--kit <generic|environment|imu|analog>", synth, StringComparison.Ordinal);
        Assert.DoesNotContain("[default: Forecast]", train, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--hidden", "-5", "--hidden must be between 1 and 4096 (got -5)")]
    [InlineData("--epochs", "0", "--epochs must be between 1 and 100000 (got 0)")]
    [InlineData("--val-fraction", "1.5", "--val-fraction must be in (0, 1) (got 1.5)")]
    [InlineData("--val-fraction", "NaN", "--val-fraction must be in (0, 1) (got NaN)")]
    [InlineData("--layers", "0", "--layers must be between 1 and 16 (got 0)")]
    [InlineData("--lr", "0", "--lr must be in (0, 10] (got 0)")]
    [InlineData("--dropout", "1", "--dropout must be in [0, 1) (got 1)")]
    [InlineData("--batch-size", "-1", "--batch-size must be between 1 and 65536 (got -1)")]
    [InlineData("--threads", "0", "--threads must be between 1 and 1024 (got 0)")]
    [InlineData("--head-fraction", "0", "--head-fraction must be in (0, 1] (got 0)")]
    [InlineData("--epochs", "ten", "Cannot parse argument 'ten' for option '--epochs'")]
    [InlineData("--task", "Regression", "--task must be one of forecast, autoencoder, classify (got 'Regression')")]
    public void Train_OutOfRange_ExitsTwoNamingOptionAndRangeBeforeAnyWork(string option, string value, string message)
    {
        // The data file does not exist: the range check must come first (nothing is read, nothing written).
        (int code, string stdout, string stderr) = Edgernn("train", "--data", PathOf("missing.csv"), "--out", PathOf("m.onnx"), option, value);

        Assert.Equal(2, code);
        Assert.Equal("", stdout);
        Assert.Contains("error: " + message, stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("missing.csv", stderr, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("bench", "--builtin", "lstm", "--timed-steps", "0")]
    [InlineData("bench", "--builtin", "lstm", "--warmup", "-1")]
    [InlineData("bench", "--builtin", "lstm", "--streams", "-1")]
    [InlineData("bench", "--builtin", "lstm", "--streams", "2", "--rounds", "0")]
    [InlineData("testdata", "--builtin", "gru", "--out", "t", "--seq-len", "0")]
    [InlineData("testdata", "--builtin", "gru", "--out", "t", "--sets", "0")]
    [InlineData("synth", "--out", "s.csv", "--anomalies", "-1")]
    [InlineData("nab", "run", "--data", "d", "--labels", "l.json", "--out", "o", "--parallel", "0")]
    [InlineData("verify", "folder", "--atol", "-1")]
    public void OtherCommands_OutOfRange_ExitTwoNamingOption(params string[] args)
    {
        string option = args[^2];

        (int code, _, string stderr) = Edgernn(args);

        Assert.Equal(2, code);
        Assert.Contains($"error: {option} must be", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void Bench_Streams_JsonComparesBothPathsInTheSameRun()
    {
        (int code, string stdout, string stderr) = Edgernn("bench", "--builtin", "gru", "--hidden", "16", "--streams", "3", "--timed-steps", "40",
            "--rounds", "4", "--warmup", "0", "--json");

        Assert.True(code == 0, stderr);
        using JsonDocument doc = JsonDocument.Parse(stdout);
        JsonElement root = doc.RootElement;
        Assert.Equal(3, root.GetProperty("streams").GetInt32());
        Assert.Equal(4, root.GetProperty("rounds").GetInt32());
        Assert.Equal(10, root.GetProperty("callsPerBlock").GetInt32());
        Assert.Equal(0, root.GetProperty("maxAbsDifference").GetDouble()); // the multi-stream step is bit-identical
        Assert.True(root.GetProperty("speedup").GetDouble() > 0);
        Assert.True(root.GetProperty("peakGflops").GetDouble() > 0);
    }

    [Fact]
    public void OldSpellings_StillParse()
    {
        string folder = PathOf("old");

        (int code, _, string stderr) = Edgernn("testdata", "--builtin", "gru", "--hidden", "8", "--steps", "5", "--sets", "1", "--out", folder);

        Assert.True(code == 0, stderr);
        Assert.Equal(0, Edgernn("bench", Path.Combine(folder, "model.onnx"), "--steps", "20", "--warmup", "0").Code);
    }

    [Fact]
    public void SynthTrainExportScore_ForecastJson_WholeWorkflow()
    {
        string csv = PathOf("sensors.csv");
        Assert.Equal(0, Edgernn("synth", "--out", csv, "--rows", "1500", "--sensors", "2", "--seed", "4").Code);

        string model = PathOf("out/model.onnx");
        (int code, string stdout, string stderr) = Edgernn("train", "--data", csv, "--label", "anomaly", "--hidden", "12", "--epochs", "3",
            "--seq-len", "16", "--stride", "4", "--warmup-steps", "50", "--json", "--out", model);

        Assert.True(code == 0, stderr);
        Assert.Contains("epoch 3/3", stderr, StringComparison.Ordinal);
        using JsonDocument doc = JsonDocument.Parse(stdout);
        JsonElement root = doc.RootElement;
        Assert.Equal("forecast", root.GetProperty("task").GetString());
        Assert.True(root.GetProperty("verifyMaxAbs").GetDouble() <= 1e-4);
        JsonElement scorer = root.GetProperty("scorer");
        double threshold = scorer.GetProperty("threshold").GetDouble();
        Assert.InRange(threshold, 0.5, 1);
        Assert.InRange(scorer.GetProperty("exitThreshold").GetDouble(), 0.5, threshold);
        Assert.True(scorer.GetProperty("validationSteps").GetInt32() > 0);
        foreach (string file in new[] { "model", "sequenceModel", "checkpoint", "history", "plot" })
        {
            Assert.True(File.Exists(root.GetProperty(file).GetString()), file);
        }

        ScorerSettings written = EdgeRnnMetadata.Read(RnnModel.Load(model).Metadata)!.Scorer!;
        Assert.Equal(threshold, written.Threshold);
        Assert.Equal(50, written.WarmupSteps);

        (int exportCode, string exportOut, string exportErr) = Edgernn("export", "--checkpoint", PathOf("out/model.ckpt"), "--out", PathOf("again/model.onnx"), "--json");
        Assert.True(exportCode == 0, exportErr);
        using JsonDocument exported = JsonDocument.Parse(exportOut);
        Assert.True(exported.RootElement.GetProperty("verifyMaxAbs").GetDouble() <= 1e-4);
        Assert.Equal(File.ReadAllBytes(model), File.ReadAllBytes(PathOf("again/model.onnx")));
        Assert.Equal(File.ReadAllBytes(PathOf("out/model.seq.onnx")), File.ReadAllBytes(PathOf("again/model.seq.onnx")));

        (int scoreCode, string scoreOut, _) = Edgernn("score", "--model", model, "--data", csv, "--json");
        Assert.Equal(0, scoreCode);
        using JsonDocument scored = JsonDocument.Parse(scoreOut);
        Assert.Equal(1500, scored.RootElement.GetProperty("rows").GetInt32());
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Train_Autoencoder_CalibratesScorerOnSlidingWindows(bool bidirectional)
    {
        string csv = PathOf("sensors.csv");
        Assert.Equal(0, Edgernn("synth", "--out", csv, "--rows", "1200", "--sensors", "2").Code);

        (int code, string stdout, string stderr) = Edgernn([.. new[] { "train", "--data", csv, "--task", "autoencoder", "--label", "anomaly", "--hidden", "8", "--epochs", "2",
            "--seq-len", "16", "--stride", "8", "--warmup-steps", "40", "--json", "--out", PathOf("ae.onnx") }, .. bidirectional ? new[] { "--bidirectional" } : []]);

        Assert.True(code == 0, stderr);
        using JsonDocument doc = JsonDocument.Parse(stdout);
        JsonElement scorer = doc.RootElement.GetProperty("scorer");
        Assert.InRange(scorer.GetProperty("threshold").GetDouble(), 0.5, 1);
        Assert.True(scorer.GetProperty("validationSteps").GetInt32() > 0);
        Assert.Null(doc.RootElement.GetProperty("sequenceModel").GetString());
    }

    [Fact]
    public void Train_FeatureNamesAndUnits_AreWrittenIntoMetadataAndKeptByExport()
    {
        string csv = PathOf("sensors.csv");
        Assert.Equal(0, Edgernn("synth", "--out", csv, "--rows", "600", "--sensors", "2", "--anomalies", "0", "--seed", "2").Code);

        string model = PathOf("named/model.onnx");
        (int code, _, string stderr) = Edgernn("train", "--data", csv, "--features", "sensor1,sensor0", "--feature-names", "humidity", "--feature-names", "temperature",
            "--units", "%RH,degF", "--hidden", "8", "--epochs", "1", "--seq-len", "16", "--stride", "8", "--warmup-steps", "20", "--out", model);

        Assert.True(code == 0, stderr);
        IReadOnlyList<FeatureInfo> features = EdgeRnnMetadata.Read(RnnModel.Load(model).Metadata)!.Features;
        Assert.Equal(["humidity", "temperature"], features.Select(f => f.Name));
        Assert.Equal(["%RH", "degF"], features.Select(f => f.Unit));

        // export rebuilds the model from the checkpoint with the same names and units (byte-identical)
        Assert.Equal(0, Edgernn("export", "--checkpoint", PathOf("named/model.ckpt"), "--out", PathOf("again/model.onnx")).Code);
        Assert.Equal(File.ReadAllBytes(model), File.ReadAllBytes(PathOf("again/model.onnx")));

        // without the options: the CSV column names, no units
        string plain = PathOf("plain/model.onnx");
        Assert.Equal(0, Edgernn("train", "--data", csv, "--features", "sensor0", "--hidden", "8", "--epochs", "1", "--seq-len", "16", "--stride", "8",
            "--warmup-steps", "20", "--out", plain).Code);
        FeatureInfo only = Assert.Single(EdgeRnnMetadata.Read(RnnModel.Load(plain).Metadata)!.Features);
        Assert.Equal(("sensor0", ""), (only.Name, only.Unit));
    }

    /// <summary>
    /// One output that cannot be written (here the plot's temporary file, blocked by a folder of that name; on a device a
    /// full disk): exit 2, and none of the outputs, not even the models written before it, nor any temporary file.
    /// </summary>
    [Fact]
    public void Train_AnOutputFailsToWrite_LeavesNoOutputAtAll()
    {
        string csv = PathOf("sensors.csv");
        Assert.Equal(0, Edgernn("synth", "--out", csv, "--rows", "300", "--sensors", "2", "--anomalies", "0").Code);
        Directory.CreateDirectory(PathOf("out/model.history.png.partial"));

        (int code, _, string stderr) = Edgernn("train", "--data", csv, "--epochs", "1", "--out", PathOf("out/model.onnx"));

        Assert.Equal(2, code);
        Assert.Contains("none is left half-written", stderr, StringComparison.Ordinal);
        Assert.Equal(["model.history.png.partial"], Directory.GetFileSystemEntries(PathOf("out")).Select(Path.GetFileName));
    }

    [Theory]
    [InlineData("--feature-names", "a,b", "--feature-names gives 2 names for 1 features")]
    [InlineData("--units", "degF,degC", "--units gives 2 units for 1 features")]
    public void Train_FeatureNamesOrUnitsOfWrongCount_ExitTwoAndWriteNothing(string option, string value, string message)
    {
        string csv = PathOf("sensors.csv");
        Assert.Equal(0, Edgernn("synth", "--out", csv, "--rows", "300", "--sensors", "2", "--anomalies", "0").Code);

        (int code, _, string stderr) = Edgernn("train", "--data", csv, "--features", "sensor0", option, value, "--epochs", "1", "--out", PathOf("bad/model.onnx"));

        Assert.Equal(2, code);
        Assert.Contains(message, stderr, StringComparison.Ordinal);
        Assert.False(Directory.Exists(PathOf("bad")));
    }

    [Fact]
    public void Train_FeatureNamesWithTokens_IsRefusedWithReason()
    {
        (int code, _, string stderr) = Edgernn("train", "--data", PathOf("tokens.csv"), "--task", "classify", "--tokens", "tokens", "--units", "degF", "--out", PathOf("m.onnx"));

        Assert.Equal(2, code);
        Assert.Contains("--feature-names and --units are for sensor recordings", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void Train_BidirectionalForecast_IsRefusedWithReason()
    {
        (int code, string stdout, string stderr) = Edgernn("train", "--data", PathOf("x.csv"), "--task", "forecast", "--bidirectional", "--out", PathOf("m.onnx"));

        Assert.Equal(2, code);
        Assert.Equal("", stdout);
        Assert.Contains("--bidirectional is for the window tasks", stderr, StringComparison.Ordinal);
        Assert.Contains("stream", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void Train_TokenClassifier_Int64Input_ExportsByteIdentical()
    {
        (List<long[]> sequences, List<long> labels) = EdgeRnn.Train.Data.TokenDataset.SyntheticMarker(500, vocabulary: 20, sequenceLength: 12, seed: 3);
        string csv = PathOf("tokens.csv");
        using (var writer = new StreamWriter(csv))
        {
            EdgeRnn.Train.Data.TokenDataset.WriteCsv(writer, sequences, labels);
        }

        string model = PathOf("tok/model.onnx");
        (int code, string stdout, string stderr) = Edgernn("train", "--data", csv, "--task", "classify", "--tokens", "tokens", "--cell", "lstm", "--hidden", "16",
            "--embedding-dim", "8", "--seq-len", "12", "--epochs", "6", "--lr", "0.01", "--patience", "10", "--json", "--out", model);

        Assert.True(code == 0, stderr);
        using JsonDocument doc = JsonDocument.Parse(stdout);
        Assert.True(doc.RootElement.GetProperty("verifyMaxAbs").GetDouble() <= 1e-4);
        Assert.True(doc.RootElement.GetProperty("metrics").GetProperty("accuracy").GetDouble() >= 0.9, stdout);
        Assert.Equal(20, doc.RootElement.GetProperty("vocab").GetInt32());
        RnnModel loaded = RnnModel.Load(model);
        Assert.Contains("\"pad_id\":0", loaded.Metadata["edgernn.tokens"], StringComparison.Ordinal);
        Assert.Equal(12, EdgeRnnMetadata.Read(loaded.Metadata)!.WindowLength);

        (int exportCode, _, string exportErr) = Edgernn("export", "--checkpoint", PathOf("tok/model.ckpt"), "--out", PathOf("again/model.onnx"));
        Assert.True(exportCode == 0, exportErr);
        Assert.Equal(File.ReadAllBytes(model), File.ReadAllBytes(PathOf("again/model.onnx")));
        Assert.Equal(File.ReadAllBytes(PathOf("tok/model.step.onnx")), File.ReadAllBytes(PathOf("again/model.step.onnx")));
        Assert.True(RnnModel.Load(PathOf("tok/model.step.onnx")).CanStream);
    }

    [Fact]
    public void Train_BadTokenCsv_ExitsTwoWithFileLineColumn()
    {
        string csv = PathOf("tokens.csv");
        File.WriteAllText(csv, "tokens,label\n1 2 3,0\n4 x5 6,1\n");

        (int code, string stdout, string stderr) = Edgernn("train", "--data", csv, "--task", "classify", "--tokens", "tokens", "--out", PathOf("m.onnx"));

        Assert.Equal(2, code);
        Assert.Equal("", stdout);
        Assert.Contains("tokens.csv:3:3: token 'x5'", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void Train_BadCsv_ExitsTwoWithFileLineColumn()
    {
        string csv = PathOf("bad.csv");
        File.WriteAllText(csv, "timestamp,value\n2024-01-01 00:00:00,1.5\n2024-01-01 00:05:00,abc\n");

        (int code, string stdout, string stderr) = Edgernn("train", "--data", csv, "--out", PathOf("m.onnx"));

        Assert.Equal(2, code);
        Assert.Equal("", stdout);
        Assert.Contains("bad.csv:3:", stderr, StringComparison.Ordinal);
        Assert.False(File.Exists(PathOf("m.onnx")));
    }

    [Fact]
    public void SynthKitTrain_AnalogKit_ModelCarriesProfileNamesUnitsAndPeriod()
    {
        string csv = PathOf("analog.csv");
        (int synth, string written, _) = Edgernn("synth", "--kit", "analog", "--rows", "3000", "--seed", "2", "--out", csv);
        Assert.Equal(0, synth);
        Assert.Contains("current V, vibration V every 0.1 s", written, StringComparison.Ordinal);
        Assert.StartsWith("timestamp,current,vibration,anomaly", File.ReadLines(csv).First(), StringComparison.Ordinal);

        string model = PathOf("out/ads1115.onnx");
        (int code, _, string stderr) = Edgernn("train", "--data", csv, "--units", "V,V", "--head-fraction", "0.5", "--hidden", "8", "--epochs", "2",
            "--seq-len", "16", "--stride", "8", "--warmup-steps", "50", "--out", model);

        Assert.True(code == 0, stderr);
        EdgeRnnMetadata metadata = EdgeRnnMetadata.Read(RnnModel.Load(model).Metadata, model)!;
        Assert.Equal([("current", "V"), ("vibration", "V")], metadata.Features.Select(f => (f.Name, f.Unit)));
        // The timestamps are 100 ms apart: the period must come out as exactly the profile's 0.1 s.
        Assert.Equal(0.1, metadata.SamplePeriodSeconds);
        using JsonDocument provenance = JsonDocument.Parse(metadata.ProvenanceJson!);
        Assert.Equal("analog.csv", provenance.RootElement.GetProperty("data").GetString());
    }

    [Fact]
    public void Synth_NoKit_DefaultsUnchanged()
    {
        string csv = PathOf("generic.csv");

        (int code, string stdout, _) = Edgernn("synth", "--out", csv, "--rows", "100");

        Assert.Equal(0, code);
        Assert.Contains("100 rows of 3 sensors", stdout, StringComparison.Ordinal);
        Assert.Equal("timestamp,sensor0,sensor1,sensor2,anomaly", File.ReadLines(csv).First());
        Assert.StartsWith("2024-01-01 00:01:00,", File.ReadLines(csv).ElementAt(2), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("train", "--data", "x.csv")]
    [InlineData("train", "--data", "x.csv", "--out", "m.onnx", "--cell", "transformer")]
    [InlineData("train", "--data", "x.csv", "--out", "m.onnx", "--false-alarm-rate", "0.5")]
    [InlineData("synth", "--out", "s.csv", "--rows", "3")]
    [InlineData("synth", "--out", "s.csv", "--kit", "weather")]
    [InlineData("synth", "--out", "s.csv", "--kit", "imu", "--sensors", "2")]
    [InlineData("synth", "--out", "s.csv", "--kit", "analog", "--clean-fraction", "0")]
    [InlineData("synth", "--out", "s.csv", "--kit", "environment", "--rows", "10")]
    [InlineData("synth", "--out", "s.csv", "--kit", "9")]
    [InlineData("synth", "--out", "s.csv", "--kit", "imu", "--rows", "400000000")]
    [InlineData("synth", "--out", "s.csv", "--rows", "2000000000", "--sensors", "3")]
    [InlineData("export", "--checkpoint", "missing.ckpt", "--out", "m.onnx")]
    [InlineData("score", "--model", "missing.onnx", "--data", "x.csv")]
    public void BadUsage_ExitsTwo(params string[] args)
    {
        (int code, _, string stderr) = Edgernn([.. args.Select(a => a.Contains('.', StringComparison.Ordinal) ? PathOf(a) : a)]);

        Assert.Equal(2, code);
        Assert.Contains("error", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void Export_VerificationFails_ExitsOneAndWritesNothing()
    {
        string csv = PathOf("sensors.csv");
        Assert.Equal(0, Edgernn("synth", "--out", csv, "--rows", "600", "--sensors", "2").Code);
        Assert.Equal(0, Edgernn("train", "--data", csv, "--hidden", "8", "--epochs", "1", "--seq-len", "16", "--stride", "8", "--warmup-steps", "10", "--out", PathOf("m.onnx")).Code);
        // A NaN in the saved held-back input: every output is NaN, which verification counts as an infinite difference.
        string info = PathOf("m.ckpt.json");
        File.WriteAllText(info, System.Text.RegularExpressions.Regex.Replace(File.ReadAllText(info), "\"HeldBack\":\\[[^,]+,", "\"HeldBack\":[\"NaN\","));

        (int code, _, string stderr) = Edgernn("export", "--checkpoint", PathOf("m.ckpt"), "--out", PathOf("e/m.onnx"));

        Assert.Equal(1, code);
        Assert.Contains("verification FAILED", stderr, StringComparison.Ordinal);
        Assert.False(File.Exists(PathOf("e/m.onnx")));
        Assert.False(File.Exists(PathOf("e/m.seq.onnx")));
    }
}
