using System.Globalization;
using System.Buffers.Binary;
using EdgeRnn.Runtime.Hashing;
using EdgeRnn.Runtime.Graph;

namespace EdgeRnn.Runtime;

/// <summary>
/// The state of one stream through an <see cref="RnnModel"/>: every recurrent layer's h and c, the carried state
/// inputs, and the step buffers. Created by <see cref="RnnModel.CreateState"/>; not thread-safe.
/// </summary>
/// <remarks>
/// Serialized form (little-endian): "ERNS", u16 version (1), u16 flags (0), the model's 32-byte SHA-256, i64 step
/// count, u32 slot count, then per slot u32 length and that many floats, then a SHA-256 of everything before it.
/// </remarks>
public sealed class RnnState
{
    private const int Version = 1;
    private static ReadOnlySpan<byte> Magic => "ERNS"u8;

    internal RnnState(RnnModel model, StreamingPlan plan)
    {
        Model = model;
        Plan = plan;
        Frame = plan.Plan.CreateFrame();
        Reset();
    }

    /// <summary>The model this state belongs to.</summary>
    public RnnModel Model { get; }

    /// <summary>Steps taken since the last reset (or as restored).</summary>
    public long StepCount { get; internal set; }

    internal StreamingPlan Plan { get; }

    internal Frame Frame { get; }

    /// <summary>The number of bytes <see cref="WriteTo(Span{byte})"/> writes.</summary>
    public int SerializedLength => 4 + 2 + 2 + 32 + 8 + 4 + Plan.StateSlots.Sum(s => 4 + (4 * Plan.Plan.Slots[s].Length)) + 32;

    /// <summary>Puts the state back to the model's initial state (zeros, or the graph's constant initial_h / initial_c).</summary>
    public void Reset()
    {
        Plan.Plan.ResetState(Frame);
        foreach ((PlanValue input, _) in Plan.Pairs)
        {
            Array.Clear(Frame.Floats(input.Slot));
        }

        StepCount = 0;
    }

    /// <summary>The buffer of a data input for the next <see cref="RnnModel.Step(RnnState)"/> (float inputs).</summary>
    public Span<float> GetInput(string name)
    {
        PlanValue v = Find(Plan.DataInputs, name);
        return v.IsFloat
            ? Frame.Floats(v.Slot).AsSpan(0, v.Length)
            : throw new InvalidOperationException($"Step input '{name}' holds {v.ElementType} values; use GetInt64Input.");
    }

    /// <summary>The buffer of an integer (token id) data input.</summary>
    public Span<long> GetInt64Input(string name)
    {
        PlanValue v = Find(Plan.DataInputs, name);
        return !v.IsFloat
            ? Frame.Longs(v.Slot).AsSpan(0, v.Length)
            : throw new InvalidOperationException($"Step input '{name}' holds Float values; use GetInput.");
    }

    /// <summary>The values of a data output after the last step.</summary>
    public ReadOnlySpan<float> GetOutput(string name)
    {
        PlanValue v = Find(Plan.DataOutputs, name);
        return v.Floats(Frame).AsSpan(0, v.Length);
    }

    /// <summary>Writes the state to <paramref name="destination"/>, which must hold <see cref="SerializedLength"/> bytes.</summary>
    public void WriteTo(Span<byte> destination)
    {
        int length = SerializedLength;
        ArgumentOutOfRangeException.ThrowIfLessThan(destination.Length, length, nameof(destination));
        Span<byte> d = destination[..length];
        Magic.CopyTo(d);
        BinaryPrimitives.WriteUInt16LittleEndian(d[4..], Version);
        BinaryPrimitives.WriteUInt16LittleEndian(d[6..], 0);
        Model.Hash.CopyTo(d[8..]);
        BinaryPrimitives.WriteInt64LittleEndian(d[40..], StepCount);
        BinaryPrimitives.WriteUInt32LittleEndian(d[48..], (uint)Plan.StateSlots.Length);
        int at = 52;
        foreach (int slot in Plan.StateSlots)
        {
            float[] values = Frame.Floats(slot);
            BinaryPrimitives.WriteUInt32LittleEndian(d[at..], (uint)values.Length);
            at += 4;
            foreach (float f in values)
            {
                BinaryPrimitives.WriteSingleLittleEndian(d[at..], f);
                at += 4;
            }
        }

        Sha256.HashData(d[..at], d[at..]);
    }

