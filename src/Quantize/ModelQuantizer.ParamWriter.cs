using System.Runtime.InteropServices;
using EdgeRnn.Runtime;
using EdgeRnn.Runtime.Onnx.Proto;
using Google.Protobuf;

namespace EdgeRnn.Quantize;

internal static partial class ModelQuantizer
{
    /// <summary>
    /// Adds the float tensors that sit beside the int8 weights (scales, folded biases) to the graph: as FLOAT
    /// initializers, or, when float16 storage is on and the tensor is large enough and fits, as a FLOAT16 initializer
    /// and a Cast to FLOAT named as the float tensor would have been (Cast with an INT 'to' is in every opset since 6,
    /// and ConstantOfShape since 9; the models EdgeRnn evaluates are opset 14 and later, and ORT and EdgeRnn fold both
    /// at load). llama.cpp's Q8_0 blocks keep their scales in float16 for the same reason.
    /// </summary>
    private sealed class ParamWriter(GraphProto graph, HashSet<string> names, bool float16)
    {
        private bool _halfScales;
        private bool _halfBiases;

        public GraphProto Graph { get; } = graph;

        public HashSet<string> Names { get; } = names;

        /// <summary>The nodes that make parameter tensors (Cast, ConstantOfShape); they go first in the graph.</summary>
        public List<NodeProto> Nodes { get; } = [];

        /// <summary>
        /// Symmetric int8 scales (max |w| / 127; 1 for an all-zero channel). When they will be stored as float16
        /// (<paramref name="half"/>), each is rounded up to the next float16, so |w| / scale stays within 127.
        /// </summary>
        public float[] Scales(float[] maxAbs, out bool half)
        {
            float[] scales = [.. maxAbs.Select(m => m > 0 ? m / 127f : 1f)];
            half = float16 && scales.Length >= HalfMinElements && scales.All(s => s is >= HalfMinNormal and <= HalfMax);
            if (half)
            {
                for (int i = 0; i < scales.Length; i++)
                {
                    Half h = (Half)scales[i];
                    scales[i] = (float)h < scales[i] ? (float)BitConverter.UInt16BitsToHalf((ushort)(BitConverter.HalfToUInt16Bits(h) + 1)) : (float)h;
                }
            }

            return scales;
        }

        /// <summary>True when float16 storage is on and the bias tensor is large enough and within float16's range.</summary>
        public bool CanHoldBias(float[] values) =>
            float16 && values.Length >= HalfMinElements && values.All(v => float.IsFinite(v) && MathF.Abs(v) <= HalfMax);

        /// <summary>
        /// The name for the tensor that replaces initializer <paramref name="original"/>: its own name when this node
        /// is its only reader and it is not also a graph input (then the initializer is removed, and the rewritten
        /// node reads the same names as in the float model), else a new one ending in <paramref name="suffix"/>.
        /// </summary>
        public string TakeName(TensorProto original, string suffix, bool onlyReader)
        {
            if (onlyReader && !Graph.Input.Any(i => i.Name == original.Name) && Graph.Initializer.Remove(original))
            {
                return original.Name;
            }

            return Unique(Names, original.Name + suffix);
        }

        /// <summary>What is stored as float16, for the model's record: "", ", float16 scales", ", float16 biases" or both.</summary>
        public string Float16Storage => (_halfScales, _halfBiases) switch
        {
            (true, true) => ", float16 scales and biases",
            (true, false) => ", float16 scales",
            (false, true) => ", float16 biases",
            _ => "",
        };

        /// <summary><see cref="Add"/> for int8 scales.</summary>
        public string AddScales(string baseName, float[] values, int[] dims, bool half)
        {
            _halfScales |= half;
            return Add(baseName, values, dims, half);
        }

        /// <summary><see cref="Add"/> for a folded bias.</summary>
        public string AddBias(string baseName, float[] values, int[] dims, bool half, string? output = null)
        {
            _halfBiases |= half;
            return Add(baseName, values, dims, half, output);
        }

        /// <summary>
        /// Adds <paramref name="values"/> as the float tensor <paramref name="output"/>, or <paramref name="baseName"/>
        /// made unique, and returns its name; stored as float16 + Cast when <paramref name="half"/> (values are rounded
        /// to the nearest float16).
        /// </summary>
        private string Add(string baseName, float[] values, int[] dims, bool half, string? output = null)
        {
            string name = output ?? Unique(Names, baseName);
            if (!half)
            {
                Graph.Initializer.Add(FloatTensor(name, values, dims));
                return name;
            }

            var bits = new ushort[values.Length];
            for (int i = 0; i < bits.Length; i++)
            {
                bits[i] = BitConverter.HalfToUInt16Bits((Half)values[i]);
            }

            string stored = Unique(Names, baseName + "_fp16");
            var t = new TensorProto { Name = stored, DataType = Float16Type, RawData = ByteString.CopyFrom(MemoryMarshal.AsBytes(bits.AsSpan())) };
            t.Dims.AddRange(dims.Select(d => (long)d));
            Graph.Initializer.Add(t);
            NodeProto cast = Helper("Cast", [stored], [name]);
            cast.Attribute.Add(new AttributeProto { Name = "to", Type = AttributeProto.Types.AttributeType.Int, I = FloatType });
            Nodes.Add(cast);
            return name;
        }

        /// <summary>
        /// Adds an all-zero int8 tensor (a zero point) named after <paramref name="baseName"/>: a ConstantOfShape when
        /// float16 storage is on and it has <see cref="HalfMinElements"/> or more elements (ORT and EdgeRnn fold it at
        /// load), else an initializer.
        /// </summary>
        public string AddInt8Zeros(string baseName, int[] dims)
        {
            string name = Unique(Names, baseName);
            int count = dims.Aggregate(1, (a, d) => a * d);
            if (!float16 || count < HalfMinElements)
            {
                Graph.Initializer.Add(Int8Tensor(name, new sbyte[count], dims));
                return name;
            }

            string shapeName = Unique(Names, baseName + "_shape");
            Graph.Initializer.Add(Int64Vector(shapeName, [.. dims.Select(d => (long)d)]));
            NodeProto zeros = Helper("ConstantOfShape", [shapeName], [name]);
            zeros.Attribute.Add(new AttributeProto { Name = "value", Type = AttributeProto.Types.AttributeType.Tensor, T = Int8Tensor("", [0], [1]) });
            Nodes.Add(zeros);
            return name;
        }
    }
}
