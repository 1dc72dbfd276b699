// EdgeRnn's RTNeural comparison harness: the pieces shared by main.cpp and every shapes.cpp instance.
//
// RTNeural (https://github.com/jatinchowdhury18/RTNeural, BSD-3-Clause) is not part of this repository: its headers
// come from the checkout given to eng/rtneural/build.sh. Nothing here is copied from it; this file only declares
// our own benchmark plumbing.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace rtnbench
{
/// What a run of one shape is asked to do.
struct Options
{
    int timedSteps = 20000; ///< timed steps, in blocks of blockSize (like `edgernn bench --timed-steps`)
    int blockSize = 1000;   ///< steps per timed block; the headline is the median block average
    int warmup = 2000;      ///< untimed warm-up steps (the warm-up also lasts at least minWarmupMs)
    double minWarmupMs = 300.0;
    int checkSteps = 300;   ///< steps compared against the scalar reference in --check
    std::uint64_t seed = 1234;
};

/// The outcome of one shape.
struct Result
{
    double headlineUs = 0;          ///< median of the block averages, microseconds per step (lower median)
    double minBlockUs = 0;          ///< fastest block average
    double maxBlockUs = 0;          ///< slowest block average
    int blocks = 0;
    long long warmupSteps = 0;
    double checksum = 0;            ///< sum of the first output over all timed steps (keeps the work observable)
    // --check only:
    bool checked = false;
    double maxAbsDiff = -1;         ///< RTNeural vs our scalar reference, over checkSteps steps from the zero state
    double maxAbsOutput = 0;        ///< largest |output| seen in the check
    bool finite = true;             ///< every output of the check was finite
    double inputSensitivity = 0;    ///< max |y_a - y_b| when the same model (reset) runs two different input sequences
};

using RunFunction = Result (*)(const Options&, bool check);

/// One compiled-in shape: `cell` is "lstm" or "gru"; the model is `layers` recurrent layers of `hidden` units over
/// `input` features and a dense head back to `input` outputs (the shape of `edgernn bench --builtin`).
struct ShapeEntry
{
    const char* cell;
    int input;
    int hidden;
    int layers;
    RunFunction run;
};

/// Every shape compiled into this binary (each shapes.cpp instance registers its own at start-up).
std::vector<ShapeEntry>& registry();

struct Registrar
{
    explicit Registrar(const ShapeEntry& entry) { registry().push_back(entry); }
};

/// Deterministic uniform random numbers (SplitMix64): the same weights on every compiler and standard library.
class Random
{
public:
    explicit Random(std::uint64_t seed) : _state(seed) { }

    std::uint64_t next()
    {
        std::uint64_t z = (_state += 0x9E3779B97F4A7C15ull);
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
        return z ^ (z >> 31);
    }

    /// Uniform in [-scale, scale).
    float uniform(float scale) { return (float)((double)(next() >> 11) * (1.0 / 9007199254740992.0) * 2.0 - 1.0) * scale; }

private:
    std::uint64_t _state;
};
} // namespace rtnbench
