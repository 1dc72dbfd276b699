using EdgeRnn.Runtime.Kernels;
using EdgeRnn.Runtime.Onnx;

namespace EdgeRnn.Runtime.Graph;

/// <summary>
/// Turns a validated ONNX graph into an <see cref="ExecutionPlan"/> for concrete input shapes: every value gets a
/// concrete shape, everything computable from initializers and shapes is folded into constants, and what is left
/// becomes a flat list of kernels over preallocated slots. Everything it allocates (slots, folded constants, index
/// maps, packed weights) is charged to a <see cref="LoadBudget"/> of <see cref="ModelLoadOptions.MaxLoadBytes"/>
/// before it is allocated, and every size computed from the file is checked for overflow.
/// </summary>
internal sealed class PlanBuilder
{
    /// <summary>What planning a node costs besides its slots, constants, maps and weights: kernel, values, names.</summary>
    private const int PlannedNodeBytes = 1024;

    /// <summary>
    /// The most multiply-adds folding one node may take at load (a fraction of a second; a constant product of that size
    /// is no part of an edge model). The budget bounds every other fold's work by its output size, but a product's work
    /// grows with its inner dimension too.
    /// </summary>
    internal const long MaxFoldMultiplyAdds = 1L << 27;

    private readonly OnnxModel _model;
    private readonly ModelLoadOptions _options;
    private readonly Dictionary<string, PlanValue> _values = new(StringComparer.Ordinal);
    private readonly List<SlotInfo> _slots = [];
    private readonly List<Kernel> _kernels = [];
    private readonly List<StateSlot> _stateSlots = [];
    private readonly LoadBudget _budget;
    private readonly long _startBytes;
    private int _nodeSlotMark;
    private Frame? _foldFrame;

    private PlanBuilder(OnnxModel model, ModelLoadOptions options, bool streaming, long retainedBytes)
    {
        _model = model;
        _options = options;
        Streaming = streaming;

        // One budget covers loading and every plan the model keeps: a plan gets what reading the model and the plans
        // already kept left of it.
        _budget = new LoadBudget(options.MaxLoadBytes, model.SourceName, LoadBudget.Add(model.LoadedBytes, retainedBytes));
        _startBytes = _budget.Used;
    }

    /// <summary>True when the plan runs one time step at a time and recurrent nodes carry their state.</summary>
    public bool Streaming { get; }

    /// <summary>The model's ai.onnx opset.</summary>
    public int Opset => _model.OnnxOpset;

    /// <summary>Float constants that came from int8 data, by reference: integer kernels use the int8 values.</summary>
    public Dictionary<Tensor, QuantizedTensor> Quantized { get; } = new(ReferenceEqualityComparer.Instance);

    /// <summary>
    /// Static activation scales: a value computed as DequantizeLinear(QuantizeLinear(x, s), s) with one int8 scale s and
    /// zero point 0 is already on the int8 grid of s, so integer kernels that read it quantize with s instead of
    /// measuring its range each step (the static mode of the qdq format).
    /// </summary>
    public Dictionary<string, float> StaticScales { get; } = new(StringComparer.Ordinal);

    /// <summary>The current node, for error messages.</summary>
    public OnnxNode? CurrentNode { get; private set; }

    /// <summary>Plans <paramref name="model"/> for <paramref name="inputShapes"/>, one time step at a time when <paramref name="streaming"/>.</summary>
    /// <param name="model">The model read.</param>
    /// <param name="options">Its limits.</param>
    /// <param name="inputShapes">One concrete shape per graph input.</param>
    /// <param name="streaming">Plan one time step, recurrent nodes carrying their state.</param>
    /// <param name="retainedBytes">What the plans the model already keeps hold (<see cref="ExecutionPlan.PlannedBytes"/>), charged first.</param>
    public static ExecutionPlan Build(OnnxModel model, ModelLoadOptions options, IReadOnlyList<int[]> inputShapes, bool streaming, long retainedBytes = 0)
    {
        var b = new PlanBuilder(model, options, streaming, retainedBytes);
        try
        {
            return b.BuildCore(inputShapes);
        }
        catch (ModelFormatException e) when (e.ConstantInputs is null && !e.Message.StartsWith(model.SourceName + ":", StringComparison.Ordinal))
        {
            // Every error of a load names the file, as the reader's do.
            throw new ModelFormatException($"{model.SourceName}: {e.Message}", e);
        }
        catch (Exception e) when (e is ArgumentException or IndexOutOfRangeException or InvalidOperationException or OverflowException or InvalidCastException)
        {
            // A graph that passes validation but whose values do not fit together (shapes, axes, indices) must still end
            // in the one exception type callers handle for bad models.
            string reason = e is OverflowException
                ? "a size computed from its shapes overflows 32-bit arithmetic (" + e.Message + ")"
                : e.Message;
            throw new ModelFormatException($"{model.SourceName}: {b.CurrentNode?.Describe() ?? "the graph"} cannot be planned: {reason}", e);
        }
    }

