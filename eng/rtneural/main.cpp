// rtneural-bench: times RTNeural compile-time models (Eigen backend, float) one step at a time, batch 1, in the shapes
// of `edgernn bench --builtin` (recurrent layers + a dense head back to the input size). Prints one JSON line per
// shape on stdout. Built by eng/rtneural/build.sh against an RTNeural checkout; driven by eng/rtneural-compare.sh.
#include "harness.h"

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

#ifndef RTNBENCH_RTNEURAL_COMMIT
#define RTNBENCH_RTNEURAL_COMMIT "unknown"
#endif
#if RTNEURAL_USE_XSIMD
#define RTNBENCH_BACKEND "xsimd"
#else
#define RTNBENCH_BACKEND "eigen"
#endif
#ifndef RTNBENCH_CXXFLAGS
#define RTNBENCH_CXXFLAGS "unknown"
#endif

namespace rtnbench
{
std::vector<ShapeEntry>& registry()
{
    static std::vector<ShapeEntry> entries;
    return entries;
}
} // namespace rtnbench

namespace
{
using rtnbench::ShapeEntry;

const char* const Usage = R"(usage: rtneural-bench [options]

Times RTNeural models (RTNeural::ModelT with LSTMLayerT / GRULayerT and a DenseT head back to the input size; Eigen
backend, float, batch 1) one step at a time: warm-up, then blocks of --block-size steps of model.forward(x), x cycling
through 1024 random input rows (uniform +-0.5). Weights are uniform in +-1/sqrt(hidden) from --seed, or those of an
`edgernn testdata --builtin` folder (--onnx).
Prints one JSON line per shape: headlineUs = the median of the block averages in microseconds per step (the headline
of `edgernn bench`), minBlockUs / maxBlockUs, blocks, warmupSteps, checksum.

Options:
  --shape CELL:INPUT:HIDDEN:LAYERS  a shape to run, e.g. lstm:4:64:1 (repeatable; default: every compiled-in shape)
  --list                            print the compiled-in shapes (one CELL:INPUT:HIDDEN:LAYERS a line) and exit
  --timed-steps N                   timed steps per shape, in blocks [default: 20000]
  --block-size N                    steps per timed block [default: 1000]
  --warmup N                        untimed warm-up steps (the warm-up also lasts at least 300 ms) [default: 2000]
  --check                           before timing, compare --check-steps steps against a scalar double-precision
                                    reference of the same weights, check the outputs are finite and move with the
                                    input; adds "check" to the JSON and exits 1 if a check fails
  --check-steps N                   steps of the check [default: 300]
  --seed N                          weight and input seed [default: 1234]
  --onnx DIR                        take the weights from an `edgernn testdata --builtin CELL --input I --hidden H
                                    --layers L -o DIR` folder (the network `edgernn bench --builtin` times) instead of
                                    the seed, and compare RTNeural's outputs on its test_data_set_0 inputs with the
                                    outputs ONNX Runtime computed (|diff| <= 1e-4 + 1e-4 |expected|); adds "onnx" to
                                    the JSON and exits 1 if they differ. Needs exactly one --shape.
  --version                         print the RTNeural commit and compiler flags of this build
  -h, --help                        this help

Exit codes: 0 = measured (and checked), 1 = a check failed, 2 = bad arguments, a shape not compiled in or an
unreadable --onnx folder.
)";

bool parseInt(const char* text, long long min, long long& value)
{
    char* end = nullptr;
    long long v = std::strtoll(text, &end, 10);
    if(end == text || *end != '\0' || v < min)
        return false;
    value = v;
    return true;
}

[[noreturn]] void badArgument(const std::string& message)
{
    std::fprintf(stderr, "error: %s\nrun rtneural-bench --help for the options.\n", message.c_str());
    std::exit(2);
}

std::string shapeName(const ShapeEntry& e)
{
    return std::string(e.cell) + ":" + std::to_string(e.input) + ":" + std::to_string(e.hidden) + ":" + std::to_string(e.layers);
}

std::string number(double v)
{
    if(!std::isfinite(v))
        return "null";
    char buffer[64];
    std::snprintf(buffer, sizeof buffer, "%.6g", v);
    return buffer;
}
} // namespace

