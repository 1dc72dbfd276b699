using EdgeRnn.Runtime.Kernels;
using EdgeRnn.Runtime.Onnx;

namespace EdgeRnn.Runtime.Graph;

/// <summary>
/// Recurrent nodes (every <see cref="RecurrentCell"/>): validation against the ONNX spec and kernel creation. What differs
/// between cells (gates, state, attributes, packing, the step) the node's cell answers.
/// </summary>
internal static class RecurrentOperators
{
    // ONNX input and output positions shared by LSTM, GRU and RNN (and com.microsoft DynamicQuantizeLSTM).
    internal const int InitialHInput = 5;
    internal const int InitialCInput = 6;
    internal const int PeepholeInput = 7;
    internal const int YhOutput = 1;
    internal const int YcOutput = 2;

    /// <summary>Stands in for the float weights of a node that runs int8 kernels (they are never read).</summary>
    private static readonly RecurrentWeights s_int8Placeholder = new() { Input = PackedMatrix.FromRowMajor([], 0, 0), InputBias = [] };

    /// <summary>The plan builder of a cell's ONNX operator.</summary>
    public static Action<PlanBuilder, OnnxNode> Builder(RecurrentCell cell) => (b, node) => Build(b, node, cell);

    /// <summary>Plans a recurrent node; <paramref name="wOverride"/> / <paramref name="rOverride"/> replace inputs 1 and 2 (com.microsoft quantized nodes).</summary>
    internal static void Build(PlanBuilder b, OnnxNode node, RecurrentCell cell, Tensor? wOverride = null, Tensor? rOverride = null)
    {
        PlanValue x = b.Input(node, 0);
        if (!x.IsFloat || x.Shape.Length != 3)
        {
            throw new ModelFormatException($"{node.Describe()} needs a 3-D float input X; got {x.Describe()}.");
        }

        Tensor w = wOverride ?? b.ConstantInput(node, 1, "weights W");
        Tensor r = rOverride ?? b.ConstantInput(node, 2, "recurrence weights R");
        Tensor? bias = b.OptionalInput(node, 3) is null ? null : b.ConstantInput(node, 3, "bias B");
        PlanValue? seqLens = b.OptionalInput(node, 4);
        PlanValue? initialH = b.OptionalInput(node, InitialHInput);
        PlanValue? initialC = cell.HasCellState ? b.OptionalInput(node, InitialCInput) : null;
        Tensor? peep = cell.HasPeepholes && b.OptionalInput(node, PeepholeInput) is not null ? b.ConstantInput(node, PeepholeInput, "peepholes P") : null;
        int gates = cell.Gates;

        string direction = node.GetString("direction", "forward");
        int dirs = direction switch
        {
            "forward" or "reverse" => 1,
            "bidirectional" => 2,
            _ => throw new ModelFormatException($"{node.Describe()} has direction '{DisplayText.Sanitize(direction)}'; expected forward, reverse or bidirectional."),
        };
        int layout = (int)node.GetInt("layout", 0);
        if (layout is not (0 or 1))
        {
            throw new ModelFormatException($"{node.Describe()} has layout {layout}; expected 0 or 1.");
        }

        CheckActivations(node, cell, dirs);
        RecurrentCellAttributes attributes = cell.ReadAttributes(node);

        float clip = node.HasAttribute("clip") ? node.GetFloat("clip", float.PositiveInfinity) : float.PositiveInfinity;
        if (!(clip > 0))
        {
            throw new ModelFormatException($"{node.Describe()} has clip {clip}; it must be positive.");
        }

        int seq = layout == 0 ? x.Shape[0] : x.Shape[1];
        int batch = layout == 0 ? x.Shape[1] : x.Shape[0];
        int inputSize = x.Shape[2];

        if (w.Rank != 3 || w.Shape[0] != dirs || w.Shape[1] % gates != 0 || w.Shape[2] != inputSize || !w.IsFloat)
        {
            throw new ModelFormatException($"{node.Describe()} has W {w} ; expected Float[{dirs}, {gates}*hidden, {inputSize}] for direction '{direction}' and input size {inputSize}.");
        }

        int hidden = w.Shape[1] / gates;
        long hiddenAttr = node.GetInt("hidden_size", hidden);
        if (hiddenAttr != hidden)
        {
            throw new ModelFormatException($"{node.Describe()} has hidden_size {hiddenAttr} but W implies {hidden}.");
        }

        ExpectShape(node, "R", r, [dirs, gates * hidden, hidden]);
        if (bias is not null)
        {
            ExpectShape(node, "B", bias, [dirs, checked(2 * gates * hidden)]);
        }

        if (peep is not null)
        {
            ExpectShape(node, "P", peep, [dirs, checked(3 * hidden)]);
        }

        int[] stateShape = layout == 0 ? [dirs, batch, hidden] : [batch, dirs, hidden];
        CheckState(node, "initial_h", initialH, stateShape);
        CheckState(node, "initial_c", initialC, stateShape);
        if (seqLens is not null && (seqLens.IsFloat || seqLens.Length != batch))
        {
            throw new ModelFormatException($"{node.Describe()} has sequence_lens {seqLens.Describe()}; expected Int32[{batch}].");
        }

        if (seqLens?.Constant is { } lengths)
        {
            // Known now: refuse a bad length at load, not in the first step. The kernel checks run-time lengths itself.
            long[] values = lengths.Int64Data!;
            for (int i = 0; i < values.Length; i++)
            {
                if (values[i] < 0 || values[i] > seq)
                {
                    throw new ModelFormatException(
                        $"{node.Describe()} has sequence_lens '{DisplayText.Sanitize(seqLens.Name)}'[{i}] = {values[i]}; each length must be between 0 and {seq}, the number of time steps in X {x.Describe()}.");
                }
            }
        }

        var weights = new RecurrentWeights[dirs];
        var reverse = new bool[dirs];
        Int8RecurrentWeights[]? int8 = Int8RecurrentPacking.TryPack(b, cell, attributes, w, r, bias?.FloatData, peep?.FloatData, dirs, hidden, inputSize);
        if (int8 is null)
        {
            b.Reserve(LoadBudget.Multiply(dirs, cell.PackedWeightBytes(attributes, hidden, inputSize)), $"packed weights ({dirs} x {gates}*{hidden} rows)");
        }

        for (int d = 0; d < dirs; d++)
        {
            reverse[d] = direction == "reverse" || d == 1;
            weights[d] = int8 is not null ? s_int8Placeholder : Pack(cell, attributes, w.FloatData!, r.FloatData!, bias?.FloatData, peep?.FloatData, d, hidden, inputSize);
        }

        bool carry = false;
        if (b.Streaming)
        {
            if (dirs == 2 || direction == "reverse")
            {
                throw new NotSupportedException($"{node.Describe()} runs {direction}: it needs the whole sequence before its first output, so the model cannot stream step by step. Use whole-sequence Run, or export a forward-only model for streaming.");
            }

            if (seq != 1)
            {
                throw new NotSupportedException($"{node.Describe()} sees {seq} time steps per call: its time axis is fixed in the graph, so the model cannot stream one step at a time. Export it with a dynamic (or 1) time axis.");
            }

            carry = (initialH is null || initialH.IsConstant) && (initialC is null || initialC.IsConstant);
        }

        int stateLength = checked(dirs * batch * hidden);
        int hSlot = b.NewSlot(true, stateLength, node.Name + ".h");
        int cSlot = cell.HasCellState ? b.NewSlot(true, stateLength, node.Name + ".c") : -1;
        if (carry)
        {
            b.ReserveElements(2L * stateLength, sizeof(float), "initial state copies");
            b.AddStateSlot(hSlot, initialH?.Constant?.FloatData is { } ih ? (float[])ih.Clone() : null);
            if (cSlot >= 0)
            {
                b.AddStateSlot(cSlot, initialC?.Constant?.FloatData is { } ic ? (float[])ic.Clone() : null);
            }
        }

        int scratchLength = cell.ScratchLength(hidden, inputSize);
        if (int8 is not null)
        {
            scratchLength = Math.Max(scratchLength, RecurrentKernel.Int8ScratchLength(hidden, inputSize));
        }

        int scratch = b.NewSlot(true, scratchLength, node.Name + ".scratch");
        int[] yShape = layout == 0 ? [seq, dirs, batch, hidden] : [batch, seq, dirs, hidden];
        PlanValue? y = HasOutput(node, 0) ? b.NewOutput(node, 0, TensorElementType.Float, yShape) : null;
        PlanValue? yh = HasOutput(node, YhOutput) ? b.NewOutput(node, YhOutput, TensorElementType.Float, stateShape) : null;
        PlanValue? yc = cell.HasCellState && HasOutput(node, YcOutput) ? b.NewOutput(node, YcOutput, TensorElementType.Float, stateShape) : null;

        RecurrentKernel kernel = cell.CreateKernel(new RecurrentNodePlan
        {
            NodeName = node.Name,
            Cell = cell,
            Attributes = attributes,
            Weights = weights,
            Int8Weights = int8,
            Reverse = reverse,
            Hidden = hidden,
            InputSize = inputSize,
            Seq = seq,
            Batch = batch,
            Layout = layout,
            Clip = clip,
            InputStaticScale = b.StaticScales.GetValueOrDefault(x.Name),
            X = x,
            SequenceLens = seqLens,
            InitialH = initialH,
            InitialC = initialC,
            HSlot = hSlot,
            CSlot = cSlot,
            ScratchSlot = scratch,
            Carry = carry,
            Y = y,
            Yh = yh,
            Yc = yc,
        });
        b.Emit(node, kernel, [], foldable: false);
    }

