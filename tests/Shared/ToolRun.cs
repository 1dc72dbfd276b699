namespace EdgeRnn.Tests;

/// <summary>What a tool's command line did: its exit code and what it wrote to stdout and stderr.</summary>
internal readonly record struct ToolResult(int Code, string Out, string Err);

/// <summary>
/// Runs a tool's real command line in-process (every test project links this one file). The tools' commands write
/// only to the invocation's output and error writers, so string writers passed here capture everything; nothing
/// swaps <see cref="Console.Out"/>.
/// </summary>
internal static class ToolRun
{
    /// <summary>Runs <paramref name="program"/> (a tool's <c>Program.Run(args, stdout, stderr)</c>) on <paramref name="args"/>.</summary>
    public static ToolResult Run(Func<string[], TextWriter, TextWriter, int> program, params string[] args)
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        int code = program(args, stdout, stderr);
        return new ToolResult(code, stdout.ToString(), stderr.ToString());
    }
}
