using System.Device.I2c;
using System.Globalization;
using EdgeRnn.DeviceHost.Loop;
using EdgeRnn.DeviceHost.Profiles;
using EdgeRnn.DeviceHost.Sensors;
using EdgeRnn.DeviceHost.Tests.Reliability;
using EdgeRnn.DeviceHost.Tests.Simulation;

namespace EdgeRnn.DeviceHost.Tests.Sensors;

/// <summary>
/// Issue 11: a sensor kind is one type beside its driver, listed once in <see cref="SensorKinds.All"/>. Every
/// registered kind, with nothing else added, validates a profile that uses its options, opens and reads on its
/// simulated chip (or file), is read by <c>diag</c> with its unit conversions checked, and is named by <c>scan</c>.
/// </summary>
public sealed class SensorKindTests : IDisposable
{
    private readonly TempFolder _temp = new();

    public void Dispose() => _temp.Dispose();

    public static TheoryData<string> Kinds => [.. SensorKinds.All.Select(k => k.Name)];

    [Fact]
    public void Registry_EveryKindHasASimulation_AndNamesAreUnique()
    {
        Assert.Equal(SensorKinds.All.Select(k => k.Name), SimulatedSensorKinds.Cases.Select(c => c.Kind));
        Assert.Equal(SensorKinds.All.Length, SensorKinds.All.Select(k => k.Name).Distinct(StringComparer.Ordinal).Count());
        foreach (SensorKindCase c in SimulatedSensorKinds.Cases)
        {
            Assert.Equal(SensorKinds.Get(c.Kind) is I2cSensorKind, c.Chip is not null);
        }
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public void Kind_SampleProfile_ValidatesOpensAndReads(string kind)
    {
        SensorKindCase c = Case(kind);
        LoadedProfile profile = ProfileLoader.Load(WriteProfile(c));
        SensorProfile s = Assert.Single(profile.Profile.Sensors);

        using ISensor sensor = new SensorFactory(Bus(profile).OpenI2c).Open(s, profile);
        var values = new float[sensor.Count];

        Assert.True(sensor.Read(values));
        Assert.Equal(s.Readings.Length, values.Length);
        Assert.Equal(c.FirstReading, values[0], 0.01);
        Assert.All(values, v => Assert.True(float.IsFinite(v)));
        Assert.Equal(SensorKinds.Get(kind).IsHardware, sensor.CanReread);
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public void Kind_Channels_HaveUnitsAndAnOrderedFullScale(string kind)
    {
        SensorKind k = SensorKinds.Get(kind);
        foreach (SensorChannel channel in k.Channels ?? [])
        {
            Assert.NotEmpty(channel.Units);
            Assert.True(channel.Min < channel.Max, $"{kind} {channel.Reading}");
            foreach (string unit in channel.Units)
            {
                (double actual, double expected) = channel.Quantity.ConvertReference(unit);
                Assert.Equal(expected, actual, 1e-9);
            }
        }

        Assert.Equal(k.Channels?.Length ?? 0, k.Channels?.Select(c => c.Reading).Distinct().Count() ?? 0);
    }

    [Fact]
    public void Diag_ProfileWithEveryKind_ReadsEachSensorAndChecksEveryUnit()
    {
        string path = WriteProfile(SimulatedSensorKinds.Cases);
        LoadedProfile profile = ProfileLoader.Load(path);

        (_, string stdout, _) = DeviceHarness.Device(Bus(profile), "diag", "--profile", path);

        foreach ((SensorProfile s, SensorKindCase c) in profile.Profile.Sensors.Zip(SimulatedSensorKinds.Cases))
        {
            string where = SensorKinds.Get(s.Kind) is I2cSensorKind chip ? " on " + chip.Describe(s) : "";
            Assert.Contains(string.Create(CultureInfo.InvariantCulture, $"sensor   {s.Id} ({s.Kind}{where}): {s.Readings[0].Reading} "), stdout, StringComparison.Ordinal);
        }

        Assert.DoesNotContain("PROBLEM  sensor", stdout, StringComparison.Ordinal);
        int units = SensorKinds.All.Sum(k => k.Channels?.Sum(c => c.Units.Length) ?? 0);
        Assert.Contains($": {units} sensor unit conversions ok", stdout, StringComparison.Ordinal);
    }

    [Fact]
    public void Scan_EveryChipKindAtItsDefaultAddress_IsNamedAndConfirmedByItsChipId()
    {
        I2cSensorKind[] chips = [.. SensorKinds.All.OfType<I2cSensorKind>()];
        DeviceEnvironment bus = SimulatedSensorKinds.Bus(address =>
            Array.Find(chips, k => k.DefaultAddress == address) is { } kind ? Case(kind.Name).Chip!(address) : null);

        (int code, string stdout, _) = DeviceHarness.Device(bus, "scan");

        Assert.Equal(0, code);
        foreach (I2cSensorKind kind in chips)
        {
            string line = Assert.Single(stdout.Split('\n'), l => l.StartsWith($"0x{kind.DefaultAddress:x2}  ", StringComparison.Ordinal));
            Assert.Contains(kind.ScanLabel, line, StringComparison.Ordinal);
            if (kind.ChipId is { } id)
            {
                Assert.Contains($": {kind.Name} (chip id 0x{id.Value:x2} at register 0x{id.Register:x2})", line, StringComparison.Ordinal);
            }
        }

        Assert.Contains($"{chips.Length} device(s) answered", stdout, StringComparison.Ordinal);
    }

    [Fact]
    public void Scan_OtherChipAtAKindsAddress_SaysWhichKindItIsNot()
    {
        var bmp280 = new SimulatedBme280(0x76);
        bmp280.Registers[0xD0] = 0x58;

        (_, string stdout, _) = DeviceHarness.Device(SimulatedSensorKinds.Bus(a => a == 0x76 ? bmp280 : null), "scan");

        Assert.Contains("0x76  BME280 / BMP280 / BME680: not a bme280 (register 0xd0 reads 0x58, a bme280 0x60)", stdout, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("bme281", "'bme281' is not one of bme280, mpu6050, ads1115, csv, synthetic (did you mean 'bme280'?)")]
    [InlineData("CSV", "(did you mean 'csv'?)")]
    [InlineData("thermometer", "'thermometer' is not one of bme280, mpu6050, ads1115, csv, synthetic.")]
    public void Parse_UnknownKind_ListsTheKindsAndSuggestsTheNearest(string kind, string expected)
    {
        string json = Profile($$"""{ "id": "s", "kind": "{{kind}}", "readings": [ { "reading": "temperature", "feature": "t", "unit": "degC" } ] }""");

        var e = Assert.Throws<ProfileException>(() => ProfileLoader.Parse(json, "p.json"));

        Assert.Contains("$.sensors[0].kind: ", e.Message, StringComparison.Ordinal);
        Assert.Contains(expected, e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("bme280", "\"fullScaleVolts\": 4.096", "$.sensors[0].fullScaleVolts: applies only to kind ads1115, not 'bme280'")]
    [InlineData("bme280", "\"speed\": 1", "$.sensors[0].speed: applies only to kinds csv and synthetic, not 'bme280'")]
    [InlineData("mpu6050", "\"file\": \"x.csv\"", "$.sensors[0].file: applies only to kind csv, not 'mpu6050'")]
    [InlineData("synthetic", "\"loop\": true", "$.sensors[0].loop: applies only to kind csv, not 'synthetic'")]
    [InlineData("csv", "\"file\": \"x.csv\", \"synthetic\": { }", "$.sensors[0].synthetic: applies only to kind synthetic, not 'csv'")]
    [InlineData("synthetic", "\"bus\": 1", "$.sensors[0].bus: applies only to I2C sensors, not 'synthetic'")]
    [InlineData("csv", "\"file\": \"x.csv\", \"address\": \"0x76\"", "$.sensors[0].address: applies only to I2C sensors, not 'csv'")]
    [InlineData("csv", "\"speed\": 0", "$.sensors[0].file: is required for kind csv")]
    [InlineData("ads1115", "\"fullScaleVolts\": 5", "$.sensors[0].fullScaleVolts: 5 is not one of 6.144, 4.096, 2.048, 1.024, 0.512, 0.256")]
    [InlineData("mpu6050", "\"bus\": -1", "$.sensors[0].bus: must be >= 0 (got -1)")]
    [InlineData("synthetic", "\"synthetic\": { \"periodSteps\": 0 }", "$.sensors[0].synthetic.periodSteps: must be > 0")]
    public void Parse_OptionsAreCheckedByTheirKind(string kind, string options, string expected)
    {
        string reading = SensorKinds.Get(kind).Channels is { } channels ? channels[0].Reading : "value";
        string unit = SensorKinds.Get(kind).Channels is { } c ? c[0].Units[0] : "x";
        string json = Profile($$"""{ "id": "s", "kind": "{{kind}}", {{options}}, "readings": [ { "reading": "{{reading}}", "feature": "f", "unit": "{{unit}}" } ] }""");

        var e = Assert.Throws<ProfileException>(() => ProfileLoader.Parse(json, "p.json"));

        Assert.Equal($"p.json: {expected}.", e.Message);
    }

    [Theory]
    [InlineData("bme280", "", "temperature", "degC", "\"min\": 90", "$.sensors[0].readings[0].min: 90 is not below the top of the range (bme280 temperature reads -40 to 85 degC)")]
    [InlineData("bme280", "", "temperature", "degF", "\"max\": -50", "$.sensors[0].readings[0].max: -50 is not above the bottom of the range (bme280 temperature reads -40 to 185 degF)")]
    [InlineData("ads1115", "\"fullScaleVolts\": 0.256, ", "ain0", "V", "\"min\": 0.5", "$.sensors[0].readings[0].min: 0.5 is not below the top of the range (ads1115 ain0 reads -0.256 to 0.256 V)")]
    public void Parse_PlausibleBandBeyondTheFullScale_IsAnError(string kind, string options, string reading, string unit, string band, string expected)
    {
        string json = Profile($$"""{ "id": "s", "kind": "{{kind}}", {{options}}"readings": [ { "reading": "{{reading}}", "feature": "f", "unit": "{{unit}}", {{band}} } ] }""");

        var e = Assert.Throws<ProfileException>(() => ProfileLoader.Parse(json, "p.json"));

        Assert.StartsWith($"p.json: {expected}", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_Ads1115BandWithinItsFullScale_IsValid()
    {
        // 3.3 V at the default ±4.096 V; the shipped ads1115 profile's band.
        ProfileLoader.Parse(Profile("""{ "id": "s", "kind": "ads1115", "readings": [ { "reading": "ain0", "feature": "f", "unit": "mV", "min": 0, "max": 3300 } ] }"""), "p.json");
    }

    private static SensorKindCase Case(string kind) => Array.Find(SimulatedSensorKinds.Cases, c => c.Kind == kind)
        ?? throw new InvalidOperationException($"No test case for sensor kind '{kind}': add it to SimulatedSensorKinds.Cases.");

    private static string Profile(string sensor) => $$"""{ "name": "t", "model": "m.onnx", "samplePeriodSeconds": 1, "sensors": [ {{sensor}} ] }""";

    private string WriteProfile(params SensorKindCase[] cases)
    {
        foreach ((string name, string content) in cases.SelectMany(c => c.Files))
        {
            File.WriteAllText(_temp.File(name), content);
        }

        string path = _temp.File("kinds.json");
        File.WriteAllText(path, $$"""
            { "name": "kinds", "model": "{{DeviceHarness.Model.Replace("\\", "/", StringComparison.Ordinal)}}", "samplePeriodSeconds": 1,
              "sensors": [ {{string.Join(",\n", cases.Select(c => c.SensorJson))}} ] }
            """);
        return path;
    }

    /// <summary>The bus with each case's simulated chip at the address its sensor's profile resolves to.</summary>
    private static DeviceEnvironment Bus(LoadedProfile profile)
    {
        var chips = new Dictionary<int, Func<int, I2cDevice>>();
        foreach (SensorProfile s in profile.Profile.Sensors)
        {
            if (SensorKinds.Get(s.Kind) is I2cSensorKind kind)
            {
                chips[kind.Location(s).Address] = Case(s.Kind).Chip!;
            }
        }

        return SimulatedSensorKinds.Bus(address => chips.TryGetValue(address, out var make) ? make(address) : null);
    }
}
