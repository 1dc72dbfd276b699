using System.Diagnostics;
using System.Globalization;
using System.Text.Json.Nodes;

namespace EdgeRnn.DeviceHost.Tests;

/// <summary>
/// Publishes edgernn-device with NativeAOT for linux-x64 and linux-arm64, runs both on the replay profile (the arm64
/// one under qemu user mode, as a Pi 3, 4 and 5 CPU) and requires the same scores within 1e-5, then runs the arm64 binary's diag, which checks
/// every sensor unit conversion in the trimmed binary. Slow (two AOT publishes): behind the trait
/// Category=NativeAot, which eng/test.sh runs on its own after eng/common.sh's ensure_arm64_cross.
/// </summary>
[Trait("Category", "NativeAot")]
public sealed class NativeAotTests
{
    // qemu CPU models of the Raspberry Pis the binary targets: Pi 3 (Cortex-A53) and Pi 4 (Cortex-A72) have AdvSimd
    // only; Pi 5 (Cortex-A76) also has the dot-product extension (SDOT), which the int8 kernels use when present.
    private static readonly string[] s_piCpus = ["cortex-a53", "cortex-a72", "cortex-a76"];

    private static string Publish(string rid, string project = "src/DeviceHost", string binary = "edgernn-device", string? output = null)
    {
        output ??= Path.Combine(RepoPaths.Root, "artifacts", "publish", rid);
        (int code, string log) = Exec("dotnet", ["publish", Path.Combine(RepoPaths.Root, project), "-c", "Release", "-r", rid, "-o", output, "-nologo"], timeoutMinutes: 8);
        Assert.True(code == 0, log);
        Assert.DoesNotMatch(@"warning (IL|CS)\d+", log);
        return Path.Combine(output, binary);
    }

    private static (int Code, string Output) Exec(string file, string[] args, int timeoutMinutes = 3, Dictionary<string, string>? env = null)
    {
        var psi = new ProcessStartInfo(file, args) { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = RepoPaths.Root };
        foreach ((string k, string v) in env ?? [])
        {
            psi.Environment[k] = v;
        }

        using Process p = Process.Start(psi)!;
        Task<string> err = p.StandardError.ReadToEndAsync();
        string stdout = p.StandardOutput.ReadToEnd();
        Assert.True(p.WaitForExit(TimeSpan.FromMinutes(timeoutMinutes)), $"{file} timed out");
        return (p.ExitCode, stdout + err.Result);
    }

    /// <summary>A copy of <paramref name="profile"/> in a new temp folder: model and sensor files absolute, state and event log inside the folder.</summary>
    private static string IsolatedCopy(string profile)
    {
        string devices = Path.GetDirectoryName(profile)!;
        string folder = Directory.CreateTempSubdirectory("edgernn-aot-profile-").FullName;
        JsonObject p = JsonNode.Parse(File.ReadAllText(profile))!.AsObject();
        p["model"] = Path.GetFullPath(Path.Combine(devices, p["model"]!.GetValue<string>()));
        foreach (JsonNode? sensor in p["sensors"]!.AsArray())
        {
            if (sensor!["file"] is JsonNode file)
            {
                sensor["file"] = Path.GetFullPath(Path.Combine(devices, file.GetValue<string>()));
            }
        }

        p["outputs"]!["eventLog"]!["path"] = Path.Combine(folder, "events.jsonl");
        p["state"]!["path"] = Path.Combine(folder, "state");
        string copy = Path.Combine(folder, "profile.json");
        File.WriteAllText(copy, p.ToJsonString());
        return copy;
    }

    private static double[][] Scores(string tsv) =>
        [.. tsv.Split('\n', StringSplitOptions.RemoveEmptyEntries).Where(l => char.IsDigit(l[0]))
            .Select(l => l.Split('\t')[1..3].Select(v => double.Parse(v, CultureInfo.InvariantCulture)).ToArray())];

