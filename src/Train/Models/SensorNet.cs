using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace EdgeRnn.Train.Models;

/// <summary>
/// The trainable network, sequence-first ([time, batch, features], ONNX layout 0):
/// forecast: recurrent stack + Linear head at every step ([T, B, F] → [T, B, F], the next reading);
/// autoencoder: encoder stack → last layer's final hidden state repeated T times → decoder stack → Linear ([T, B, F]);
/// classify: recurrent stack → last layer's final hidden state → Linear → logits [B, classes].
/// </summary>
internal sealed class SensorNet : nn.Module<Tensor, Tensor>
{
#pragma warning disable IDE0044, CA1859 // TorchSharp's RegisterComponents finds submodules by reflection over these fields.
    private nn.Module _encoder;
    private nn.Module? _decoder;
    private Linear _head;
#pragma warning restore IDE0044, CA1859

    public SensorNet(ModelConfig config)
        : base("SensorNet")
    {
        ArgumentNullException.ThrowIfNull(config);
        Config = config;
        _encoder = CreateStack(config, config.Features);
        _decoder = config.Task == TrainTask.Autoencoder ? CreateStack(config, config.Hidden) : null;
        _head = nn.Linear(config.Hidden, config.Task == TrainTask.Classify ? config.Classes : config.Features);
        RegisterComponents();
    }

    public ModelConfig Config { get; }

    /// <summary>The encoder's torch module (LSTM, GRU or RNN).</summary>
    public nn.Module Encoder => _encoder;

    /// <summary>The decoder (autoencoder) or null.</summary>
    public nn.Module? Decoder => _decoder;

    /// <summary>The output layer.</summary>
    public Linear Head => _head;

    public override Tensor forward(Tensor input)
    {
        (Tensor y, Tensor last) = RunStack(_encoder, input);
        switch (Config.Task)
        {
            case TrainTask.Forecast:
                last.Dispose();
                return _head.call(y);
            case TrainTask.Autoencoder:
            {
                y.Dispose();
                using Tensor repeated = last.expand(input.shape[0], -1, -1);
                (Tensor decoded, Tensor decodedLast) = RunStack(_decoder!, repeated);
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
    private static (Tensor Y, Tensor Last) RunStack(nn.Module stack, Tensor input)
    {
        switch (stack)
        {
            case LSTM lstm:
            {
                (Tensor y, Tensor h, Tensor c) = lstm.call(input, null);
                c.Dispose();
                using (h)
                {
                    return (y, h[-1].unsqueeze(0));
                }
            }

            case GRU gru:
            {
                (Tensor y, Tensor h) = gru.call(input, null);
                using (h)
                {
                    return (y, h[-1].unsqueeze(0));
                }
            }

            default:
            {
                (Tensor y, Tensor h) = ((RNN)stack).call(input, null);
                using (h)
                {
                    return (y, h[-1].unsqueeze(0));
                }
            }
        }
    }

    private static nn.Module CreateStack(ModelConfig config, int inputSize) => config.Cell switch
    {
        CellKind.Lstm => nn.LSTM(inputSize, config.Hidden, config.Layers, dropout: config.Layers > 1 ? config.Dropout : 0),
        CellKind.Gru => nn.GRU(inputSize, config.Hidden, config.Layers, dropout: config.Layers > 1 ? config.Dropout : 0),
        _ => nn.RNN(inputSize, config.Hidden, config.Layers, nn.NonLinearities.Tanh, dropout: config.Layers > 1 ? config.Dropout : 0),
    };

    /// <summary>The weights of recurrent layer <paramref name="layer"/> of a stack as float arrays in torch's layout.</summary>
    public static (float[] Wih, float[] Whh, float[] Bih, float[] Bhh) LayerWeights(nn.Module stack, int layer)
    {
        string l = layer.ToString(System.Globalization.CultureInfo.InvariantCulture);
        var p = stack.named_parameters().ToDictionary(x => x.name, x => x.parameter);
        return (ToArray(p["weight_ih_l" + l]), ToArray(p["weight_hh_l" + l]), ToArray(p["bias_ih_l" + l]), ToArray(p["bias_hh_l" + l]));
    }

    public static float[] ToArray(Tensor t)
    {
        using Tensor c = t.detach().contiguous().cpu();
        return c.data<float>().ToArray();
    }
}
