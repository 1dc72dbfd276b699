using System.Runtime.InteropServices;

namespace EdgeRnn.Train.Training;

/// <summary>
/// Keeps libtorch's recurrent layers off oneDNN (mkldnn). With oneDNN enabled, libtorch 2.10 runs <c>nn.LSTM</c> /
/// <c>nn.GRU</c> / <c>nn.RNN</c> on the CPU through oneDNN's RNN primitives (forward_training and backward through its
/// reference kernel, inference under no_grad through its brgemm AVX-512 kernel), and on some AVX-512 CPUs (AMD Zen 5
/// seen) the brgemm kernel computes wrong LSTM outputs for some shapes (hidden 16: max |diff| 0.23), so an export failed
/// its own verification. With oneDNN disabled, ATen runs its own cell (matrix products through BLAS, then the
/// pointwise gates): the same math on every x64 CPU.
/// </summary>
/// <remarks>
/// TorchSharp 0.107 has no binding for <c>torch.backends.mkldnn.enabled</c>, and the environment variables that would
/// pin oneDNN's ISA are read by the native library, which <see cref="Environment.SetEnvironmentVariable(string, string)"/>
/// does not reach on Linux. So this calls the C++ API libtorch_cpu exports, <c>at::globalContext()</c> and
/// <c>at::Context::setUserEnabledMkldnn(bool)</c>, in the copy of libtorch_cpu that TorchSharp already loaded (found
/// with <c>dlopen(RTLD_NOLOAD)</c>, so no second copy with its own context is ever loaded). The symbols are those of
/// libtorch 2.10.0 (Itanium C++ ABI); a libtorch without them is an error, not a silent fallback.
/// </remarks>
internal static partial class LibTorchNumerics
{
    private const string GlobalContextSymbol = "_ZN2at13globalContextEv";
    private const string SetEnabledSymbol = "_ZN2at7Context20setUserEnabledMkldnnEb";
    private const string GetEnabledSymbol = "_ZNK2at7Context17userEnabledMkldnnEv";
    private const int RtldLazy = 0x1;
    private const int RtldNoLoad = 0x4;

    /// <summary>
    /// Disables oneDNN in the libtorch that TorchSharp loaded; call after TorchSharp initialized (any torch call).
    /// Idempotent.
    /// </summary>
    /// <exception cref="InvalidOperationException">libtorch_cpu is not loaded or does not export the switch.</exception>
    public static unsafe void DisableOneDnn()
    {
        ContextApi api = Resolve();
        nint context = api.GlobalContext();
        api.SetEnabled(context, 0);
        if (api.GetEnabled(context) != 0)
        {
            throw new InvalidOperationException("libtorch still reports oneDNN (mkldnn) enabled after at::Context::setUserEnabledMkldnn(false).");
        }
    }

    /// <summary>Whether libtorch would use oneDNN now (torch.backends.mkldnn.enabled).</summary>
    public static unsafe bool IsOneDnnEnabled
    {
        get
        {
            ContextApi api = Resolve();
            return api.GetEnabled(api.GlobalContext()) != 0;
        }
    }

    /// <summary>Re-enables oneDNN: only for tests that show the difference.</summary>
    internal static unsafe void EnableOneDnnForTesting()
    {
        ContextApi api = Resolve();
        api.SetEnabled(api.GlobalContext(), 1);
    }

    private static unsafe ContextApi Resolve()
    {
        nint handle = DlOpen("libtorch_cpu.so", RtldLazy | RtldNoLoad);
        if (handle == 0)
        {
            throw new InvalidOperationException("libtorch_cpu.so is not loaded: initialize TorchSharp (any torch call) before switching oneDNN off.");
        }

        // dlopen counted one more reference; the library stays loaded through TorchSharp's own reference.
        try
        {
            return new ContextApi(
                (delegate* unmanaged<nint>)Symbol(handle, GlobalContextSymbol),
                (delegate* unmanaged<nint, byte, void>)Symbol(handle, SetEnabledSymbol),
                (delegate* unmanaged<nint, byte>)Symbol(handle, GetEnabledSymbol));
        }
        finally
        {
            _ = DlClose(handle);
        }
    }

    private static nint Symbol(nint handle, string name)
    {
        nint p = DlSym(handle, name);
        return p != 0
            ? p
            : throw new InvalidOperationException($"libtorch_cpu.so does not export {name}; EdgeRnn switches libtorch's oneDNN off through it (libtorch 2.10.0). Was the libtorch-cpu package version changed?");
    }

    private readonly unsafe struct ContextApi(
        delegate* unmanaged<nint> globalContext,
        delegate* unmanaged<nint, byte, void> setEnabled,
        delegate* unmanaged<nint, byte> getEnabled)
    {
        public nint GlobalContext() => globalContext();

        public void SetEnabled(nint context, byte enabled) => setEnabled(context, enabled);

        public byte GetEnabled(nint context) => getEnabled(context);
    }

    [LibraryImport("libc", EntryPoint = "dlopen", StringMarshalling = StringMarshalling.Utf8)]
    private static partial nint DlOpen(string file, int mode);

    [LibraryImport("libc", EntryPoint = "dlsym", StringMarshalling = StringMarshalling.Utf8)]
    private static partial nint DlSym(nint handle, string name);

    [LibraryImport("libc", EntryPoint = "dlclose")]
    private static partial int DlClose(nint handle);
}
