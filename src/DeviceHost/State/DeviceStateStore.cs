using System.Buffers.Binary;
using System.Globalization;
using EdgeRnn.Deployment.IO;
using EdgeRnn.Deployment.Scoring;
using EdgeRnn.DeviceHost.IO;
using EdgeRnn.Runtime;
using EdgeRnn.Runtime.Hashing;

namespace EdgeRnn.DeviceHost.State;

/// <summary>
/// Saves and restores the device state (the model's <see cref="RnnState"/> and the <see cref="AnomalyDetector"/>'s
/// statistics) in one file, atomically: write a temporary file in the same folder, fsync it, rename it over the old
/// one, fsync the folder. A crash at any point leaves either the old or the new file, never half of one.
/// </summary>
/// <remarks>
/// Layout (little-endian): "ERDV", u16 version 1, u16 0, the model's 32-byte SHA-256, i32 RNN state length, the RNN
/// state (itself versioned, checksummed and tied to the model), i32 scorer state length, the scorer state, SHA-256 of
/// everything before. A file that is truncated, corrupt, of another version or of another model, whose length fields
/// are out of range (checked without overflow), or that holds a value that is not finite (<see cref="RnnState.ReadFrom"/>
/// and <see cref="AnomalyDetector.ReadFrom"/> refuse NaN and infinity, which would poison every later score) is refused whole.
/// </remarks>
internal sealed class DeviceStateStore(string path, DeviceFileSystem files)
{
    private const int Version = 1;
    private const int HeaderLength = 4 + 2 + 2 + 32 + 4;
    private const int ChecksumLength = 32;
    private static readonly System.Buffers.SearchValues<char> s_hexDigits = System.Buffers.SearchValues.Create("0123456789abcdefABCDEF");
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
        files.WriteAtomic(Path, bytes);
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

        // Lengths are compared with what is left, never added to: 48 + 0x7FFFFFFF + 32 wraps around in 32 bits.
        int rnn = BinaryPrimitives.ReadInt32LittleEndian(s[40..]);
        if (rnn < 0 || rnn > s.Length - HeaderLength - 4 - ChecksumLength)
        {
            throw new InvalidDataException(string.Create(CultureInfo.InvariantCulture,
                $"the recurrent state length ({rnn} bytes) is out of range for a file of {s.Length} bytes"));
        }

        int scorer = BinaryPrimitives.ReadInt32LittleEndian(s[(HeaderLength + rnn)..]);
        if (scorer < 0 || scorer != s.Length - HeaderLength - rnn - 4 - ChecksumLength)
        {
            throw new InvalidDataException(string.Create(CultureInfo.InvariantCulture,
                $"the scorer state length ({scorer} bytes) does not match the rest of the file"));
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

    /// <summary>
    /// Deletes the temporary files a save leaves when the process is killed between writing and renaming
    /// (<c>.{state file name}.{32 hex digits}.tmp</c> beside the state, <see cref="AtomicFile"/>'s naming). Call it
    /// only while holding the instance lock, so the temporary file of a save in progress is never taken. Returns the
    /// names removed; a file that cannot be removed is left (it is retried at the next start).
    /// </summary>
    public IReadOnlyList<string> DeleteOrphanedTemporaryFiles()
    {
        string folder = System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(Path))!;
        string prefix = "." + System.IO.Path.GetFileName(Path) + ".";
        var removed = new List<string>();
        string[] candidates;
        try
        {
            candidates = Directory.Exists(folder) ? Directory.GetFiles(folder, prefix + "*.tmp") : [];
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return removed;
        }

        foreach (string file in candidates)
        {
            string name = System.IO.Path.GetFileName(file);
            ReadOnlySpan<char> middle = name.AsSpan(prefix.Length, name.Length - prefix.Length - ".tmp".Length);
            if (middle.Length != 32 || middle.ContainsAnyExcept(s_hexDigits))
            {
                continue;
            }

            try
            {
                File.Delete(file);
                removed.Add(name);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
            }
        }

        return removed;
    }
}