int main(int argc, char** argv)
{
    rtnbench::Options options;
    std::vector<std::string> wanted;
    bool list = false, check = false;
    for(int i = 1; i < argc; ++i)
    {
        const std::string arg = argv[i];
        auto value = [&](long long min) {
            if(i + 1 >= argc)
                badArgument(arg + " needs a value");
            long long v = 0;
            if(!parseInt(argv[++i], min, v) || v > 1000000000LL)
                badArgument(arg + " needs a whole number >= " + std::to_string(min) + ", got '" + argv[i] + "'");
            return v;
        };
        if(arg == "-h" || arg == "--help")
        {
            std::fputs(Usage, stdout);
            return 0;
        }
        else if(arg == "--version")
        {
            std::printf("rtneural-bench: RTNeural %s, %s backend, float; compiled with %s\n", RTNBENCH_RTNEURAL_COMMIT, RTNBENCH_BACKEND, RTNBENCH_CXXFLAGS);
            return 0;
        }
        else if(arg == "--list")
            list = true;
        else if(arg == "--check")
            check = true;
        else if(arg == "--shape")
        {
            if(i + 1 >= argc)
                badArgument("--shape needs CELL:INPUT:HIDDEN:LAYERS, e.g. lstm:4:64:1");
            wanted.push_back(argv[++i]);
        }
        else if(arg == "--timed-steps")
            options.timedSteps = (int)value(1);
        else if(arg == "--block-size")
            options.blockSize = (int)value(1);
        else if(arg == "--warmup")
            options.warmup = (int)value(0);
        else if(arg == "--check-steps")
            options.checkSteps = (int)value(1);
        else if(arg == "--onnx")
        {
            if(i + 1 >= argc)
                badArgument("--onnx needs a folder written by edgernn testdata --builtin");
            options.onnxFolder = argv[++i];
        }
        else if(arg == "--seed")
            options.seed = (std::uint64_t)value(0);
        else
            badArgument("unknown argument '" + arg + "'");
    }
    if(options.blockSize > options.timedSteps)
        options.blockSize = options.timedSteps;

    const auto& all = rtnbench::registry();
    if(list)
    {
        for(const auto& e : all)
            std::printf("%s\n", shapeName(e).c_str());
        return 0;
    }

    std::vector<const ShapeEntry*> run;
    if(wanted.empty())
        for(const auto& e : all)
            run.push_back(&e);
    for(const auto& name : wanted)
    {
        const ShapeEntry* found = nullptr;
        for(const auto& e : all)
            if(shapeName(e) == name)
                found = &e;
        if(found == nullptr)
            badArgument("shape '" + name + "' is not compiled into this binary (--list shows what is; "
                + "eng/rtneural/build.sh builds the hidden sizes it is given)");
        run.push_back(found);
    }

    if(!options.onnxFolder.empty() && run.size() != 1)
        badArgument("--onnx holds one network: give exactly one --shape with it");

    int exitCode = 0;
    for(const ShapeEntry* e : run)
    {
        const rtnbench::Result r = e->run(options, check);
        if(!r.error.empty())
        {
            std::fprintf(stderr, "error: %s: %s\n", shapeName(*e).c_str(), r.error.c_str());
            return 2;
        }
        std::string line = "{\"runtime\":\"RTNeural\",\"backend\":\"" RTNBENCH_BACKEND "\",\"rtneuralCommit\":\"" RTNBENCH_RTNEURAL_COMMIT "\","
            "\"cell\":\"" + std::string(e->cell) + "\",\"input\":" + std::to_string(e->input)
            + ",\"hidden\":" + std::to_string(e->hidden) + ",\"layers\":" + std::to_string(e->layers)
            + ",\"headlineUs\":" + number(r.headlineUs) + ",\"minBlockUs\":" + number(r.minBlockUs)
            + ",\"maxBlockUs\":" + number(r.maxBlockUs) + ",\"blocks\":" + std::to_string(r.blocks)
            + ",\"blockSize\":" + std::to_string(options.blockSize) + ",\"warmupSteps\":" + std::to_string(r.warmupSteps)
            + ",\"checksum\":" + number(r.checksum);
        if(r.checked)
        {
            // float32 through Eigen's vectorized exp/tanh vs a double reference: 1e-4 absolute is generous for outputs
            // of size ~1 and far below what a gate-order or layout mistake produces (~1e-1). The input sensitivity
            // only has to beat float rounding: two layers over one input feature damp it to ~2e-4 (lstm:1:128:2).
            const bool ok = r.finite && r.maxAbsDiff <= 1e-4 && r.inputSensitivity > 1e-6;
            line += ",\"check\":{\"ok\":" + std::string(ok ? "true" : "false") + ",\"steps\":" + std::to_string(options.checkSteps)
                + ",\"maxAbsDiffVsReference\":" + number(r.maxAbsDiff) + ",\"maxAbsOutput\":" + number(r.maxAbsOutput)
                + ",\"finite\":" + (r.finite ? "true" : "false") + ",\"inputSensitivity\":" + number(r.inputSensitivity) + "}";
            if(!ok)
            {
                std::fprintf(stderr, "error: %s failed the check (finite=%d, max abs diff vs reference %g, input sensitivity %g)\n",
                    shapeName(*e).c_str(), r.finite ? 1 : 0, r.maxAbsDiff, r.inputSensitivity);
                exitCode = 1;
            }
        }
        if(r.onnxSteps > 0)
        {
            const bool ok = r.onnxMaxExcess <= 0;
            line += ",\"onnx\":{\"ok\":" + std::string(ok ? "true" : "false") + ",\"steps\":" + std::to_string(r.onnxSteps)
                + ",\"maxAbsDiffVsOrt\":" + number(r.onnxMaxAbsDiff) + "}";
            if(!ok)
            {
                std::fprintf(stderr, "error: %s: RTNeural with the weights of %s differs from ONNX Runtime's outputs by up to %g\n",
                    shapeName(*e).c_str(), options.onnxFolder.c_str(), r.onnxMaxAbsDiff);
                exitCode = 1;
            }
        }
        line += "}";
        std::printf("%s\n", line.c_str());
        std::fflush(stdout);
    }
    return exitCode;
}
