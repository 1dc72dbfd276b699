using System.Buffers.Binary;
using System.Globalization;
using EdgeRnn.DeviceHost.IO;

namespace EdgeRnn.DeviceHost.Telemetry;

/// <summary>A message read from the queue.</summary>
/// <param name="Seq">Its sequence number (1, 2, ...; never reused, also after restarts).</param>
/// <param name="TimeMs">When it was queued (Unix milliseconds).</param>
/// <param name="Kind">Its topic.</param>
/// <param name="Body">The JSON payload.</param>
internal sealed record QueuedMessage(long Seq, long TimeMs, TelemetryKind Kind, byte[] Body);

/// <summary>
/// The store-and-forward queue: a folder of append-only segment files and an acknowledgement cursor. Every message
/// goes through it (written before it is sent: in the kernel at once, so it survives kill -9; fsynced within the
/// publisher's sync interval, for power cuts), and leaves it only when the broker's PUBACK for it arrives, so a message
/// accepted here survives a broker outage, a restart and kill -9.
/// </summary>
/// <remarks>
/// <para>Segments are <c>{first sequence number:D20}.seg</c>: an 8-byte header ("ERTQ", u16 version 1, u16 0), then
/// records (little-endian): u32 body length, u32 CRC-32 of everything after it (sequence number, time, kind, body),
/// i64 sequence number, i64 time (Unix ms), u8 kind, body. A new segment is created atomically (temporary file, fsync,
/// rename, folder fsync) and appended to; <see cref="Commit"/> fsyncs the appends.</para>
/// <para><c>ack</c> ("ERTA", u16 version 1, u16 0, i64 acknowledged sequence number, i64 dropped, i64 corrupt, u32
/// CRC-32) records how far the broker has acknowledged, replaced atomically (at most once a second while sending,
/// and at the end). After kill -9 the messages acknowledged since its last write are sent again: duplicates, as QoS 1
/// (at least once) allows; never a loss.</para>
/// <para>Opening checks every record: a torn record at the end of the last segment (a crash in the middle of a write)
/// is cut off; a record whose checksum or sequence number is wrong is counted as corrupt and skipped, and its segment
/// rewritten without it (so the next open does not count it again); a length that cannot be right ends the segment
/// there (counted, cut off). A record damaged while the queue is open is counted when the sender reaches it, and once
/// more at the next open if it is still on disk then. A bad <c>ack</c> file is reported and the queue is sent from
/// its start (duplicates, not losses). Reading never needs more memory than one record (at most
/// <see cref="MaxBodyBytes"/>).</para>
/// <para>When the segments pass <c>maxBytes</c>, the oldest segment is deleted, its unsent messages counted as
/// dropped. Not thread-safe: the publisher serializes calls.</para>
/// </remarks>
internal sealed class TelemetryQueue : IDisposable
{
    /// <summary>The largest message body.</summary>
    public const int MaxBodyBytes = 256 * 1024;

    public const int RecordHeaderBytes = 4 + 4 + 8 + 8 + 1;

    private const int SegmentHeaderBytes = 8;
    private const int AckBytes = 4 + 2 + 2 + 8 + 8 + 8 + 4;
    private const ushort FormatVersion = 1;
    private static ReadOnlySpan<byte> SegmentMagic => "ERTQ"u8;
    private static ReadOnlySpan<byte> AckMagic => "ERTA"u8;

    private readonly List<Segment> _segments = [];
    private readonly long _maxBytes;
    private readonly long _segmentBytes;
    private readonly bool _readOnly;
    private readonly List<string> _problems = [];
    private readonly byte[] _header = new byte[RecordHeaderBytes];
    private byte[] _record = new byte[1024];
    private FileStream? _writer;
    private FileStream? _reader;
    private Segment? _readerSegment;
    private Segment? _cursorSegment;
    private long _cursorOffset;
    private long _acked;
    private long _nextSeq = 1;
    private bool _ackDirty;
    private bool _unsynced;
    private long _lastAckSave;

    private TelemetryQueue(string folder, long maxBytes, long segmentBytes, bool readOnly)
    {
        Folder = folder;
        _maxBytes = maxBytes;
        _segmentBytes = segmentBytes;
        _readOnly = readOnly;
    }

