using System.Runtime.Intrinsics;
using EdgeRnn.Runtime.Kernels;

namespace EdgeRnn.Runtime.Tests.Kernels;

/// <summary>Seeded data and comparisons shared by the kernel tests.</summary>
internal static class KernelTestHelpers
{
    public const float Guard = 12345.5f;

    /// <summary>
    /// The width limits worth testing on this machine: each accelerated vector width (a kernel limited to it runs that
    /// width, then the narrower ones, then a scalar tail). The scalar path (<see cref="SimdWidth.Scalar"/>) is the reference.
    /// </summary>
    public static IEnumerable<SimdWidth> AcceleratedWidths()
    {
        if (Vector128.IsHardwareAccelerated)
        {
            yield return SimdWidth.Vector128;
        }

        if (Vector256.IsHardwareAccelerated)
        {
            yield return SimdWidth.Vector256;
        }

        if (Vector512.IsHardwareAccelerated)
        {
            yield return SimdWidth.Vector512;
        }
    }

    public static float[] RandomArray(Random random, int length, float scale = 1f)
    {
        var result = new float[length];
        for (int i = 0; i < length; i++)
        {
            result[i] = ((random.NextSingle() * 2f) - 1f) * scale;
        }

        return result;
    }

    /// <summary>An array of <paramref name="length"/> zeros followed by <paramref name="guards"/> guard values.</summary>
    public static float[] WithGuard(int length, int guards = 16)
    {
        var result = new float[length + guards];
        result.AsSpan(length).Fill(Guard);
        return result;
    }

    public static void AssertGuardIntact(ReadOnlySpan<float> buffer, int length, string context)
    {
        for (int i = length; i < buffer.Length; i++)
        {
            Assert.True(buffer[i] == Guard, $"{context}: element {i} past the end was overwritten with {buffer[i]}.");
        }
    }

    public static void AssertClose(ReadOnlySpan<float> expected, ReadOnlySpan<float> actual, int length, double tolerance, string context)
    {
        for (int i = 0; i < length; i++)
        {
            double difference = Math.Abs((double)expected[i] - actual[i]);
            Assert.True(expected[i] == actual[i] || difference <= tolerance * (1 + Math.Abs((double)expected[i])) || (float.IsNaN(expected[i]) && float.IsNaN(actual[i])),
                $"{context}: element {i} expected {expected[i]:R} but was {actual[i]:R} (difference {difference:E3}, tolerance {tolerance:E3}).");
        }
    }
}
