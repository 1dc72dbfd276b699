namespace EdgeRnn.Train.Nab;

/// <summary>One labelled NAB anomaly window: rows from <see cref="Start"/> to <see cref="End"/>, both included.</summary>
/// <param name="Start">The timestamp of the window's first row.</param>
/// <param name="End">The timestamp of the window's last row.</param>
public readonly record struct NabWindow(DateTime Start, DateTime End);
