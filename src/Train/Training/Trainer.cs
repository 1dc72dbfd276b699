using System.Diagnostics;
using System.Globalization;
using EdgeRnn.Train.Data;
using EdgeRnn.Train.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace EdgeRnn.Train.Training;

/// <summary>Where training is: after batch <paramref name="Batch"/> of <paramref name="Batches"/> in epoch <paramref name="Epoch"/>, with the epoch's running mean loss.</summary>
internal readonly record struct BatchProgress(int Epoch, int Epochs, int Batch, int Batches, double Loss, double LearningRate);

/// <summary>Everything a training run produced.</summary>
internal sealed record TrainResult(SensorNet Net, ZScoreNormalizer Normalizer, TrainingHistory History, float[] Normalized, int TrainRows, int Classes);

/// <summary>What a token classifier's training produced; <paramref name="Validation"/> holds the held-back sequences.</summary>
internal sealed record TokenTrainResult(SensorNet Net, TrainingHistory History, WindowSet Validation);

/// <summary>
/// Trains a <see cref="SensorNet"/> on a recording: z-score fit on the training rows, time-ordered split, windows,
/// AdamW with weight decay, gradient-norm clipping, ReduceLROnPlateau, early stopping that restores the best
/// weights. Deterministic for a seed and thread count.
/// </summary>
internal static class Trainer
{
    public static TrainResult Train(SensorRecording recording, ModelConfig shape, TrainOptions options, Action<EpochRecord, int>? onEpoch = null,
        Action<BatchProgress>? onBatch = null) =>
        TorchRuntime.Exclusive(() => TrainCore(recording, shape, options, onEpoch, onBatch));

    private static TrainResult TrainCore(SensorRecording recording, ModelConfig shape, TrainOptions options, Action<EpochRecord, int>? onEpoch,
        Action<BatchProgress>? onBatch)
    {
        ArgumentNullException.ThrowIfNull(recording);
        ArgumentNullException.ThrowIfNull(shape);
        ArgumentNullException.ThrowIfNull(options);
        TorchRuntime.Initialize(options.Threads, options.Seed);
        int trainRows = (int)Math.Round(recording.Rows * (1 - options.ValidationFraction));
        int span = options.SequenceLength + 1;
        if (trainRows < span || recording.Rows - trainRows < span)
        {
            throw new ArgumentException(string.Create(CultureInfo.InvariantCulture,
                $"{recording.Rows} rows are too few: the training part ({trainRows}) and the validation part ({recording.Rows - trainRows}) each need at least {span} rows for --seq-len {options.SequenceLength}."));
        }

        ZScoreNormalizer normalizer = ZScoreNormalizer.Fit(recording, trainRows);
        float[] normalized = normalizer.Transform(recording);
        int classes = shape.Task == TrainTask.Classify ? (recording.Labels ?? throw new ArgumentException("classify needs a label column (--label).")).Max() + 1 : 0;
        ModelConfig config = shape with { Features = recording.FeatureCount, Window = options.SequenceLength, Classes = classes };
        WindowSet train = WindowSet.Create(config.Task, normalized, recording.Labels, config.Features, 0, trainRows, options.SequenceLength, options.Stride);
        WindowSet validation = WindowSet.Create(config.Task, normalized, recording.Labels, config.Features, trainRows, recording.Rows - trainRows,
            options.SequenceLength, Math.Max(options.Stride, options.SequenceLength / 2));

        (SensorNet net, TrainingHistory history) = options.Ensemble > 1
            ? FitEnsemble(config, train, validation, options, onEpoch, onBatch)
            : Fit(config, train, validation, options, onEpoch, onBatch);
        return new TrainResult(net, normalizer, history, normalized, trainRows, classes);
    }

    /// <summary>
    /// Trains a token-id classifier: sequences in file order, the last <see cref="TrainOptions.ValidationFraction"/>
    /// of them validate. <paramref name="shape"/> gives the cell, sizes and embedding; the vocabulary defaults to the
    /// data's largest id + 1.
    /// </summary>
    public static TokenTrainResult TrainTokens(TokenDataset data, ModelConfig shape, TrainOptions options, Action<EpochRecord, int>? onEpoch = null,
        Action<BatchProgress>? onBatch = null) =>
        TorchRuntime.Exclusive(() => TrainTokensCore(data, shape, options, onEpoch, onBatch));

    private static TokenTrainResult TrainTokensCore(TokenDataset data, ModelConfig shape, TrainOptions options, Action<EpochRecord, int>? onEpoch,
        Action<BatchProgress>? onBatch)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(shape);
        ArgumentNullException.ThrowIfNull(options);
        TorchRuntime.Initialize(options.Threads, options.Seed);
        int n = data.Count, trainCount = (int)Math.Round(n * (1 - options.ValidationFraction));
        if (trainCount < 1 || n - trainCount < 1)
        {
            throw new ArgumentException($"{n} sequences are too few: the training part ({trainCount}) and the validation part ({n - trainCount}) each need at least one.");
        }

