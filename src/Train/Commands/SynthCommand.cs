using System.CommandLine;
using EdgeRnn.Deployment.Cli;
using EdgeRnn.Train.Data;

namespace EdgeRnn.Train.Commands;

/// <summary><c>edgernn synth</c>: a seeded synthetic recording with labelled anomalies (<see cref="SynthWorker"/>).</summary>
internal static class SynthCommand
{
    public static Command Create()
    {
        Option<string> output = CommonOptions.Out("The CSV to write: timestamp, the feature columns, anomaly.");
        Option<SensorKit> kit = CommonOptions.Choice<SensorKit>("--kit",
            "What to simulate. generic: --sensors unitless columns sensor0.. at one row a minute (sinusoids plus noise). "
            + "The others match a shipped device profile's columns, units and sample period, with physically plausible signals and the sensor's noise, range and resolution: "
            + "environment = a BME280 (devices/pi-bme280.json): temperature degC (diurnal cycle 15-30), pressure hPa (weather and fronts around 1013), humidity %RH (falls as the air warms), every 1 s; "
            + "imu = an MPU6050 on a machine vibrating at 12 and 25 Hz (devices/pi-mpu6050.json): accel_x/y/z m/s2 (gravity on z, a small tilt), gyro_x/y/z deg/s, every 0.02 s; "
            + "analog = an ADS1115 (devices/pi-ads1115.json) reading the current and vibration sensor modules of a machine whose motor keeps running while its load cycles between loaded and idle, in V (0-3.3), every 0.1 s. "
            + "Kit anomalies are sensor faults sized in the feature's units.");
        var rows = new Option<int?>("--rows") { Description = $"Rows. Default: {SynthWorker.GenericRows} for generic; a kit's own otherwise (environment 345600 = 4 days, imu 60000 = 20 min, analog 72000 = 2 h)." }.InRange(16, int.MaxValue);
        var sensors = new Option<int?>("--sensors") { Description = $"Sensors (feature columns) of the generic recording (default {SynthWorker.GenericSensors}); a kit's columns are fixed." }.InRange(1, 10_000);
        var anomalies = new Option<int>("--anomalies") { Description = "Injected anomalies (spike, level shift, drift, stuck sensor, noise burst in turn), each on one random feature, after the clean first part (--clean-fraction).", DefaultValueFactory = _ => 10 }.InRange(0, 1_000_000);
        var cleanFraction = new Option<double>("--clean-fraction") { Description = "Leading fraction of the rows kept free of anomalies, to learn from (train with the same --head-fraction).", DefaultValueFactory = _ => 0.5 }.InInterval(0, 1, minOpen: true, maxOpen: true);
        var seed = new Option<int>("--seed") { Description = "Seed: the same options and seed write the same file.", DefaultValueFactory = _ => 1 }.InRange(0, int.MaxValue);
        var command = new Command("synth",
            "Writes a seeded synthetic recording with labelled injected anomalies (label column 'anomaly': 0 none, 1 spike, 2 level shift, 3 drift, 4 stuck, 5 noise burst): "
            + "a generic multi-sensor one, or with --kit one that behaves like a shipped device profile's sensors, to train its model when no real recording is at hand. "
            + "Exit codes: 0 = written, 2 = bad input.")
        {
            output, kit, rows, sensors, anomalies, cleanFraction, seed,
        };
        command.SetAction(parse => SynthWorker.Run(
            new SynthRequest(
                Out: parse.GetValue(output)!,
                Kit: parse.GetValue(kit),
                Rows: parse.GetValue(rows),
                Sensors: parse.GetValue(sensors),
                Anomalies: parse.GetValue(anomalies),
                CleanFraction: parse.GetValue(cleanFraction),
                Seed: parse.GetValue(seed)),
            parse.Out(),
            parse.Error()));
        return command;
    }
}
