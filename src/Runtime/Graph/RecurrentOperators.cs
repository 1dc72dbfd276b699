using EdgeRnn.Runtime.Kernels;
using EdgeRnn.Runtime.Onnx;

namespace EdgeRnn.Runtime.Graph;

/// <summary>LSTM, GRU and RNN nodes: validation against the ONNX spec, weight packing and kernel creation.</summary>
internal static class RecurrentOperators
{
    private static readonly string[] s_lstmActivations = ["sigmoid", "tanh", "tanh"];
    private static readonly string[] s_gruActivations = ["sigmoid", "tanh"];
    private static readonly string[] s_rnnActivations = ["tanh"];

    /// <summary>Stands in for the float weights of a node that runs int8 kernels (they are never read).</summary>
    private static readonly RecurrentWeights s_int8Placeholder = new() { Input = PackedMatrix.FromRowMajor([], 0, 0), InputBias = [] };

    public static void Lstm(PlanBuilder b, OnnxNode node) => Build(b, node, CellKind.Lstm, 4);

    public static void Gru(PlanBuilder b, OnnxNode node) => Build(b, node, CellKind.Gru, 3);

    public static void Rnn(PlanBuilder b, OnnxNode node) => Build(b, node, CellKind.Rnn, 1);

    /// <summary>Plans a recurrent node; <paramref name="wOverride"/> / <paramref name="rOverride"/> replace inputs 1 and 2 (com.microsoft quantized nodes).</summary>
    internal static void Build(PlanBuilder b, OnnxNode node, CellKind cell, int gates, Tensor? wOverride = null, Tensor? rOverride = null)
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
        PlanValue? initialH = b.OptionalInput(node, 5);
        PlanValue? initialC = cell == CellKind.Lstm ? b.OptionalInput(node, 6) : null;
        Tensor? peep = cell == CellKind.Lstm && b.OptionalInput(node, 7) is not null ? b.ConstantInput(node, 7, "peepholes P") : null;

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
        if (cell == CellKind.Lstm && node.GetInt("input_forget", 0) != 0)
        {
            throw new ModelFormatException($"{node.Describe()} sets input_forget=1 (coupled input and forget gates), which EdgeRnn does not support.");
        }

        float clip = node.HasAttribute("clip") ? node.GetFloat("clip", float.PositiveInfinity) : float.PositiveInfinity;
        if (!(clip > 0))
        {
            throw new ModelFormatException($"{node.Describe()} has clip {clip}; it must be positive.");
        }

        bool lbr = cell == CellKind.Gru && node.GetInt("linear_before_reset", 0) != 0;
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
        Int8RecurrentWeights[]? int8 = Int8RecurrentPacking.TryPack(b, cell, lbr, w, r, bias?.FloatData, peep?.FloatData, dirs, hidden, inputSize, gates);
        if (int8 is null)
        {
            b.Reserve(LoadBudget.Multiply(dirs, PackedWeightBytes(cell, lbr, hidden, inputSize, gates)), $"packed weights ({dirs} x {gates}*{hidden} rows)");
        }

        for (int d = 0; d < dirs; d++)
        {
            reverse[d] = direction == "reverse" || d == 1;
            weights[d] = int8 is not null ? s_int8Placeholder : Pack(cell, lbr, w.FloatData!, r.FloatData!, bias?.FloatData, peep?.FloatData, d, hidden, inputSize, gates);
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
        int cSlot = cell == CellKind.Lstm ? b.NewSlot(true, stateLength, node.Name + ".c") : -1;
        if (carry)
        {
            b.ReserveElements(2L * stateLength, sizeof(float), "initial state copies");
            b.AddStateSlot(hSlot, initialH?.Constant?.FloatData is { } ih ? (float[])ih.Clone() : null);
            if (cSlot >= 0)
            {
                b.AddStateSlot(cSlot, initialC?.Constant?.FloatData is { } ic ? (float[])ic.Clone() : null);
            }
        }

        int scratchLength = RecurrentKernel.ScratchLength(cell, hidden, inputSize);
        if (int8 is not null)
        {
            scratchLength = Math.Max(scratchLength, RecurrentKernel.Int8ScratchLength(hidden, inputSize));
        }

        int scratch = b.NewSlot(true, scratchLength, node.Name + ".scratch");
        int[] yShape = layout == 0 ? [seq, dirs, batch, hidden] : [batch, seq, dirs, hidden];
        PlanValue? y = HasOutput(node, 0) ? b.NewOutput(node, 0, TensorElementType.Float, yShape) : null;
        PlanValue? yh = HasOutput(node, 1) ? b.NewOutput(node, 1, TensorElementType.Float, stateShape) : null;
        PlanValue? yc = cell == CellKind.Lstm && HasOutput(node, 2) ? b.NewOutput(node, 2, TensorElementType.Float, stateShape) : null;

        var kernel = new RecurrentKernel(node.Name, cell, weights, reverse, hidden, inputSize, seq, batch, layout, clip, lbr,
            x, seqLens, initialH, initialC, hSlot, cSlot, scratch, carry, y, yh, yc)
        {
            Int8Weights = int8,
            InputStaticScale = b.StaticScales.GetValueOrDefault(x.Name),
        };
        b.Emit(node, kernel, [], foldable: false);
    }