    public string Folder { get; }

    /// <summary>What opening found and repaired (torn records cut, corrupt records skipped), for a warning event.</summary>
    public IReadOnlyList<string> Problems => _problems;

    /// <summary>Messages waiting for the broker's acknowledgement.</summary>
    public long Depth => _segments.Sum(s => s.UnackedCount(_acked));

    /// <summary>Bytes of the segment files.</summary>
    public long Bytes => _segments.Sum(s => s.Length);

    /// <summary>Messages dropped unsent because the queue was full, since it was created.</summary>
    public long Dropped { get; private set; }

    /// <summary>Records found corrupt and skipped, since the queue was created.</summary>
    public long Corrupt { get; private set; }

    /// <summary>The highest sequence number the broker has acknowledged (or that was dropped).</summary>
    public long Acknowledged => _acked;

    /// <summary>The sequence number the next <see cref="Append"/> gets.</summary>
    public long NextSequence => _nextSeq;

    /// <summary>
    /// Opens (creating it if needed) the queue in <paramref name="folder"/>, checking and repairing every record.
    /// <paramref name="readOnly"/> (diag, beside a running device) reads without repairing or creating anything.
    /// </summary>
    /// <exception cref="IOException">The folder cannot be created or read.</exception>
    /// <exception cref="UnauthorizedAccessException">No permission.</exception>
    public static TelemetryQueue Open(string folder, long maxBytes, long segmentBytes, bool readOnly = false)
    {
        var q = new TelemetryQueue(folder, maxBytes, segmentBytes, readOnly);
        if (!readOnly)
        {
            Directory.CreateDirectory(folder);
        }

        q.Load();
        return q;
    }

    private string AckPath => Path.Combine(Folder, "ack");

    private void Load()
    {
        ReadAck();
        if (!Directory.Exists(Folder))
        {
            return;
        }

        if (!_readOnly)
        {
            RemoveOrphanedTemporaryFiles();
        }

        var files = new List<(long First, string Path)>();
        foreach (string file in Directory.EnumerateFiles(Folder, "*.seg"))
        {
            string name = Path.GetFileNameWithoutExtension(file);
            if (name.Length == 20 && long.TryParse(name, NumberStyles.None, CultureInfo.InvariantCulture, out long first) && first > 0)
            {
                files.Add((first, file));
            }
            else
            {
                _problems.Add($"{ErrorText.Sanitize(Path.GetFileName(file))}: not a segment name ({{20 digits}}.seg); left alone");
            }
        }

        files.Sort((a, b) => a.First.CompareTo(b.First));
        long lastSeq = 0;
        for (int i = 0; i < files.Count; i++)
        {
            Segment? s = Scan(files[i].Path, files[i].First, isLast: i == files.Count - 1, ref lastSeq);
            if (s is not null)
            {
                _segments.Add(s);
            }
        }

        // A segment's name is its first sequence number: numbers below it were issued, even if their records are gone
        // (an emptied segment, a write that failed after the segment was made) and the ack file is a second behind.
        long named = files.Count > 0 ? files[^1].First - 1 : 0;
        _nextSeq = Math.Max(Math.Max(lastSeq, _acked), named) + 1;
        _cursorSegment = _segments.Count > 0 ? _segments[0] : null;
        _cursorOffset = SegmentHeaderBytes;
        DeleteAcknowledgedSegments();
    }

    /// <summary>
    /// Deletes what a process killed while creating a segment or replacing the ack file left behind (AtomicFile's
    /// <c>.{name}.{guid}.tmp</c>); nothing else in the folder is touched.
    /// </summary>
    private void RemoveOrphanedTemporaryFiles()
    {
        foreach (string file in Directory.EnumerateFiles(Folder, ".*.tmp"))
        {
            string name = Path.GetFileName(file);
            if (name.StartsWith(".ack.", StringComparison.Ordinal) || name.Contains(".seg.", StringComparison.Ordinal))
            {
                try
                {
                    File.Delete(file);
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException)
                {
                    _problems.Add($"{ErrorText.Sanitize(name)}: an orphaned temporary file that could not be deleted ({e.Message})");
                }
            }
        }
    }

