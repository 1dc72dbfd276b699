// Reads the network of an `edgernn testdata --builtin` folder so RTNeural runs EdgeRnn's very weights and is checked
// against the outputs ONNX Runtime computed for the folder's inputs. A minimal protobuf walk: only the fields the
// builtin models use (ModelProto.graph -> GraphProto.initializer -> TensorProto dims / data_type / float_data / name /
// raw_data), no dependency on the protobuf or ONNX libraries.
#include "harness.h"

#include <cstring>
#include <fstream>
#include <iterator>
#include <map>
#include <sstream>

namespace rtnbench
{
namespace
{
struct Tensor
{
    std::vector<std::int64_t> dims;
    std::vector<float> data;
    int dataType = 0;
};

/// Protobuf wire-format cursor over [p, end); `ok` turns false on malformed input.
struct Wire
{
    const unsigned char* p;
    const unsigned char* end;
    bool ok = true;

    std::uint64_t varint()
    {
        std::uint64_t v = 0;
        for(int shift = 0; shift < 64; shift += 7)
        {
            if(p >= end)
                break;
            const unsigned char byte = *p++;
            v |= (std::uint64_t)(byte & 0x7F) << shift;
            if((byte & 0x80) == 0)
                return v;
        }
        ok = false;
        return 0;
    }

    bool next(std::uint32_t& field, std::uint32_t& type)
    {
        if(!ok || p >= end)
            return false;
        const std::uint64_t key = varint();
        field = (std::uint32_t)(key >> 3);
        type = (std::uint32_t)(key & 7);
        return ok;
    }

    Wire bytes()
    {
        const std::uint64_t n = varint();
        if(!ok || n > (std::uint64_t)(end - p))
        {
            ok = false;
            return { end, end, false };
        }
        Wire inner { p, p + n };
        p += n;
        return inner;
    }

