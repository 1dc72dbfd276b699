using System.Collections.Concurrent;
using System.Diagnostics.CodeAnalysis;
using EdgeRnn.Runtime.Hashing;
using EdgeRnn.Runtime.Graph;
using EdgeRnn.Runtime.Onnx;

namespace EdgeRnn.Runtime;

/// <summary>
/// A loaded ONNX recurrent model: immutable weights and plans, safe to share across threads. Run whole sequences
/// with <see cref="Run(IReadOnlyDictionary{string, Tensor})"/>, or stream one time step at a time with
/// <see cref="CreateState"/> and <see cref="Step(RnnState, ReadOnlySpan{float}, Span{float})"/>, which allocates
/// nothing and gives the same numbers as the whole-sequence run.
/// </summary>
/// <remarks>
/// The model owns no unmanaged resources; it lives as long as it is referenced. Each <see cref="RnnState"/> belongs
/// to one stream and must not be stepped from two threads at once.
/// </remarks>
public sealed class RnnModel
{
    private const int MaxCachedPlans = 16;
    private readonly OnnxModel _model;
    private readonly ModelLoadOptions _options;
    private readonly byte[] _hash;
    private readonly ConcurrentDictionary<string, ExecutionPlan> _plans = new(StringComparer.Ordinal);
    private readonly Lazy<StreamingPlan> _streaming;

    private RnnModel(OnnxModel model, ModelLoadOptions options, byte[] hash)
    {
        _model = model;
        _options = options;
        _hash = hash;
        _streaming = new Lazy<StreamingPlan>(() => StreamingPlan.Build(_model, _options), LazyThreadSafetyMode.ExecutionAndPublication);

        // Build a plan for the declared shapes now when they are all static, so graph errors surface at load.
        if (model.Inputs.All(i => i.Shape is not null && i.Shape.All(d => d.IsKnown)))
        {
            GetPlan([.. model.Inputs.Select(i => i.Shape!.Select(d => (int)d.Value).ToArray())]);
        }
    }

    /// <summary>The graph inputs (initializers excluded), in graph order.</summary>
    public IReadOnlyList<OnnxValueInfo> Inputs => _model.Inputs;

    /// <summary>The graph outputs, in graph order.</summary>
    public IReadOnlyList<OnnxValueInfo> Outputs => _model.Outputs;

    /// <summary>The model's <c>metadata_props</c> (EdgeRnn keys start with <c>edgernn.</c>).</summary>
    public IReadOnlyDictionary<string, string> Metadata => _model.Metadata;

    /// <summary>The ai.onnx opset the model was written for.</summary>
    public int Opset => _model.OnnxOpset;

    /// <summary>Where the model came from (a path or a caller-given name), for messages.</summary>
    public string SourceName => _model.SourceName;

    /// <summary>The SHA-256 of the model file's bytes; saved states are tied to it.</summary>
    public ReadOnlySpan<byte> Hash => _hash;

    /// <summary>The SHA-256 of the model file as lowercase hex.</summary>
    public string HashHex => Convert.ToHexStringLower(_hash);

    /// <summary>The operator types the graph uses, with counts, e.g. <c>LSTM×2, MatMul×1</c>.</summary>
    public string OperatorSummary => string.Join(", ", _model.Nodes.GroupBy(n => n.OpType).Select(g => $"{g.Key}×{g.Count()}"));

    /// <summary>Loads and validates a model file.</summary>
    /// <exception cref="ModelFormatException">The file is not a valid model EdgeRnn can run; the message says why.</exception>
    /// <exception cref="IOException">The file cannot be read.</exception>
    public static RnnModel Load(string path, ModelLoadOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(path);
        options ??= ModelLoadOptions.Default;
        var info = new FileInfo(path);
        if (!info.Exists)
        {
            throw new FileNotFoundException($"Model file '{path}' does not exist.", path);
        }

        if (info.Length > options.MaxFileBytes)
        {
            throw new ModelFormatException($"{path}: the file is {info.Length} bytes; the limit is {options.MaxFileBytes} (ModelLoadOptions.MaxFileBytes).");
        }

        return Load(File.ReadAllBytes(path), options, path);
    }

    /// <summary>Loads and validates a model from its bytes.</summary>
    /// <exception cref="ModelFormatException">The bytes are not a valid model EdgeRnn can run; the message says why.</exception>
    public static RnnModel Load(byte[] bytes, ModelLoadOptions? options = null, string? sourceName = null)
    {
        ArgumentNullException.ThrowIfNull(bytes);
        options ??= ModelLoadOptions.Default;
        OnnxModel model = OnnxModelReader.Read(bytes, options, sourceName ?? "model");
        return new RnnModel(model, options, Sha256.HashData(bytes));
    }

