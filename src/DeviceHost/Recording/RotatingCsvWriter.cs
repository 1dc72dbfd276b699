using System.Globalization;
using System.Text;

namespace EdgeRnn.DeviceHost.Recording;

/// <summary>
/// Writes a sensor recording as the CSV <c>edgernn train</c> reads: a header <c>timestamp,feature1,feature2,...</c>,
/// then one row per sample, the time in the device's local time without an offset (<c>2026-12-08T14:03:07.250</c>, as
/// the device's clock features read time) and the values in the invariant culture; a missing value is an empty cell.
/// </summary>
/// <remarks>
/// <para>Nothing already written is lost or half-written: each part is written to a hidden temporary file in the same
/// folder (<c>.data.csv.recording</c>), flushed to disk every <see cref="SyncEvery"/>, and on close flushed, renamed to its
/// name and the folder's entry flushed. A killed recording leaves its last part as the temporary file, complete up to
/// its last flush (and named in the message of the next recording to that path).</para>
/// <para>Rotation: after <see cref="RowsPerPart"/> rows the part is closed and the next begins: <c>data.csv</c>,
/// <c>data.2.csv</c>, <c>data.3.csv</c>..., each a complete CSV with its header.</para>
/// </remarks>
internal sealed class RotatingCsvWriter : IDisposable
{
    /// <summary>How often the open part is flushed to disk.</summary>
    public static readonly TimeSpan SyncEvery = TimeSpan.FromSeconds(30);

    private readonly string _header;
    private readonly List<string> _completed = [];
    private readonly StringBuilder _row = new(256);
    private readonly Func<DateTime> _utcNow;
    private FileStream? _stream;
    private StreamWriter? _writer;
    private string? _temporary;
    private long _partRows;
    private DateTime _lastSync;

    /// <param name="path">The first part's path; later parts are numbered before the extension.</param>
    /// <param name="features">The column names after <c>timestamp</c>.</param>
    /// <param name="rowsPerPart">Rows per part (rotation).</param>
    /// <param name="utcNow">The clock of the periodic flush (tests).</param>
    public RotatingCsvWriter(string path, IReadOnlyList<string> features, long rowsPerPart, Func<DateTime>? utcNow = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(rowsPerPart, 1);
        Path = System.IO.Path.GetFullPath(path);
        RowsPerPart = rowsPerPart;
        _header = "timestamp," + string.Join(',', features);
        _utcNow = utcNow ?? (() => DateTime.UtcNow);
    }

    /// <summary>The first part's path.</summary>
    public string Path { get; }

    public long RowsPerPart { get; }

    /// <summary>Rows written in all parts.</summary>
    public long Rows { get; private set; }

    /// <summary>Parts closed and renamed to their names so far.</summary>
    public IReadOnlyList<string> Completed => _completed;

    /// <summary>The path of part <paramref name="part"/> (1-based): data.csv, data.2.csv, ...</summary>
    public static string PartPath(string path, int part)
    {
        if (part == 1)
        {
            return path;
        }

        string folder = System.IO.Path.GetDirectoryName(path)!;
        return System.IO.Path.Combine(folder, System.IO.Path.GetFileNameWithoutExtension(path) + "." + part.ToString(CultureInfo.InvariantCulture) + System.IO.Path.GetExtension(path));
    }

    /// <summary>The temporary file a part is written to until it is closed.</summary>
    /// <summary>
    /// The parts of a recording at <paramref name="path"/> already on disk, finished (<c>data.csv</c>, <c>data.N.csv</c>)
    /// or left unfinished by a kill (<c>.data.csv.recording</c>, <c>.data.N.csv.recording</c>): a new recording must
    /// not overwrite any of them.
    /// </summary>
    public static IEnumerable<string> ExistingParts(string path)
    {
        string folder = System.IO.Path.GetDirectoryName(path)!;
        if (!Directory.Exists(folder))
        {
            yield break;
        }

        string stem = System.IO.Path.GetFileNameWithoutExtension(path), ext = System.IO.Path.GetExtension(path);
        foreach (string file in Directory.EnumerateFiles(folder))
        {
            string name = System.IO.Path.GetFileName(file);
            string finished = name.StartsWith('.') && name.EndsWith(".recording", StringComparison.Ordinal) ? name[1..^".recording".Length] : name;
            if (finished == System.IO.Path.GetFileName(path)
                || (finished.StartsWith(stem + ".", StringComparison.Ordinal) && finished.EndsWith(ext, StringComparison.Ordinal)
                    && finished.Length > stem.Length + 1 + ext.Length
                    && finished[(stem.Length + 1)..^ext.Length].All(char.IsAsciiDigit)))
            {
                yield return file;
            }
        }
    }

    public static string TemporaryPath(string partPath) =>
        System.IO.Path.Combine(System.IO.Path.GetDirectoryName(partPath)!, "." + System.IO.Path.GetFileName(partPath) + ".recording");

    /// <summary>Writes one row; <paramref name="values"/> that are NaN are written as empty cells.</summary>
    /// <exception cref="IOException">The disk is full or failed; the parts already closed are intact.</exception>
    public void WriteRow(DateTime localTime, ReadOnlySpan<float> values)
    {
        if (_writer is null)
        {
            Open();
        }

        _row.Clear();
        _row.Append(localTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff", CultureInfo.InvariantCulture));
        foreach (float v in values)
        {
            _row.Append(',');
            if (float.IsFinite(v))
            {
                _row.Append(v.ToString(CultureInfo.InvariantCulture));
            }
        }

        _writer!.WriteLine(_row);
        Rows++;
        _partRows++;
        if (_partRows >= RowsPerPart)
        {
            ClosePart();
        }
        else if (_utcNow() - _lastSync >= SyncEvery)
        {
            _writer.Flush();
            _stream!.Flush(flushToDisk: true);
            _lastSync = _utcNow();
        }
    }

    private void Open()
    {
        string part = PartPath(Path, _completed.Count + 1);
        _temporary = TemporaryPath(part);
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(part)!);
        // CreateNew: a part left by an earlier recording is never truncated (record refuses to start over one).
        _stream = new FileStream(_temporary, FileMode.CreateNew, FileAccess.Write, FileShare.Read, 1 << 16);
        _writer = new StreamWriter(_stream, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false), 1 << 16) { NewLine = "\n" };
        _writer.WriteLine(_header);
        _partRows = 0;
        _lastSync = _utcNow();
    }

    /// <summary>Closes the open part: flushed to disk, renamed to its name, the folder flushed.</summary>
    private void ClosePart()
    {
        if (_writer is null)
        {
            return;
        }

        string part = PartPath(Path, _completed.Count + 1);
        try
        {
            _writer.Flush();
            _stream!.Flush(flushToDisk: true);
        }
        finally
        {
            _writer.Dispose();
            _writer = null;
            _stream = null;
        }

        File.Move(_temporary!, part, overwrite: false);
        FolderSync.Flush(System.IO.Path.GetDirectoryName(part)!);
        _completed.Add(part);
        _temporary = null;
    }

    /// <summary>Closes the open part (see <see cref="ClosePart"/>); a recording of no rows leaves no file.</summary>
    public void Close()
    {
        if (_writer is not null && _partRows == 0 && Rows == 0)
        {
            _writer.Dispose();
            _writer = null;
            File.Delete(_temporary!);
            return;
        }

        ClosePart();
    }

    public void Dispose()
    {
        if (_writer is null)
        {
            return;
        }

        try
        {
            Close();
        }
        catch (IOException)
        {
            // Dispose after a failure: the temporary file keeps what was written; the caller reported the error.
        }
    }
}
