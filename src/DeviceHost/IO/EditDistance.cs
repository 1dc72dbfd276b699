namespace EdgeRnn.DeviceHost.IO;

/// <summary>Levenshtein distance, for "did you mean" hints (misspelt profile fields, CSV columns).</summary>
internal static class EditDistance
{
    /// <summary>Whether <paramref name="a"/> and <paramref name="b"/> differ by at most <paramref name="limit"/> edits (ignoring case).</summary>
    public static bool Within(string a, string b, int limit)
    {
        if (Math.Abs(a.Length - b.Length) > limit || a.Length > 64 || b.Length > 64)
        {
            return false;
        }

        Span<int> previous = stackalloc int[b.Length + 1];
        Span<int> current = stackalloc int[b.Length + 1];
        for (int j = 0; j <= b.Length; j++)
        {
            previous[j] = j;
        }

        for (int i = 1; i <= a.Length; i++)
        {
            current[0] = i;
            int best = current[0];
            for (int j = 1; j <= b.Length; j++)
            {
                int cost = char.ToLowerInvariant(a[i - 1]) == char.ToLowerInvariant(b[j - 1]) ? 0 : 1;
                current[j] = Math.Min(Math.Min(previous[j] + 1, current[j - 1] + 1), previous[j - 1] + cost);
                best = Math.Min(best, current[j]);
            }

            if (best > limit)
            {
                return false;
            }

            current.CopyTo(previous);
        }

        return previous[b.Length] <= limit;
    }

    /// <summary>The candidate closest to <paramref name="word"/> within two edits, or null.</summary>
    public static string? Nearest(string word, IEnumerable<string> candidates)
    {
        string? best = null;
        for (int limit = 0; limit <= 2 && best is null; limit++)
        {
            best = candidates.FirstOrDefault(c => Within(word, c, limit));
        }

        return best;
    }
}