    private ExecutionPlan BuildCore(IReadOnlyList<int[]> inputShapes)
    {
        foreach (KeyValuePair<string, Tensor> init in _model.Initializers)
        {
            _values[init.Key] = PlanValue.FromConstant(init.Key, init.Value);
        }

        var inputs = new PlanValue[_model.Inputs.Count];
        for (int i = 0; i < inputs.Length; i++)
        {
            OnnxValueInfo info = _model.Inputs[i];
            TensorElementType type = info.ElementType;
            if (type is not (TensorElementType.Float or TensorElementType.Int64 or TensorElementType.Int32 or TensorElementType.Bool))
            {
                throw new ModelFormatException($"Graph input '{DisplayText.Sanitize(info.Name)}' has element type {type}; EdgeRnn takes Float, Int64, Int32 or Bool inputs.");
            }

            int slot = NewSlot(type == TensorElementType.Float, CheckedCount(inputShapes[i], $"graph input '{DisplayText.Sanitize(info.Name)}'"), info.Name);
            inputs[i] = PlanValue.FromSlot(info.Name, type, inputShapes[i], slot);
            _values[info.Name] = inputs[i];
        }

        foreach (OnnxNode node in _model.Nodes)
        {
            CurrentNode = node;
            _nodeSlotMark = _slots.Count;
            Reserve(PlannedNodeBytes, "plan entry"); // the kernel, values and names every node adds
            if (node.Domain is not ("" or "ai.onnx"))
            {
                if (QuantizedOperators.TryGetMicrosoft(node.Domain, node.OpType, out Action<PlanBuilder, OnnxNode>? microsoft))
                {
                    microsoft(this, node);
                    continue;
                }

                throw new ModelFormatException($"{node.Describe()} is in operator domain '{node.Domain}'; EdgeRnn runs the standard ai.onnx domain (and com.microsoft DynamicQuantizeLSTM / DynamicQuantizeMatMul). Supported operators: {Operators.SupportedList}.");
            }

            if (!Operators.TryGet(node.OpType, out Action<PlanBuilder, OnnxNode>? build))
            {
                throw new ModelFormatException($"{node.Describe()} uses operator '{node.OpType}', which EdgeRnn does not support. Supported operators: {Operators.SupportedList}.");
            }

            build(this, node);
        }

        CurrentNode = null;
        var outputs = new PlanValue[_model.Outputs.Count];
        for (int i = 0; i < outputs.Length; i++)
        {
            string name = _model.Outputs[i].Name;
            outputs[i] = _values.TryGetValue(name, out PlanValue? v)
                ? v
                : throw new ModelFormatException($"Graph output '{DisplayText.Sanitize(name)}' is not produced by any node.");
            if (v.ElementType == TensorElementType.Float16)
            {
                // A FLOAT16 initializer or constant named as an output would bypass the Cast-only rule of OptionalInput.
                throw new ModelFormatException($"Graph output '{DisplayText.Sanitize(name)}' is a FLOAT16 tensor; EdgeRnn reads FLOAT16 tensors only through a Cast to FLOAT.");
            }
        }

        return new ExecutionPlan([.. _slots], [.. _kernels], inputs, outputs, [.. _stateSlots]) { PlannedBytes = _budget.Used - _startBytes };
    }

    /// <summary>The value a node reads at input <paramref name="index"/>; throws if it is missing.</summary>
    public PlanValue Input(OnnxNode node, int index)
    {
        return OptionalInput(node, index)
            ?? throw new ModelFormatException($"{node.Describe()} needs input #{index}, which is missing.");
    }

