using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using RecurrentCell = EdgeRnn.Runtime.RecurrentCell;
using RecurrentCellKind = EdgeRnn.Runtime.RecurrentCellKind;

namespace EdgeRnn.Train.Models;

/// <summary>
/// The trainable network, sequence-first ([time, batch, features], ONNX layout 0):
/// forecast: recurrent stack + Linear head at every step ([T, B, F] → [T, B, F], the next reading);
/// autoencoder: encoder stack → last layer's final hidden state repeated T times → decoder stack → Linear ([T, B, F]);
/// classify: recurrent stack → last layer's final hidden state → Linear → logits [B, classes].
/// Bidirectional stacks (window tasks) output [T, B, 2H] (forward then reverse, torch's order); their "final hidden
/// state" is the forward direction's last step concatenated with the reverse direction's (which ends at t = 0).
/// Token models (classify) take int64 ids [T, B] through an <c>Embedding</c> into the stack.
/// </summary>
internal sealed class SensorNet : nn.Module<Tensor, Tensor>
{
#pragma warning disable IDE0044, CA1859 // TorchSharp's RegisterComponents finds submodules by reflection over these fields.
    private Embedding? _embedding;
    private nn.Module _encoder;
    private nn.Module? _decoder;
    private Linear _head;
#pragma warning restore IDE0044, CA1859

    public SensorNet(ModelConfig config)
        : base("SensorNet")
    {
        ArgumentNullException.ThrowIfNull(config);
        Config = config;
        if (config.IsTokenModel && config.Task != TrainTask.Classify)
        {
            throw new ArgumentException("Token-id input (--tokens) is for the classify task only.");
        }

        if (config.Bidirectional && config.Task == TrainTask.Forecast)
        {
            throw new ArgumentException("--bidirectional is for window tasks (autoencoder, classify): a forecast model must stream, and a reverse direction needs the whole window.");
        }

        int width = config.Hidden * config.Directions;
        _embedding = config.IsTokenModel ? nn.Embedding(config.Vocabulary, config.EmbeddingDim) : null;
        _encoder = CreateStack(config, config.IsTokenModel ? config.EmbeddingDim : config.Features);
        _decoder = config.Task == TrainTask.Autoencoder ? CreateStack(config, width) : null;
        _head = nn.Linear(width, config.Task == TrainTask.Classify ? config.Classes : config.Features);
        RegisterComponents();
    }

    public ModelConfig Config { get; }

    /// <summary>The encoder's torch module (LSTM, GRU or RNN).</summary>
    public nn.Module Encoder => _encoder;

    /// <summary>The decoder (autoencoder) or null.</summary>
    public nn.Module? Decoder => _decoder;

    /// <summary>The embedding of token models, or null.</summary>
    public Embedding? TokenEmbedding => _embedding;

    /// <summary>The output layer.</summary>
    public Linear Head => _head;

    public override Tensor forward(Tensor input)
    {
        using Tensor? embedded = _embedding?.call(input);
        (Tensor y, Tensor last) = RunStack(_encoder, embedded ?? input, Config.Bidirectional);
        switch (Config.Task)
        {
            case TrainTask.Forecast:
                last.Dispose();
                return _head.call(y);
            case TrainTask.Autoencoder:
            {
                y.Dispose();
                using Tensor repeated = last.expand(input.shape[0], -1, -1);
                (Tensor decoded, Tensor decodedLast) = RunStack(_decoder!, repeated, Config.Bidirectional);
                decodedLast.Dispose();
                using (decoded)
                {
                    return _head.call(decoded);
                }
            }

            default:
                y.Dispose();
                using (last)
                {
                    return _head.call(last.squeeze(0));
                }
        }
    }

    /// <summary>Runs a stack; returns all steps of the last layer and the last layer's final hidden state [1, B, H].</summary>
    private static (Tensor Y, Tensor Last) RunStack(nn.Module stack, Tensor input, bool bidirectional)
    {
        switch (stack)
        {
            case LSTM lstm:
            {
                (Tensor y, Tensor h, Tensor c) = lstm.call(input, null);
                c.Dispose();
                using (h)
                {
                    return (y, Last(h, bidirectional));
                }
            }

            case GRU gru:
            {
                (Tensor y, Tensor h) = gru.call(input, null);
                using (h)
                {
                    return (y, Last(h, bidirectional));
                }
            }

            default:
            {
                (Tensor y, Tensor h) = ((RNN)stack).call(input, null);
                using (h)
                {
                    return (y, Last(h, bidirectional));
                }
            }
        }
    }

    /// <summary>The last layer's final state [1, B, D*H] from h_n [layers*D, B, H]: forward then reverse when bidirectional.</summary>
    private static Tensor Last(Tensor h, bool bidirectional)
    {
        if (!bidirectional)
        {
            return h[-1].unsqueeze(0);
        }

        using Tensor forward = h[-2], reverse = h[-1];
        return cat([forward, reverse], -1).unsqueeze(0);
    }

