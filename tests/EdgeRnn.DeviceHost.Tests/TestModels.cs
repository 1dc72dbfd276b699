using System.Text;
using EdgeRnn.Deployment.Metadata;
using EdgeRnn.Desktop.Models;
using EdgeRnn.Runtime;

namespace EdgeRnn.DeviceHost.Tests;

/// <summary>
/// Forecast models with edgernn.* metadata, built from <see cref="BuiltinModels"/> (seeded random weights: the
/// plumbing is real, the forecasts are not trained), for tests of the device plumbing. The models shipped in
/// devices/models are trained by eng/train-device-models.sh, never written by a test.
/// </summary>
internal static class TestModels
{
    /// <summary>A streaming LSTM forecaster over <paramref name="features"/> with metadata and a golden vector computed by this runtime.</summary>
    public static byte[] Create(IReadOnlyList<FeatureInfo> features, double? period, int hidden = 16, int layers = 1, ScorerSettings? scorer = null, bool golden = true)
    {
        byte[] bare = BuiltinModels.CreateStreaming(RecurrentCellKind.Lstm, features.Count, hidden, layers);
        var metadata = new EdgeRnnMetadata
        {
            Task = ModelTask.Forecast,
            Features = features,
            SamplePeriodSeconds = period,
            Scorer = scorer ?? new ScorerSettings { LongWindow = 200, ShortWindow = 5, WarmupSteps = 50, Threshold = 0.999, ExitThreshold = 0.99, MinDuration = 2 },
        };
        byte[] withoutGolden = AppendMetadata(bare, metadata.ToProperties());
        if (!golden)
        {
            return withoutGolden;
        }

        RnnModel model = RnnModel.Load(withoutGolden);
        RnnState state = model.CreateState();
        var random = new Random(7);
        float[][] inputs = [.. Enumerable.Range(0, 8).Select(_ => Enumerable.Range(0, features.Count).Select(_ => (random.NextSingle() * 2) - 1).ToArray())];
        float[][] outputs = [.. inputs.Select(x => { var y = new float[features.Count]; model.Step(state, x, y); return y; })];
        var withGolden = metadata with { Golden = new GoldenVector { Inputs = inputs, Outputs = outputs, Tolerance = 1e-5f } };
        return AppendMetadata(bare, withGolden.ToProperties());
    }

    /// <summary>
    /// Adds metadata_props entries (ModelProto field 14) to a serialized model. Protobuf merges a repeated field that
    /// appears again at the end, so appending is a valid edit. edgernn.format is skipped: the builtin graph has it.
    /// </summary>
    public static byte[] AppendMetadata(byte[] model, IReadOnlyDictionary<string, string> properties)
    {
        using var stream = new MemoryStream();
        stream.Write(model);
        foreach ((string key, string value) in properties.OrderBy(kv => kv.Key, StringComparer.Ordinal))
        {
            if (key == EdgeRnnMetadata.FormatKey)
            {
                continue;
            }

            byte[] entry = [.. Field(1, Encoding.UTF8.GetBytes(key)), .. Field(2, Encoding.UTF8.GetBytes(value))];
            stream.Write(Field(14, entry));
        }

        return stream.ToArray();
    }

    private static byte[] Field(int number, byte[] payload)
    {
        var bytes = new List<byte>();
        Varint(bytes, (ulong)((number << 3) | 2));
        Varint(bytes, (ulong)payload.Length);
        bytes.AddRange(payload);
        return [.. bytes];
    }

    private static void Varint(List<byte> bytes, ulong value)
    {
        while (value >= 0x80)
        {
            bytes.Add((byte)(value | 0x80));
            value >>= 7;
        }

        bytes.Add((byte)value);
    }
}
