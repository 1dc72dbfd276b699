using EdgeRnn.Runtime.Onnx;

namespace EdgeRnn.Runtime.Graph;

/// <summary>
/// A plan for one time step of batch 1, plus how state flows between steps: recurrent nodes with constant initial
/// state carry h / c in their own slots, and graph inputs that take state (h0, c0) are fed from the outputs that
/// return it (hn, cn).
/// </summary>
internal sealed class StreamingPlan
{
    /// <summary>The metadata key that names state pairs explicitly: <c>h0:hn,c0:cn</c>.</summary>
    public const string StatePairsKey = "edgernn.state_pairs";

    /// <summary>
    /// The most steps (edges followed, values queued) the data-flow pairing takes over all graph inputs and outputs: each
    /// walks the graph, so a crafted graph (many inputs, densely connected nodes) would otherwise cost inputs x edges.
    /// Real models take a few hundred.
    /// </summary>
    internal const int MaxPairingVisits = 1 << 20;

    private StreamingPlan(ExecutionPlan plan, PlanValue[] dataInputs, PlanValue[] dataOutputs, (PlanValue Input, PlanValue Output)[] pairs)
    {
        Plan = plan;
        DataInputs = dataInputs;
        DataOutputs = dataOutputs;
        Pairs = pairs;
        StateSlots = [.. plan.StateSlots.Select(s => s.Slot), .. pairs.Select(p => p.Input.Slot)];
    }

    public ExecutionPlan Plan { get; }

    /// <summary>Graph inputs that take data each step (not state).</summary>
    public PlanValue[] DataInputs { get; }

    /// <summary>Graph outputs that are results (not state).</summary>
    public PlanValue[] DataOutputs { get; }

    /// <summary>State inputs and the outputs that feed them on the next step.</summary>
    public (PlanValue Input, PlanValue Output)[] Pairs { get; }

    /// <summary>Every slot that is state: saved, restored and reset.</summary>
    public int[] StateSlots { get; }

    /// <param name="model">The model read.</param>
    /// <param name="options">Its limits.</param>
    /// <param name="retainedBytes">What the whole-sequence plan the model keeps holds, charged to the budget first.</param>
    public static StreamingPlan Build(OnnxModel model, ModelLoadOptions options, long retainedBytes = 0)
    {
        var shapes = new List<int[]>();
        foreach (OnnxValueInfo input in model.Inputs)
        {
            if (input.Shape is null)
            {
                throw new NotSupportedException($"Graph input '{DisplayText.Sanitize(input.Name)}' declares no shape, so the shape of one time step is unknown; the model cannot stream.");
            }

            // One stream, one step: every symbolic dimension (batch, time) is 1.
            shapes.Add([.. input.Shape.Select(d => d.IsKnown ? (int)d.Value : 1)]);
        }

        ExecutionPlan plan = PlanBuilder.Build(model, options, shapes, streaming: true, retainedBytes);
        List<(int In, int Out)> pairIndexes = FindPairs(model);
        var pairs = new List<(PlanValue, PlanValue)>();
        foreach ((int i, int o) in pairIndexes)
        {
            PlanValue input = plan.Inputs[i];
            PlanValue output = plan.Outputs[o];
            if (input.Length != output.Length || !input.IsFloat || !output.IsFloat)
            {
                throw new NotSupportedException($"State input {input.Describe()} and output {output.Describe()} are paired but differ in size or type.");
            }

            pairs.Add((input, output));
        }

        PlanValue[] dataInputs = [.. plan.Inputs.Where((_, i) => !pairIndexes.Exists(p => p.In == i))];
        PlanValue[] dataOutputs = [.. plan.Outputs.Where((_, i) => !pairIndexes.Exists(p => p.Out == i))];
        return new StreamingPlan(plan, dataInputs, dataOutputs, [.. pairs]);
    }

