// One cell kind and one hidden size of the comparison matrix, as RTNeural compile-time models (RTNeural::ModelT with
// LSTMLayerT / GRULayerT and a DenseT head back to the input size): inputs 1, 4, 8 x 1 and 2 layers, six shapes.
// eng/rtneural/build.sh compiles this file once per (cell, hidden) with
//   -DRTNBENCH_LSTM=1|0 -DRTNBENCH_HIDDEN=H
// so each translation unit stays small and a quick build compiles only the shapes it needs.
//
// The weights are uniform in +-1/sqrt(hidden) from a fixed seed (PyTorch's initialization, the same range as
// `edgernn bench --builtin`), so the gates do not saturate; with --onnx they are EdgeRnn's own (onnx_case.cpp). A plain scalar LSTM / GRU / dense reference written here
// (PyTorch equations, RTNeural's Keras gate order) checks that the weights went where we meant (--check).
#include "harness.h"

#include <RTNeural/RTNeural.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <memory>
#include <type_traits>
#include <vector>

#if !defined(RTNBENCH_LSTM) || !defined(RTNBENCH_HIDDEN)
#error "compile with -DRTNBENCH_LSTM=1|0 -DRTNBENCH_HIDDEN=<hidden size> (see eng/rtneural/build.sh)"
#endif
#if !RTNEURAL_USE_EIGEN && !RTNEURAL_USE_XSIMD
#error "compile with -DRTNEURAL_USE_EIGEN=1 (the comparison's backend) or -DRTNEURAL_USE_XSIMD=1 (build.sh --backend)"
#endif

namespace rtnbench
{
namespace
{
constexpr bool IsLstm = RTNBENCH_LSTM != 0;
constexpr int Hidden = RTNBENCH_HIDDEN;
constexpr int Gates = IsLstm ? 4 : 3;
constexpr int InputRows = 1024; // distinct input steps cycled through while timing
constexpr const char* CellName = IsLstm ? "lstm" : "gru";

template <int I, int H>
using Cell = std::conditional_t<IsLstm, RTNeural::LSTMLayerT<float, I, H>, RTNeural::GRULayerT<float, I, H>>;

template <int I, int L>
struct ModelOf;

template <int I>
struct ModelOf<I, 1>
{
    using type = RTNeural::ModelT<float, I, I, Cell<I, Hidden>, RTNeural::DenseT<float, Hidden, I>>;
};

template <int I>
struct ModelOf<I, 2>
{
    using type = RTNeural::ModelT<float, I, I, Cell<I, Hidden>, Cell<Hidden, Hidden>, RTNeural::DenseT<float, Hidden, I>>;
};

RecurrentWeights makeRecurrent(Random& random, int in)
{
    const float scale = 1.0f / std::sqrt((float)Hidden);
    const int rows = Gates * Hidden;
    RecurrentWeights r;
    r.in = in;
    r.w.assign(in, std::vector<float>(rows));
    r.u.assign(Hidden, std::vector<float>(rows));
    for(auto& row : r.w)
        for(auto& v : row)
            v = random.uniform(scale);
    for(auto& row : r.u)
        for(auto& v : row)
            v = random.uniform(scale);
    r.bInput.resize(rows);
    r.bRecurrent.resize(rows);
    for(auto& v : r.bInput)
        v = random.uniform(scale);
    for(auto& v : r.bRecurrent)
        v = random.uniform(scale);
    r.b.resize(rows);
    for(int k = 0; k < rows; ++k)
        r.b[k] = r.bInput[k] + r.bRecurrent[k];
    return r;
}

DenseWeights makeDense(Random& random, int in, int out)
{
    const float scale = 1.0f / std::sqrt((float)Hidden);
    DenseWeights d;
    d.in = in;
    d.out = out;
    d.w.assign(out, std::vector<float>(in));
    for(auto& row : d.w)
        for(auto& v : row)
            v = random.uniform(scale);
    d.b.resize(out);
    for(auto& v : d.b)
        v = random.uniform(scale);
    return d;
}

template <int I, int H>
void load(RTNeural::LSTMLayerT<float, I, H>& layer, const RecurrentWeights& r)
{
    layer.setWVals(r.w);
    layer.setUVals(r.u);
    layer.setBVals(r.b);
}

template <int I, int H>
void load(RTNeural::GRULayerT<float, I, H>& layer, const RecurrentWeights& r)
{
    layer.setWVals(r.w);
    layer.setUVals(r.u);
    layer.setBVals(std::vector<std::vector<float>> { r.bInput, r.bRecurrent });
}

template <int I, int O>
void load(RTNeural::DenseT<float, I, O>& layer, const DenseWeights& d)
{
    layer.setWeights(d.w);
    layer.setBias(d.b.data());
}

float sigmoid(float x) { return 1.0f / (1.0f + std::exp(-x)); }

/// Plain scalar model in double precision: the check's reference.
struct Reference
{
    std::vector<RecurrentWeights> layers;
    DenseWeights head;
    std::vector<std::vector<double>> h, c;

