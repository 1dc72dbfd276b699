using System.Buffers.Binary;
using EdgeRnn.Runtime;
using EdgeRnn.Runtime.Hashing;
using EdgeRnn.Runtime.Scoring;
using EdgeRnn.Runtime.Tools;

namespace EdgeRnn.DeviceHost.State;

/// <summary>
/// Saves and restores the device state (the model's <see cref="RnnState"/> and the <see cref="AnomalyDetector"/>'s
/// statistics) in one file, atomically: write a temporary file in the same folder, fsync it, rename it over the old
/// one, fsync the folder. A crash at any point leaves either the old or the new file, never half of one.
/// </summary>
/// <remarks>
/// Layout (little-endian): "ERDV", u16 version 1, u16 0, the model's 32-byte SHA-256, i32 RNN state length, the RNN
/// state (itself versioned, checksummed and tied to the model), i32 scorer state length, the scorer state, SHA-256 of
/// everything before. A file that is truncated, corrupt, of another version or of another model is refused whole.
/// </remarks>
internal sealed class DeviceStateStore(string path)
{
    private const int Version = 1;
    private static ReadOnlySpan<byte> Magic => "ERDV"u8;

    public string Path { get; } = path;

    public void Save(RnnState state, AnomalyDetector detector)
    {
        int rnn = state.SerializedLength, scorer = detector.SerializedLength;
        var bytes = new byte[4 + 2 + 2 + 32 + 4 + rnn + 4 + scorer + 32];
        Span<byte> d = bytes;
        Magic.CopyTo(d);
        BinaryPrimitives.WriteUInt16LittleEndian(d[4..], Version);
        state.Model.Hash.CopyTo(d[8..]);
        BinaryPrimitives.WriteInt32LittleEndian(d[40..], rnn);
        state.WriteTo(d.Slice(44, rnn));
        BinaryPrimitives.WriteInt32LittleEndian(d[(44 + rnn)..], scorer);
        detector.WriteTo(d.Slice(48 + rnn, scorer));
        Sha256.HashData(d[..^32], d[^32..]);
        AtomicFile.WriteAllBytes(Path, bytes);
    }

    /// <summary>Restores both states from the file. Returns false (both untouched) when there is no file.</summary>
    /// <exception cref="InvalidDataException">The file is truncated, corrupt, of another version or of another model.</exception>
    public bool TryRestore(RnnState state, AnomalyDetector detector)
    {
        if (!File.Exists(Path))
        {
            return false;
        }

        byte[] bytes = File.ReadAllBytes(Path);
        ReadOnlySpan<byte> s = bytes;
        if (s.Length < 48 + 32 || !s[..4].SequenceEqual(Magic))
        {
            throw new InvalidDataException("not an EdgeRnn device state file (bad header or too short)");
        }

        Span<byte> checksum = stackalloc byte[32];
        Sha256.HashData(s[..^32], checksum);
        if (!checksum.SequenceEqual(s[^32..]))
        {
            throw new InvalidDataException("the checksum does not match: the file is corrupt or truncated");
        }

        if (BinaryPrimitives.ReadUInt16LittleEndian(s[4..]) != Version)
        {
            throw new InvalidDataException($"format version {BinaryPrimitives.ReadUInt16LittleEndian(s[4..])}; this build reads {Version}");
        }

        if (!s.Slice(8, 32).SequenceEqual(state.Model.Hash))
        {
            throw new InvalidDataException($"saved by another model ({Convert.ToHexStringLower(s.Slice(8, 32))[..12]}..., this model is {state.Model.HashHex[..12]}...)");
        }

        int rnn = BinaryPrimitives.ReadInt32LittleEndian(s[40..]);
        if (rnn < 0 || 48 + rnn + 32 > s.Length)
        {
            throw new InvalidDataException("the recurrent state length is out of range");
        }

        int scorer = BinaryPrimitives.ReadInt32LittleEndian(s[(44 + rnn)..]);
        if (scorer < 0 || 48 + rnn + scorer + 32 != s.Length)
        {
            throw new InvalidDataException("the scorer state length is out of range");
        }

        // Check both before changing either, so a refusal leaves the loop with a consistent fresh state.
        RnnState probe = state.Model.CreateState();
        probe.ReadFrom(s.Slice(44, rnn));
        var detectorProbe = new AnomalyDetector(detector.Settings, detector.Features);
        detectorProbe.ReadFrom(s.Slice(48 + rnn, scorer));
        state.ReadFrom(s.Slice(44, rnn));
        detector.ReadFrom(s.Slice(48 + rnn, scorer));
        return true;
    }
}