    /// <summary>
    /// Pairs state inputs with state outputs: from the <see cref="StatePairsKey"/> metadata when present, otherwise
    /// by data flow (an input that only reaches initial_h / initial_c of recurrent nodes pairs with the output that
    /// only comes from their Y_h / Y_c, in order).
    /// </summary>
    private static List<(int In, int Out)> FindPairs(OnnxModel model)
    {
        var pairs = new List<(int, int)>();
        if (model.Metadata.TryGetValue(StatePairsKey, out string? spec) && spec.Length > 0)
        {
            foreach (string entry in spec.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            {
                string[] parts = entry.Split(':', StringSplitOptions.TrimEntries);
                int i = parts.Length == 2 ? IndexOf(model.Inputs, parts[0]) : -1;
                int o = parts.Length == 2 ? IndexOf(model.Outputs, parts[1]) : -1;
                if (i < 0 || o < 0)
                {
                    throw new ModelFormatException($"Metadata {StatePairsKey} entry '{DisplayText.Sanitize(entry)}' does not name a graph input and a graph output as 'input:output'.");
                }

                pairs.Add((i, o));
            }

            return pairs;
        }

        var producers = new Dictionary<string, (OnnxNode Node, int Index)>(StringComparer.Ordinal);
        var consumers = new Dictionary<string, List<(OnnxNode Node, int Index)>>(StringComparer.Ordinal);
        foreach (OnnxNode node in model.Nodes)
        {
            for (int i = 0; i < node.Outputs.Length; i++)
            {
                producers[node.Outputs[i]] = (node, i);
            }

            for (int i = 0; i < node.Inputs.Length; i++)
            {
                if (!consumers.TryGetValue(node.Inputs[i], out List<(OnnxNode, int)>? list))
                {
                    consumers[node.Inputs[i]] = list = [];
                }

                list.Add((node, i));
            }
        }

        int visits = MaxPairingVisits;
        var inputKinds = model.Inputs.Select(v => ClassifyInput(v.Name, consumers, ref visits)).ToList();
        var outputKinds = model.Outputs.Select(v => ClassifyOutput(v.Name, producers, ref visits)).ToList();
        foreach (char kind in "hc")
        {
            var ins = Enumerable.Range(0, inputKinds.Count).Where(i => inputKinds[i] == kind).ToList();
            var outs = Enumerable.Range(0, outputKinds.Count).Where(i => outputKinds[i] == kind).ToList();
            if (ins.Count == 0)
            {
                // Final states the graph returns without taking them back in are ordinary outputs.
                continue;
            }

            if (ins.Count != outs.Count)
            {
                string names = DisplayText.Sanitize(string.Join(", ", ins.Select(i => model.Inputs[i].Name)), 1024);
                throw new NotSupportedException(ins.Count > outs.Count
                    ? $"Graph inputs [{names}] set recurrent state ({kind}) but the graph does not return as many final states; the model cannot stream. Add the Y_{kind} outputs or name the pairs in metadata '{StatePairsKey}'."
                    : $"The graph returns {outs.Count} final recurrent states ({kind}) but takes {ins.Count} as inputs; name the pairs in metadata '{StatePairsKey}'.");
            }

            pairs.AddRange(ins.Zip(outs));
        }

        return pairs;
    }

    /// <summary>Counts one step of the data-flow pairing; past <see cref="MaxPairingVisits"/> the model needs named pairs.</summary>
    private static void Visit(ref int visits)
    {
        if (--visits < 0)
        {
            throw new NotSupportedException(
                $"The graph is too large to find its state inputs and outputs by following its data flow (more than {MaxPairingVisits} steps); name the pairs in metadata '{StatePairsKey}' (h0:hn,c0:cn).");
        }
    }

    private static int IndexOf(IReadOnlyList<OnnxValueInfo> list, string name)
    {
        for (int i = 0; i < list.Count; i++)
        {
            if (list[i].Name == name)
            {
                return i;
            }
        }

        return -1;
    }

    // A cell's ai.onnx operator, or the com.microsoft operator ORT runs it in with int8 weights (DynamicQuantizeLSTM keeps
    // LSTM's input and output positions: initial_h 5, initial_c 6; Y_h 1, Y_c 2).
    private static bool IsRecurrent(OnnxNode node)
    {
        if (node.Domain is "" or "ai.onnx")
        {
            return RecurrentCell.TryGetByOpType(node.OpType, out _);
        }

        if (node.Domain == "com.microsoft")
        {
            foreach (RecurrentCell cell in RecurrentCell.All)
            {
                if (cell.OrtQuantizedOpType == node.OpType)
                {
                    return true;
                }
            }
        }

        return false;
    }

    private static char ClassifyInput(string name, Dictionary<string, List<(OnnxNode Node, int Index)>> consumers, ref int visits)
    {
        var kinds = new HashSet<char>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var work = new Stack<string>();
        work.Push(name);
        while (work.Count > 0)
        {
            string v = work.Pop();
            if (!seen.Add(v) || !consumers.TryGetValue(v, out List<(OnnxNode Node, int Index)>? uses))
            {
                continue;
            }

            foreach ((OnnxNode node, int index) in uses)
            {
                Visit(ref visits);
                if (IsRecurrent(node))
                {
                    kinds.Add(index == RecurrentOperators.InitialHInput ? 'h' : index == RecurrentOperators.InitialCInput ? 'c' : 'd');
                }
                else if (node.OpType == "Shape")
                {
                    // Reading only the shape of a value does not make it data.
                }
                else
                {
                    foreach (string o in node.Outputs)
                    {
                        Visit(ref visits);
                        work.Push(o);
                    }
                }
            }
        }

        return kinds.Count == 1 ? kinds.First() : 'd';
    }

    private static char ClassifyOutput(string name, Dictionary<string, (OnnxNode Node, int Index)> producers, ref int visits)
    {
        var kinds = new HashSet<char>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var work = new Stack<string>();
        work.Push(name);
        while (work.Count > 0)
        {
            string v = work.Pop();
            if (!seen.Add(v) || !producers.TryGetValue(v, out (OnnxNode Node, int Index) p))
            {
                continue;
            }

            if (IsRecurrent(p.Node))
            {
                kinds.Add(p.Index == RecurrentOperators.YhOutput ? 'h' : p.Index == RecurrentOperators.YcOutput ? 'c' : 'd');
                continue;
            }

            if (p.Node.OpType is "Shape" or "Constant" or "ConstantOfShape")
            {
                continue;
            }

            foreach (string i in p.Node.Inputs)
            {
                if (i.Length > 0)
                {
                    Visit(ref visits);
                    work.Push(i);
                }
            }
        }

        return kinds.Count == 1 ? kinds.First() : 'd';
    }
}
