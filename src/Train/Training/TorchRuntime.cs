using TorchSharp;

namespace EdgeRnn.Train.Training;

/// <summary>
/// One place that touches TorchSharp's global state: thread count, seeds, and the numerics switch that keeps
/// recurrent layers off oneDNN (<see cref="LibTorchNumerics"/>). Training is deterministic for a seed on the CPU with a
/// fixed thread count, and computes the same math on every x64 CPU.
/// </summary>
internal static class TorchRuntime
{
    /// <summary>The default intra-op thread count: on a 2-core machine more threads were slower.</summary>
    public const int DefaultThreads = 1;

    // One lock for every touch of torch's global state and for all torch work: libtorch failed in ways that look like
    // memory corruption ("Unknown scalar type" inside an optimizer step) when one thread set the thread count or the
    // seed while another trained. Monitor locks are reentrant, so the three entry points nest freely.
    private static readonly object s_exclusive = new();

    /// <summary>Sets torch's intra-op thread count and seeds torch's generator.</summary>
    /// <exception cref="InvalidOperationException">libtorch could not be loaded (the message says why).</exception>
    public static void Initialize(int threads, long seed)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(threads);
        lock (s_exclusive)
        {
            try
            {
                torch.set_num_threads(threads);
            }
            catch (TypeInitializationException e)
            {
                throw new InvalidOperationException(
                    "TorchSharp could not load libtorch: " + (e.InnerException?.Message ?? e.Message)
                    + " (libLibTorchSharp.so must have its GLIBCXX_3.4.32 requirement weakened by the build; see README, 'TorchSharp on Debian 12').", e);
            }

            LibTorchNumerics.DisableOneDnn();
            torch.manual_seed(seed);
            torch.random.manual_seed(seed);
        }
    }

    /// <summary>
    /// Seeds torch's global generator and runs <paramref name="create"/> (which draws initial weights from it) under one
    /// lock, so models created on several threads at once (edgernn nab run trains files in parallel) each get exactly
    /// the weights their seed gives. Training itself draws nothing from torch's generator (shuffling uses
    /// <see cref="Random"/>; dropout is the exception and is off by default).
    /// </summary>
    public static T CreateSeeded<T>(long seed, Func<T> create)
    {
        ArgumentNullException.ThrowIfNull(create);
        lock (s_exclusive)
        {
            torch.manual_seed(seed);
            torch.random.manual_seed(seed);
            return create();
        }
    }

    /// <summary>
    /// Runs <paramref name="work"/> while no other thread of this process runs torch work through this method.
    /// Training two models at once on two threads (parallel test classes, edgernn nab run) failed inside libtorch now
    /// and then ("Expected false to be true" from c10::Scalar::toFloat during an epoch), so every training and export
    /// run holds this; the parallel parts of edgernn nab run are quantization and streaming. Reentrant.
    /// </summary>
    public static T Exclusive<T>(Func<T> work)
    {
        ArgumentNullException.ThrowIfNull(work);
        lock (s_exclusive)
        {
            return work();
        }
    }

    /// <summary>The thread count torch uses now.</summary>
    public static int Threads => torch.get_num_threads();
}