    private void ReadAck()
    {
        if (!File.Exists(AckPath))
        {
            return;
        }

        byte[] b;
        try
        {
            b = new FileInfo(AckPath).Length == AckBytes ? File.ReadAllBytes(AckPath) : [];
        }
        catch (IOException e)
        {
            _problems.Add($"ack: cannot read it ({ErrorText.Describe(e)}); sending the queue from its start (duplicates, not losses)");
            return;
        }

        if (b.Length != AckBytes || !b.AsSpan(0, 4).SequenceEqual(AckMagic) || BinaryPrimitives.ReadUInt16LittleEndian(b.AsSpan(4)) != FormatVersion
            || Crc32.Append(0, b.AsSpan(0, AckBytes - 4)) != BinaryPrimitives.ReadUInt32LittleEndian(b.AsSpan(AckBytes - 4)))
        {
            _problems.Add("ack: the acknowledgement cursor is damaged (bad size, header or checksum); sending the queue from its start (duplicates, not losses)");
            return;
        }

        _acked = Math.Max(0, BinaryPrimitives.ReadInt64LittleEndian(b.AsSpan(8)));
        Dropped = Math.Max(0, BinaryPrimitives.ReadInt64LittleEndian(b.AsSpan(16)));
        Corrupt = Math.Max(0, BinaryPrimitives.ReadInt64LittleEndian(b.AsSpan(24)));
    }

    /// <summary>Checks one segment file; returns null when it holds nothing usable (it is then deleted, unless read-only).</summary>
    private Segment? Scan(string path, long first, bool isLast, ref long lastSeq)
    {
        string name = Path.GetFileName(path);
        using var file = new FileStream(path, FileMode.Open, _readOnly ? FileAccess.Read : FileAccess.ReadWrite, FileShare.ReadWrite, bufferSize: 1 << 16);
        long length = file.Length;
        Span<byte> head = stackalloc byte[SegmentHeaderBytes];
        if (length < SegmentHeaderBytes || file.Read(head) != SegmentHeaderBytes || !head[..4].SequenceEqual(SegmentMagic)
            || BinaryPrimitives.ReadUInt16LittleEndian(head[4..]) != FormatVersion)
        {
            _problems.Add($"{name}: not a queue segment of this version (bad header); removed");
            file.Dispose();
            DeleteQuietly(path);
            return null;
        }

        var seg = new Segment(path, first) { Length = SegmentHeaderBytes };
        byte[] body = new byte[4096];
        long offset = SegmentHeaderBytes;
        long corrupt = 0, skipped = 0;
        var kept = new List<(long Offset, int Length)>();
        while (offset < length)
        {
            if (length - offset < RecordHeaderBytes)
            {
                Cut(file, seg, offset, length, isLast, "a torn record header");
                break;
            }

            file.Position = offset;
            file.ReadExactly(_header);
            int bodyLength = BinaryPrimitives.ReadInt32LittleEndian(_header);
            if (bodyLength < 0 || bodyLength > MaxBodyBytes)
            {
                corrupt++;
                Cut(file, seg, offset, length, isLast, string.Create(CultureInfo.InvariantCulture, $"a record length of {bodyLength} bytes that cannot be right"));
                break;
            }

            if (length - offset - RecordHeaderBytes < bodyLength)
            {
                Cut(file, seg, offset, length, isLast, "a torn record (a crash during a write)");
                break;
            }

            if (body.Length < bodyLength)
            {
                body = new byte[bodyLength];
            }

            file.ReadExactly(body.AsSpan(0, bodyLength));
            long seq = BinaryPrimitives.ReadInt64LittleEndian(_header.AsSpan(8));
            uint crc = Crc32.Append(Crc32.Append(0, _header.AsSpan(8)), body.AsSpan(0, bodyLength));
            offset += RecordHeaderBytes + bodyLength;
            if (crc != BinaryPrimitives.ReadUInt32LittleEndian(_header.AsSpan(4)) || seq <= lastSeq)
            {
                corrupt++;
                skipped++;
                seg.Length = offset;
                continue;
            }

            lastSeq = seq;
            seg.Add(seq);
            kept.Add((offset - RecordHeaderBytes - bodyLength, RecordHeaderBytes + bodyLength));
            seg.Length = offset;
        }

        if (corrupt > 0)
        {
            Corrupt += corrupt;
            _ackDirty = true;
            _problems.Add(string.Create(CultureInfo.InvariantCulture, $"{name}: {corrupt} corrupt record(s) (bad checksum or order) skipped"));
            if (!_readOnly && skipped > 0)
            {
                RewriteWithout(file, seg, kept);
            }
        }

        return seg;
    }

