namespace EdgeRnn.Train.Data;

/// <summary>
/// What <c>edgernn synth --kit</c> simulates: the generic multi-sensor recording, or one of the sensor kits of the
/// shipped device profiles, with the profile's feature names, units and sample period (see <see cref="SensorKitRecording"/>).
/// </summary>
public enum SensorKit
{
    /// <summary>N unitless sensors named sensor0.. at one row a minute: sinusoids plus noise (<see cref="SyntheticRecording"/>).</summary>
    Generic = 0,

    /// <summary>A BME280 indoors/outdoors (devices/pi-bme280.json): temperature degC, pressure hPa, humidity %RH every 1 s.</summary>
    Environment = 1,

    /// <summary>An MPU6050 bolted to a running machine (devices/pi-mpu6050.json): accel_x/y/z m/s2, gyro_x/y/z deg/s every 0.02 s.</summary>
    Imu = 2,

    /// <summary>An ADS1115 reading a motor's current and vibration sensor modules (devices/pi-ads1115.json): current, vibration in V every 0.1 s.</summary>
    Analog = 3,
}
