namespace EdgeRnn.Runtime;

/// <summary>The recurrent cell types EdgeRnn runs, trains and quantizes; <see cref="RecurrentCell.For"/> answers everything else about each.</summary>
/// <remarks>The numeric values are stored in training checkpoints: append new kinds, never reorder.</remarks>
public enum RecurrentCellKind
{
    /// <summary>Long short-term memory: ONNX LSTM (gates i, o, f, c), with a cell state.</summary>
    Lstm,

    /// <summary>Gated recurrent unit: ONNX GRU (gates z, r, h).</summary>
    Gru,

    /// <summary>Elman RNN with tanh: ONNX RNN.</summary>
    Rnn,
}
