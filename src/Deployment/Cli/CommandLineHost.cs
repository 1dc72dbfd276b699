using System.CommandLine;
using System.Runtime.CompilerServices;

namespace EdgeRnn.Deployment.Cli;

/// <summary>
/// What the three command-line tools (edgernn, edgernn-quantize, edgernn-device) share, compiled once: running a root
/// command with uniform parse-error handling (bad options, including out-of-range numbers, exit 2 before any work),
/// and the hidden old spellings of renamed options.
/// </summary>
public static class CommandLineHost
{
    /// <summary>The exit codes every tool documents in its help.</summary>
    public const string ExitCodesHelp = "Exit codes: 0 = all good, 1 = a comparison is out of tolerance, 2 = bad input (missing or malformed file, bad options).";

    private const string Positional = "";

    private static readonly ConditionalWeakTable<Command, Dictionary<string, string>> s_oldSpellings = [];

    /// <summary>
    /// Parses and invokes with <paramref name="stdout"/> and <paramref name="stderr"/> as the invocation's output and
    /// error writers (the commands' actions write only to those); parse errors print to <paramref name="stderr"/> with a
    /// hint and return 2.
    /// </summary>
    public static int Run(RootCommand root, string toolName, string[] args, TextWriter stdout, TextWriter stderr)
    {
        ArgumentNullException.ThrowIfNull(root);
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(stdout);
        ArgumentNullException.ThrowIfNull(stderr);
        ParseResult parse = root.Parse(args);
        if (parse.Errors.Count > 0 && ParseOldSpellings(root, parse, args) is { } again)
        {
            parse = again;
        }

        if (parse.Errors.Count > 0)
        {
            foreach (System.CommandLine.Parsing.ParseError error in parse.Errors)
            {
                stderr.WriteLine("error: " + error.Message);
            }

            stderr.WriteLine($"Run '{toolName} --help' for usage.");
            return ToolExitCodes.BadInput;
        }

        try
        {
            return parse.Invoke(new InvocationConfiguration { Output = stdout, Error = stderr, EnableDefaultExceptionHandler = false });
        }
        catch (IOException e) when (e.HResult == BrokenPipe)
        {
            // The reader went away (`edgernn-device diag --help | head -5`): nothing is wrong and nobody is left to tell,
            // as a C tool ends on SIGPIPE (which .NET ignores). Commands that stream (replay) end on it themselves.
            return ToolExitCodes.Success;
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // What System.CommandLine's own handler did: a bug is reported with its stack trace and exit 1.
            stderr.WriteLine("Unhandled exception: " + e);
            return 1;
        }
    }

    /// <summary>EPIPE: .NET on Unix gives an <see cref="IOException"/> the errno as its HResult.</summary>
    private const int BrokenPipe = 32;

    /// <summary>
    /// Keeps an old spelling of a renamed option of <paramref name="command"/> working without showing it in help:
    /// a command line that fails to parse is parsed again with <paramref name="oldName"/> replaced by the option's
    /// current name.
    /// </summary>
    public static T WithOldSpelling<T>(this T command, string oldName, Option option)
        where T : Command
    {
        ArgumentNullException.ThrowIfNull(command);
        ArgumentNullException.ThrowIfNull(option);
        s_oldSpellings.GetOrCreateValue(command)[oldName] = option.Name;
        return command;
    }

    /// <summary>
    /// Keeps the old positional form of an option working without showing it in help (<c>edgernn-quantize model.onnx</c>
    /// for <c>edgernn-quantize --model model.onnx</c>): a command line that fails to parse with one unmatched
    /// positional token is parsed again with <paramref name="option"/>'s name before that token.
    /// </summary>
    public static T WithOldPositional<T>(this T command, Option option)
        where T : Command
    {
        ArgumentNullException.ThrowIfNull(command);
        ArgumentNullException.ThrowIfNull(option);
        s_oldSpellings.GetOrCreateValue(command)[Positional] = option.Name;
        return command;
    }

    /// <summary>The writer the action's output goes to (the invocation's, else the console).</summary>
    public static TextWriter Out(this ParseResult parse)
    {
        ArgumentNullException.ThrowIfNull(parse);
        return parse.InvocationConfiguration.Output;
    }

    /// <summary>The writer the action's errors and progress go to (the invocation's, else the console).</summary>
    public static TextWriter Error(this ParseResult parse)
    {
        ArgumentNullException.ThrowIfNull(parse);
        return parse.InvocationConfiguration.Error;
    }

    /// <summary>
    /// A command line that failed to parse, parsed again with the failing command's old spellings replaced, then with
    /// its one stray positional token given to the option that replaced a positional argument; null when neither applies.
    /// </summary>
    private static ParseResult? ParseOldSpellings(RootCommand root, ParseResult failed, string[] args)
    {
        if (!s_oldSpellings.TryGetValue(failed.CommandResult.Command, out Dictionary<string, string>? renames))
        {
            return null;
        }

        ParseResult? parse = null;
        string[] renamed = [.. args.Select(arg => Rename(arg, renames))];
        if (!renamed.SequenceEqual(args))
        {
            parse = root.Parse(renamed);
            if (parse.Errors.Count == 0)
            {
                return parse;
            }
        }

        if (renames.TryGetValue(Positional, out string? optionName)
            && (parse ?? failed).UnmatchedTokens.Where(t => !t.StartsWith('-')).ToArray() is [var token]
            && Array.LastIndexOf(renamed, token) is >= 0 and var at)
        {
            parse = root.Parse([.. renamed[..at], optionName, .. renamed[at..]]);
        }

        return parse;
    }

    private static string Rename(string arg, Dictionary<string, string> renames)
    {
        foreach ((string oldName, string current) in renames)
        {
            if (oldName.Length == 0)
            {
                continue;
            }

            if (arg == oldName)
            {
                return current;
            }

            if (arg.StartsWith(oldName + "=", StringComparison.Ordinal) || arg.StartsWith(oldName + ":", StringComparison.Ordinal))
            {
                return current + arg[oldName.Length..];
            }
        }

        return arg;
    }
}
