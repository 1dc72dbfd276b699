using System.Buffers.Binary;
using System.Security.Cryptography;

namespace EdgeRnn.DeviceHost.Tests.Reliability;

/// <summary>
/// Issue 13, item 3: crafted state files (a length that overflows the bounds check, NaN or infinity in the recurrent
/// or scorer state) are discarded with an event at start, once, instead of throwing on every start or poisoning scores.
/// </summary>
public sealed class StateFileTests : IDisposable
{
    // DeviceStateStore's layout: "ERDV", version, 0, model hash (32), i32 rnn length at 40, the rnn state at 44, i32
    // scorer length, the scorer state, SHA-256. The rnn and scorer states end in their own SHA-256.
    private const int RnnAt = 44;

    private readonly TempFolder _temp = new();

    public void Dispose() => _temp.Dispose();

    private string SavedState(out string profile)
    {
        DeviceHarness.WriteCsv(_temp);
        profile = DeviceHarness.Profile(_temp);
        Assert.Equal(0, DeviceHarness.Device("run", "--profile", profile, "--max-steps", "60").Code);
        return _temp.File("device.state");
    }

    private static void Reseal(byte[] bytes, int innerStart = -1, int innerLength = 0)
    {
        if (innerStart >= 0)
        {
            SHA256.HashData(bytes.AsSpan(innerStart, innerLength - 32), bytes.AsSpan(innerStart + innerLength - 32, 32));
        }

        SHA256.HashData(bytes.AsSpan(0, bytes.Length - 32), bytes.AsSpan(bytes.Length - 32));
    }

    private static (int Code, string Out) RunAgain(string profile)
    {
        (int code, string stdout, _) = DeviceHarness.Device("run", "--profile", profile, "--max-steps", "5");
        return (code, stdout);
    }

    [Theory]
    [InlineData(0x7FFFFFFF)]
    [InlineData(0x7FFFFFB0)]
    [InlineData(-1)]
    public void Run_RnnLengthOverflows_DiscardedWithEventOnceThenRestores(int length)
    {
        string state = SavedState(out string profile);
        byte[] bytes = File.ReadAllBytes(state);
        BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(40), length);
        Reseal(bytes);
        File.WriteAllBytes(state, bytes);

        (int code, string stdout) = RunAgain(profile);

        Assert.Equal(0, code);
        Assert.Contains("state_discarded warning:", stdout, StringComparison.Ordinal);
        Assert.Contains("recurrent state length", stdout, StringComparison.Ordinal);
        // The fresh state saved at the end replaces the bad file: the next start restores it.
        (_, string next) = RunAgain(profile);
        Assert.Contains("state_restored", next, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(float.NaN)]
    [InlineData(float.PositiveInfinity)]
    public void Run_NonFiniteRecurrentState_DiscardedWithEvent(float value)
    {
        string state = SavedState(out string profile);
        byte[] bytes = File.ReadAllBytes(state);
        int rnn = BinaryPrimitives.ReadInt32LittleEndian(bytes.AsSpan(40));
        BinaryPrimitives.WriteSingleLittleEndian(bytes.AsSpan(RnnAt + 52 + 4), value); // the first value of the first buffer
        Reseal(bytes, RnnAt, rnn);
        File.WriteAllBytes(state, bytes);

        (int code, string stdout) = RunAgain(profile);

        Assert.Equal(0, code);
        Assert.Contains("state_discarded warning:", stdout, StringComparison.Ordinal);
        Assert.Contains("the recurrent state holds", stdout, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(20)] // the short-term error
    [InlineData(28)] // the mean
    [InlineData(36)] // the variance
    public void Run_NonFiniteScorerState_DiscardedWithEvent(int offset)
    {
        string state = SavedState(out string profile);
        byte[] bytes = File.ReadAllBytes(state);
        int rnn = BinaryPrimitives.ReadInt32LittleEndian(bytes.AsSpan(40));
        int scorerAt = RnnAt + rnn + 4;
        int scorer = BinaryPrimitives.ReadInt32LittleEndian(bytes.AsSpan(RnnAt + rnn));
        BinaryPrimitives.WriteDoubleLittleEndian(bytes.AsSpan(scorerAt + offset), double.NaN);
        Reseal(bytes, scorerAt, scorer);
        File.WriteAllBytes(state, bytes);

        (int code, string stdout) = RunAgain(profile);

        Assert.Equal(0, code);
        Assert.Contains("state_discarded warning:", stdout, StringComparison.Ordinal);
        Assert.Contains("scorer state", stdout, StringComparison.Ordinal);
        Assert.Contains("\"event\":\"state_discarded\"", File.ReadAllText(_temp.File("events.jsonl")), StringComparison.Ordinal);
    }

    [Fact]
    public void Restore_StateTheLoopSaved_PassesTheValueChecks()
    {
        // The value checks (in RnnState.ReadFrom and AnomalyDetector.ReadFrom) accept what the loop itself saved.
        _ = SavedState(out string profile);

        Assert.Contains("state_restored", RunAgain(profile).Out, StringComparison.Ordinal);
    }
}
