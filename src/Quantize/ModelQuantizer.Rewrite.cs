using EdgeRnn.Runtime.Onnx.Proto;

namespace EdgeRnn.Quantize;

internal static partial class ModelQuantizer
{
    /// <summary>
    /// One model's rewrite in progress: the graph and its names, the nodes that come before the rewritten ones
    /// (dequantized weights, folded biases), the rewritten node list, and what was decided for each node.
    /// </summary>
    private sealed class Rewrite(GraphProto graph, Dictionary<string, TensorProto> initializers, HashSet<string> names,
        Dictionary<string, int> useCount, ParamWriter parameters, QuantizeOptions options)
    {
        public GraphProto Graph { get; } = graph;

        public Dictionary<string, TensorProto> Initializers { get; } = initializers;

        public HashSet<string> Names { get; } = names;

        /// <summary>How many nodes (and graph outputs) read each value: a weight read elsewhere is not rewritten in place.</summary>
        public Dictionary<string, int> UseCount { get; } = useCount;

        public ParamWriter Parameters { get; } = parameters;

        public QuantizeOptions Options { get; } = options;

        public List<NodeProto> Prelude { get; } = [];

        public List<NodeProto> Nodes { get; } = [];

        public List<NodeDecision> Decisions { get; } = [];

        public List<ActivationRange> Ranges { get; } = [];

        public bool UsesMicrosoftDomain { get; set; }
    }
}
