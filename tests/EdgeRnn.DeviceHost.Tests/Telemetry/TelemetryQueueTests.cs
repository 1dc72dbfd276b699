using System.Text;
using EdgeRnn.DeviceHost.Telemetry;

namespace EdgeRnn.DeviceHost.Tests.Telemetry;

/// <summary>The on-disk store-and-forward queue: order, acknowledgement, repair of what a crash or a bad disk leaves.</summary>
public sealed class TelemetryQueueTests : IDisposable
{
    private readonly TempFolder _temp = new();

    public void Dispose() => _temp.Dispose();

    private string Folder => _temp.File("q");

    private static byte[] Body(int i) => Encoding.UTF8.GetBytes($"{{\"n\":{i}}}");

    [Fact]
    public void AppendPeekAcknowledge_ReopenedAfterAck_ResumesAfterAcknowledged()
    {
        using (TelemetryQueue q = TelemetryQueue.Open(Folder, 1 << 20, 64 * 1024))
        {
            for (int i = 1; i <= 10; i++)
            {
                Assert.Equal(i, q.Append(1000 + i, TelemetryKind.Event, Body(i)));
            }

            q.Commit();
            for (int i = 1; i <= 4; i++)
            {
                QueuedMessage m = q.Peek()!;
                Assert.Equal(i, m.Seq);
                Assert.Equal(Body(i), m.Body);
                q.Acknowledge(m);
            }

            Assert.Equal(6, q.Depth);
            q.SaveAcknowledged(force: true, nowMs: 0);
        }

        using TelemetryQueue again = TelemetryQueue.Open(Folder, 1 << 20, 64 * 1024);
        Assert.Empty(again.Problems);
        Assert.Equal(6, again.Depth);
        Assert.Equal(5, again.Peek()!.Seq);
        Assert.Equal(11, again.Append(0, TelemetryKind.Health, Body(11)));
    }

    [Fact]
    public void Open_LastSegmentEmpty_NumbersGoOnFromItsName()
    {
        // A segment is named after the first number it was made for. If its records are gone (the first write after
        // creating it failed on a full disk, then a kill), the numbers below its name were still issued and may have
        // reached the broker: they must not be issued again.
        using (TelemetryQueue q = TelemetryQueue.Open(Folder, 1 << 20, 64 * 1024))
        {
            for (int i = 1; i <= 3; i++)
            {
                q.Append(0, TelemetryKind.Event, Body(i));
            }
        }

        byte[] header = [.. File.ReadAllBytes(Directory.GetFiles(Folder, "*.seg").Single()).AsSpan(0, 8)];
        File.WriteAllBytes(Path.Combine(Folder, "00000000000000000010.seg"), header);

        using TelemetryQueue again = TelemetryQueue.Open(Folder, 1 << 20, 64 * 1024);
        Assert.Equal(10, again.Append(0, TelemetryKind.Event, Body(10)));
    }

    [Fact]
    public void HealthLatency_BeforeTheFirstStep_IsNullNotNaN()
    {
        // JSON has no NaN: an empty histogram made the health message throw in the serializer and end the writer.
        var latency = new EdgeRnn.DeviceHost.Loop.StepLatency();
        LatencyMicroseconds empty = LatencyMicroseconds.Of(latency);
        Assert.Null(empty.P50);
        Assert.Null(empty.Max);
        Assert.Equal("{}", System.Text.Json.JsonSerializer.Serialize(empty, TelemetryJsonContext.Default.LatencyMicroseconds)); // optional fields are left out

        latency.Record(System.Diagnostics.Stopwatch.Frequency / 1_000_000 * 5); // about 5 us
        LatencyMicroseconds one = LatencyMicroseconds.Of(latency);
        Assert.InRange(one.P50!.Value, 3, 8);
        Assert.NotNull(one.Max);
    }

    [Fact]
    public void Open_AfterAKillWhileCreatingASegmentOrSavingTheAck_RemovesTheirTemporaryFilesOnly()
    {
        using (TelemetryQueue q = TelemetryQueue.Open(Folder, 1 << 20, 64 * 1024))
        {
            q.Append(0, TelemetryKind.Event, Body(1));
        }

        string segTemp = Path.Combine(Folder, ".00000000000000000002.seg.0123456789abcdef0123456789abcdef.tmp");
        string ackTemp = Path.Combine(Folder, ".ack.0123456789abcdef0123456789abcdef.tmp");
        string other = Path.Combine(Folder, ".notes.tmp");
        foreach (string f in new[] { segTemp, ackTemp, other })
        {
            File.WriteAllText(f, "left by kill -9");
        }

        using TelemetryQueue again = TelemetryQueue.Open(Folder, 1 << 20, 64 * 1024);
        Assert.False(File.Exists(segTemp));
        Assert.False(File.Exists(ackTemp));
        Assert.True(File.Exists(other));
        Assert.Equal(1, again.Depth);
    }

    [Fact]
    public void Open_TornLastRecord_IsCutOffAndReported()
    {
        using (TelemetryQueue q = TelemetryQueue.Open(Folder, 1 << 20, 64 * 1024))
        {
            for (int i = 1; i <= 3; i++)
            {
                q.Append(0, TelemetryKind.Event, Body(i));
            }
        }

        string seg = Directory.GetFiles(Folder, "*.seg").Single();
        long length = new FileInfo(seg).Length;
        using (var f = new FileStream(seg, FileMode.Open))
        {
            f.SetLength(length - 3); // a crash in the middle of the third record
        }

        using TelemetryQueue again = TelemetryQueue.Open(Folder, 1 << 20, 64 * 1024);
        Assert.Contains(again.Problems, p => p.Contains("torn record", StringComparison.Ordinal));
        Assert.Equal(2, again.Depth);
        Assert.Equal(3, again.Append(0, TelemetryKind.Event, Body(3))); // the torn one was never committed; numbering goes on
        Assert.Equal(length, new FileInfo(seg).Length);
    }