    /// <summary>The value at input <paramref name="index"/>, or null when the node omits it.</summary>
    public PlanValue? OptionalInput(OnnxNode node, int index)
    {
        if (index >= node.Inputs.Length || node.Inputs[index].Length == 0)
        {
            return null;
        }

        string name = node.Inputs[index];
        if (!_values.TryGetValue(name, out PlanValue? v))
        {
            throw new ModelFormatException($"{node.Describe()} reads '{DisplayText.Sanitize(name)}', which no earlier node, initializer or graph input defines.");
        }

        // Float16 constants are storage (int8 models keep scales and biases in it): widened by a Cast, never computed on.
        if (v.ElementType == TensorElementType.Float16 && node.OpType != "Cast")
        {
            throw new ModelFormatException($"{node.Describe()} reads FLOAT16 '{DisplayText.Sanitize(name)}' directly; EdgeRnn reads FLOAT16 tensors only through a Cast to FLOAT.");
        }

        return v;
    }

    /// <summary>The constant at input <paramref name="index"/>; a clear error if it is computed at run time.</summary>
    public Tensor ConstantInput(OnnxNode node, int index, string role)
    {
        PlanValue v = Input(node, index);
        if (v.Constant is { } constant)
        {
            return constant;
        }

        string[] sources = GraphInputsBehind(v.Name);
        if (sources.Length == 0)
        {
            throw new ModelFormatException(
                $"{node.Describe()} takes its {role} from '{v.Name}', which depends on run-time data; EdgeRnn needs it to be known when the model loads (an initializer or something computed from shapes).");
        }

        throw new ModelFormatException(
            $"{node.Describe()} takes its {role} from '{v.Name}', which comes from graph input(s) {string.Join(", ", sources.Select(s => $"'{s}'"))}; EdgeRnn packs {role} when the model is planned, so those inputs must be bound to values first: Run binds them from its inputs, and RnnModel.BindInputs binds them once for Step.",
            sources);
    }

    /// <summary>The graph inputs (not initializers) that a value is computed from, walking producers backwards.</summary>
    private string[] GraphInputsBehind(string value)
    {
        var producers = new Dictionary<string, OnnxNode>(StringComparer.Ordinal);
        foreach (OnnxNode n in _model.Nodes)
        {
            foreach (string o in n.Outputs)
            {
                if (o.Length > 0)
                {
                    producers.TryAdd(o, n);
                }
            }
        }

        var graphInputs = new HashSet<string>(_model.Inputs.Select(i => i.Name), StringComparer.Ordinal);
        var found = new SortedSet<string>(StringComparer.Ordinal);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var pending = new Stack<string>();
        pending.Push(value);
        while (pending.Count > 0)
        {
            string name = pending.Pop();
            if (name.Length == 0 || !seen.Add(name))
            {
                continue;
            }

            if (graphInputs.Contains(name))
            {
                found.Add(name);
            }
            else if (producers.TryGetValue(name, out OnnxNode? producer))
            {
                foreach (string i in producer.Inputs)
                {
                    pending.Push(i);
                }
            }
        }

        return [.. found];
    }

    /// <summary>Integer values of a constant input (shape, axes, indices...).</summary>
    public long[] ConstantInts(OnnxNode node, int index, string role)
    {
        Tensor t = ConstantInput(node, index, role);
        return t.Int64Data ?? throw new ModelFormatException($"{node.Describe()} expects integer {role} but '{node.Inputs[index]}' is {t.ElementType}.");
    }

