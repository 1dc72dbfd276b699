using EdgeRnn.DeviceHost.Tests.Reliability;

namespace EdgeRnn.DeviceHost.Tests.LiveConsole;

/// <summary><c>"console": "steps"</c> lines say when, and what was read in which unit (issue 14: they said neither).</summary>
public sealed class StepLinesTests
{
    [Fact]
    public void Run_ConsoleSteps_EachLineHasTimeReadingAndUnit()
    {
        using var temp = new TempFolder();
        DeviceHarness.WriteCsv(temp, rows: 10);
        string profile = DeviceHarness.Profile(temp, outputs: """{ "console": "steps" }""", state: null);
        ToolResult r = DeviceHarness.Device(ConsoleTestKit.Environment, "run", "--profile", profile, "--max-steps", "3");
        Assert.True(r.Code == 0, r.Err);
        string[] steps = [.. r.Out.Split('\n').Where(l => l.StartsWith("step ", StringComparison.Ordinal))];
        Assert.Equal(3, steps.Length);

        // NAB's first reading, 69.88 degF, as the file has it.
        Assert.Matches(@"^step 1 likelihood 0\.000000 error [0-9.]+ at \d\d:\d\d:\d\d\.\d{3} temperature 69\.88\d* degF$", steps[0]);
        Assert.All(steps, l => Assert.Matches(@" at \d\d:\d\d:\d\d\.\d{3} temperature [0-9.]+ degF$", l));
    }
}
