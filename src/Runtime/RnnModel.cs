using System.Collections.Concurrent;
using System.Diagnostics.CodeAnalysis;
using System.Runtime.InteropServices;
using System.Text;
using EdgeRnn.Runtime.Hashing;
using EdgeRnn.Runtime.Graph;
using EdgeRnn.Runtime.Onnx;

namespace EdgeRnn.Runtime;

/// <summary>
/// A loaded ONNX recurrent model: immutable weights and plans, safe to share across threads. Run whole sequences
/// with <see cref="Run(IReadOnlyDictionary{string, Tensor})"/>, or stream one time step at a time with
/// <see cref="CreateState"/> and <see cref="Step(RnnState, ReadOnlySpan{float}, Span{float})"/>, which allocates
/// nothing and gives the same numbers as the whole-sequence run. Many independent streams of the model step together
/// with <see cref="CreateStreams(int)"/> and <see cref="Step(RnnStreams, ReadOnlySpan{float}, Span{float})"/>, which
/// shares each weight load between the streams and gives each stream the numbers of its own step.
/// </summary>
/// <remarks>
/// The model owns no unmanaged resources; it lives as long as it is referenced. Each <see cref="RnnState"/> belongs
/// to one stream and must not be stepped from two threads at once; the same holds for an <see cref="RnnStreams"/>.
/// </remarks>
public sealed class RnnModel
{
    private const int MaxCachedPlans = 16;
    private const int MaxCachedBindings = 16;
    private readonly OnnxModel _model;
    private readonly ModelLoadOptions _options;
    private readonly byte[] _hash;
    private readonly ConcurrentDictionary<string, ExecutionPlan> _plans = new(StringComparer.Ordinal);
    private readonly Lazy<StreamingPlan> _streaming;
    private readonly ConcurrentDictionary<string, RnnModel> _bindings = new(StringComparer.Ordinal);
    private readonly Lock _constantInputsLock = new();
    private string[] _constantInputs = [];
    private long _firstPlanBytes;
    private long _streamingPlanBytes;

    private RnnModel(OnnxModel model, ModelLoadOptions options, byte[] hash)
    {
        _model = model;
        _options = options;
        _hash = hash;
        _streaming = new Lazy<StreamingPlan>(BuildStreaming, LazyThreadSafetyMode.ExecutionAndPublication);

        // Build a plan for the declared shapes now when they are all static, so graph errors surface at load. A graph
        // that takes its weights as inputs is valid but can only be planned once they are bound.
        if (model.Inputs.All(i => i.Shape is not null && i.Shape.All(d => d.IsKnown)))
        {
            try
            {
                GetPlan([.. model.Inputs.Select(i => i.Shape!.Select(d => (int)d.Value).ToArray())]);
            }
            catch (ModelFormatException e) when (e.ConstantInputs is { } names)
            {
                LearnConstantInputs(names);
            }
        }
    }

    /// <summary>
    /// Graph inputs the planner needs as constants because a node packs them (recurrent weights, a Gemm's B...), as
    /// found so far: ONNX's node tests and IR-3-era exporters give weights as graph inputs. <see cref="Run(Tensor[])"/>
    /// binds them from its inputs (and caches the packed model by their content); <see cref="Step(RnnState, ReadOnlySpan{float}, Span{float})"/>
    /// needs them bound first with <see cref="BindInputs"/>.
    /// </summary>
    public IReadOnlyList<string> ConstantInputs => Volatile.Read(ref _constantInputs);

    /// <summary>How many bindings of <see cref="ConstantInputs"/> (packed models) <see cref="Run(Tensor[])"/> has cached.</summary>
    internal int CachedBindingCount => _bindings.Count;

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

        if (Volatile.Read(ref _constantInputs).Length > 0)
        {
            return RunBound(inputs);
        }

        ExecutionPlan plan;
        try
        {
            plan = GetPlan(shapes);
        }
        catch (ModelFormatException e) when (e.ConstantInputs is { } names)
        {
            LearnConstantInputs(names);
            return RunBound(inputs);
        }

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