    /// <summary>True when every present input of the node is a folded constant.</summary>
    public bool AllInputsConstant(OnnxNode node)
    {
        for (int i = 0; i < node.Inputs.Length; i++)
        {
            PlanValue? v = OptionalInput(node, i);
            if (v is not null && !v.IsConstant)
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Allocates a slot: a buffer of <paramref name="length"/> elements in every frame of the plan (charged now).</summary>
    public int NewSlot(bool isFloat, int length, string name)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        long bytes = (long)length * (isFloat ? sizeof(float) : sizeof(long));
        if (!_budget.TryCharge(bytes))
        {
            string owner = CurrentNode is null ? "graph input" : CurrentNode.Describe() + " buffer";
            throw _budget.Exceeded(bytes, $"{owner} '{DisplayText.Sanitize(name)}' ({length} {(isFloat ? "float" : "integer")} elements)");
        }

        _slots.Add(new SlotInfo(isFloat, length, name));
        return _slots.Count - 1;
    }

    /// <summary>
    /// Charges <paramref name="bytes"/> the current node is about to allocate (an index map, packed weights, a folded
    /// constant) to the load budget; <paramref name="what"/> completes "node '...' (Op, #i) ..." in the error.
    /// </summary>
    public void Reserve(long bytes, string what)
    {
        if (!_budget.TryCharge(bytes))
        {
            throw _budget.Exceeded(bytes, $"{CurrentNode?.Describe() ?? "the graph"} {what}");
        }
    }

    /// <summary>Charges <paramref name="count"/> elements of <paramref name="elementBytes"/> bytes (see <see cref="Reserve"/>).</summary>
    public void ReserveElements(long count, int elementBytes, string what) => Reserve(LoadBudget.Multiply(count, elementBytes), what);

    /// <summary>Charges an index map of <paramref name="count"/> entries (one int each).</summary>
    public void ReserveMap(long count) => ReserveElements(count, sizeof(int), $"index map ({count} entries)");

    /// <summary>The bytes a <see cref="PackedMatrix"/> of <paramref name="rows"/> x <paramref name="columns"/> floats takes (rows padded to panels).</summary>
    public static long PackedBytes(int rows, int columns) =>
        LoadBudget.Add(LoadBudget.Multiply(LoadBudget.Multiply(((long)rows + PackedMatrix.PanelWidth - 1) / PackedMatrix.PanelWidth * PackedMatrix.PanelWidth, columns), sizeof(float)), 128);

    /// <summary>The bytes an <see cref="Int8Matrix"/> of <paramref name="rows"/> x <paramref name="columns"/> takes (padded blocks, row scales and sums).</summary>
    public static long Int8PackedBytes(int rows, int columns)
    {
        long paddedRows = ((long)rows + Int8Matrix.BlockRows - 1) / Int8Matrix.BlockRows * Int8Matrix.BlockRows;
        long paddedColumns = ((long)columns + 3) / 4 * 4;
        return LoadBudget.Add(LoadBudget.Multiply(paddedRows, paddedColumns + 8), 128);
    }

    /// <summary>Creates the run-time value for output <paramref name="index"/> of a node in a new slot.</summary>
    public PlanValue NewOutput(OnnxNode node, int index, TensorElementType type, int[] shape)
    {
        string name = index < node.Outputs.Length ? node.Outputs[index] : "";
        int count = CheckedCount(shape, node, name);
        bool isFloat = type == TensorElementType.Float;
        var value = PlanValue.FromSlot(name, type, shape, NewSlot(isFloat, count, name));
        if (name.Length > 0)
        {
            _values[name] = value;
        }

        return value;
    }

    /// <summary>Defines output <paramref name="index"/> of a node as an existing value (an alias or a constant).</summary>
    public void Define(OnnxNode node, int index, PlanValue value)
    {
        if (index < node.Outputs.Length && node.Outputs[index].Length > 0)
        {
            _values[node.Outputs[index]] = value;
        }
    }

    /// <summary>Defines output <paramref name="index"/> as a constant (which the caller has charged before making it).</summary>
    public void DefineConstant(OnnxNode node, int index, Tensor tensor)
    {
        string name = index < node.Outputs.Length ? node.Outputs[index] : "";
        CheckedCount(tensor.GetShape(), node, name.Length > 0 ? name : null);
        Define(node, index, PlanValue.FromConstant(name, tensor));
    }

    /// <summary>Defines output <paramref name="index"/> as the same elements as <paramref name="source"/> in another shape.</summary>
    public void DefineAlias(OnnxNode node, int index, PlanValue source, int[] shape, TensorElementType? type = null)
    {
        if (Tensor.ElementCount(shape) != source.Length)
        {
            throw new ModelFormatException($"{node.Describe()} cannot view {source.Describe()} as shape {Tensor.FormatShape(shape)}: the element counts differ.");
        }

        string name = index < node.Outputs.Length ? node.Outputs[index] : "";
        TensorElementType t = type ?? source.ElementType;
        if (source.Constant is { } c)
        {
            Tensor reshaped = c.IsFloat ? Tensor.FromFloat(c.FloatData, shape) : Tensor.FromInt64(t, c.Int64Data, shape);
            Define(node, index, PlanValue.FromConstant(name, reshaped));
        }
        else
        {
            Define(node, index, PlanValue.FromSlot(name, t, shape, source.Slot));
        }
    }

    /// <summary>
    /// Adds a kernel for the current node. When every input of the node is constant and the kernel may be folded,
    /// it runs once now and its outputs become constants instead.
    /// </summary>
    public void Emit(OnnxNode node, Kernel kernel, IReadOnlyList<PlanValue> outputs, bool foldable = true)
    {
        if (foldable && AllInputsConstant(node))
        {
            if (kernel.MultiplyAdds > MaxFoldMultiplyAdds)
            {
                throw new ModelFormatException(
                    $"{_model.SourceName}: {node.Describe()} computes a constant, but folding it at load would take {kernel.MultiplyAdds} multiply-adds; the limit is {MaxFoldMultiplyAdds}.");
            }

            // One folding frame serves every node (a frame per fold would cost O(slots) each, O(nodes^2) in all); its
            // slots were charged when they were made, and an output's buffer becomes the constant without a copy.
            if (_foldFrame is null || _foldFrame.Capacity < _slots.Count)
            {
                _foldFrame = new Frame(_slots, Math.Max(64, 2 * _slots.Count));
            }

            Frame frame = _foldFrame;
            kernel.Execute(frame);
            for (int i = 0; i < outputs.Count; i++)
            {
                PlanValue o = outputs[i];
                bool own = o.Slot >= _nodeSlotMark;
                if (!own)
                {
                    ReserveElements(o.Length, o.IsFloat ? sizeof(float) : sizeof(long), $"folded output '{DisplayText.Sanitize(o.Name)}'");
                }

                Tensor t = o.IsFloat
                    ? Tensor.FromFloat(own ? frame.Floats(o.Slot) : (float[])frame.Floats(o.Slot).Clone(), o.Shape)
                    : Tensor.FromInt64(o.ElementType, own ? frame.Longs(o.Slot) : (long[])frame.Longs(o.Slot).Clone(), o.Shape);
                if (o.Name.Length > 0)
                {
                    _values[o.Name] = PlanValue.FromConstant(o.Name, t);
                }
            }

            // The slots this node made are no longer needed: keep their numbers, drop their storage.
            frame.Release(_nodeSlotMark, _slots.Count);
            for (int s = _nodeSlotMark; s < _slots.Count; s++)
            {
                _slots[s] = _slots[s] with { Length = 0 };
            }

            return;
        }

        _kernels.Add(kernel);
    }

    /// <summary>Registers a slot that carries per-stream state (a recurrent layer's h or c) in a streaming plan.</summary>
    public void AddStateSlot(int slot, float[]? initial) => _stateSlots.Add(new StateSlot(slot, initial));

    /// <summary>The element count of a shape, refused beyond ModelLoadOptions.MaxTensorElements (and what an array can hold).</summary>
    public int CheckedCount(int[] shape, string what) => CheckedCount(shape, what, null, null);

    /// <summary>The element count of a value <paramref name="node"/> makes (its output <paramref name="output"/>, when named).</summary>
    public int CheckedCount(int[] shape, OnnxNode node, string? output = null) => CheckedCount(shape, null, node, output);

    /// <summary>The count, or an error naming <paramref name="what"/> or the node (built only when it is thrown).</summary>
    private int CheckedCount(int[] shape, string? what, OnnxNode? node, string? output)
    {
        long limit = Math.Min(_options.MaxTensorElements, Array.MaxLength);
        long count = 1;
        foreach (int d in shape)
        {
            // A running product past the limit is refused even if a later dimension is 0: such shapes are not sizes.
            count = d < 0 ? -1 : LoadBudget.Multiply(count, d);
            if (count < 0 || count > limit)
            {
                what ??= output is null ? node!.Describe() : $"{node!.Describe()} output '{DisplayText.Sanitize(output)}'";
                throw new ModelFormatException(count < 0
                    ? $"{what} would have a negative dimension in shape [{string.Join(", ", shape)}]."
                    : $"{what} would hold more than {limit} elements (shape [{string.Join(", ", shape)}]); the limit is {(limit == _options.MaxTensorElements ? "ModelLoadOptions.MaxTensorElements" : "Array.MaxLength")}.");
            }
        }

        return (int)count;
    }
}

/// <summary>A slot that carries state between streaming steps, with its value after a reset (null: zeros).</summary>
internal readonly record struct StateSlot(int Slot, float[]? Initial);