    /// <summary>
    /// Replaces a segment with its good records only, so the corrupt ones found at this open are not found, and counted,
    /// again at the next (temporary file, fsync, rename). The count is saved first: a kill between the two counts them
    /// twice, never loses one. Memory: one segment (at most the configured segment size).
    /// </summary>
    private void RewriteWithout(FileStream file, Segment seg, List<(long Offset, int Length)> kept)
    {
        WriteAck();
        long length = SegmentHeaderBytes + kept.Sum(k => (long)k.Length);
        var bytes = new byte[length];
        file.Position = 0;
        file.ReadExactly(bytes.AsSpan(0, SegmentHeaderBytes));
        int at = SegmentHeaderBytes;
        foreach ((long offset, int size) in kept)
        {
            file.Position = offset;
            file.ReadExactly(bytes.AsSpan(at, size));
            at += size;
        }

        file.Dispose();
        Deployment.IO.AtomicFile.WriteAllBytes(seg.Path, bytes);
        seg.Length = length;
        _problems.Add(string.Create(CultureInfo.InvariantCulture, $"{Path.GetFileName(seg.Path)}: rewritten without them ({length} bytes)"));
    }

    private void Cut(FileStream file, Segment seg, long offset, long length, bool isLast, string what)
    {
        string name = Path.GetFileName(seg.Path);
        if (_readOnly)
        {
            _problems.Add(string.Create(CultureInfo.InvariantCulture, $"{name}: {what} at byte {offset}; {length - offset} bytes after it unread"));
        }
        else
        {
            file.SetLength(offset);
            file.Flush(flushToDisk: true);
            _problems.Add(string.Create(CultureInfo.InvariantCulture,
                $"{name}: {what} at byte {offset}; cut off the last {length - offset} bytes{(isLast ? "" : " (not the last segment: the records after it are lost)")}"));
        }

        seg.Length = offset;
    }

    /// <summary>Appends a message (in the kernel at once; durable at the next <see cref="Commit"/>). Returns its sequence number.</summary>
    /// <exception cref="IOException">The disk is full or failing; the message is not queued.</exception>
    public long Append(long timeMs, TelemetryKind kind, ReadOnlySpan<byte> body)
    {
        if (body.Length > MaxBodyBytes)
        {
            throw new ArgumentOutOfRangeException(nameof(body), $"a message body is at most {MaxBodyBytes} bytes");
        }

        Segment seg = _segments.Count > 0 && _segments[^1].Length + RecordHeaderBytes + body.Length <= _segmentBytes ? _segments[^1] : NewSegment();
        long seq = _nextSeq;
        Span<byte> h = _header;
        BinaryPrimitives.WriteInt32LittleEndian(h, body.Length);
        BinaryPrimitives.WriteInt64LittleEndian(h[8..], seq);
        BinaryPrimitives.WriteInt64LittleEndian(h[16..], timeMs);
        h[24] = (byte)kind;
        BinaryPrimitives.WriteUInt32LittleEndian(h[4..], Crc32.Append(Crc32.Append(0, h[8..]), body));
        _writer ??= new FileStream(seg.Path, FileMode.Open, FileAccess.Write, FileShare.ReadWrite, bufferSize: 0);
        int total = RecordHeaderBytes + body.Length;
        if (_record.Length < total)
        {
            _record = new byte[Math.Max(total, _record.Length * 2)];
        }

        h.CopyTo(_record);
        body.CopyTo(_record.AsSpan(RecordHeaderBytes));
        try
        {
            // One write(2) per record: a kill -9 leaves it whole in the kernel or not at all.
            _writer.Position = seg.Length;
            _writer.Write(_record, 0, total);
        }
        catch
        {
            // Whatever reached the file is cut back at the next open (a torn record); here the length stays.
            CloseWriter();
            throw;
        }

        _unsynced = true;
        seg.Length += RecordHeaderBytes + body.Length;
        seg.Add(seq);
        _nextSeq = seq + 1;
        _cursorSegment ??= seg;
        while (Bytes > _maxBytes && _segments.Count > 1)
        {
            DropOldest();
        }

        return seq;
    }

