using ScottPlot;

namespace EdgeRnn.Train.Scoring;

/// <summary>What <see cref="ScorePlot"/> draws for one scored recording.</summary>
/// <param name="Title">The plot's title.</param>
/// <param name="Times">Each row's time.</param>
/// <param name="Values">The first feature's reading at each row.</param>
/// <param name="Forecasts">Its forecast made before the row arrived (NaN where none).</param>
/// <param name="Scores">The anomaly score at each row.</param>
/// <param name="Threshold">The alarm threshold drawn across the score.</param>
/// <param name="Events">Rows at which an alarm started.</param>
/// <param name="Windows">Labelled anomaly windows (start and end times), if known.</param>
/// <param name="LearnedUntil">The end of the rows the model learned from, if given.</param>
internal sealed record ScorePlotData(string Title, DateTime[] Times, double[] Values, double[] Forecasts, double[] Scores, double Threshold,
    IReadOnlyList<int> Events, IReadOnlyList<(DateTime Start, DateTime End)> Windows, DateTime? LearnedUntil);

/// <summary>
/// A scored recording as a PNG: the signal and its forecast above, the anomaly score and the threshold below, the
/// labelled windows shaded and the alarms marked in both (ScottPlot, headless through SkiaSharp).
/// </summary>
internal static class ScorePlot
{
    /// <summary>Writes the plot to <paramref name="path"/> (a temporary file renamed into place).</summary>
    public static void SavePng(ScorePlotData data, string path, int width = 1400, int height = 800)
    {
        ArgumentNullException.ThrowIfNull(data);
        var multi = new Multiplot();
        multi.AddPlots(2);
        Plot signal = multi.GetPlot(0);
        Plot score = multi.GetPlot(1);
        double[] x = [.. data.Times.Select(t => t.ToOADate())];

        foreach (Plot p in new[] { signal, score })
        {
            bool legend = p == score;
            foreach ((DateTime start, DateTime end) in data.Windows)
            {
                var span = p.Add.HorizontalSpan(start.ToOADate(), end.ToOADate());
                span.FillStyle.Color = Colors.Orange.WithAlpha(0.2);
                span.LineStyle.Width = 0;
                span.LegendText = legend && start == data.Windows[0].Start ? "labelled anomaly window" : "";
            }

            if (data.LearnedUntil is { } learned)
            {
                var span = p.Add.HorizontalSpan(x[0], learned.ToOADate());
                span.FillStyle.Color = Colors.Gray.WithAlpha(0.15);
                span.LineStyle.Width = 0;
                span.LegendText = legend ? "rows learned from" : "";
            }

            foreach (int e in data.Events)
            {
                var line = p.Add.VerticalLine(x[e]);
                line.Color = Colors.Red.WithAlpha(0.6);
                line.LineWidth = 1;
                line.LegendText = legend && e == data.Events[0] ? "alarm" : "";
            }

            p.Axes.DateTimeTicksBottom();
        }

        var values = signal.Add.SignalXY(x, data.Values);
        values.LegendText = "reading";
        values.Color = Colors.SteelBlue;
        var forecasts = signal.Add.SignalXY(x, [.. data.Forecasts.Select(f => double.IsFinite(f) ? f : double.NaN)]);
        forecasts.LegendText = "forecast (int8, one step ahead)";
        forecasts.Color = Colors.Black.WithAlpha(0.5);
        signal.ShowLegend(Alignment.UpperLeft);
        signal.Title(data.Title);
        signal.YLabel("reading");

        var scores = score.Add.SignalXY(x, data.Scores);
        scores.LegendText = "anomaly score";
        scores.Color = Colors.Purple;
        var threshold = score.Add.HorizontalLine(data.Threshold);
        threshold.LegendText = $"threshold {data.Threshold:G3}";
        threshold.LinePattern = LinePattern.Dashed;
        threshold.Color = Colors.Red;
        score.Axes.SetLimitsY(0, 1.05);
        score.ShowLegend(Alignment.UpperLeft);
        score.YLabel("anomaly score");

        string temp = path + ".tmp";
        multi.SavePng(temp, width, height);
        File.Move(temp, path, overwrite: true);
    }
}