    /// <summary>Writes the state to a stream.</summary>
    public void WriteTo(Stream stream)
    {
        ArgumentNullException.ThrowIfNull(stream);
        stream.Write(ToArray());
    }

    /// <summary>The serialized state as a new array.</summary>
    public byte[] ToArray()
    {
        var bytes = new byte[SerializedLength];
        WriteTo(bytes);
        return bytes;
    }

    /// <summary>Restores the state from bytes written by <see cref="WriteTo(Span{byte})"/>; on any error the state is unchanged.</summary>
    /// <exception cref="InvalidDataException">The bytes are truncated, corrupt, of another version, or belong to another model.</exception>
    public void ReadFrom(ReadOnlySpan<byte> source)
    {
        if (source.Length < 52 + 32 || !source[..4].SequenceEqual(Magic))
        {
            throw new InvalidDataException("The data is not an EdgeRnn state (bad header or too short).");
        }

        int version = BinaryPrimitives.ReadUInt16LittleEndian(source[4..]);
        if (version != Version)
        {
            throw new InvalidDataException($"The state has format version {version}; this runtime reads version {Version}.");
        }

        if (source.Length != SerializedLength)
        {
            throw new InvalidDataException($"The state is {source.Length} bytes; a state of this model is {SerializedLength} bytes (truncated, or from a model with other layer sizes).");
        }

        Span<byte> checksum = stackalloc byte[32];
        Sha256.HashData(source[..^32], checksum);
        if (!checksum.SequenceEqual(source[^32..]))
        {
            throw new InvalidDataException("The state's checksum does not match its contents: the data is corrupt.");
        }

        if (!source.Slice(8, 32).SequenceEqual(Model.Hash))
        {
            throw new InvalidDataException($"The state was saved by another model (model hash {Convert.ToHexStringLower(source.Slice(8, 32))}, this model is {Model.HashHex}).");
        }

        uint count = BinaryPrimitives.ReadUInt32LittleEndian(source[48..]);
        if (count != Plan.StateSlots.Length)
        {
            throw new InvalidDataException($"The state holds {count} buffers; this model has {Plan.StateSlots.Length}.");
        }

        int at = 52;
        foreach (int slot in Plan.StateSlots)
        {
            uint length = BinaryPrimitives.ReadUInt32LittleEndian(source[at..]);
            if (length != Plan.Plan.Slots[slot].Length)
            {
                throw new InvalidDataException($"State buffer '{Plan.Plan.Slots[slot].Name}' has {length} values; this model needs {Plan.Plan.Slots[slot].Length}.");
            }

            // A NaN or infinity restored into the recurrent state would poison every later output.
            for (int i = 0; i < (int)length; i++)
            {
                float v = BinaryPrimitives.ReadSingleLittleEndian(source[(at + 4 + (4 * i))..]);
                if (!float.IsFinite(v))
                {
                    throw new InvalidDataException(string.Create(CultureInfo.InvariantCulture,
                        $"A saved state must be finite, but the recurrent state holds {v} in buffer '{DisplayText.Sanitize(Plan.Plan.Slots[slot].Name)}' (value {i})."));
                }
            }

            at += 4 + (4 * (int)length);
        }

        if (BinaryPrimitives.ReadInt64LittleEndian(source[40..]) < 0)
        {
            throw new InvalidDataException("The state's step count is negative.");
        }

        at = 52;
        foreach (int slot in Plan.StateSlots)
        {
            float[] values = Frame.Floats(slot);
            at += 4;
            for (int i = 0; i < values.Length; i++, at += 4)
            {
                values[i] = BinaryPrimitives.ReadSingleLittleEndian(source[at..]);
            }
        }

        StepCount = BinaryPrimitives.ReadInt64LittleEndian(source[40..]);
    }

    private static PlanValue Find(IReadOnlyList<PlanValue> values, string name)
    {
        foreach (PlanValue v in values)
        {
            if (v.Name == name)
            {
                return v;
            }
        }

        throw new ArgumentException($"The model has no step value '{name}'; it has {string.Join(", ", values.Select(v => v.Name))}.", nameof(name));
    }
}
