using EdgeRnn.Runtime.Onnx;

namespace EdgeRnn.Runtime.Graph;

/// <summary>Values known at load time: Constant, ConstantOfShape, Shape, and Cast (folded when its input is constant).</summary>
internal static partial class ShapeOperators
{
    public static void Constant(PlanBuilder b, OnnxNode node)
    {
        Tensor? t = node.GetTensor("value");
        if (t is null)
        {
            if (node.HasAttribute("value_float"))
            {
                t = Tensor.FromFloat([node.GetFloat("value_float", 0)]);
            }
            else if (node.HasAttribute("value_floats"))
            {
                b.ReserveElements(node.Attributes["value_floats"].Floats.Length, sizeof(float), "value_floats copy");
                float[] fs = node.GetFloats("value_floats")!;
                t = Tensor.FromFloat(fs, fs.Length);
            }
            else if (node.HasAttribute("value_int"))
            {
                t = Tensor.FromInt64([node.GetInt("value_int", 0)]);
            }
            else if (node.HasAttribute("value_ints"))
            {
                b.ReserveElements(node.Attributes["value_ints"].Ints.Length, sizeof(long), "value_ints copy");
                long[] ls = node.GetInts("value_ints")!;
                t = Tensor.FromInt64(ls, ls.Length);
            }
            else
            {
                throw new ModelFormatException($"{node.Describe()} has no value EdgeRnn supports (value, value_float(s), value_int(s)).");
            }
        }

        b.DefineConstant(node, 0, t);
    }

    public static void ConstantOfShape(PlanBuilder b, OnnxNode node)
    {
        long[] dims = b.ConstantInts(node, 0, "shape");
        int[] shape = dims.Select(d => ShapeMath.ToDim(d, node, "dimension")).ToArray();
        int count = b.CheckedCount(shape, node);
        Tensor? value = node.GetTensor("value");
        if (value is not null && value.Length != 1)
        {
            throw new ModelFormatException($"{node.Describe()} has a 'value' of {value.Length} elements; it must hold exactly one.");
        }

        b.ReserveElements(count, value is null || value.IsFloat ? sizeof(float) : sizeof(long), $"output {ElementTypeName(value)}{Tensor.FormatShape(shape)}");
        Tensor result;
        if (value is null || value.IsFloat)
        {
            var data = new float[count];
            Array.Fill(data, value?.FloatData![0] ?? 0f);
            result = value?.ElementType == TensorElementType.Float16 ? Tensor.FromFloat16(data, shape) : Tensor.FromFloat(data, shape);
        }
        else
        {
            var data = new long[count];
            Array.Fill(data, value.Int64Data[0]);
            result = Tensor.FromInt64(value.ElementType, data, shape);
        }

        b.DefineConstant(node, 0, result);
    }

    private static string ElementTypeName(Tensor? value) => (value?.ElementType ?? TensorElementType.Float).ToString();

    public static void Shape(PlanBuilder b, OnnxNode node)
    {
        PlanValue x = b.Input(node, 0);
        int rank = x.Shape.Length;
        int start = ClampShapeIndex(node.GetInt("start", 0), rank);
        int end = ClampShapeIndex(node.GetInt("end", rank), rank);
        long[] dims = x.Shape.Skip(start).Take(Math.Max(0, end - start)).Select(d => (long)d).ToArray();
        b.DefineConstant(node, 0, Tensor.FromInt64(dims, dims.Length));
    }

    private static int ClampShapeIndex(long i, int rank) => (int)Math.Clamp(i < 0 ? i + rank : i, 0, rank);

    public static void Cast(PlanBuilder b, OnnxNode node)
    {
        PlanValue x = b.Input(node, 0);
        long to = node.GetInt("to", 0);
        var type = (TensorElementType)to;
        if (type is not (TensorElementType.Float or TensorElementType.Int64 or TensorElementType.Int32 or TensorElementType.Bool))
        {
            throw new ModelFormatException($"{node.Describe()} casts to ONNX type {to}; EdgeRnn casts to Float, Int64, Int32 and Bool only.");
        }

        bool toFloat = type == TensorElementType.Float;
        if (x.ElementType == TensorElementType.Float16)
        {
            // Float16 values exist only as constants (initializers), held widened: the cast is exact and folds here.
            Tensor half = x.Constant ?? throw new ModelFormatException($"{node.Describe()} casts a computed FLOAT16 value; EdgeRnn reads FLOAT16 constants only.");
            if (!toFloat)
            {
                throw new ModelFormatException($"{node.Describe()} casts FLOAT16 to ONNX type {to}; EdgeRnn casts FLOAT16 constants to Float only.");
            }

            b.DefineConstant(node, 0, Tensor.FromFloat(half.FloatData!, x.Shape));
            return;
        }

        if (toFloat == x.IsFloat && type is not (TensorElementType.Bool or TensorElementType.Int32))
        {
            b.DefineAlias(node, 0, x, x.Shape, type);
            return;
        }

        PlanValue output = b.NewOutput(node, 0, type, x.Shape);
        b.Emit(node, new CastKernel(node.Name, x, output), [output]);
    }
}
