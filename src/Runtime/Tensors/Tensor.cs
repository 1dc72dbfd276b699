using System.Diagnostics.CodeAnalysis;

namespace EdgeRnn.Runtime;

/// <summary>
/// A dense, row-major tensor: an element type, a shape and the elements. Float and Float16 tensors keep their elements
/// in <see cref="FloatData"/> (Float16 ones as exactly widened values); integer and boolean tensors (Int64, Int32, Bool, Int8, UInt8) keep them as
/// <see cref="long"/> values in <see cref="Int64Data"/>. A tensor does not copy the arrays it is given.
/// </summary>
public sealed class Tensor
{
    private readonly int[] _shape;

    private Tensor(TensorElementType elementType, int[] shape, float[]? floatData, long[]? int64Data)
    {
        ElementType = elementType;
        _shape = shape;
        FloatData = floatData;
        Int64Data = int64Data;
    }

    /// <summary>The element type.</summary>
    public TensorElementType ElementType { get; }

    /// <summary>The dimensions, outermost first; empty for a scalar.</summary>
    public ReadOnlySpan<int> Shape => _shape;

    /// <summary>The rank (number of dimensions).</summary>
    public int Rank => _shape.Length;

    /// <summary>The number of elements: the product of the dimensions (1 for a scalar).</summary>
    public int Length => FloatData?.Length ?? Int64Data!.Length;

    /// <summary>The elements of a float tensor; null for other element types.</summary>
    public float[]? FloatData { get; }

    /// <summary>The elements of an integer or boolean tensor as 64-bit values; null for float tensors.</summary>
    public long[]? Int64Data { get; }

    /// <summary>True when the elements are held in <see cref="FloatData"/>.</summary>
    [MemberNotNullWhen(true, nameof(FloatData))]
    [MemberNotNullWhen(false, nameof(Int64Data))]
    public bool IsFloat => FloatData is not null;

    /// <summary>The float elements as a span; throws for non-float tensors.</summary>
    public Span<float> AsFloatSpan() => FloatData ?? throw new InvalidOperationException($"The tensor holds {ElementType} elements, not Float.");

    /// <summary>The integer elements as a span; throws for float tensors.</summary>
    public Span<long> AsInt64Span() => Int64Data ?? throw new InvalidOperationException("The tensor holds Float elements, not integers.");

    /// <summary>Returns a copy of the shape.</summary>
    public int[] GetShape() => (int[])_shape.Clone();

    /// <summary>Creates a float tensor over <paramref name="data"/> (not copied).</summary>
    /// <exception cref="ArgumentException">The shape's element count differs from the data length, or a dimension is negative.</exception>
    public static Tensor FromFloat(float[] data, params int[] shape)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(shape);
        CheckLength(data.Length, shape);
        return new Tensor(TensorElementType.Float, (int[])shape.Clone(), data, null);
    }

    /// <summary>
    /// Creates a Float16 tensor over <paramref name="data"/> (not copied), whose every element must be a float16 value
    /// (a <see cref="Half"/> widened to float, as read from a FLOAT16 initializer).
    /// </summary>
    /// <exception cref="ArgumentException">An element is not exactly representable as float16, or the shape does not match.</exception>
    public static Tensor FromFloat16(float[] data, params int[] shape)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(shape);
        CheckLength(data.Length, shape);
        for (int i = 0; i < data.Length; i++)
        {
            float v = data[i];
            if (!float.IsNaN(v) && (float)(Half)v != v)
            {
                throw new ArgumentException($"Element {i} ({v:R}) is not a float16 value.", nameof(data));
            }
        }

        return new Tensor(TensorElementType.Float16, (int[])shape.Clone(), data, null);
    }

    /// <summary>Creates an Int64 tensor over <paramref name="data"/> (not copied).</summary>
    public static Tensor FromInt64(long[] data, params int[] shape) => FromInt64(TensorElementType.Int64, data, shape);

    /// <summary>Creates an integer or boolean tensor of the given type over 64-bit <paramref name="data"/> (not copied).</summary>
    /// <exception cref="ArgumentException">The type is Float or Undefined, or the shape does not match the data.</exception>
    public static Tensor FromInt64(TensorElementType elementType, long[] data, params int[] shape)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(shape);
        if (elementType is TensorElementType.Float or TensorElementType.Float16 or TensorElementType.Undefined || !Enum.IsDefined(elementType))
        {
            throw new ArgumentException($"{elementType} is not an integer or boolean element type.", nameof(elementType));
        }

        CheckLength(data.Length, shape);
        return new Tensor(elementType, (int[])shape.Clone(), null, data);
    }

    /// <summary>Creates a zero-filled tensor of the given type and shape.</summary>
    public static Tensor Zeros(TensorElementType elementType, params int[] shape)
    {
        ArgumentNullException.ThrowIfNull(shape);
        long count = ElementCount(shape);
        return elementType switch
        {
            TensorElementType.Float => FromFloat(new float[count], shape),
            TensorElementType.Float16 => FromFloat16(new float[count], shape),
            _ => FromInt64(elementType, new long[count], shape),
        };
    }

    /// <summary>The product of <paramref name="shape"/>'s dimensions; 1 for an empty shape.</summary>
    /// <exception cref="ArgumentException">A dimension is negative or the product exceeds <see cref="Array.MaxLength"/>.</exception>
    public static int ElementCount(ReadOnlySpan<int> shape)
    {
        long count = 1;
        foreach (int d in shape)
        {
            if (d < 0)
            {
                throw new ArgumentException($"Dimension {d} is negative.", nameof(shape));
            }

            count *= d;
            if (count > Array.MaxLength)
            {
                throw new ArgumentException("The shape holds more elements than an array can.", nameof(shape));
            }
        }

        return (int)count;
    }

    /// <summary>Formats a shape as <c>[2, 3, 4]</c>.</summary>
    public static string FormatShape(ReadOnlySpan<int> shape) => "[" + string.Join(", ", shape.ToArray()) + "]";

    /// <inheritdoc/>
    public override string ToString() => $"{ElementType}{FormatShape(_shape)}";

    private static void CheckLength(int length, int[] shape)
    {
        int count = ElementCount(shape);
        if (count != length)
        {
            throw new ArgumentException($"Shape {FormatShape(shape)} holds {count} elements but the data has {length}.", nameof(shape));
        }
    }
}