    void reset()
    {
        h.assign(layers.size(), std::vector<double>(Hidden, 0.0));
        c.assign(layers.size(), std::vector<double>(Hidden, 0.0));
    }

    void step(const float* x, float* y)
    {
        std::vector<double> in(x, x + layers[0].in);
        std::vector<double> z(Gates * Hidden), zi(Gates * Hidden), zh(Gates * Hidden);
        for(size_t l = 0; l < layers.size(); ++l)
        {
            const RecurrentWeights& r = layers[l];
            for(int k = 0; k < Gates * Hidden; ++k)
            {
                double a = r.bInput[k], b = r.bRecurrent[k];
                for(int i = 0; i < r.in; ++i)
                    a += in[i] * r.w[i][k];
                for(int j = 0; j < Hidden; ++j)
                    b += h[l][j] * r.u[j][k];
                zi[k] = a;
                zh[k] = b;
                z[k] = a + b;
            }
            for(int j = 0; j < Hidden; ++j)
            {
                if(IsLstm)
                {
                    double ig = sigmoid((float)z[j]), fg = sigmoid((float)z[Hidden + j]);
                    double gg = std::tanh(z[2 * Hidden + j]), og = sigmoid((float)z[3 * Hidden + j]);
                    c[l][j] = fg * c[l][j] + ig * gg;
                    h[l][j] = og * std::tanh(c[l][j]);
                }
                else
                {
                    double zg = 1.0 / (1.0 + std::exp(-z[j])), rg = 1.0 / (1.0 + std::exp(-z[Hidden + j]));
                    double ng = std::tanh(zi[2 * Hidden + j] + rg * zh[2 * Hidden + j]);
                    h[l][j] = ng + zg * (h[l][j] - ng);
                }
            }
            in = h[l];
        }
        for(int o = 0; o < head.out; ++o)
        {
            double a = head.b[o];
            for(int j = 0; j < Hidden; ++j)
                a += head.w[o][j] * in[j];
            y[o] = (float)a;
        }
    }
};

using Clock = std::chrono::steady_clock;

double elapsedUs(Clock::time_point from, Clock::time_point to)
{
    return std::chrono::duration<double, std::micro>(to - from).count();
}

template <int I, int L>
Result runShape(const Options& options, bool check)
{
    using Model = typename ModelOf<I, L>::type;
    // ModelT points Eigen maps into itself: construct it in place (C++17 aligned new) and never copy or move it.
    std::unique_ptr<Model> model(new Model());

    Result result;
    Random random(options.seed);
    Reference reference;
    OnnxCase onnx;
    if(!options.onnxFolder.empty())
    {
        // The very weights of edgernn's built-in model (edgernn testdata writes the same network as edgernn bench).
        if(!loadOnnxCase(options.onnxFolder, CellName, I, Hidden, L, onnx, result.error))
            return result;
        reference.layers = onnx.layers;
        reference.head = onnx.head;
    }
    else
    {
        for(int l = 0; l < L; ++l)
            reference.layers.push_back(makeRecurrent(random, l == 0 ? I : Hidden));
        reference.head = makeDense(random, Hidden, I);
    }
    load(model->template get<0>(), reference.layers[0]);
    if constexpr(L == 2)
        load(model->template get<1>(), reference.layers[1]);
    load(model->template get<L>(), reference.head);
    model->reset();

    // Inputs uniform in +-0.5 (the range `edgernn bench` feeds), cycled; copied into an aligned buffer each step
    // because ModelT::forward maps its input with RTNeural's default alignment.
    std::vector<float> table(InputRows * I);
    for(auto& v : table)
        v = random.uniform(0.5f);
    alignas(64) float x[I < 16 ? 16 : I] = {}; // padded: the xsimd backend loads whole SIMD vectors of the input

    if(onnx.steps > 0)
    {
        // RTNeural vs ONNX Runtime on the folder's input sequence from the zero state.
        model->reset();
        double maxDiff = 0, maxExcess = -1e30;
        for(int t = 0; t < onnx.steps; ++t)
        {
            std::copy_n(&onnx.inputs[t * I], I, x);
            model->forward(x);
            for(int o = 0; o < I; ++o)
            {
                const double expected = onnx.expected[t * I + o], diff = std::fabs(model->getOutputs()[o] - expected);
                maxDiff = std::isfinite(diff) ? std::max(maxDiff, diff) : INFINITY;
                maxExcess = std::max(maxExcess, std::isfinite(diff) ? diff - (1e-4 + 1e-4 * std::fabs(expected)) : INFINITY);
            }
        }
        result.onnxSteps = onnx.steps;
        result.onnxMaxAbsDiff = maxDiff;
        result.onnxMaxExcess = maxExcess;
        model->reset();
    }

    if(check)
    {
        result.checked = true;
        reference.reset();
        double maxDiff = 0, maxOut = 0;
        std::vector<float> expected(I), first(options.checkSteps * I);
        for(int t = 0; t < options.checkSteps; ++t)
        {
            std::copy_n(&table[(t % InputRows) * I], I, x);
            model->forward(x);
            reference.step(x, expected.data());
            const float* y = model->getOutputs();
            for(int o = 0; o < I; ++o)
            {
                if(!std::isfinite(y[o]))
                    result.finite = false;
                maxDiff = std::max(maxDiff, (double)std::fabs(y[o] - expected[o]));
                maxOut = std::max(maxOut, (double)std::fabs(y[o]));
                first[t * I + o] = y[o];
            }
        }
        // The same model from the zero state on another input sequence: the outputs must move with the input.
        model->reset();
        double sensitivity = 0;
        for(int t = 0; t < options.checkSteps; ++t)
        {
            for(int i = 0; i < I; ++i)
                x[i] = -table[(t % InputRows) * I + i];
            model->forward(x);
            for(int o = 0; o < I; ++o)
                sensitivity = std::max(sensitivity, (double)std::fabs(model->getOutputs()[o] - first[t * I + o]));
        }
        result.maxAbsDiff = maxDiff;
        result.maxAbsOutput = maxOut;
        result.inputSensitivity = sensitivity;
        model->reset();
    }

    // Warm-up: at least `warmup` steps and at least minWarmupMs.
    long long t = 0;
    const Clock::time_point warmupStart = Clock::now();
    for(;; ++t)
    {
        std::copy_n(&table[(t & (InputRows - 1)) * I], I, x);
        model->forward(x);
        if(t + 1 >= options.warmup && (t & 255) == 0 && elapsedUs(warmupStart, Clock::now()) >= options.minWarmupMs * 1000.0)
            break;
    }
    result.warmupSteps = t + 1;

    // Timed blocks of blockSize steps; the headline is the median block average (the lower median, as edgernn bench).
    const int blocks = std::max(1, options.timedSteps / options.blockSize);
    std::vector<double> blockUs(blocks);
    double checksum = 0;
    for(int b = 0; b < blocks; ++b)
    {
        const Clock::time_point t0 = Clock::now();
        for(int i = 0; i < options.blockSize; ++i, ++t)
        {
            std::copy_n(&table[(t & (InputRows - 1)) * I], I, x);
            checksum += model->forward(x);
        }
        blockUs[b] = elapsedUs(t0, Clock::now()) / options.blockSize;
    }
    std::sort(blockUs.begin(), blockUs.end());
    result.blocks = blocks;
    result.headlineUs = blockUs[(blocks + 1) / 2 - 1];
    result.minBlockUs = blockUs.front();
    result.maxBlockUs = blockUs.back();
    result.checksum = checksum;
    return result;
}

const Registrar s_1_1({ CellName, 1, Hidden, 1, &runShape<1, 1> });
const Registrar s_1_2({ CellName, 1, Hidden, 2, &runShape<1, 2> });
const Registrar s_4_1({ CellName, 4, Hidden, 1, &runShape<4, 1> });
const Registrar s_4_2({ CellName, 4, Hidden, 2, &runShape<4, 2> });
const Registrar s_8_1({ CellName, 8, Hidden, 1, &runShape<8, 1> });
const Registrar s_8_2({ CellName, 8, Hidden, 2, &runShape<8, 2> });
} // namespace
} // namespace rtnbench
