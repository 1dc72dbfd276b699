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
    std::string onnxFolder; ///< an `edgernn testdata --builtin` folder: use its weights and check against its outputs
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
    // --onnx only:
    int onnxSteps = 0;              ///< steps of the test folder's input sequence run from the zero state
    double onnxMaxAbsDiff = -1;     ///< RTNeural vs the outputs ONNX Runtime computed for the test folder
    double onnxMaxExcess = 0;       ///< max of |diff| - (1e-4 + 1e-4 |expected|); > 0 fails
    std::string error;              ///< set when the run could not start (e.g. an unreadable --onnx folder)
};

/// One recurrent layer's weights in the layout RTNeural's setters take: W [in][gates*H], U [H][gates*H], gate blocks in
/// Keras order (LSTM i, f, c, o; GRU z, r, h). LSTM has one bias (the sum of the input and recurrent biases); GRU
/// keeps both (input and recurrent, as linear_before_reset = 1 needs).
struct RecurrentWeights
{
    int in = 0;
    std::vector<std::vector<float>> w, u;
    std::vector<float> b, bInput, bRecurrent;
};

/// The dense head: W [out][in], b [out].
struct DenseWeights
{
    int in = 0, out = 0;
    std::vector<std::vector<float>> w;
    std::vector<float> b;
};

/// The network of an `edgernn testdata --builtin` folder and its first data set.
struct OnnxCase
{
    std::vector<RecurrentWeights> layers;
    DenseWeights head;
    int steps = 0;
    std::vector<float> inputs;   ///< [steps][input]
    std::vector<float> expected; ///< [steps][input], computed by ONNX Runtime
};

/// Reads model.onnx and test_data_set_0 of a folder written by `edgernn testdata --builtin CELL --input I --hidden H
/// --layers L` (initializers <cell>_<l>.W/R/B in ONNX gate order, head.W [H, I], head.B) and converts the weights to
/// RTNeural's layout. Returns false with a message when the folder does not hold that network.
bool loadOnnxCase(const std::string& folder, const char* cell, int input, int hidden, int layers, OnnxCase& result, std::string& error);

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
