namespace EdgeRnn.Runtime.Graph;

/// <summary>
/// A value of the graph as the planner knows it: its element type and concrete shape, and either the folded
/// constant or the slot that holds it at run time.
/// </summary>
internal sealed class PlanValue
{
    private int _length = -1;

    private PlanValue(string name, TensorElementType type, int[] shape, Tensor? constant, int slot)
    {
        Name = name;
        ElementType = type;
        Shape = shape;
        Constant = constant;
        Slot = slot;
    }

    public string Name { get; }

    public TensorElementType ElementType { get; }

    public int[] Shape { get; }

    public Tensor? Constant { get; }

    public int Slot { get; }

    public bool IsConstant => Constant is not null;

    public bool IsFloat => ElementType == TensorElementType.Float;

    /// <summary>The element count, computed once: kernels read it every step.</summary>
    public int Length => _length >= 0 ? _length : (_length = Tensor.ElementCount(Shape));

    public static PlanValue FromConstant(string name, Tensor tensor) => new(name, tensor.ElementType, tensor.GetShape(), tensor, -1);

    public static PlanValue FromSlot(string name, TensorElementType type, int[] shape, int slot) => new(name, type, shape, null, slot);

    /// <summary>Reads the float elements from the constant or from the frame.</summary>
    public float[] Floats(Frame frame) => Constant is { } c ? c.FloatData! : frame.Floats(Slot);

    /// <summary>Reads the integer elements from the constant or from the frame.</summary>
    public long[] Longs(Frame frame) => Constant is { } c ? c.Int64Data! : frame.Longs(Slot);

    /// <summary>Describes the value for messages, <c>'x' Float[1, 1, 4]</c>, its name made safe to print.</summary>
    public string Describe() => $"'{DisplayText.Sanitize(Name)}' {ElementType}{Tensor.FormatShape(Shape)}";
}