    /// <summary>Runs the graph once on named inputs, like an ONNX Runtime session; returns every graph output by name.</summary>
    /// <exception cref="ArgumentException">An input is missing, unknown, or of the wrong type or shape.</exception>
    /// <exception cref="ModelFormatException">The graph cannot run with these input shapes.</exception>
    public IReadOnlyDictionary<string, Tensor> Run(IReadOnlyDictionary<string, Tensor> inputs)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        var ordered = new Tensor[Inputs.Count];
        for (int i = 0; i < ordered.Length; i++)
        {
            ordered[i] = inputs.TryGetValue(Inputs[i].Name, out Tensor? t)
                ? t
                : throw new ArgumentException($"Input '{Inputs[i].Name}' is missing; the model takes {string.Join(", ", Inputs.Select(v => v.Name))}.", nameof(inputs));
        }

        foreach (string name in inputs.Keys)
        {
            if (!Inputs.Any(v => v.Name == name))
            {
                throw new ArgumentException($"The model has no input '{name}'; it takes {string.Join(", ", Inputs.Select(v => v.Name))}.", nameof(inputs));
            }
        }

        Tensor[] results = Run(ordered);
        var map = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        for (int i = 0; i < results.Length; i++)
        {
            map[Outputs[i].Name] = results[i];
        }

