namespace EdgeRnn.Runtime.Graph;

/// <summary>One step of an execution plan: a node's computation over frame slots and folded constants.</summary>
internal abstract class Kernel
{
    protected Kernel(string nodeName) => NodeName = nodeName;

    /// <summary>The graph node this kernel runs, for error messages.</summary>
    public string NodeName { get; }

    /// <summary>Multiply-adds one execution performs in its matrix products (for throughput reports), 0 for data movement.</summary>
    public virtual long MultiplyAdds => 0;

    /// <summary>Runs the kernel. Must not allocate on the managed heap.</summary>
    public abstract void Execute(Frame frame);
}