    void skip(std::uint32_t type)
    {
        switch(type)
        {
        case 0: varint(); break;
        case 1: p + 8 <= end ? (void)(p += 8) : (void)(ok = false); break;
        case 2: bytes(); break;
        case 5: p + 4 <= end ? (void)(p += 4) : (void)(ok = false); break;
        default: ok = false;
        }
    }
};

bool parseTensor(Wire w, std::string& name, Tensor& t)
{
    std::uint32_t field, type;
    while(w.next(field, type))
    {
        if(field == 1 && type == 0)
            t.dims.push_back((std::int64_t)w.varint());
        else if(field == 1 && type == 2)
        {
            Wire packed = w.bytes();
            while(packed.ok && packed.p < packed.end)
                t.dims.push_back((std::int64_t)packed.varint());
            w.ok = w.ok && packed.ok;
        }
        else if(field == 2 && type == 0)
            t.dataType = (int)w.varint();
        else if(field == 4 && type == 2)
        {
            Wire packed = w.bytes();
            for(; packed.p + 4 <= packed.end; packed.p += 4)
            {
                float f;
                std::memcpy(&f, packed.p, 4);
                t.data.push_back(f);
            }
        }
        else if(field == 8 && type == 2)
        {
            Wire s = w.bytes();
            name.assign((const char*)s.p, (size_t)(s.end - s.p));
        }
        else if(field == 9 && type == 2)
        {
            Wire raw = w.bytes();
            t.data.resize((size_t)(raw.end - raw.p) / 4);
            std::memcpy(t.data.data(), raw.p, t.data.size() * 4); // ONNX raw_data is little-endian, like x86 and ARM64
        }
        else
            w.skip(type);
    }
    return w.ok && t.dataType == 1; // FLOAT
}

bool readFile(const std::string& path, std::string& bytes)
{
    std::ifstream in(path, std::ios::binary);
    if(!in)
        return false;
    bytes.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
    return true;
}

Wire wireOf(const std::string& bytes)
{
    const auto* p = (const unsigned char*)bytes.data();
    return { p, p + bytes.size() };
}

std::string shapeText(const std::vector<std::int64_t>& dims)
{
    std::ostringstream s;
    s << '[';
    for(size_t i = 0; i < dims.size(); ++i)
        s << (i ? ", " : "") << dims[i];
    s << ']';
    return s.str();
}
} // namespace

bool loadOnnxCase(const std::string& folder, const char* cell, int input, int hidden, int layers, OnnxCase& result, std::string& error)
{
    const bool lstm = std::string(cell) == "lstm";
    const int gates = lstm ? 4 : 3;
    std::string bytes;
    if(!readFile(folder + "/model.onnx", bytes))
    {
        error = "cannot read " + folder + "/model.onnx (write the folder with edgernn testdata --builtin)";
        return false;
    }

    std::map<std::string, Tensor> initializers;
    Wire model = wireOf(bytes);
    std::uint32_t field, type;
    while(model.next(field, type))
    {
        if(field != 7 || type != 2)
        {
            model.skip(type);
            continue;
        }
        Wire graph = model.bytes();
        while(graph.next(field, type))
        {
            if(field != 5 || type != 2)
            {
                graph.skip(type);
                continue;
            }
            std::string name;
            Tensor t;
            if(parseTensor(graph.bytes(), name, t))
                initializers[name] = std::move(t);
        }
        model.ok = model.ok && graph.ok;
    }
    if(!model.ok)
    {
        error = folder + "/model.onnx is not a readable ONNX model";
        return false;
    }

    auto get = [&](const std::string& name, std::vector<std::int64_t> dims, const Tensor*& t) {
        auto it = initializers.find(name);
        if(it == initializers.end())
        {
            error = folder + "/model.onnx has no float initializer '" + name + "': not an edgernn testdata --builtin "
                + cell + " model with " + std::to_string(layers) + " layer(s)";
            return false;
        }
        if(it->second.dims != dims || it->second.data.size() != (size_t)[&] { std::int64_t n = 1; for(auto d : dims) n *= d; return n; }())
        {
            error = "initializer '" + name + "' is " + shapeText(it->second.dims) + ", expected " + shapeText(dims)
                + " (input " + std::to_string(input) + ", hidden " + std::to_string(hidden) + ")";
            return false;
        }
        t = &it->second;
        return true;
    };

    // ONNX gate blocks: LSTM (i, o, f, c), GRU (z, r, h). RTNeural's (Keras) blocks: LSTM (i, f, c, o), GRU (z, r, h).
    const int lstmBlock[4] = { 0, 2, 3, 1 }; // Keras block k comes from ONNX block lstmBlock[k]
    result.layers.clear();
    for(int l = 0; l < layers; ++l)
    {
        const std::string prefix = std::string(cell) + "_" + std::to_string(l) + ".";
        const int in = l == 0 ? input : hidden;
        const Tensor *w, *r, *b;
        if(!get(prefix + "W", { 1, gates * hidden, in }, w) || !get(prefix + "R", { 1, gates * hidden, hidden }, r)
            || !get(prefix + "B", { 1, 2 * gates * hidden }, b))
            return false;
        RecurrentWeights rw;
        rw.in = in;
        rw.w.assign(in, std::vector<float>(gates * hidden));
        rw.u.assign(hidden, std::vector<float>(gates * hidden));
        rw.bInput.resize(gates * hidden);
        rw.bRecurrent.resize(gates * hidden);
        rw.b.resize(gates * hidden);
        for(int g = 0; g < gates; ++g)
        {
            const int og = lstm ? lstmBlock[g] : g;
            for(int k = 0; k < hidden; ++k)
            {
                const int row = og * hidden + k, col = g * hidden + k;
                for(int i = 0; i < in; ++i)
                    rw.w[i][col] = w->data[(size_t)row * in + i];
                for(int j = 0; j < hidden; ++j)
                    rw.u[j][col] = r->data[(size_t)row * hidden + j];
                rw.bInput[col] = b->data[row];
                rw.bRecurrent[col] = b->data[gates * hidden + row];
                rw.b[col] = rw.bInput[col] + rw.bRecurrent[col];
            }
        }
        result.layers.push_back(std::move(rw));
    }
    const std::string extra = std::string(cell) + "_" + std::to_string(layers) + ".W";
    if(initializers.count(extra) != 0)
    {
        error = folder + "/model.onnx has more than " + std::to_string(layers) + " layer(s) (it has '" + extra + "')";
        return false;
    }
    const Tensor *headW, *headB;
    if(!get("head.W", { hidden, input }, headW) || !get("head.B", { input }, headB))
        return false;
    result.head.in = hidden;
    result.head.out = input;
    result.head.w.assign(input, std::vector<float>(hidden));
    for(int o = 0; o < input; ++o)
        for(int j = 0; j < hidden; ++j)
            result.head.w[o][j] = headW->data[(size_t)j * input + o];
    result.head.b = headB->data;

    // test_data_set_0: x [seq, 1, input] and y [seq, 1, input] (ONNX Runtime's outputs from the zero state).
    Tensor x, y;
    std::string name;
    if(!readFile(folder + "/test_data_set_0/input_0.pb", bytes) || !parseTensor(wireOf(bytes), name, x)
        || !readFile(folder + "/test_data_set_0/output_0.pb", bytes) || !parseTensor(wireOf(bytes), name, y))
    {
        error = "cannot read float tensors " + folder + "/test_data_set_0/input_0.pb and output_0.pb";
        return false;
    }
    if(x.dims.size() != 3 || x.dims[1] != 1 || x.dims[2] != input || y.dims != x.dims || x.data.size() != y.data.size()
        || x.data.size() != (size_t)(x.dims[0] * input))
    {
        error = "test_data_set_0 has x " + shapeText(x.dims) + " and y " + shapeText(y.dims) + ", expected [seq, 1, "
            + std::to_string(input) + "] for both";
        return false;
    }
    result.steps = (int)x.dims[0];
    result.inputs = std::move(x.data);
    result.expected = std::move(y.data);
    return true;
}
} // namespace rtnbench