        return map;
    }

    /// <summary>Runs the graph once on inputs given in graph order; returns the outputs in graph order.</summary>
    /// <exception cref="ArgumentException">The wrong number of inputs, or one of the wrong type or shape.</exception>
    public Tensor[] Run(params Tensor[] inputs)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        if (inputs.Length != Inputs.Count)
        {
            throw new ArgumentException($"The model takes {Inputs.Count} inputs ({string.Join(", ", Inputs.Select(v => v.Name))}) but got {inputs.Length}.", nameof(inputs));
        }

        var shapes = new int[inputs.Length][];
        var symbols = new Dictionary<string, int>(StringComparer.Ordinal);
        for (int i = 0; i < inputs.Length; i++)
        {
            Tensor t = inputs[i] ?? throw new ArgumentNullException(nameof(inputs), $"Input '{Inputs[i].Name}' is null.");
            CheckInput(Inputs[i], t, symbols);
            shapes[i] = t.GetShape();
        }

        ExecutionPlan plan = GetPlan(shapes);
        Frame frame = plan.CreateFrame();
        for (int i = 0; i < inputs.Length; i++)
        {
            PlanValue slot = plan.Inputs[i];
            if (slot.IsFloat)
            {
                inputs[i].FloatData!.CopyTo(frame.Floats(slot.Slot), 0);
            }
            else
            {
                inputs[i].Int64Data!.CopyTo(frame.Longs(slot.Slot), 0);
            }
        }

        plan.Execute(frame);
        var outputs = new Tensor[plan.Outputs.Count];
        for (int i = 0; i < outputs.Length; i++)
        {
            PlanValue v = plan.Outputs[i];
            outputs[i] = v.IsFloat
                ? Tensor.FromFloat(v.Floats(frame).AsSpan(0, v.Length).ToArray(), v.Shape)
                : Tensor.FromInt64(v.ElementType, v.Longs(frame).AsSpan(0, v.Length).ToArray(), v.Shape);
        }

        return outputs;
    }

    /// <summary>True when the model can run step by step (see <see cref="StreamingError"/> otherwise).</summary>
    public bool CanStream => TryGetStreaming(out _, out _);

    /// <summary>Why the model cannot stream, or null when it can.</summary>
    public string? StreamingError => TryGetStreaming(out _, out string? error) ? null : error;

    /// <summary>The data inputs of one step (state inputs excluded), with their one-step shapes.</summary>
    public IReadOnlyList<(string Name, int Length)> StepInputs => [.. Streaming.DataInputs.Select(v => (v.Name, v.Length))];

    /// <summary>The data outputs of one step (state outputs excluded), with their one-step lengths.</summary>
    public IReadOnlyList<(string Name, int Length)> StepOutputs => [.. Streaming.DataOutputs.Select(v => (v.Name, v.Length))];

    /// <summary>The graph inputs and outputs the runtime carries as state between steps.</summary>
    public IReadOnlyList<(string Input, string Output)> StatePairs => [.. Streaming.Pairs.Select(p => (p.Input.Name, p.Output.Name))];

    /// <summary>
    /// Multiply-adds in the matrix products of one streaming step (recurrent gates and dense layers), for throughput
    /// figures: GFLOP/s = 2 * StepMultiplyAdds / seconds per step.
    /// </summary>
    public long StepMultiplyAdds => Streaming.Plan.MultiplyAdds;

    internal StreamingPlan Streaming
    {
        get
        {
            try
            {
                return _streaming.Value;
            }
            catch (NotSupportedException e)
            {
                throw new NotSupportedException($"{SourceName} cannot stream: {e.Message}", e);
            }
        }
    }

    /// <summary>Creates the state of one stream, reset to the model's initial state.</summary>
    /// <exception cref="NotSupportedException">The model cannot stream (bidirectional or reverse layers, fixed time axis...).</exception>
    public RnnState CreateState() => new(this, Streaming);

    /// <summary>
    /// Advances <paramref name="state"/> by one time step: <paramref name="input"/> is the model's single float data
    /// input for one step (batch 1), <paramref name="output"/> receives its first data output. Allocates nothing.
    /// </summary>
    /// <exception cref="ArgumentException">The state is another model's, or a span has the wrong length.</exception>
    public void Step(RnnState state, ReadOnlySpan<float> input, Span<float> output)
    {
        StreamingPlan plan = CheckState(state);
        PlanValue inValue = plan.DataInputs.Length == 1 && plan.DataInputs[0].IsFloat ? plan.DataInputs[0] : ThrowNotSingleInput();
        if (input.Length != inValue.Length)
        {
            ThrowHelpers.ThrowLengthMismatch($"The step input '{inValue.Name}'", inValue.Length, input.Length);
        }

        input.CopyTo(state.Frame.Floats(inValue.Slot));
        StepCore(state, plan);
        if (plan.DataOutputs.Length > 0)
        {
            PlanValue outValue = plan.DataOutputs[0];
            if (output.Length != outValue.Length)
            {
                ThrowHelpers.ThrowLengthMismatch($"The step output '{outValue.Name}'", outValue.Length, output.Length);
            }

            outValue.Floats(state.Frame).AsSpan(0, outValue.Length).CopyTo(output);
        }
    }

    /// <summary>
    /// Advances <paramref name="state"/> by one step using the inputs already written through
    /// <see cref="RnnState.GetInput(string)"/>; read results through <see cref="RnnState.GetOutput(string)"/>.
    /// For models with several data inputs or outputs, or integer (token id) inputs. Allocates nothing.
    /// </summary>
    public void Step(RnnState state) => StepCore(state, CheckState(state));

    /// <summary>Creates a state from bytes written by <see cref="RnnState.WriteTo(Stream)"/>.</summary>
    /// <exception cref="InvalidDataException">The bytes are truncated, corrupt, or belong to another model.</exception>
    public RnnState ReadState(Stream stream)
    {
        ArgumentNullException.ThrowIfNull(stream);
        using var buffer = new MemoryStream();
        stream.CopyTo(buffer);
        RnnState state = CreateState();
        state.ReadFrom(buffer.GetBuffer().AsSpan(0, (int)buffer.Length));
        return state;
    }

    private static void StepCore(RnnState state, StreamingPlan plan)
    {
        Frame frame = state.Frame;
        plan.Plan.Execute(frame);
        foreach ((PlanValue input, PlanValue output) in plan.Pairs)
        {
            output.Floats(frame).AsSpan(0, output.Length).CopyTo(frame.Floats(input.Slot));
        }

        state.StepCount++;
    }

    private StreamingPlan CheckState(RnnState state)
    {
        ArgumentNullException.ThrowIfNull(state);
        if (!ReferenceEquals(state.Model, this))
        {
            ThrowForeignState();
        }

        return state.Plan;
    }

    [DoesNotReturn]
    private static void ThrowForeignState() => throw new ArgumentException("The state was created by another model.", "state");

    [DoesNotReturn]
    private PlanValue ThrowNotSingleInput() => throw new InvalidOperationException(
        $"Step(state, input, output) needs exactly one float data input; this model takes [{string.Join(", ", Streaming.DataInputs.Select(v => v.Describe()))}]. Use state.GetInput(name) and Step(state).");

    private bool TryGetStreaming(out StreamingPlan? plan, out string? error)
    {
        try
        {
            plan = Streaming;
            error = null;
            return true;
        }
        catch (Exception e) when (e is NotSupportedException or ModelFormatException)
        {
            plan = null;
            error = e.Message;
            return false;
        }
    }

    private ExecutionPlan GetPlan(int[][] shapes)
    {
        string key = string.Join(";", shapes.Select(s => string.Join(",", s)));
        if (_plans.TryGetValue(key, out ExecutionPlan? plan))
        {
            return plan;
        }

        plan = PlanBuilder.Build(_model, _options, shapes, streaming: false);
        if (_plans.Count < MaxCachedPlans)
        {
            _plans.TryAdd(key, plan);
        }

        return plan;
    }

    private static void CheckInput(OnnxValueInfo info, Tensor t, Dictionary<string, int> symbols)
    {
        bool wantFloat = info.ElementType == TensorElementType.Float;
        if (wantFloat != t.IsFloat || t.ElementType == TensorElementType.Float16)
        {
            throw new ArgumentException($"Input '{info.Name}' takes {info.ElementType} elements but got {t.ElementType}.");
        }

        if (info.Shape is null)
        {
            return;
        }

        bool ok = info.Shape.Count == t.Rank;
        for (int d = 0; ok && d < t.Rank; d++)
        {
            OnnxDimension dim = info.Shape[d];
            if (dim.IsKnown)
            {
                ok = dim.Value == t.Shape[d];
            }
            else if (!string.IsNullOrEmpty(dim.Param))
            {
                ok = !symbols.TryGetValue(dim.Param, out int seen) || seen == t.Shape[d];
                symbols[dim.Param] = t.Shape[d];
            }
        }

        if (!ok)
        {
            string declared = "[" + string.Join(", ", info.Shape.Select(d => d.IsKnown ? d.Value.ToString(System.Globalization.CultureInfo.InvariantCulture) : d.Param ?? "?")) + "]";
            throw new ArgumentException($"Input '{info.Name}' has shape {Tensor.FormatShape(t.Shape)}; the model declares {declared}.");
        }
    }
}