    /// <summary>The bytes <see cref="Pack"/> allocates for one direction: the matrices, their packed panels and the biases.</summary>
    private static long PackedWeightBytes(CellKind cell, bool lbr, int hidden, int inputSize, int gates)
    {
        int rows = checked(gates * hidden);
        long biases = 4L * rows * sizeof(float);
        if (cell == CellKind.Gru)
        {
            return biases + PlanBuilder.PackedBytes(rows, inputSize) + PlanBuilder.PackedBytes(lbr ? rows : 2 * hidden, hidden)
                + (lbr ? 0 : PlanBuilder.PackedBytes(hidden, hidden));
        }

        int columns = checked(inputSize + hidden);
        return biases + (3L * hidden * sizeof(float)) + ((long)rows * columns * sizeof(float)) + PlanBuilder.PackedBytes(rows, columns);
    }

    private static bool HasOutput(OnnxNode node, int index) => index < node.Outputs.Length && node.Outputs[index].Length > 0;

    private static RecurrentWeights Pack(CellKind cell, bool lbr, float[] w, float[] r, float[]? bias, float[]? peep, int d, int hidden, int inputSize, int gates)
    {
        int rows = gates * hidden;
        ReadOnlySpan<float> wd = w.AsSpan(d * rows * inputSize, rows * inputSize);
        ReadOnlySpan<float> rd = r.AsSpan(d * rows * hidden, rows * hidden);
        ReadOnlySpan<float> wb = bias is null ? new float[rows] : bias.AsSpan(d * 2 * rows, rows);
        ReadOnlySpan<float> rb = bias is null ? new float[rows] : bias.AsSpan((d * 2 * rows) + rows, rows);
        float[]? p = peep?.AsSpan(d * 3 * hidden, 3 * hidden).ToArray();

        if (cell == CellKind.Gru)
        {
            PackedMatrix rPacked = lbr
                ? PackedMatrix.FromRowMajor(rd, rows, hidden)
                : PackedMatrix.FromRowMajor(rd[..(2 * hidden * hidden)], 2 * hidden, hidden);
            return new RecurrentWeights
            {
                Input = PackedMatrix.FromRowMajor(wd, rows, inputSize),
                Recurrent = rPacked,
                RecurrentHidden = lbr ? null : PackedMatrix.FromRowMajor(rd[(2 * hidden * hidden)..], hidden, hidden),
                InputBias = wb.ToArray(),
                RecurrentBias = rb.ToArray(),
            };
        }

        // LSTM and RNN: one matrix [W | R] over the concatenated [x; h], one bias Wb + Rb.
        int cols = inputSize + hidden;
        var combined = new float[rows * cols];
        var combinedBias = new float[rows];
        for (int row = 0; row < rows; row++)
        {
            wd.Slice(row * inputSize, inputSize).CopyTo(combined.AsSpan(row * cols, inputSize));
            rd.Slice(row * hidden, hidden).CopyTo(combined.AsSpan((row * cols) + inputSize, hidden));
            combinedBias[row] = wb[row] + rb[row];
        }

        return new RecurrentWeights { Input = PackedMatrix.FromRowMajor(combined, rows, cols), InputBias = combinedBias, Peepholes = p };
    }

    private static void CheckActivations(OnnxNode node, CellKind cell, int dirs)
    {
        string[]? acts = node.GetStrings("activations");
        if (acts is null)
        {
            return;
        }

        string[] defaults = cell switch { CellKind.Lstm => s_lstmActivations, CellKind.Gru => s_gruActivations, _ => s_rnnActivations };
        bool ok = acts.Length == defaults.Length * dirs;
        for (int i = 0; ok && i < acts.Length; i++)
        {
            ok = string.Equals(acts[i], defaults[i % defaults.Length], StringComparison.OrdinalIgnoreCase);
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