        int vocabulary = shape.Vocabulary > 0 ? shape.Vocabulary : (int)data.Ids.Max() + 1;
        if (data.Ids.Max() >= vocabulary)
        {
            throw new ArgumentException($"token id {data.Ids.Max()} is outside --vocab {vocabulary} (ids must be in [0, vocab)).");
        }

        int classes = (int)data.Labels.Max() + 1;
        int w = data.SequenceLength;
        ModelConfig config = shape with { Task = TrainTask.Classify, Vocabulary = vocabulary, Features = 1, Window = w, Classes = classes };
        WindowSet train = WindowSet.FromTokens(data.Ids[..(trainCount * w)], data.Labels[..trainCount], w);
        WindowSet validation = WindowSet.FromTokens(data.Ids[(trainCount * w)..], data.Labels[trainCount..], w);
        (SensorNet net, TrainingHistory history) = Fit(config, train, validation, options, onEpoch, onBatch);
        return new TokenTrainResult(net, history, validation);
    }

    private static (SensorNet Net, TrainingHistory History) Fit(ModelConfig config, WindowSet train, WindowSet validation, TrainOptions options,
        Action<EpochRecord, int>? onEpoch, Action<BatchProgress>? onBatch)
    {
        SensorNet net = TorchRuntime.CreateSeeded(options.Seed, () => new SensorNet(config));
        using var optimizer = new AdamWOptimizer(net.parameters(), options.LearningRate, options.WeightDecay);
        var random = new Random(options.Seed);
        var history = new TrainingHistory();
        Dictionary<string, Tensor>? best = null;
        double lr = options.LearningRate, plateauBest = double.PositiveInfinity;
        int sinceBest = 0, sincePlateau = 0;
        for (int epoch = 1; epoch <= options.Epochs; epoch++)
        {
            long started = Stopwatch.GetTimestamp();
            net.train();
            int[] order = [.. Enumerable.Range(0, train.Count)];
            random.Shuffle(order);
            double sum = 0;
            int batches = 0;
            for (int b = 0; b < order.Length; b += options.BatchSize)
            {
                using var scope = NewDisposeScope();
                int[] batch = order[b..Math.Min(order.Length, b + options.BatchSize)];
                optimizer.ZeroGrad();
                Tensor loss = Loss(net, train, batch);
                loss.backward();
                if (options.ClipNorm > 0)
                {
                    _ = nn.utils.clip_grad_norm_(net.parameters(), options.ClipNorm);
                }

                optimizer.Step();
                sum += loss.item<float>();
                batches++;
                onBatch?.Invoke(new BatchProgress(epoch, options.Epochs, batches, (order.Length + options.BatchSize - 1) / options.BatchSize, sum / batches, lr));
            }

            double valLoss = Evaluate(net, validation);
            var record = new EpochRecord(epoch, sum / Math.Max(1, batches), valLoss, lr, Stopwatch.GetElapsedTime(started).TotalSeconds);
            history.Epochs.Add(record);
            onEpoch?.Invoke(record, options.Epochs);
            if (valLoss < history.BestValidationLoss)
            {
                history.BestValidationLoss = valLoss;
                history.BestEpoch = epoch;
                DisposeAll(best);
                best = net.state_dict().ToDictionary(kv => kv.Key, kv => kv.Value.detach().clone());
                sinceBest = 0;
            }
            else if (++sinceBest >= options.Patience)
            {
                history.StoppedEarly = true;
                break;
            }

            // ReduceLROnPlateau (mode min, relative threshold 1e-4).
            if (valLoss < plateauBest * (1 - 1e-4))
            {
                plateauBest = valLoss;
                sincePlateau = 0;
            }
            else if (++sincePlateau > options.LrPatience)
            {
                lr *= options.LrFactor;
                optimizer.LearningRate = lr;

                sincePlateau = 0;
            }
        }

        if (best is not null)
        {
            net.load_state_dict(best);
            DisposeAll(best);
        }

        net.eval();
        Metrics(net, validation, history.Metrics);
        return (net, history);
    }

    /// <summary>
    /// Trains <see cref="TrainOptions.Ensemble"/> forecasters one after the other, each exactly as a single network with
    /// seed Seed x K + k (so the ensembles of two seeds share no member), and returns their average as one network
    /// (<see cref="SensorNet.Ensemble"/>). The history's epochs are the first member's; its metrics are the ensemble's.
    /// </summary>
    private static (SensorNet Net, TrainingHistory History) FitEnsemble(ModelConfig config, WindowSet train, WindowSet validation, TrainOptions options,
        Action<EpochRecord, int>? onEpoch, Action<BatchProgress>? onBatch)
    {
        int k = options.Ensemble;
        if (config.Task != TrainTask.Forecast || config.Bidirectional)
        {
            throw new ArgumentException("--ensemble is for forecast models: their members' forecasts are averaged step by step.");
        }

        var members = new List<SensorNet>();
        var history = new TrainingHistory();
        try
        {
            for (int m = 0; m < k; m++)
            {
                (SensorNet member, TrainingHistory h) = Fit(config, train, validation, options with { Seed = (options.Seed * k) + m, Ensemble = 1 }, onEpoch, onBatch);
                members.Add(member);
                history.Members.Add(h);
            }

            SensorNet ensemble = TorchRuntime.CreateSeeded(options.Seed, () => SensorNet.Ensemble(members));
            ensemble.eval();
            history.Epochs.AddRange(history.Members[0].Epochs);
            history.BestEpoch = history.Members[0].BestEpoch;
            history.StoppedEarly = history.Members.TrueForAll(h => h.StoppedEarly);
            history.BestValidationLoss = Evaluate(ensemble, validation);
            Metrics(ensemble, validation, history.Metrics);
            return (ensemble, history);
        }
        finally
        {
            foreach (SensorNet member in members)
            {
                member.Dispose();
            }
        }
    }

    private static void DisposeAll(Dictionary<string, Tensor>? tensors)
    {
        foreach (Tensor t in tensors?.Values ?? Enumerable.Empty<Tensor>())
        {
            t.Dispose();
        }
    }

    /// <summary>Batch inputs [T, B, F] (sequence-first) from windows <paramref name="batch"/>.</summary>
    private static Tensor Inputs(WindowSet set, int[] batch) => set.Tokens is { } tokens ? GatherTokens(tokens, set.SequenceLength, batch) : Gather(set.Inputs, set.SequenceLength * set.Features, batch)
        .reshape(batch.Length, set.SequenceLength, set.Features).permute(1, 0, 2);

    private static Tensor Gather(float[] data, int block, int[] batch)
    {
        var buffer = new float[batch.Length * block];
        for (int i = 0; i < batch.Length; i++)
        {
            Array.Copy(data, batch[i] * block, buffer, i * block, block);
        }

        return tensor(buffer);
    }

    /// <summary>Token ids [T, B] (sequence-first) of sequences <paramref name="batch"/>.</summary>
    private static Tensor GatherTokens(long[] ids, int length, int[] batch)
    {
        var buffer = new long[batch.Length * length];
        for (int i = 0; i < batch.Length; i++)
        {
            Array.Copy(ids, batch[i] * length, buffer, i * length, length);
        }

        return tensor(buffer).reshape(batch.Length, length).permute(1, 0);
    }

    private static Tensor Loss(SensorNet net, WindowSet set, int[] batch)
    {
        Tensor output = net.call(Inputs(set, batch));
        if (set.TargetLength == 0)
        {
            return nn.functional.cross_entropy(output, tensor(batch.Select(i => set.Labels[i]).ToArray()));
        }

        Tensor target = Gather(set.Targets, set.TargetLength * set.Features, batch).reshape(batch.Length, set.TargetLength, set.Features).permute(1, 0, 2);
        return nn.functional.mse_loss(output, target);
    }

    private static double Evaluate(SensorNet net, WindowSet set)
    {
        net.eval();
        using IDisposable noGrad = no_grad();
        double sum = 0;
        int n = 0;
        for (int b = 0; b < set.Count; b += 256)
        {
            using var scope = NewDisposeScope();
            int[] batch = [.. Enumerable.Range(b, Math.Min(256, set.Count - b))];
            sum += Loss(net, set, batch).item<float>() * batch.Length;
            n += batch.Length;
        }

        return n == 0 ? double.NaN : sum / n;
    }

    private static void Metrics(SensorNet net, WindowSet set, Dictionary<string, double> metrics)
    {
        using IDisposable noGrad = no_grad();
        using var scope = NewDisposeScope();
        int[] all = [.. Enumerable.Range(0, set.Count)];
        if (all.Length == 0)
        {
            return;
        }

        Tensor output = net.call(Inputs(set, all));
        if (set.TargetLength > 0)
        {
            Tensor target = Gather(set.Targets, set.TargetLength * set.Features, all).reshape(all.Length, set.TargetLength, set.Features).permute(1, 0, 2);
            Tensor diff = output - target;
            metrics["mse"] = diff.square().mean().item<float>();
            metrics["mae"] = diff.abs().mean().item<float>();
            return;
        }

        long[] predicted = output.argmax(1).data<long>().ToArray();
        int classes = net.Config.Classes;
        metrics["accuracy"] = predicted.Zip(set.Labels).Count(p => p.First == p.Second) / (double)predicted.Length;
        for (int k = 0; k < classes; k++)
        {
            int tp = 0, fp = 0, fn = 0;
            for (int i = 0; i < predicted.Length; i++)
            {
                tp += predicted[i] == k && set.Labels[i] == k ? 1 : 0;
                fp += predicted[i] == k && set.Labels[i] != k ? 1 : 0;
                fn += predicted[i] != k && set.Labels[i] == k ? 1 : 0;
            }

            double precision = tp + fp == 0 ? 0 : tp / (double)(tp + fp), recall = tp + fn == 0 ? 0 : tp / (double)(tp + fn);
            string c = k.ToString(CultureInfo.InvariantCulture);
            metrics["precision_" + c] = precision;
            metrics["recall_" + c] = recall;
            metrics["f1_" + c] = precision + recall == 0 ? 0 : 2 * precision * recall / (precision + recall);
        }
    }
}