    [Fact]
    public void Open_FlippedByte_RecordSkippedAndCountedOthersKept()
    {
        using (TelemetryQueue q = TelemetryQueue.Open(Folder, 1 << 20, 64 * 1024))
        {
            for (int i = 1; i <= 3; i++)
            {
                q.Append(0, TelemetryKind.Event, Body(i));
            }
        }

        string seg = Directory.GetFiles(Folder, "*.seg").Single();
        byte[] bytes = File.ReadAllBytes(seg);
        int second = 8 + TelemetryQueue.RecordHeaderBytes + Body(1).Length;
        bytes[second + TelemetryQueue.RecordHeaderBytes + 2] ^= 0x40; // a bit flip in the second record's body
        File.WriteAllBytes(seg, bytes);

        using TelemetryQueue again = TelemetryQueue.Open(Folder, 1 << 20, 64 * 1024);
        Assert.Contains(again.Problems, p => p.Contains("1 corrupt record", StringComparison.Ordinal));
        Assert.Equal(1, again.Corrupt);
        Assert.Equal(1, again.Peek()!.Seq);
        again.Acknowledge(again.Peek()!);
        Assert.Equal(3, again.Peek()!.Seq);
    }

    [Fact]
    public void Open_FlippedByteThenReopenedTwice_CountedOnceAndTheRestKept()
    {
        using (TelemetryQueue q = TelemetryQueue.Open(Folder, 1 << 20, 64 * 1024))
        {
            for (int i = 1; i <= 5; i++)
            {
                q.Append(0, TelemetryKind.Event, Body(i));
            }
        }

        string seg = Directory.GetFiles(Folder, "*.seg").Single();
        byte[] bytes = File.ReadAllBytes(seg);
        int record = TelemetryQueue.RecordHeaderBytes + Body(1).Length;
        bytes[8 + record + TelemetryQueue.RecordHeaderBytes + 1] ^= 0x01; // the second record's body
        bytes[8 + (3 * record) + 5] ^= 0x10;                               // the fourth record's checksum
        File.WriteAllBytes(seg, bytes);

        for (int open = 0; open < 3; open++)
        {
            using TelemetryQueue q = TelemetryQueue.Open(Folder, 1 << 20, 64 * 1024);
            Assert.Equal(2, q.Corrupt);
            Assert.Equal(3, q.Depth);
            Assert.Equal(1, q.Peek()!.Seq);
            Assert.Equal(open == 0, q.Problems.Any(p => p.Contains("2 corrupt record", StringComparison.Ordinal)));
        }

        using (TelemetryQueue q = TelemetryQueue.Open(Folder, 1 << 20, 64 * 1024))
        {
            var seen = new List<long>();
            while (q.Peek() is { } m && seen.Count < 10)
            {
                seen.Add(m.Seq);
                Assert.Equal(Body((int)m.Seq), m.Body);
                q.Acknowledge(m);
            }

            Assert.Equal([1L, 3L, 5L], seen);
            Assert.Equal(2, q.Corrupt); // the reader does not count what the open already did
        }

        Assert.False(File.Exists(seg) && new FileInfo(seg).Length > 8 + (3 * (long)record), "the segment still holds the corrupt records");
    }

    [Fact]
    public void Append_PastMaxBytes_DropsOldestSegmentsAndCountsThem()
    {
        using TelemetryQueue q = TelemetryQueue.Open(Folder, 16 * 1024, 4096);
        byte[] body = new byte[200];
        for (int i = 0; i < 1000; i++)
        {
            q.Append(0, TelemetryKind.Score, body);
        }

        Assert.True(q.Bytes <= 16 * 1024, q.Bytes.ToString(System.Globalization.CultureInfo.InvariantCulture));
        Assert.True(q.Dropped > 900);
        Assert.Equal(1000, q.Dropped + q.Depth);
        Assert.Equal(q.Dropped + 1, q.Peek()!.Seq); // the oldest went first; what is left is in order
    }

    [Fact]
    public void Open_DamagedAckFile_SendsFromStartAndSaysSo()
    {
        using (TelemetryQueue q = TelemetryQueue.Open(Folder, 1 << 20, 64 * 1024))
        {
            q.Append(0, TelemetryKind.Event, Body(1));
            q.Acknowledge(q.Peek()!);
            q.Append(0, TelemetryKind.Event, Body(2));
            q.SaveAcknowledged(force: true, nowMs: 0);
        }

        byte[] ack = File.ReadAllBytes(Path.Combine(Folder, "ack"));
        ack[10] ^= 1;
        File.WriteAllBytes(Path.Combine(Folder, "ack"), ack);
        using TelemetryQueue again = TelemetryQueue.Open(Folder, 1 << 20, 64 * 1024);
        Assert.Contains(again.Problems, p => p.Contains("ack: the acknowledgement cursor is damaged", StringComparison.Ordinal));
        Assert.Equal(1, again.Peek()!.Seq); // duplicates, never a loss
    }
}
