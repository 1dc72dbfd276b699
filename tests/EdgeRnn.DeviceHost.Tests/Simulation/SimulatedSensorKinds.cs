using System.Device.I2c;
using EdgeRnn.DeviceHost.Loop;

namespace EdgeRnn.DeviceHost.Tests.Simulation;

/// <summary>
/// How the tests exercise one sensor kind: a sensor entry for a profile that uses its options, the simulated chip
/// that answers for it on the bus (none for a recording or a synthetic signal), the files it reads, and the values
/// its first reading must give.
/// </summary>
/// <param name="Kind">The kind's name in <see cref="Sensors.SensorKinds.All"/>.</param>
/// <param name="SensorJson">One entry of a profile's <c>sensors</c>; feature names are unique across the cases.</param>
/// <param name="Chip">Makes the simulated chip at an address; null for a kind that is not hardware.</param>
/// <param name="FirstReading">What the first reading reads on the simulated chip or file.</param>
/// <param name="Files">Files the sensor reads, relative to the profile (name, content).</param>
internal sealed record SensorKindCase(string Kind, string SensorJson, Func<int, I2cDevice>? Chip, double FirstReading, params (string Name, string Content)[] Files)
{
    public override string ToString() => Kind;
}

/// <summary>
/// Every sensor kind of <see cref="Sensors.SensorKinds.All"/> with its simulated chip: the one row a new kind adds on
/// the test side. <c>SensorKindTests</c> fails for a registered kind without a row here.
/// </summary>
internal static class SimulatedSensorKinds
{
    public static readonly SensorKindCase[] Cases =
    [
        new("bme280", """
            { "id": "env", "kind": "bme280", "bus": 1, "address": "0x76", "readings": [
              { "reading": "temperature", "feature": "env_t", "unit": "degC", "min": -40, "max": 85 },
              { "reading": "pressure", "feature": "env_p", "unit": "hPa", "min": 300, "max": 1100 },
              { "reading": "humidity", "feature": "env_h", "unit": "%RH" } ] }
            """, a => new SimulatedBme280(a), 25.08),
        new("mpu6050", """
            { "id": "imu", "kind": "mpu6050", "readings": [
              { "reading": "accel_z", "feature": "imu_az", "unit": "g", "min": -2, "max": 2 },
              { "reading": "gyro_x", "feature": "imu_gx", "unit": "rad/s" },
              { "reading": "temperature", "feature": "imu_t", "unit": "degC" } ] }
            """, a => Mpu6050At1g(a), 1.0),
        new("ads1115", """
            { "id": "adc", "kind": "ads1115", "address": "0x49", "fullScaleVolts": 2.048, "readings": [
              { "reading": "ain2", "feature": "adc_2", "unit": "mV", "min": 0, "max": 2048 } ] }
            """, a => new SimulatedAds1115(a) { Inputs = { [2] = 1.5 } }, 1500),
        new("csv", """
            { "id": "rec", "kind": "csv", "file": "kinds.csv", "speed": 0, "loop": true, "readings": [
              { "reading": "level", "feature": "rec_level", "unit": "m" } ] }
            """, null, 4.25, ("kinds.csv", "timestamp,level\n2024-01-01 00:00:00,4.25\n2024-01-01 01:00:00,4.5\n")),
        new("synthetic", """
            { "id": "sig", "kind": "synthetic", "speed": 0, "synthetic": { "offset": 7, "amplitude": 0, "periodSteps": 10 }, "readings": [
              { "reading": "anything", "feature": "sig_value", "unit": "whatever" } ] }
            """, null, 7),
    ];

    /// <summary>
    /// I2C bus 1 with every case's chip at the address its profile names (or its kind's default), and nothing
    /// answering elsewhere.
    /// </summary>
    public static DeviceEnvironment Bus(Func<int, I2cDevice?>? at = null) => new()
    {
        I2cBusExists = bus => bus == 1,
        OpenI2c = (bus, address) => (bus == 1 ? at?.Invoke(address) : null) ?? new SimulatedBme280(address) { Unplugged = true },
    };

    private static SimulatedMpu6050 Mpu6050At1g(int address)
    {
        var chip = new SimulatedMpu6050(address);
        chip.SetRaw(ax: 0, ay: 0, az: 16384, gx: 0, gy: 0, gz: 0, temperature: 340);
        return chip;
    }
}
