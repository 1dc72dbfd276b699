namespace EdgeRnn.Runtime;

/// <summary>
/// Thrown when a model file is malformed, truncated, exceeds a load limit, or uses something the runtime does not
/// support. The message says what is wrong and where (node, initializer, input or attribute).
/// </summary>
public sealed class ModelFormatException : Exception
{
    /// <summary>Creates the exception with a message.</summary>
    public ModelFormatException(string message) : base(message) { }

    /// <summary>Creates the exception with a message and the exception that caused it.</summary>
    public ModelFormatException(string message, Exception innerException) : base(message, innerException) { }

    /// <summary>Creates the exception with no message.</summary>
    public ModelFormatException() { }

    internal ModelFormatException(string message, string[] constantInputs) : base(message) => ConstantInputs = constantInputs;

    /// <summary>
    /// Set when the graph is valid but a node needs, as a load-time constant, a value computed from these graph inputs
    /// (weights given as inputs, as ONNX's node tests and IR-3-era exporters do): binding them makes the model runnable.
    /// </summary>
    internal string[]? ConstantInputs { get; }
}
