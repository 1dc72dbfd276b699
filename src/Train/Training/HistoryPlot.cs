using ScottPlot;

namespace EdgeRnn.Train.Training;

/// <summary>The loss curves of a training run as a PNG (ScottPlot; renders headless through SkiaSharp).</summary>
internal static class HistoryPlot
{
    /// <summary>Writes training and validation loss per epoch (log scale when they span more than a decade), the kept epoch marked.</summary>
    public static void SavePng(TrainingHistory history, string path, int width = 800, int height = 500)
    {
        ArgumentNullException.ThrowIfNull(history);
        double[] epochs = [.. history.Epochs.Select(e => (double)e.Epoch)];
        double[] train = [.. history.Epochs.Select(e => e.TrainLoss)];
        double[] validation = [.. history.Epochs.Select(e => e.ValidationLoss)];
        double[] all = [.. train.Concat(validation).Where(v => v > 0 && double.IsFinite(v))];
        bool log = all.Length > 0 && all.Max() / all.Min() > 10;
        var plot = new Plot();
        var trainLine = plot.Add.Scatter(epochs, log ? [.. train.Select(Math.Log10)] : train);
        trainLine.LegendText = "training loss";
        var valLine = plot.Add.Scatter(epochs, log ? [.. validation.Select(Math.Log10)] : validation);
        valLine.LegendText = "validation loss";
        if (history.BestEpoch > 0)
        {
            var best = plot.Add.VerticalLine(history.BestEpoch);
            best.LegendText = $"kept epoch {history.BestEpoch}";
            best.LinePattern = LinePattern.Dashed;
        }

        if (log)
        {
            plot.Axes.Left.TickGenerator = new ScottPlot.TickGenerators.NumericAutomatic
            {
                LabelFormatter = y => $"{Math.Pow(10, y):G3}",
                MinorTickGenerator = new ScottPlot.TickGenerators.LogMinorTickGenerator(),
            };
        }

        plot.Title("EdgeRnn training");
        plot.XLabel("epoch");
        plot.YLabel(log ? "loss (log scale)" : "loss");
        plot.ShowLegend(Alignment.UpperRight);
        plot.SavePng(path, width, height);
    }
}
