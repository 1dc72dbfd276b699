using System.Buffers.Binary;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;

namespace EdgeRnn.DeviceHost.Tests.Reliability;

/// <summary>What one fuzz case did: the same classes as eng/fuzz/runner.py.</summary>
internal enum FuzzOutcome
{
    Success,
    CleanError,
    Crash,
    Hang,
}

/// <summary>One command of a fuzz case.</summary>
internal sealed record FuzzRun(string[] Args, FuzzOutcome Outcome, int Code, string Out, string Err, long AllocatedBytes);

/// <summary>
/// The CI-sized fuzz harness: runs edgernn-device in-process on a dedicated thread with a timeout, classifies the result
/// as eng/fuzz/runner.py does (success: an expected exit code; clean error: an error exit code with an "error:" message;
/// crash: any other code, "Unhandled exception" (System.CommandLine's handler prints it and returns 1) or an exception
/// that escapes; hang: the timeout), and mutates inputs with a seeded <see cref="Random"/>. The long campaigns
/// (eng/fuzz/fuzz.py) run the NativeAOT binary, one process per case, and also measure peak memory.
/// </summary>
internal static class FuzzHarness
{
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(30);

    public static FuzzOutcome Classify(int? code, bool timedOut, Exception? escaped, string stdout, string stderr, int[] ok, int[] clean)
    {
        if (timedOut)
        {
            return FuzzOutcome.Hang;
        }

        if (escaped is not null || code is null
            || stderr.Contains("Unhandled exception", StringComparison.Ordinal) || stdout.Contains("Unhandled exception", StringComparison.Ordinal))
        {
            return FuzzOutcome.Crash;
        }

        if (ok.Contains(code.Value))
        {
            return FuzzOutcome.Success;
        }

        bool message = stderr.Contains("error:", StringComparison.Ordinal) || stdout.Contains("PROBLEM", StringComparison.Ordinal)
            || stdout.Contains("FAILED", StringComparison.Ordinal);
        return clean.Contains(code.Value) && message ? FuzzOutcome.CleanError : FuzzOutcome.Crash;
    }

    /// <summary>Runs <paramref name="body"/> (returning an exit code) on its own thread and classifies it.</summary>
    public static FuzzRun Run(string[] args, int[] ok, int[] clean, Func<TextWriter, TextWriter, int> body, TimeSpan? timeout = null)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        int? code = null;
        Exception? escaped = null;
        long allocated = 0;
        var thread = new Thread(() =>
        {
            long before = GC.GetAllocatedBytesForCurrentThread();
            try
            {
                code = body(stdout, stderr);
            }
            catch (Exception e)
            {
                escaped = e;
            }

            allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        }, 16 << 20)
        { IsBackground = true, Name = "fuzz case" };
        thread.Start();
        bool finished = thread.Join(timeout ?? DefaultTimeout);
        string o, e;
        lock (stdout)
        {
            o = stdout.ToString();
            e = stderr.ToString() + (escaped is null ? "" : "\nescaped: " + escaped);
        }

