extern alias Train;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using EdgeRnn.DeviceHost.Tests.Telemetry;
using TrainProgram = Train::EdgeRnn.Train.Program;

namespace EdgeRnn.Tools.Tests;

/// <summary><c>edgernn fleet watch</c> on a real Mosquitto, watching a real <c>edgernn-device run</c> publish.</summary>
public sealed class FleetWatchTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("edgernn-fleet-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public async Task Watch_ADevicePublishing_ShowsItOnlineWithItsHealthThenStopped()
    {
        using var broker = new MosquittoBroker(_folder);
        string profile = Path.Combine(_folder, "profile.json");
        JsonObject p = JsonNode.Parse(File.ReadAllText(Path.Combine(RepoPaths.Devices, "replay.json")))!.AsObject();
        p["model"] = Path.Combine(RepoPaths.Devices, "models", "temperature-forecast.onnx");
        p["sensors"] = JsonNode.Parse("""
            [{ "id": "sig", "kind": "synthetic", "speed": 180000,
               "synthetic": { "offset": 70, "amplitude": 3, "periodSteps": 24, "noise": 0.3, "seed": 3 },
               "readings": [{ "reading": "value", "feature": "temperature", "unit": "degF", "min": -40, "max": 150 }] }]
            """);
        p["outputs"] = JsonNode.Parse("""{ "console": "events" }""");
        p.Remove("state");
        p["mqtt"] = JsonNode.Parse($$"""{ "host": "127.0.0.1", "port": {{broker.Port}}, "deviceId": "watched", "healthSeconds": 1, "queue": { "path": "queue" } }""");
        File.WriteAllText(profile, p.ToJsonString());

        string port = broker.Port.ToString(CultureInfo.InvariantCulture);
        Task<ToolResult> json = Task.Run(() => ToolRun.Run(TrainProgram.Run, "fleet", "watch", "--broker", "127.0.0.1:" + port, "--seconds", "7", "--json"));
        Task<ToolResult> plain = Task.Run(() => ToolRun.Run(TrainProgram.Run, "fleet", "watch", "--broker", "127.0.0.1:" + port, "--seconds", "7", "--interval", "1"));
        await Task.Delay(1500);

        // 150 steps at 50 a second: three seconds of health messages, then a clean stop (status offline, reason stopped).
        ToolResult device = ToolRun.Run(DeviceHostAlias.Run, "run", "--profile", profile, "--max-steps", "150");
        Assert.True(device.Code == 0, device.Err + device.Out);

        ToolResult j = await json;
        Assert.True(j.Code == 0, j.Err);
        JsonElement[] updates = [.. j.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement)];
        Assert.All(updates, u => Assert.Equal("watched", u.GetProperty("device").GetProperty("deviceId").GetString()));
        JsonElement health = updates.Last(u => u.GetProperty("topic").GetString() == "health").GetProperty("device");
        Assert.True(health.GetProperty("steps").GetInt64() > 0, j.Out);
        Assert.Equal(0, health.GetProperty("lost").GetInt64());
        Assert.Contains(updates, u => u.GetProperty("topic").GetString() == "status" && u.GetProperty("device").GetProperty("status").GetString() == "online");
        JsonElement last = updates.Last(u => u.GetProperty("topic").GetString() == "status").GetProperty("device");
        Assert.Equal("offline", last.GetProperty("status").GetString());
        Assert.Equal("stopped", last.GetProperty("statusReason").GetString());
        Assert.Contains(updates, u => u.GetProperty("topic").GetString() == "events" && u.GetProperty("device").GetProperty("lastEvent").GetString() == "started");

        ToolResult t = await plain;
        Assert.True(t.Code == 0, t.Err);
        string[] tables = t.Out.Split("\n\n", StringSplitOptions.RemoveEmptyEntries);
        Assert.Matches(@"^device +status +steps +anomalies +faults +p99 us +queue +lost +last event +health age +model$", tables[^1].Split('\n')[1]);
        Assert.Matches(@"^watched +offline \(stopped\) +[1-9][0-9]* +0 +0 ", tables[^1].Split('\n')[2]);
    }

    [Fact]
    public void Watch_NoBroker_Exit2WithTheReason()
    {
        ToolResult r = ToolRun.Run(TrainProgram.Run, "fleet", "watch", "--broker", "127.0.0.1:1", "--seconds", "1");
        Assert.Equal(2, r.Code);
        Assert.Contains("error: cannot subscribe at 127.0.0.1:1", r.Err, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--broker", "host:0", "the port must be a number from 1 to 65535")]
    [InlineData("--interval", "0", "--interval must be between 0.1 and 3600")]
    [InlineData("--username", "fleet", "--username needs a password")]
    public void Watch_BadOptions_Exit2(string option, string value, string message)
    {
        string[] args = option == "--broker" ? ["fleet", "watch", option, value] : ["fleet", "watch", "--broker", "127.0.0.1:1", option, value];
        ToolResult r = ToolRun.Run(TrainProgram.Run, args);
        Assert.Equal(2, r.Code);
        Assert.Contains(message, r.Err, StringComparison.Ordinal);
    }
}