    /// <summary>Makes the appended messages durable (fsync).</summary>
    public void Commit()
    {
        if (_unsynced && _writer is not null)
        {
            _writer.Flush(flushToDisk: true);
            _unsynced = false;
        }
    }

    private Segment NewSegment()
    {
        Commit();
        CloseWriter();
        string path = Path.Combine(Folder, _nextSeq.ToString("D20", CultureInfo.InvariantCulture) + ".seg");
        Span<byte> header = stackalloc byte[SegmentHeaderBytes];
        SegmentMagic.CopyTo(header);
        BinaryPrimitives.WriteUInt16LittleEndian(header[4..], FormatVersion);
        BinaryPrimitives.WriteUInt16LittleEndian(header[6..], 0);
        Deployment.IO.AtomicFile.WriteAllBytes(path, header);
        var seg = new Segment(path, _nextSeq) { Length = SegmentHeaderBytes };
        _segments.Add(seg);
        return seg;
    }

    private void DropOldest()
    {
        Segment seg = _segments[0];
        Dropped += seg.UnackedCount(_acked);
        _acked = Math.Max(_acked, seg.LastSeq);
        _ackDirty = true;
        _segments.RemoveAt(0);
        if (_cursorSegment == seg)
        {
            _cursorSegment = _segments[0];
            _cursorOffset = SegmentHeaderBytes;
        }

        if (_readerSegment == seg)
        {
            CloseReader();
        }

        DeleteQuietly(seg.Path);
    }

    /// <summary>The oldest message not yet acknowledged, or null when there is none.</summary>
    public QueuedMessage? Peek()
    {
        while (_cursorSegment is { } seg)
        {
            if (_cursorOffset >= seg.Length)
            {
                int i = _segments.IndexOf(seg);
                if (i < 0 || i == _segments.Count - 1)
                {
                    return null;
                }

                _cursorSegment = _segments[i + 1];
                _cursorOffset = SegmentHeaderBytes;
                DeleteAcknowledgedSegments();
                continue;
            }

            if (_readerSegment != seg)
            {
                CloseReader();
                _reader = new FileStream(seg.Path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, bufferSize: 0);
                _readerSegment = seg;
            }

            _reader!.Position = _cursorOffset;
            _reader.ReadExactly(_header);
            int bodyLength = BinaryPrimitives.ReadInt32LittleEndian(_header);
            if (bodyLength < 0 || bodyLength > MaxBodyBytes || bodyLength > seg.Length - _cursorOffset - RecordHeaderBytes)
            {
                // Damaged on disk after it was written: the rest of the segment cannot be framed.
                Corrupt++;
                _ackDirty = true;
                _cursorOffset = seg.Length;
                continue;
            }

            var body = new byte[bodyLength];
            _reader.ReadExactly(body);
            long seq = BinaryPrimitives.ReadInt64LittleEndian(_header.AsSpan(8));
            if (Crc32.Append(Crc32.Append(0, _header.AsSpan(8)), body) != BinaryPrimitives.ReadUInt32LittleEndian(_header.AsSpan(4)))
            {
                Corrupt++;
                _ackDirty = true;
                _cursorOffset += RecordHeaderBytes + bodyLength;
                continue;
            }

            if (seq <= _acked)
            {
                _cursorOffset += RecordHeaderBytes + bodyLength;
                continue;
            }

            return new QueuedMessage(seq, BinaryPrimitives.ReadInt64LittleEndian(_header.AsSpan(16)), (TelemetryKind)_header[24], body);
        }

        return null;
    }

