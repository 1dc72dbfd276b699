using System.Globalization;
using Spectre.Console;

namespace EdgeRnn.Train.Training;

/// <summary>
/// Shows training progress on stderr: a live Spectre.Console bar (epoch, batch, loss, validation loss, learning rate,
/// ETA) when stderr is a terminal, else one plain line per epoch (logs, pipes, tests).
/// </summary>
internal static class TrainingProgress
{
    /// <summary>Whether <paramref name="stderr"/> is the process's own stderr and a terminal.</summary>
    public static bool IsInteractive(TextWriter stderr) => ReferenceEquals(stderr, Console.Error) && !Console.IsErrorRedirected;

    /// <summary>Runs <paramref name="train"/>, handing it the epoch and batch callbacks that report progress.</summary>
    public static T Run<T>(TextWriter stderr, Func<Action<EpochRecord, int>, Action<BatchProgress>?, T> train)
    {
        ArgumentNullException.ThrowIfNull(stderr);
        ArgumentNullException.ThrowIfNull(train);
        if (!IsInteractive(stderr))
        {
            return train((e, total) => stderr.WriteLine(Line(e, total)), null);
        }

        IAnsiConsole console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(Console.Error) });
        double lastVal = double.NaN;
        return console.Progress()
            .AutoClear(false)
            .Columns(new TaskDescriptionColumn { Alignment = Justify.Left }, new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn(), new RemainingTimeColumn())
            .Start(context =>
            {
                ProgressTask task = context.AddTask("training", maxValue: 1);
                return train(
                    (e, total) =>
                    {
                        lastVal = e.ValidationLoss;
                        console.MarkupLine(Markup.Escape(Line(e, total)));
                    },
                    b =>
                    {
                        task.MaxValue = (double)b.Epochs * b.Batches;
                        task.Value = ((double)(b.Epoch - 1) * b.Batches) + b.Batch;
                        task.Description = Markup.Escape(string.Create(CultureInfo.InvariantCulture,
                            $"epoch {b.Epoch}/{b.Epochs} batch {b.Batch}/{b.Batches} loss {b.Loss:F5} val {lastVal:F5} lr {b.LearningRate:G3}"));
                    });
            });
    }

    private static string Line(EpochRecord e, int total) => string.Create(CultureInfo.InvariantCulture,
        $"epoch {e.Epoch}/{total}  loss {e.TrainLoss:F5}  val {e.ValidationLoss:F5}  lr {e.LearningRate:G3}  {e.Seconds:F1}s");
}