    [Fact]
    public void ReplayProfile_Arm64UnderQemu_MatchesX64Within1e5()
    {
        string x64 = Publish("linux-x64");
        string arm64 = Publish("linux-arm64");
        // The target is "<= 12 MB"; without the UnitsNet substitutions (ILLink.Substitutions.UnitsNet.xml) the binary
        // was 12,174,568 bytes, so this also catches their loss.
        Assert.InRange(new FileInfo(arm64).Length, 1, 12_000_000);
        (int codeElf, string dynamic) = Exec("readelf", ["-d", arm64]);
        Assert.True(codeElf == 0, dynamic);
        string[] needed = [.. dynamic.Split('\n').Where(l => l.Contains("(NEEDED)", StringComparison.Ordinal))];
        Assert.True(needed.All(l => l.Contains("libc.so", StringComparison.Ordinal) || l.Contains("libm.so", StringComparison.Ordinal) || l.Contains("ld-linux", StringComparison.Ordinal)),
            "the device binary needs only libc, libm and the loader:\n" + string.Join('\n', needed));
        string profile = Path.Combine(RepoPaths.Devices, "replay.json");

        (int codeX, string outX) = Exec(x64, ["replay", "--profile", profile]);
        Assert.True(codeX == 0, outX);
        double[][] b = Scores(outX);
        Assert.Equal(7267, b.Length);
        foreach (string cpu in s_piCpus)
        {
            (int codeA, string outA) = Exec("qemu-aarch64", ["-cpu", cpu, "-L", "/usr/aarch64-linux-gnu", arm64, "replay", "--profile", profile], timeoutMinutes: 5);
            Assert.True(codeA == 0, outA);
            double[][] a = Scores(outA);
            Assert.Equal(b.Length, a.Length);
            double max = 0;
            for (int i = 0; i < a.Length; i++)
            {
                max = Math.Max(max, Math.Max(Math.Abs(a[i][0] - b[i][0]), Math.Abs(a[i][1] - b[i][1])));
            }

            Assert.True(max <= 1e-5, $"{cpu}: max |arm64 - x64| = {max}");
        }

        // diag checks every sensor unit conversion in the trimmed arm64 binary (the JIT tests cannot: the UnitsNet
        // substitutions exist only in the NativeAOT build). It also checks the profile's state file, so it runs on a copy
        // of the profile whose state and log live in a fresh folder: a devices/run/replay.state left by an earlier
        // `run` of another model version must not decide this test.
        (int codeDiag, string diag) = Exec("qemu-aarch64", ["-L", "/usr/aarch64-linux-gnu", arm64, "diag", "--profile", IsolatedCopy(profile)], timeoutMinutes: 5);
        Assert.True(codeDiag == 0, diag);
        Assert.Matches(@"(?m)^units    .*: \d+ sensor unit conversions ok$", diag);
    }

    /// <summary>
    /// The int8 kernels in a NativeAOT arm64 build, bit for bit against the scalar reference on every row count 0..257
    /// (eng/int8-arm64-check): on a Pi 3/4 CPU the AdvSimd path runs and SDOT must not be picked; on a Pi 5 CPU both
    /// run. The AOT binary detects the dot-product extension at run time, so one binary serves all three. The same program
    /// checks the multi-stream float kernel (AdvSimd) against one mat-vec per vector, bit for bit.
    /// </summary>
    [Fact]
    public void Int8Kernels_Arm64UnderQemu_OnPi3Pi4AndPi5Cpus_MatchTheScalarReference()
    {
        string check = Publish("linux-arm64", Path.Combine("eng", "int8-arm64-check"), "EdgeRnn.Int8Arm64Check",
            Path.Combine(RepoPaths.Root, "artifacts", "int8-arm64-check"));
        foreach (string cpu in s_piCpus)
        {
            bool dp = cpu == "cortex-a76";
            (int code, string output) = Exec("qemu-aarch64", ["-cpu", cpu, "-L", "/usr/aarch64-linux-gnu", check, .. dp ? (string[])["--require-dp"] : []], timeoutMinutes: 5);
            Assert.True(code == 0, $"{cpu}: {output}");
            Assert.Contains($"AdvSimd.Arm64=True Dp={dp}", output, StringComparison.Ordinal);
            Assert.Matches($@"\d+ checks over {(dp ? 3 : 2)} path\(s\), 0 mismatches", output);
            Assert.Matches(@"[1-9]\d* multi-stream float checks \(BatchedMatVec against MatVec per vector\), 0 mismatches", output);
        }
    }
}