        return new FuzzRun(args, Classify(finished ? code : null, !finished, escaped, o, e, ok, clean), code ?? -1, o, e, allocated);
    }

    /// <summary>edgernn-device in-process (<see cref="Program.Run(string[], TextWriter, TextWriter)"/>).</summary>
    public static FuzzRun Device(int[] ok, int[] clean, params string[] args) =>
        Run(args, ok, clean, (o, e) => Program.Run(args, o, e));

    // ------------------------------------------------------------------ mutators (the same kinds as eng/fuzz/mutators.py)

    private static T Pick<T>(Random rnd, params T[] choices) => choices[rnd.Next(choices.Length)];

    private static readonly byte[] s_interestingBytes = [0x00, 0x01, 0x7F, 0x80, 0xFF, 0x0A, 0x12, 0x1A, 0x22, 0x3A, 0x42, 0x08];

    public static byte[] MutateBytes(byte[] data, Random rnd, int rounds = 1)
    {
        var b = new List<byte>(data);
        for (int round = 0; round < rounds; round++)
        {
            if (b.Count == 0)
            {
                b.Add((byte)rnd.Next(256));
                continue;
            }

            int i = rnd.Next(b.Count);
            switch (rnd.Next(9))
            {
                case 0:
                case 1:
                    b[i] ^= (byte)(1 << rnd.Next(8));
                    break;
                case 2:
                    b[i] = s_interestingBytes[rnd.Next(s_interestingBytes.Length)];
                    break;
                case 3:
                    b.InsertRange(i, Enumerable.Range(0, rnd.Next(1, 9)).Select(_ => (byte)rnd.Next(256)));
                    break;
                case 4:
                    b.RemoveRange(i, Math.Min(b.Count - i, rnd.Next(1, 17)));
                    break;
                case 5:
                    b.RemoveRange(i, b.Count - i);
                    break;
                case 6:
                    // A varint length or count: the most significant byte of a LEB128 run set to a large value.
                    b[i] = (byte)(0x80 | rnd.Next(128));
                    b.Insert(i + 1, (byte)rnd.Next(1, 128));
                    break;
                case 7:
                    int n = Math.Min(b.Count - i, rnd.Next(2, 64));
                    byte[] chunk = [.. b.GetRange(i, n)];
                    for (int k = rnd.Next(1, 4); k > 0; k--)
                    {
                        b.InsertRange(i, chunk);
                    }

                    break;
                default:
                    for (int k = 0; k < 8; k++)
                    {
                        b[rnd.Next(b.Count)] ^= (byte)(1 << rnd.Next(8));
                    }

                    break;
            }
        }

        return [.. b];
    }

    private static readonly string[] s_strings =
    [
        "", " ", new string('x', 300), new string('y', 70000), "\0", "a\0b", "\n\u001b[31mred", "\u202eevil", "/dev/null", "/proc/self/status",
        "/", ".", "..", "missing/dir/file", string.Concat(Enumerable.Repeat("sub/", 200)) + "f", "0x76", "0xZZ", "NaN", "csv", "synthetic",
        "bme280", "degF", "degC", "steps", "off", "events", "temperature", "value",
    ];

    private static readonly double[] s_numbers =
        [0, -1, 1, 0.5, 1e-300, 5e-324, 1e308, -1e308, int.MaxValue, 2147483648, 4294967296, 9007199254740993, 9.2233720368547758e18, 1e30, 3600, 1e-9];

    private static JsonNode? HostileValue(Random rnd, JsonNode? old) => rnd.Next(10) switch
    {
        0 => null,
        1 or 2 or 3 => JsonValue.Create(s_numbers[rnd.Next(s_numbers.Length)]),
        4 or 5 or 6 => JsonValue.Create(s_strings[rnd.Next(s_strings.Length)]),
        7 => JsonValue.Create(rnd.Next(2) == 0),
        8 => rnd.Next(3) switch { 0 => new JsonArray(), 1 => new JsonObject(), _ => new JsonArray(old?.DeepClone(), old?.DeepClone()) },
        _ => JsonValue.Create(DeepMarker),   // replaced by deep nesting in the text (JsonNode cannot write past depth 64)
    };

    private const string DeepMarker = "__DEEP__";

    private static List<JsonNode> Nodes(JsonNode root)
    {
        var all = new List<JsonNode> { root };
        for (int i = 0; i < all.Count; i++)
        {
            IEnumerable<JsonNode?> children = all[i] switch
            {
                JsonObject o => o.Select(kv => kv.Value),
                JsonArray a => a,
                _ => [],
            };
            all.AddRange(children.OfType<JsonNode>());
        }

        return all;
    }

    /// <summary>A JSON-aware mutation: wrong types, nulls, extreme numbers, long or hostile strings, deleted, unknown or duplicated fields, deep nesting.</summary>
    public static string MutateJson(JsonNode doc, Random rnd)
    {
        JsonNode root = doc.DeepClone();
        for (int round = rnd.Next(1, 4); round > 0; round--)
        {
            List<JsonNode> nodes = Nodes(root);
            JsonNode target = nodes[rnd.Next(nodes.Count)];
            if (target.Parent is JsonObject parent)
            {
                string key = target.GetPropertyName();
                switch (rnd.Next(4))
                {
                    case 0:
                        parent.Remove(key);
                        break;
                    case 1:
                        parent[rnd.Next(2) == 0 ? "adress" : key + "_x"] = HostileValue(rnd, target);
                        break;
                    default:
                        parent[key] = HostileValue(rnd, target);
                        break;
                }
            }
            else if (target.Parent is JsonArray array)
            {
                int index = target.GetElementIndex();
                if (rnd.Next(3) == 0)
                {
                    for (int k = rnd.Next(1, 200); k > 0; k--)
                    {
                        array.Insert(index, target.DeepClone());
                    }
                }
                else
                {
                    array[index] = HostileValue(rnd, target);
                }
            }
        }

        string text = root.ToJsonString();
        int depth = rnd.Next(2) == 0 ? 65 : 5000;
        text = text.Replace($"\"{DeepMarker}\"", new string('[', depth) + new string(']', depth), StringComparison.Ordinal);
        return rnd.Next(5) switch
        {
            0 => text[..rnd.Next(text.Length + 1)],
            1 => text.Replace("3600", Pick(rnd, "NaN", "Infinity", "1e999", "-0", "01"), StringComparison.Ordinal),
            2 => Encoding.Latin1.GetString(MutateBytes(Encoding.UTF8.GetBytes(text), rnd)),
            _ => text,
        };
    }

    private static readonly string[] s_cells = ["NaN", "nan", "inf", "-inf", "1e39", "-1e39", "", " ", "abc", "1,2", new string('9', 400), "0x10", "\0", "\"70\"", "+70", ".5", "1e"];

    private static readonly string[] s_times = ["", "garbage", "2013-13-45 25:61:61", "9999-12-31 23:59:59", "0001-01-01 00:00:00", "1e20", "-1e20", "99999999999999", "2013-07-04", "NaN"];

    /// <summary>A CSV-aware mutation: bad cells and timestamps, missing or extra columns, mangled headers, garbage and long lines.</summary>
    public static byte[] MutateCsv(string[] lines, Random rnd)
    {
        var l = new List<string>(lines);
        for (int round = rnd.Next(1, 4); round > 0; round--)
        {
            if (l.Count == 0)
            {
                l.Add("");
            }

            int i = l.Count > 1 ? rnd.Next(1, l.Count) : 0;
            string[] cells = l[i].Split(',');
            switch (rnd.Next(10))
            {
                case 0:
                case 1:
                    cells[^1] = s_cells[rnd.Next(s_cells.Length)];
                    l[i] = string.Join(',', cells);
                    break;
                case 2:
                    cells[0] = s_times[rnd.Next(s_times.Length)];
                    l[i] = string.Join(',', cells);
                    break;
                case 3:
                    l[i] = cells[0];
                    break;
                case 4:
                    l[i] += new string(',', rnd.Next(1, 100));
                    break;
                case 5:
                    l[0] = Pick(rnd, "timestamp,Value", "value,timestamp", "timestamp", "", ",", "timestamp;value", "\ufefftimestamp,value");
                    break;
                case 6:
                    l.Insert(i, new string('9', rnd.Next(1, 1 << 16)));
                    break;
                case 7:
                    l.Insert(i, Encoding.Latin1.GetString([.. Enumerable.Range(0, 256).Select(_ => (byte)rnd.Next(256))]));
                    break;
                case 8:
                    l.RemoveRange(i, Math.Min(l.Count - i, rnd.Next(1, 300)));
                    break;
                default:
                    l[i] = l[i].Replace(',', ';');
                    break;
            }
        }

        return Encoding.UTF8.GetBytes(string.Join('\n', l) + "\n");
    }

    /// <summary>A state file mutation; half the time every checksum is recomputed, so the value checks run.</summary>
    public static byte[] MutateState(byte[] state, Random rnd)
    {
        byte[] b;
        switch (rnd.Next(6))
        {
            case 0:
                b = (byte[])state.Clone();
                BinaryPrimitives.WriteInt32LittleEndian(b.AsSpan(40), Pick(rnd, 0, 1, -1, 4, int.MaxValue, int.MinValue, 0x7FFFFFB0, b.Length));
                break;
            case 1:
            case 2:
                b = (byte[])state.Clone();
                int at = rnd.Next(44, b.Length - 36);
                BinaryPrimitives.WriteSingleLittleEndian(b.AsSpan(at), Pick(rnd, float.NaN, float.PositiveInfinity, float.NegativeInfinity, -1f, 3.4e38f));
                break;
            default:
                b = MutateBytes(state, rnd, rnd.Next(1, 4));
                break;
        }

        if (b.Length >= 80 && rnd.Next(2) == 0)
        {
            int rnn = BinaryPrimitives.ReadInt32LittleEndian(b.AsSpan(40));
            if (rnn >= 32 && rnn <= b.Length - 80)
            {
                SHA256.HashData(b.AsSpan(44, rnn - 32), b.AsSpan(44 + rnn - 32, 32));
                int scorer = BinaryPrimitives.ReadInt32LittleEndian(b.AsSpan(44 + rnn));
                if (scorer >= 32 && scorer <= b.Length - 80 - rnn)
                {
                    SHA256.HashData(b.AsSpan(48 + rnn, scorer - 32), b.AsSpan(48 + rnn + scorer - 32, 32));
                }
            }

            SHA256.HashData(b.AsSpan(0, b.Length - 32), b.AsSpan(b.Length - 32));
        }

        return b;
    }

    /// <summary>A line for the test output: how many cases fell in each class.</summary>
    public static string Summary(string name, IEnumerable<FuzzOutcome> outcomes, long maxAllocated)
    {
        var counts = outcomes.GroupBy(o => o).ToDictionary(g => g.Key, g => g.Count());
        return string.Create(CultureInfo.InvariantCulture,
            $"{name}: {counts.Values.Sum()} cases, {counts.GetValueOrDefault(FuzzOutcome.Success)} success, {counts.GetValueOrDefault(FuzzOutcome.CleanError)} clean errors, "
            + $"{counts.GetValueOrDefault(FuzzOutcome.Crash)} crashes, {counts.GetValueOrDefault(FuzzOutcome.Hang)} hangs, most allocated by one command {maxAllocated / 1048576.0:0.0} MB");
    }
}
