using System.Globalization;

namespace EdgeRnn.Train.Data;

/// <summary>
/// Labelled token-id sequences for a text-style classifier, each padded or cut to <see cref="SequenceLength"/> ids.
/// </summary>
/// <remarks>
/// CSV form: a header, then one sequence per line; the token column holds the ids separated by spaces (no commas, no
/// quotes), the label column a non-negative integer class; other columns are ignored. Example:
/// <code>
/// tokens,label
/// 5 12 7 3,0
/// 9 1 4,1
/// </code>
/// A shorter sequence is padded at the front with <see cref="PadId"/> (so the last step is always a real token); a longer
/// one keeps its last <see cref="SequenceLength"/> ids. The device must pad the same way (edgernn.tokens metadata).
/// </remarks>
public sealed class TokenDataset
{
    private TokenDataset(long[] ids, long[] labels, int sequenceLength, long padId, string source, int truncated)
    {
        Ids = ids;
        Labels = labels;
        SequenceLength = sequenceLength;
        PadId = padId;
        Source = source;
        Truncated = truncated;
    }

    /// <summary>Row-major ids [Count, SequenceLength].</summary>
    public long[] Ids { get; }

    /// <summary>One class per sequence.</summary>
    public long[] Labels { get; }

    /// <summary>Sequences.</summary>
    public int Count => Labels.Length;

    /// <summary>Ids per (padded) sequence.</summary>
    public int SequenceLength { get; }

    /// <summary>The id that pads short sequences at the front.</summary>
    public long PadId { get; }

    /// <summary>The file read.</summary>
    public string Source { get; }

    /// <summary>Sequences longer than <see cref="SequenceLength"/> whose first ids were cut.</summary>
    public int Truncated { get; }

    /// <summary>Builds a dataset from in-memory sequences (tests, generators).</summary>
    public static TokenDataset FromSequences(IReadOnlyList<long[]> sequences, IReadOnlyList<long> labels, int sequenceLength, long padId = 0, string source = "memory")
    {
        ArgumentNullException.ThrowIfNull(sequences);
        ArgumentNullException.ThrowIfNull(labels);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(sequenceLength);
        if (sequences.Count != labels.Count)
        {
            throw new ArgumentException("One label per sequence.", nameof(labels));
        }

        var ids = new long[sequences.Count * sequenceLength];
        int truncated = 0;
        for (int i = 0; i < sequences.Count; i++)
        {
            truncated += Place(sequences[i], ids.AsSpan(i * sequenceLength, sequenceLength), padId) ? 1 : 0;
        }

        return new TokenDataset(ids, [.. labels], sequenceLength, padId, source, truncated);
    }

    /// <summary>Pads (front, with <paramref name="padId"/>) or cuts (keeping the last ids) one sequence into <paramref name="destination"/>; true when cut.</summary>
    public static bool Place(ReadOnlySpan<long> sequence, Span<long> destination, long padId)
    {
        if (sequence.Length >= destination.Length)
        {
            sequence[^destination.Length..].CopyTo(destination);
            return sequence.Length > destination.Length;
        }

        int pad = destination.Length - sequence.Length;
        destination[..pad].Fill(padId);
        sequence.CopyTo(destination[pad..]);
        return false;
    }

    /// <summary>Reads the CSV form above; errors name file:line:column.</summary>
    /// <exception cref="CsvFormatException">A malformed line, a non-integer or negative id or label, a missing column.</exception>
    public static TokenDataset Read(string path, string tokenColumn, string labelColumn, int sequenceLength, long padId = 0)
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(sequenceLength);
        using var reader = new StreamReader(path);
        string header = reader.ReadLine() ?? throw new CsvFormatException(path, 1, 0, "the file is empty (expected a header).");
        string[] names = [.. header.Split(',').Select(n => n.Trim())];
        int tokenIndex = Array.IndexOf(names, tokenColumn), labelIndex = Array.IndexOf(names, labelColumn);
        if (tokenIndex < 0 || labelIndex < 0)
        {
            throw new CsvFormatException(path, 1, 0, $"the header must name the token column '{tokenColumn}' and the label column '{labelColumn}' (has: {string.Join(", ", names)}).");
        }

