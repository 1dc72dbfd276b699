using System.CommandLine;
using System.CommandLine.Parsing;
using System.Globalization;
using System.Numerics;

namespace EdgeRnn.Deployment.Cli;

/// <summary>
/// The options the three tools share, defined once so that a name means one thing everywhere: a model is always
/// <c>--model</c>/<c>-m</c> (required or optional: a command that can also take a built-in model or a profile's model
/// says so), what a command writes is <c>--out</c>/<c>-o</c>, machine output is <c>--json</c> (camelCase keys);
/// positional arguments are left for lists of things to process (<c>verify</c>'s test folders).
/// Plus the helpers every numeric and enum option goes through: a range check that names the option and the range
/// (exit 2 before any work), and lower-case enum values in help and parsing.
/// </summary>
public static class CommonOptions
{
    /// <summary>The model a command reads: <c>--model</c>/<c>-m</c>.</summary>
    public static Option<string> Model(string description, bool required = true) =>
        new("--model", "-m") { Description = description, Required = required };

    /// <summary>What a command writes (a file or a folder): <c>--out</c>/<c>-o</c>.</summary>
    public static Option<string> Out(string description, bool required = true) =>
        new("--out", "-o") { Description = description, Required = required };

    /// <summary><c>--json</c>: machine-readable output on stdout, camelCase keys.</summary>
    public static Option<bool> Json(string what = "Print machine-readable JSON (camelCase keys) instead of text.") =>
        new("--json") { Description = what };

    /// <summary>
    /// Adds a validator: the value must lie in [<paramref name="min"/>, <paramref name="max"/>], else the parse fails
    /// with "--name must be between min and max (got value)".
    /// </summary>
    public static Option<T> InRange<T>(this Option<T> option, T min, T max)
        where T : struct, INumber<T>, IMinMaxValue<T>
    {
        ArgumentNullException.ThrowIfNull(option);
        option.Validators.Add(result =>
        {
            if (TryGetValue(result, out T value))
            {
                Check(result, value, min, max, false, false);
            }
        });
        return option;
    }

    /// <summary><see cref="InRange{T}(Option{T}, T, T)"/> for an optional value (absent passes).</summary>
    public static Option<T?> InRange<T>(this Option<T?> option, T min, T max)
        where T : struct, INumber<T>, IMinMaxValue<T>
    {
        ArgumentNullException.ThrowIfNull(option);
        option.Validators.Add(result =>
        {
            if (TryGetValue(result, out T? parsed) && parsed is { } value)
            {
                Check(result, value, min, max, false, false);
            }
        });
        return option;
    }

    /// <summary>
    /// A fraction or other real-valued option in an interval whose ends may be open: the parse fails with
    /// "--name must be in (min, max] (got value)". NaN is always out of range.
    /// </summary>
    public static Option<double> InInterval(this Option<double> option, double min, double max, bool minOpen = false, bool maxOpen = false)
    {
        ArgumentNullException.ThrowIfNull(option);
        option.Validators.Add(result =>
        {
            if (TryGetValue(result, out double value))
            {
                Check(result, value, min, max, minOpen, maxOpen);
            }
        });
        return option;
    }

    /// <summary><see cref="InInterval(Option{double}, double, double, bool, bool)"/> for an optional value (absent passes).</summary>
    public static Option<double?> InInterval(this Option<double?> option, double min, double max, bool minOpen = false, bool maxOpen = false)
    {
        ArgumentNullException.ThrowIfNull(option);
        option.Validators.Add(result =>
        {
            if (TryGetValue(result, out double? parsed) && parsed is { } value)
            {
                Check(result, value, min, max, minOpen, maxOpen);
            }
        });
        return option;
    }

    /// <summary>
    /// An enum option whose values are the enum's names in lower case, in help (<c>--task &lt;forecast|autoencoder|classify&gt;</c>,
    /// default shown lower case) and in parsing (case-insensitive, so older capitalized spellings still parse; numbers
    /// are refused). The default is the enum's zero member, stated in the description: System.CommandLine would print a
    /// default value with the enum's own casing.
    /// </summary>
    public static Option<T> Choice<T>(string name, string description)
        where T : struct, Enum
    {
        string[] names = [.. Enum.GetNames<T>().Select(n => n.ToLowerInvariant())];
        return new Option<T>(name)
        {
            Description = $"{description} [default: {default(T).ToString().ToLowerInvariant()}]",
            HelpName = string.Join('|', names),
            CustomParser = result =>
            {
                string? token = result.Tokens.Count == 0 ? null : result.Tokens[^1].Value;
                foreach (T value in Enum.GetValues<T>())
                {
                    if (string.Equals(value.ToString(), token, StringComparison.OrdinalIgnoreCase))
                    {
                        return value;
                    }
                }

                result.AddError($"{name} must be one of {string.Join(", ", names)} (got '{token}').");
                return default;
            },
        };
    }

    /// <summary>Comma-separated or repeated values as one list; null when the option was not given.</summary>
    public static string[]? SplitList(string[]? values) =>
        values is null or [] ? null : [.. values.SelectMany(v => v.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))];

    /// <summary>The option's value, false for the default or a token that does not parse (the parser reports that itself).</summary>
    private static bool TryGetValue<T>(OptionResult result, out T value)
    {
        value = default!;
        if (result.Implicit)
        {
            return false;
        }

        try
        {
            value = result.GetValueOrDefault<T>();
            return true;
        }
        catch (InvalidOperationException)
        {
            return false;
        }
    }

    private static void Check<T>(OptionResult result, T value, T min, T max, bool minOpen, bool maxOpen)
        where T : INumber<T>, IMinMaxValue<T>
    {
        bool above = minOpen ? value > min : value >= min;
        bool below = maxOpen ? value < max : value <= max;
        if (above && below)
        {
            return;
        }

        string name = result.Option.Name;
        FormattableString message = (minOpen, maxOpen) switch
        {
            _ when max == T.MaxValue || T.IsPositiveInfinity(max) => $"{name} must be {(minOpen ? "greater than" : "at least")} {min} (got {value}).",
            (false, false) => $"{name} must be between {min} and {max} (got {value}).",
            _ => $"{name} must be in {(minOpen ? '(' : '[')}{min}, {max}{(maxOpen ? ')' : ']')} (got {value}).",
        };
        result.AddError(FormattableString.Invariant(message));
    }
}