    private static bool HasOutput(OnnxNode node, int index) => index < node.Outputs.Length && node.Outputs[index].Length > 0;

    /// <summary>Slices direction <paramref name="d"/> out of the node's W, R, B and P and lets the cell pack it.</summary>
    private static RecurrentWeights Pack(RecurrentCell cell, RecurrentCellAttributes attributes, float[] w, float[] r, float[]? bias, float[]? peep, int d,
        int hidden, int inputSize)
    {
        int rows = cell.Gates * hidden;
        return cell.Pack(attributes, new RecurrentDirectionWeights<float>
        {
            W = w.AsSpan(d * rows * inputSize, rows * inputSize),
            R = r.AsSpan(d * rows * hidden, rows * hidden),
            InputBias = bias is null ? new float[rows] : bias.AsSpan(d * 2 * rows, rows),
            RecurrentBias = bias is null ? new float[rows] : bias.AsSpan((d * 2 * rows) + rows, rows),
            Peepholes = peep is null ? default : peep.AsSpan(d * 3 * hidden, 3 * hidden),
        }, hidden, inputSize);
    }

    private static void CheckActivations(OnnxNode node, RecurrentCell cell, int dirs)
    {
        string[]? acts = node.GetStrings("activations");
        if (acts is null)
        {
            return;
        }

        IReadOnlyList<string> defaults = cell.DefaultActivations;
        bool ok = acts.Length == defaults.Count * dirs;
        for (int i = 0; ok && i < acts.Length; i++)
        {
            ok = string.Equals(acts[i], defaults[i % defaults.Count], StringComparison.OrdinalIgnoreCase);
        }

        if (!ok)
        {
            throw new ModelFormatException($"{node.Describe()} uses activations [{DisplayText.Sanitize(string.Join(", ", acts), 1024)}]; EdgeRnn supports only the default activations ({string.Join(", ", defaults)} per direction).");
        }
    }

    private static void ExpectShape(OnnxNode node, string what, Tensor t, int[] shape)
    {
        if (!t.IsFloat || !t.Shape.SequenceEqual(shape))
        {
            throw new ModelFormatException($"{node.Describe()} has {what} {t}; expected Float{Tensor.FormatShape(shape)}.");
        }
    }

    private static void CheckState(OnnxNode node, string what, PlanValue? v, int[] shape)
    {
        if (v is not null && (!v.IsFloat || !v.Shape.AsSpan().SequenceEqual(shape)))
        {
            throw new ModelFormatException($"{node.Describe()} has {what} {v.Describe()}; expected Float{Tensor.FormatShape(shape)}.");
        }
    }
}
