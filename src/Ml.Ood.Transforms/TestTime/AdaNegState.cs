using System.Numerics.Tensors;

namespace Ml.Ood.Transforms.TestTime;

/// <summary>
/// AdaNeg (Zhang et al., NeurIPS 2024) as a test-time state: a memory of test image features per class label and per
/// negative label that the confident rows of each update batch enter before the batch is scored against the memories'
/// renormalised means. Score (higher = OOD) = -(conf_in + lambda conf_in_vanilla), both grouped NegLabel confidences:
/// on the memory proxies and on the label text embeddings.
/// </summary>
/// <remarks>
/// Port of github YBZh/OpenOOD-VLM (commit 804f331) <c>openood/postprocessors/ttaprompt_postprocessor.py</c>, class
/// <c>TTAPromptPostprocessor_noadagap</c>, <c>postprocess</c> (lines 768-950, in_score 'combine'; samada False, or True
/// with <see cref="AdaNegOptions.SampleAdaptiveBeta"/>: <see cref="AdaNegMemory.SampleAdaptiveLogits"/>); the
/// numpy transcription is <c>tests/Ml.Ood.Benchmarks/peer/adaneg.py</c>. Within one update batch: every row's vanilla
/// logits and confidence; the confident-ID rows in batch order enter the memory of their predicted class, then the
/// confident-OOD rows in batch order that of their nearest negative label (<see cref="AdaNegMemory"/>); then every row
/// is scored against the updated proxies, so a batch's own rows count in its scores. Rows are normalised (in double,
/// rounded to float) as CLIP's image features are. A row with a NaN or infinite value, or all zeros, scores NaN and
/// never enters a memory (fail closed). Not thread-safe: the streaming scorer serialises the calls.
/// </remarks>
internal sealed class AdaNegState : TestTimeState
{
    /// <summary>The saved form's kind.</summary>
    public const string KindName = "adaneg";

    /// <summary>2 since the sample-adaptive beta (samada) is saved; version 1 states are still read.</summary>
    private const int FormatVersion = 2;

    private readonly AdaNegRule _rule;
    private readonly AdaNegMemory _memory;
    private long _rowsSeen;

    public AdaNegState(AdaNegRule rule)
        : this(rule, new AdaNegMemory(rule), 0)
    {
    }

    private AdaNegState(AdaNegRule rule, AdaNegMemory memory, long rowsSeen)
    {
        _rule = rule;
        _memory = memory;
        _rowsSeen = rowsSeen;
    }

    public override string Kind => KindName;

    public override int Width => _rule.Width;

    public override int UpdateBatch => _rule.Settings.UpdateBatch;

    public override long RowsSeen => _rowsSeen;

    /// <summary>The fixed part: settings, label embeddings and group order.</summary>
    public AdaNegRule Rule => _rule;

    /// <summary>The memories (for tests and progress reports).</summary>
    public AdaNegMemory Memory => _memory;

    public override void ScoreBatch(ReadOnlySpan<float> rows, int count, Span<float> scores)
    {
        int width = _rule.Width;
        if (count < 1 || count > UpdateBatch)
        {
            throw new ArgumentOutOfRangeException(nameof(count), count, OodErrors.Format(OodErrors.AdaNegBatchSize, count, UpdateBatch));
        }
        if (rows.Length != (long)count * width || scores.Length < count)
        {
            throw new ArgumentException(OodErrors.Format(OodErrors.AdaNegBatchValues, rows.Length, count, width), nameof(rows));
        }

        var unit = new float[count * width];
        var valid = new bool[count];
        for (int i = 0; i < count; i++)
        {
            valid[i] = Normalise(rows.Slice(i * width, width), unit.AsSpan(i * width, width));
        }

        int labels = _rule.LabelCount;
        var logits = new float[count * labels];
        var vanilla = new double[count];
        AdaNegCosines.Compute(unit, valid, _rule.TextRows, width, _rule.Scale, logits);
        for (int i = 0; i < count; i++)
        {
            vanilla[i] = valid[i] ? Confidence(logits.AsSpan(i * labels, labels)) : double.NaN;
        }

        Update(unit, valid, logits, first: 0, count: _rule.IdCount, row => vanilla[row] > _rule.IdThreshold);
        Update(unit, valid, logits, first: _rule.IdCount, count: _rule.NegativeCount, row => vanilla[row] < _rule.NegativeThreshold);
        _memory.RefreshProxies();

        AdaNegCosines.Compute(unit, valid, _memory.ProxyRows, width, _rule.Scale, logits);
        if (_rule.Settings.SampleAdaptiveBeta is int beta)
        {
            _memory.SampleAdaptiveLogits(unit, valid, beta, logits);
        }

        double lambda = _rule.Settings.Lambda;
        for (int i = 0; i < count; i++)
        {
            scores[i] = valid[i] ? (float)-(Confidence(logits.AsSpan(i * labels, labels)) + vanilla[i] * lambda) : float.NaN;
        }
        _rowsSeen += count;
    }

