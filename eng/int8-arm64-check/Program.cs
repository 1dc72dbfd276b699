using System.Runtime.Intrinsics.Arm;
using EdgeRnn.Runtime.Kernels;

namespace EdgeRnn.Int8Arm64Check;

/// <summary>
/// Runs the ARM64 int8 paths (AdvSimd SMULL/SADALP and Dp SDOT) against the scalar reference on every row count
/// 0..257 for several column counts; prints one summary line and returns 1 on any mismatch, when AdvSimd is missing,
/// or, with --require-dp, when the CPU has no dot-product extension (so a run meant to cover SDOT cannot pass without
/// it). Under qemu, -cpu cortex-a53 / cortex-a72 (Raspberry Pi 3 / 4) have no Dp and cortex-a76 (Pi 5) has it.
/// </summary>
internal static class Program
{
    private delegate void Path(Int8Matrix w, ReadOnlySpan<sbyte> x, Span<int> destination);

    public static int Main(string[] args)
    {
        bool requireDp = args.Contains("--require-dp");
        Console.WriteLine($"AdvSimd.Arm64={AdvSimd.Arm64.IsSupported} Dp={Dp.IsSupported}");
        var paths = new List<(string Name, Path Run)> { ("dispatch", Int8MatVec.MultiplyInt32) };
        if (AdvSimd.Arm64.IsSupported)
        {
            paths.Add(("advsimd", Int8MatVec.MultiplyInt32AdvSimd));
        }

        if (AdvSimd.Arm64.IsSupported && Dp.IsSupported)
        {
            paths.Add(("dp", Int8MatVec.MultiplyInt32Dp));
        }

        var random = new Random(1);
        int checks = 0, mismatches = 0;
        foreach (int columns in (int[])[0, 1, 3, 4, 5, 17, 68, 257])
        {
            for (int rows = 0; rows <= 257; rows++)
            {
                var w = new sbyte[rows * columns];
                for (int i = 0; i < w.Length; i++)
                {
                    w[i] = (sbyte)random.Next(-128, 128);
                }

                Int8Matrix m = Int8Matrix.FromRowMajor(w, [1f], rows, columns);
                var x = new sbyte[m.PaddedColumns];
                for (int i = 0; i < x.Length; i++)
                {
                    x[i] = (sbyte)random.Next(-128, 128);
                }

                var reference = new int[m.PaddedRows];
                Int8MatVec.MultiplyInt32Scalar(m, x, reference);
                foreach ((string name, Path run) in paths)
                {
                    var actual = new int[m.PaddedRows];
                    run(m, x, actual);
                    checks++;
                    if (!actual.AsSpan().SequenceEqual(reference))
                    {
                        mismatches++;
                        Console.WriteLine($"mismatch: {name} rows={rows} columns={columns}");
                    }
                }
            }
        }

        Console.WriteLine($"{checks} checks over {paths.Count} path(s), {mismatches} mismatches");
        (int batchedChecks, int batchedMismatches) = CheckBatchedFloat(random);
        Console.WriteLine($"{batchedChecks} multi-stream float checks (BatchedMatVec against MatVec per vector), {batchedMismatches} mismatches");
        mismatches += batchedMismatches;
        return mismatches == 0 && AdvSimd.Arm64.IsSupported && (Dp.IsSupported || !requireDp) ? 0 : 1;
    }

    /// <summary>
    /// The multi-stream float kernel on this machine (AdvSimd Vector128) against one MatVec per vector, bit for bit: the
    /// multi-stream step's promise that every stream gets what a separate step gives.
    /// </summary>
    private static (int Checks, int Mismatches) CheckBatchedFloat(Random random)
    {
        int checks = 0, mismatches = 0;
        foreach (int columns in (int[])[1, 4, 17, 68])
        {
            for (int rows = 0; rows <= 257; rows++)
            {
                PackedMatrix w = PackedMatrix.FromRowMajor(RandomFloats(random, rows * columns), rows, columns);
                float[] bias = RandomFloats(random, rows);
                foreach (int count in (int[])[1, 2, 3, 7, 16])
                {
                    float[] x = RandomFloats(random, count * columns);
                    var batched = new float[count * rows];
                    BatchedMatVec.Multiply(w, x, columns, count, bias, batched, rows);
                    var single = new float[rows];
                    for (int s = 0; s < count; s++)
                    {
                        MatVec.Multiply(w, x.AsSpan(s * columns, columns), bias, single);
                        checks++;
                        if (!single.AsSpan().SequenceEqual(batched.AsSpan(s * rows, rows)))
                        {
                            mismatches++;
                            Console.WriteLine($"mismatch: batched float rows={rows} columns={columns} streams={count} stream={s}");
                        }
                    }
                }
            }
        }

        return (checks, mismatches);
    }

    private static float[] RandomFloats(Random random, int length)
    {
        var values = new float[length];
        for (int i = 0; i < length; i++)
        {
            values[i] = (float)((random.NextDouble() * 2) - 1);
        }

        return values;
    }
}
