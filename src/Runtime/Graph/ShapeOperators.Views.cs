using EdgeRnn.Runtime.Onnx;

namespace EdgeRnn.Runtime.Graph;

/// <summary>Views: outputs that share their input's slot (Identity, Flatten, Unsqueeze, Squeeze, Reshape).</summary>
internal static partial class ShapeOperators
{
    public static void Identity(PlanBuilder b, OnnxNode node)
    {
        PlanValue x = b.Input(node, 0);
        b.DefineAlias(node, 0, x, x.Shape);
    }

    public static void Flatten(PlanBuilder b, OnnxNode node)
    {
        PlanValue x = b.Input(node, 0);
        long axisAttr = node.GetInt("axis", 1);
        int axis = (int)(axisAttr < 0 ? axisAttr + x.Shape.Length : axisAttr);
        if (axis < 0 || axis > x.Shape.Length)
        {
            throw new ModelFormatException($"{node.Describe()} has axis {axisAttr}, outside the valid range for rank {x.Shape.Length}.");
        }

        b.DefineAlias(node, 0, x, [ShapeMath.Product(x.Shape, 0, axis), ShapeMath.Product(x.Shape, axis, x.Shape.Length)]);
    }

    public static void Unsqueeze(PlanBuilder b, OnnxNode node)
    {
        PlanValue x = b.Input(node, 0);
        long[] axes = b.OptionalInput(node, 1) is not null ? b.ConstantInts(node, 1, "axes") : node.GetInts("axes")
            ?? throw new ModelFormatException($"{node.Describe()} has no axes.");
        int outRank = x.Shape.Length + axes.Length;
        var isNew = new bool[outRank];
        foreach (long a in axes)
        {
            int axis = ShapeMath.NormalizeAxis(a, outRank, node, "axes entry");
            if (isNew[axis])
            {
                throw new ModelFormatException($"{node.Describe()} lists axis {a} twice.");
            }

            isNew[axis] = true;
        }

        var shape = new int[outRank];
        int src = 0;
        for (int i = 0; i < outRank; i++)
        {
            shape[i] = isNew[i] ? 1 : x.Shape[src++];
        }

        b.DefineAlias(node, 0, x, shape);
    }

    public static void Squeeze(PlanBuilder b, OnnxNode node)
    {
        PlanValue x = b.Input(node, 0);
        long[]? axes = b.OptionalInput(node, 1) is not null ? b.ConstantInts(node, 1, "axes") : node.GetInts("axes");
        int rank = x.Shape.Length;
        var drop = new bool[rank];
        if (axes is null || axes.Length == 0)
        {
            for (int i = 0; i < rank; i++)
            {
                drop[i] = x.Shape[i] == 1;
            }
        }
        else
        {
            foreach (long a in axes)
            {
                int axis = ShapeMath.NormalizeAxis(a, rank, node, "axes entry");
                if (x.Shape[axis] != 1)
                {
                    throw new ModelFormatException($"{node.Describe()} squeezes axis {a} of {x.Describe()}, which is not 1.");
                }

                drop[axis] = true;
            }
        }

        b.DefineAlias(node, 0, x, x.Shape.Where((_, i) => !drop[i]).ToArray());
    }

    public static void Reshape(PlanBuilder b, OnnxNode node)
    {
        PlanValue x = b.Input(node, 0);
        long[] target = b.ConstantInts(node, 1, "shape");
        bool allowZero = node.GetInt("allowzero", 0) != 0;
        var shape = new int[target.Length];
        int inferAt = -1;
        long known = 1; // saturates: a product past long's range is "more elements than x has" all the same
        for (int i = 0; i < target.Length; i++)
        {
            long d = target[i];
            if (d == -1)
            {
                if (inferAt >= 0)
                {
                    throw new ModelFormatException($"{node.Describe()} has more than one -1 in its target shape.");
                }

                inferAt = i;
                continue;
            }

            if (d == 0 && !allowZero)
            {
                if (i >= x.Shape.Length)
                {
                    throw new ModelFormatException($"{node.Describe()} copies dimension {i} of {x.Describe()}, which has no such dimension.");
                }

                d = x.Shape[i];
            }

            shape[i] = ShapeMath.ToDim(d, node, "target dimension");
            known = LoadBudget.Multiply(known, shape[i]);
        }

        if (inferAt >= 0)
        {
            if (known == 0 || x.Length % known != 0)
            {
                throw new ModelFormatException($"{node.Describe()} cannot reshape {x.Describe()} to [{string.Join(", ", target)}].");
            }

            shape[inferAt] = (int)(x.Length / known);
        }

        b.DefineAlias(node, 0, x, shape);
    }
}