    /// <summary>
    /// A model in which the given graph inputs are constants with these values (they leave <see cref="Inputs"/>); its
    /// weights are packed once, so it can stream with <see cref="CreateState"/> and <see cref="Step(RnnState, ReadOnlySpan{float}, Span{float})"/>.
    /// Use it for models that take their weights as graph inputs (see <see cref="ConstantInputs"/>). The new model's
    /// <see cref="Hash"/> covers the file and the bound values, so a saved state cannot be restored with other weights.
    /// </summary>
    /// <exception cref="ArgumentException">A name is not a graph input, or a value has the wrong type or shape.</exception>
    /// <exception cref="ModelFormatException">The graph cannot be planned with these values.</exception>
    public RnnModel BindInputs(IReadOnlyDictionary<string, Tensor> values)
    {
        ArgumentNullException.ThrowIfNull(values);
        if (values.Count == 0)
        {
            throw new ArgumentException("BindInputs needs at least one graph input to bind.", nameof(values));
        }

        var symbols = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach ((string name, Tensor tensor) in values)
        {
            OnnxValueInfo info = Inputs.FirstOrDefault(i => i.Name == name)
                ?? throw new ArgumentException($"The model has no graph input '{name}' to bind; it takes {string.Join(", ", Inputs.Select(v => v.Name))}.", nameof(values));
            CheckInput(info, tensor ?? throw new ArgumentNullException(nameof(values), $"The value bound to '{name}' is null."), symbols);
        }

        byte[] hash = BindingHash(values);
        return new RnnModel(_model.WithInputsBound(values), _options, hash);
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
            catch (ModelFormatException e) when (e.ConstantInputs is { } names)
            {
                throw new NotSupportedException(
                    $"{SourceName} cannot stream until its graph input(s) {string.Join(", ", names.Select(n => $"'{n}'"))} are bound to values with RnnModel.BindInputs: {e.Message}", e);
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

    /// <summary>
    /// Creates <paramref name="count"/> independent streams, each reset to the model's initial state, to advance together
    /// with <see cref="Step(RnnStreams, ReadOnlySpan{float}, Span{float})"/>.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="count"/> is not positive, or so large that one step's scratch would not fit an array.</exception>
    /// <exception cref="NotSupportedException">The model cannot stream (bidirectional or reverse layers, fixed time axis...).</exception>
    public RnnStreams CreateStreams(int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(count);
        StreamingPlan plan = Streaming;
        // The int8 scratch views part of the float workspace as bytes indexed by int: keep its byte length an int too.
        if (plan.Plan.StreamWorkspaceLength(count) > Array.MaxLength / sizeof(float))
        {
            throw new ArgumentOutOfRangeException(nameof(count), count, "Too many streams: one step's scratch would not fit an array.");
        }

        return new RnnStreams(this, plan, count);
    }

    /// <summary>
    /// Advances every stream of <paramref name="streams"/> by one time step in one call. <paramref name="inputs"/> holds
    /// one step input per stream, row-major [Count, input length] (stream s at s * input length), and
    /// <paramref name="outputs"/> receives the first data output of each stream, [Count, output length]. Each stream
    /// ends exactly as one <see cref="Step(RnnState, ReadOnlySpan{float}, Span{float})"/> of its state would leave it,
    /// with bit-identical outputs; each float recurrent layer reads its weights once per tile of up to 6 streams (2 on x64
    /// without AVX-512) instead of once per stream. Allocates nothing.
    /// </summary>
    /// <exception cref="ArgumentException">The streams are another model's, or a span has the wrong length.</exception>
    /// <exception cref="InvalidOperationException">The model does not take exactly one float data input.</exception>
    public void Step(RnnStreams streams, ReadOnlySpan<float> inputs, Span<float> outputs)
    {
        StreamingPlan plan = CheckStreams(streams);
        PlanValue inValue = plan.DataInputs.Length == 1 && plan.DataInputs[0].IsFloat ? plan.DataInputs[0] : ThrowNotSingleInput(forStreams: true);
        int n = streams.Count;
        int inLength = inValue.Length;
        if (inputs.Length != (long)n * inLength)
        {
            ThrowHelpers.ThrowLengthMismatch($"The inputs of {n} streams (step input '{inValue.Name}', [{n}, {inLength}])", (long)n * inLength, inputs.Length);
        }

        PlanValue? outValue = plan.DataOutputs.Length > 0 ? plan.DataOutputs[0] : null;
        int outLength = outValue?.Length ?? 0;
        if (outValue is not null && outputs.Length != (long)n * outLength)
        {
            ThrowHelpers.ThrowLengthMismatch($"The outputs of {n} streams (step output '{outValue.Name}', [{n}, {outLength}])", (long)n * outLength, outputs.Length);
        }

        Frame[] frames = streams.Frames;
        for (int s = 0; s < frames.Length; s++)
        {
            inputs.Slice(s * inLength, inLength).CopyTo(frames[s].Floats(inValue.Slot));
        }

        StepStreamsCore(streams, plan);
        if (outValue is not null)
        {
            for (int s = 0; s < frames.Length; s++)
            {
                outValue.Floats(frames[s]).AsSpan(0, outLength).CopyTo(outputs.Slice(s * outLength, outLength));
            }
        }
    }

    /// <summary>
    /// Advances every stream by one step using the inputs already written through each stream's
    /// <see cref="RnnState.GetInput(string)"/>; read results through <see cref="RnnState.GetOutput(string)"/>. For
    /// models with several data inputs or outputs, or integer inputs. Allocates nothing.
    /// </summary>
    /// <exception cref="ArgumentException">The streams are another model's.</exception>
    public void Step(RnnStreams streams) => StepStreamsCore(streams, CheckStreams(streams));

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

    private static void StepStreamsCore(RnnStreams streams, StreamingPlan plan)
    {
        Frame[] frames = streams.Frames;
        plan.Plan.ExecuteStreams(frames, streams.Workspace);
        for (int s = 0; s < frames.Length; s++)
        {
            Frame frame = frames[s];
            foreach ((PlanValue input, PlanValue output) in plan.Pairs)
            {
                output.Floats(frame).AsSpan(0, output.Length).CopyTo(frame.Floats(input.Slot));
            }

            streams.State(s).StepCount++;
        }
    }

    private StreamingPlan CheckStreams(RnnStreams streams)
    {
        ArgumentNullException.ThrowIfNull(streams);
        if (!ReferenceEquals(streams.Model, this))
        {
            ThrowForeignStreams();
        }

        return streams.Plan;
    }

    [DoesNotReturn]
    private static void ThrowForeignStreams() => throw new ArgumentException("The streams were created by another model.", "streams");

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
    private PlanValue ThrowNotSingleInput(bool forStreams = false)
    {
        string takes = string.Join(", ", Streaming.DataInputs.Select(v => v.Describe()));
        throw new InvalidOperationException(forStreams
            ? $"Step(streams, inputs, outputs) needs exactly one float data input; this model takes [{takes}]. Use streams[i].GetInput(name) for each stream and Step(streams)."
            : $"Step(state, input, output) needs exactly one float data input; this model takes [{takes}]. Use state.GetInput(name) and Step(state).");
    }

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

    /// <summary>Runs on the model bound to the constant inputs' values, discovering further ones the graph needs.</summary>
    private Tensor[] RunBound(Tensor[] inputs)
    {
        // Each pass binds at least one more graph input, so this ends within Inputs.Count passes.
        for (int pass = 0; pass <= Inputs.Count; pass++)
        {
            string[] names = Volatile.Read(ref _constantInputs);
            var bound = new Dictionary<string, Tensor>(StringComparer.Ordinal);
            var rest = new List<Tensor>();
            for (int i = 0; i < Inputs.Count; i++)
            {
                if (Array.IndexOf(names, Inputs[i].Name) >= 0)
                {
                    bound[Inputs[i].Name] = inputs[i];
                }
                else
                {
                    rest.Add(inputs[i]);
                }
            }

            string key = string.Join(";", names.Select(n => Tensor.FormatShape(bound[n].Shape))) + ":" + Convert.ToHexString(BindingHash(bound));
            if (!_bindings.TryGetValue(key, out RnnModel? model))
            {
                model = BindInputs(bound);
                if (model.ConstantInputs.Count > 0)
                {
                    // Planning the bound graph found more weight inputs: bind them all at this level, not nested.
                    LearnConstantInputs([.. model.ConstantInputs]);
                    continue;
                }

                if (_bindings.Count < MaxCachedBindings)
                {
                    _bindings.TryAdd(key, model);
                }
            }

            Tensor[] results = model.Run([.. rest]);
            if (model.ConstantInputs.Count > 0)
            {
                // Found only at run time (symbolic shapes): the results are right; bind them at this level from now on.
                _bindings.TryRemove(key, out _);
                LearnConstantInputs([.. model.ConstantInputs]);
            }

            return results;
        }

        throw new ModelFormatException($"{SourceName}: the graph still needs constant inputs after binding {string.Join(", ", ConstantInputs)}.");
    }

    private void LearnConstantInputs(string[] names)
    {
        lock (_constantInputsLock)
        {
            string[] known = _constantInputs;
            // In graph input order.
            string[] merged = [.. Inputs.Select(i => i.Name).Where(n => known.Contains(n) || names.Contains(n))];
            if (merged.Length == known.Length)
            {
                throw new ModelFormatException($"{SourceName}: graph input(s) {string.Join(", ", names)} are bound but the graph still cannot be planned.");
            }

            Volatile.Write(ref _constantInputs, merged);
        }
    }

    /// <summary>SHA-256 over this model's hash and each bound input's name, type, shape and elements.</summary>
    private byte[] BindingHash(IReadOnlyDictionary<string, Tensor> values)
    {
        using var buffer = new MemoryStream();
        buffer.Write(_hash);
        foreach ((string name, Tensor t) in values.OrderBy(v => v.Key, StringComparer.Ordinal))
        {
            buffer.Write(Encoding.UTF8.GetBytes($"{name}\0{t.ElementType}{Tensor.FormatShape(t.Shape)}\0"));
            buffer.Write(t.IsFloat ? MemoryMarshal.AsBytes(t.FloatData.AsSpan()) : MemoryMarshal.AsBytes(t.Int64Data.AsSpan()));
        }

        return Sha256.HashData(buffer.GetBuffer().AsSpan(0, (int)buffer.Length));
    }

    /// <summary>
    /// The streaming plan, within the load budget left by the model and the first whole-sequence plan (which the model
    /// keeps): a model whose folded constants fit once but not twice is refused rather than taking twice the budget.
    /// </summary>
    private StreamingPlan BuildStreaming()
    {
        StreamingPlan plan = StreamingPlan.Build(_model, _options, Volatile.Read(ref _firstPlanBytes));
        Volatile.Write(ref _streamingPlanBytes, plan.Plan.PlannedBytes);
        return plan;
    }

    /// <summary>
    /// A whole-sequence plan for these shapes, cached. The budget counts the model, the streaming plan once built, and
    /// the first whole-sequence plan; further shapes (the desktop's <see cref="Run(Tensor[])"/> over other lengths) are
    /// each planned within what those leave, and at most <see cref="MaxCachedPlans"/> are kept.
    /// </summary>
    private ExecutionPlan GetPlan(int[][] shapes)
    {
        string key = string.Join(";", shapes.Select(s => string.Join(",", s)));
        if (_plans.TryGetValue(key, out ExecutionPlan? plan))
        {
            return plan;
        }

        plan = PlanBuilder.Build(_model, _options, shapes, streaming: false,
            LoadBudget.Add(Volatile.Read(ref _firstPlanBytes), Volatile.Read(ref _streamingPlanBytes)));
        Interlocked.CompareExchange(ref _firstPlanBytes, plan.PlannedBytes, 0);
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