    /// <summary>
    /// The broker acknowledged <paramref name="message"/> (the one <see cref="Peek"/> returned): it leaves the queue.
    /// A message dropped meanwhile (the queue filled while it was in flight) is already gone.
    /// </summary>
    public void Acknowledge(QueuedMessage message)
    {
        if (message.Seq <= _acked)
        {
            return;
        }

        _acked = message.Seq;
        _ackDirty = true;
        _cursorOffset += RecordHeaderBytes + message.Body.Length;
        DeleteAcknowledgedSegments();
    }

    /// <summary>The age of the oldest message waiting, or null when none waits.</summary>
    public TimeSpan? OldestAge(long nowMs) => Peek() is { } m ? TimeSpan.FromMilliseconds(Math.Max(0, nowMs - m.TimeMs)) : null;

    /// <summary>Writes the acknowledgement cursor if it changed and <paramref name="force"/> or a second has passed since the last write.</summary>
    public void SaveAcknowledged(bool force, long nowMs)
    {
        if (!_ackDirty || _readOnly || (!force && nowMs - _lastAckSave < 1000))
        {
            return;
        }

        WriteAck();
        _lastAckSave = nowMs;
    }

    /// <summary>Replaces the ack file with the cursor and the counters (temporary file, fsync, rename).</summary>
    private void WriteAck()
    {
        Span<byte> b = stackalloc byte[AckBytes];
        AckMagic.CopyTo(b);
        BinaryPrimitives.WriteUInt16LittleEndian(b[4..], FormatVersion);
        BinaryPrimitives.WriteUInt16LittleEndian(b[6..], 0);
        BinaryPrimitives.WriteInt64LittleEndian(b[8..], _acked);
        BinaryPrimitives.WriteInt64LittleEndian(b[16..], Dropped);
        BinaryPrimitives.WriteInt64LittleEndian(b[24..], Corrupt);
        BinaryPrimitives.WriteUInt32LittleEndian(b[(AckBytes - 4)..], Crc32.Append(0, b[..(AckBytes - 4)]));
        Deployment.IO.AtomicFile.WriteAllBytes(AckPath, b);
        _ackDirty = false;
    }

    /// <summary>Deletes the segments before the cursor's (all acknowledged); the last segment stays (it is appended to).</summary>
    private void DeleteAcknowledgedSegments()
    {
        if (_readOnly)
        {
            return;
        }

        while (_segments.Count > 1 && _segments[0] != _cursorSegment && _segments[0].LastSeq <= _acked)
        {
            Segment seg = _segments[0];
            _segments.RemoveAt(0);
            if (_readerSegment == seg)
            {
                CloseReader();
            }

            DeleteQuietly(seg.Path);
        }
    }

    private static void DeleteQuietly(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Left behind: its records are acknowledged (skipped at the next open) or counted as dropped.
        }
    }

    private void CloseWriter()
    {
        FileStream? w = _writer;
        _writer = null;
        try
        {
            w?.Dispose();
        }
        catch (IOException)
        {
        }
    }

    private void CloseReader()
    {
        _reader?.Dispose();
        _reader = null;
        _readerSegment = null;
    }

    public void Dispose()
    {
        try
        {
            Commit();
        }
        catch (IOException)
        {
        }

        CloseWriter();
        CloseReader();
    }

    /// <summary>One segment file: its first sequence number, its last, its valid length and record count.</summary>
    private sealed class Segment(string path, long first)
    {
        public string Path { get; } = path;

        public long First { get; } = first;

        public long LastSeq { get; private set; }

        public long FirstSeq { get; private set; }

        public long Count { get; private set; }

        public long Length { get; set; }

        public void Add(long seq)
        {
            if (Count == 0)
            {
                FirstSeq = seq;
            }

            LastSeq = seq;
            Count++;
        }

        /// <summary>Records after <paramref name="acked"/> (sequence numbers in a segment rise; gaps are corrupt records).</summary>
        public long UnackedCount(long acked) =>
            Count == 0 || LastSeq <= acked ? 0 : FirstSeq > acked ? Count : Math.Min(Count, LastSeq - acked);
    }
}