    /// <summary>
    /// A copy of this state (read back from a snapshot) when it belongs to the same head as <paramref name="starting"/>:
    /// same settings, labels and group order; null otherwise, so that a streaming scorer refuses another head's snapshot.
    /// </summary>
    internal AdaNegState? OnRuleOf(AdaNegState starting)
        => _rule.SameAs(starting._rule) ? (AdaNegState)Clone() : null;

    /// <summary>A snapshot read back by a streaming scorer continues when it was taken from a head of the same rule.</summary>
    internal override TestTimeState? OnSharedPartsOf(TestTimeState starting) => starting is AdaNegState adaNeg ? OnRuleOf(adaNeg) : null;

    public override TestTimeState Clone() => new AdaNegState(_rule, _memory.Clone(), _rowsSeen);

    public override void Write(BinaryWriter writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.Write(KindName);
        writer.Write(FormatVersion);
        _rule.Write(writer);
        writer.Write(_rowsSeen);
        _memory.Write(writer);
    }

    /// <summary>Reads a state after its kind (which <see cref="TestTimeStates.Read"/> has consumed).</summary>
    public static AdaNegState Read(BinaryReader reader)
    {
        int version = reader.ReadInt32();
        AdaNegStreams.Require(version is 1 or FormatVersion, $"format version {version}, expected 1 or {FormatVersion}");
        var rule = AdaNegRule.Read(reader, version);
        long rowsSeen = reader.ReadInt64();
        AdaNegStreams.Require(rowsSeen >= 0, $"{rowsSeen} rows seen");
        return new AdaNegState(rule, AdaNegMemory.Read(reader, rule), rowsSeen);
    }

    /// <summary>
    /// Offers the confident rows to the memories of labels [first, first + count): the official ID loop (predicted class,
    /// entropy of the class softmax) or negative loop (nearest negative label over all M, entropy of their softmax).
    /// </summary>
    private void Update(float[] unit, bool[] valid, float[] logits, int first, int count, Func<int, bool> confident)
    {
        int labels = _rule.LabelCount;
        int width = _rule.Width;
        for (int i = 0; i < valid.Length; i++)
        {
            if (valid[i] && confident(i))
            {
                var own = logits.AsSpan(i * labels + first, count);
                // torch.max's index on exact ties is not specified; the first one is taken here.
                int label = first + TensorPrimitives.IndexOfMax<float>(own);
                _memory.Store(label, unit.AsSpan(i * width, width), AdaNegMath.Entropy(own));
            }
        }
    }

    private double Confidence(ReadOnlySpan<float> rowLogits)
        => AdaNegMath.GroupedConfidence(rowLogits[.._rule.IdCount], rowLogits[_rule.IdCount..], _rule.GroupOrder, _rule.Settings.Groups);

    /// <summary>Writes the unit row (norm in double); false when the row has a non-finite value or is all zeros.</summary>
    private static bool Normalise(ReadOnlySpan<float> row, Span<float> unit)
    {
        double sum = 0;
        foreach (float v in row)
        {
            sum += (double)v * v;
        }
        if (!double.IsFinite(sum) || sum == 0)
        {
            return false;
        }

        double norm = Math.Sqrt(sum);
        for (int d = 0; d < row.Length; d++)
        {
            unit[d] = (float)(row[d] / norm);
        }
        return true;
    }
}