    // The one place outside the runtime that knows each cell: the PyTorch module that trains it.
    private static nn.Module CreateStack(ModelConfig config, int inputSize) => config.Cell switch
    {
        RecurrentCellKind.Lstm => nn.LSTM(inputSize, config.Hidden, config.Layers, dropout: config.Layers > 1 ? config.Dropout : 0, bidirectional: config.Bidirectional),
        RecurrentCellKind.Gru => nn.GRU(inputSize, config.Hidden, config.Layers, dropout: config.Layers > 1 ? config.Dropout : 0, bidirectional: config.Bidirectional),
        RecurrentCellKind.Rnn => nn.RNN(inputSize, config.Hidden, config.Layers, nn.NonLinearities.Tanh, dropout: config.Layers > 1 ? config.Dropout : 0, bidirectional: config.Bidirectional),
        _ => throw new ArgumentOutOfRangeException(nameof(config), config.Cell, "No PyTorch module for this recurrent cell."),
    };

    /// <summary>
    /// One network that computes the average of <paramref name="members"/>' forecasts exactly: K unidirectional
    /// forecasters of hidden H (same cell, layers and features) become one of hidden K x H whose weights are
    /// block-diagonal (member k owns units k x H .. (k + 1) x H - 1 of every gate; a layer above the first reads only its
    /// own member's units), and whose head is the members' heads side by side divided by K, with their mean bias. A
    /// recurrent unit's gates read only the input and its own member's units, so the members run independently inside
    /// it; the device runs the ensemble as one ordinary model (its weights are (K - 1) / K zeros: K times the
    /// multiply-adds of the members, for one step instead of K).
    /// </summary>
    public static SensorNet Ensemble(IReadOnlyList<SensorNet> members)
    {
        ArgumentNullException.ThrowIfNull(members);
        ArgumentOutOfRangeException.ThrowIfLessThan(members.Count, 1);
        ModelConfig c = members[0].Config;
        if (c.Task != TrainTask.Forecast || c.Bidirectional || c.IsTokenModel || members.Any(m => m.Config != c))
        {
            throw new ArgumentException("An ensemble averages unidirectional forecasters of one configuration.");
        }

        int k = members.Count, h = c.Hidden, wide = k * h, gates = RecurrentCell.For(c.Cell).Gates;
        var net = new SensorNet(c with { Hidden = wide });
        var target = net.Encoder.named_parameters().ToDictionary(x => x.name, x => x.parameter);
        using (no_grad())
        {
            for (int l = 0; l < c.Layers; l++)
            {
                string suffix = l.ToString(System.Globalization.CultureInfo.InvariantCulture);
                int inputs = l == 0 ? c.Features : h;
                var wih = new float[gates * wide * (l == 0 ? c.Features : wide)];
                var whh = new float[gates * wide * wide];
                var bih = new float[gates * wide];
                var bhh = new float[gates * wide];
                for (int m = 0; m < k; m++)
                {
                    (float[] mWih, float[] mWhh, float[] mBih, float[] mBhh) = LayerWeights(members[m].Encoder, l);
                    for (int g = 0; g < gates; g++)
                    {
                        for (int u = 0; u < h; u++)
                        {
                            int from = (g * h) + u, to = (g * wide) + (m * h) + u;
                            // The first layer reads the shared input; a later layer reads its member's units of the layer below.
                            int columns = l == 0 ? c.Features : wide, offset = l == 0 ? 0 : m * h;
                            Array.Copy(mWih, from * inputs, wih, (to * columns) + offset, inputs);
                            Array.Copy(mWhh, from * h, whh, (to * wide) + (m * h), h);
                            bih[to] = mBih[from];
                            bhh[to] = mBhh[from];
                        }
                    }
                }

                target["weight_ih_l" + suffix].copy_(tensor(wih).reshape(gates * wide, l == 0 ? c.Features : wide));
                target["weight_hh_l" + suffix].copy_(tensor(whh).reshape(gates * wide, wide));
                target["bias_ih_l" + suffix].copy_(tensor(bih));
                target["bias_hh_l" + suffix].copy_(tensor(bhh));
            }

            var head = new float[c.Features * wide];
            var bias = new float[c.Features];
            for (int m = 0; m < k; m++)
            {
                float[] mHead = ToArray(members[m].Head.weight!); // [F, H]
                float[] mBias = ToArray(members[m].Head.bias!);
                for (int o = 0; o < c.Features; o++)
                {
                    for (int u = 0; u < h; u++)
                    {
                        head[(o * wide) + (m * h) + u] = mHead[(o * h) + u] / k;
                    }

                    bias[o] += mBias[o] / k;
                }
            }

            net.Head.weight!.copy_(tensor(head).reshape(c.Features, wide));
            net.Head.bias!.copy_(tensor(bias));
        }

        return net;
    }

    /// <summary>The weights of recurrent layer <paramref name="layer"/> of a stack as float arrays in torch's layout (<paramref name="reverse"/>: the <c>_reverse</c> direction).</summary>
    public static (float[] Wih, float[] Whh, float[] Bih, float[] Bhh) LayerWeights(nn.Module stack, int layer, bool reverse = false)
    {
        string l = layer.ToString(System.Globalization.CultureInfo.InvariantCulture) + (reverse ? "_reverse" : "");
        var p = stack.named_parameters().ToDictionary(x => x.name, x => x.parameter);
        return (ToArray(p["weight_ih_l" + l]), ToArray(p["weight_hh_l" + l]), ToArray(p["bias_ih_l" + l]), ToArray(p["bias_hh_l" + l]));
    }

    public static float[] ToArray(Tensor t)
    {
        using Tensor c = t.detach().contiguous().cpu();
        return c.data<float>().ToArray();
    }
}