        var sequences = new List<long[]>();
        var labels = new List<long>();
        var ids = new List<long>();
        long line = 1;
        for (string? text = reader.ReadLine(); text is not null; text = reader.ReadLine())
        {
            line++;
            if (text.Length == 0)
            {
                continue;
            }

            string[] fields = text.Split(',');
            if (fields.Length != names.Length)
            {
                throw new CsvFormatException(path, line, 0, $"expected {names.Length} fields, found {fields.Length}.");
            }

            int column = 1 + fields.Take(labelIndex).Sum(f => f.Length + 1);
            if (!long.TryParse(fields[labelIndex].AsSpan().Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out long label))
            {
                throw new CsvFormatException(path, line, column, $"label '{fields[labelIndex]}' is not a non-negative integer.");
            }

            ids.Clear();
            column = 1 + fields.Take(tokenIndex).Sum(f => f.Length + 1);
            string field = fields[tokenIndex];
            int at = 0;
            foreach (string token in field.Split(' '))
            {
                if (token.Length > 0)
                {
                    if (!long.TryParse(token, NumberStyles.None, CultureInfo.InvariantCulture, out long id))
                    {
                        throw new CsvFormatException(path, line, column + at, $"token '{token}' is not a non-negative integer id.");
                    }

                    ids.Add(id);
                }

                at += token.Length + 1;
            }

            if (ids.Count == 0)
            {
                throw new CsvFormatException(path, line, column, "the token sequence is empty.");
            }

            sequences.Add([.. ids]);
            labels.Add(label);
        }

        if (sequences.Count == 0)
        {
            throw new CsvFormatException(path, line, 0, "no sequences after the header.");
        }

        TokenDataset d = FromSequences(sequences, labels, sequenceLength, padId, Path.GetFullPath(path));
        return d;
    }

    /// <summary>
    /// A seeded toy task: sequences of random ids in [2, <paramref name="vocabulary"/>) of random length (half to all
    /// of <paramref name="sequenceLength"/>); half of them contain the marker id 1 somewhere, and the label says
    /// whether it appears (1) or not (0). Id 0 is left for padding.
    /// </summary>
    public static (List<long[]> Sequences, List<long> Labels) SyntheticMarker(int count, int vocabulary, int sequenceLength, int seed)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(vocabulary, 4);
        ArgumentOutOfRangeException.ThrowIfLessThan(sequenceLength, 2);
        var random = new Random(seed);
        var sequences = new List<long[]>(count);
        var labels = new List<long>(count);
        for (int i = 0; i < count; i++)
        {
            var s = new long[random.Next((sequenceLength + 1) / 2, sequenceLength + 1)];
            for (int t = 0; t < s.Length; t++)
            {
                s[t] = random.Next(2, vocabulary);
            }

            bool marked = random.Next(2) == 1;
            if (marked)
            {
                s[random.Next(s.Length)] = 1;
            }

            sequences.Add(s);
            labels.Add(marked ? 1 : 0);
        }

        return (sequences, labels);
    }

    /// <summary>Writes sequences in the CSV form read by <see cref="Read"/> (columns tokens, label).</summary>
    public static void WriteCsv(TextWriter writer, IReadOnlyList<long[]> sequences, IReadOnlyList<long> labels)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(sequences);
        ArgumentNullException.ThrowIfNull(labels);
        writer.WriteLine("tokens,label");
        for (int i = 0; i < sequences.Count; i++)
        {
            writer.Write(string.Join(' ', sequences[i].Select(id => id.ToString(CultureInfo.InvariantCulture))));
            writer.Write(',');
            writer.WriteLine(labels[i].ToString(CultureInfo.InvariantCulture));
        }
    }
}
