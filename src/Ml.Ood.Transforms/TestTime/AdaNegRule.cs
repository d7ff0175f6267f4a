namespace Ml.Ood.Transforms.TestTime;

/// <summary>
/// AdaNeg's fixed part, shared by every copy of a state: the checked settings, the unit label text embeddings (the C
/// class labels, then the M negative labels) and the kept negatives in group order.
/// </summary>
/// <remarks>Port of github YBZh/OpenOOD-VLM (commit 804f331) <c>openood/postprocessors/ttaprompt_postprocessor.py</c>,
/// class <c>TTAPromptPostprocessor_noadagap</c>; docs/TEST-TIME-HEADS.md lists the deviations.</remarks>
internal sealed class AdaNegRule
{
    private readonly float[] _text;
    private readonly int[] _groupOrder;

    /// <param name="settings">Checked settings (a private copy).</param>
    /// <param name="text">(C + M) x <paramref name="width"/> unit rows: the class labels, then the negative labels.</param>
    /// <param name="idCount">C.</param>
    /// <param name="width">D.</param>
    /// <param name="groupOrder">The kept negatives (M - M mod G of them, indices into the negatives) in group order.</param>
    public AdaNegRule(AdaNegOptions settings, float[] text, int idCount, int width, int[] groupOrder)
    {
        Settings = settings;
        _text = text;
        _groupOrder = groupOrder;
        IdCount = idCount;
        Width = width;
        LabelCount = text.Length / width;
        // The official thresholds are Python floats compared with the confidences; double keeps 0.75 and 0.25 exact.
        IdThreshold = settings.Threshold + (double)settings.Gap * (1 - (double)settings.Threshold);
        NegativeThreshold = settings.Threshold - (double)settings.Gap * settings.Threshold;
        Scale = 1f / settings.Temperature;
    }

    public AdaNegOptions Settings { get; }

    /// <summary>C, the class labels.</summary>
    public int IdCount { get; }

    /// <summary>C + M.</summary>
    public int LabelCount { get; }

    /// <summary>M, the negative labels (all of them: the dropped ones keep memories too).</summary>
    public int NegativeCount => LabelCount - IdCount;

    /// <summary>D.</summary>
    public int Width { get; }

    /// <summary>A row enters its predicted class's memory above this grouped confidence: thres + gap (1 - thres).</summary>
    public double IdThreshold { get; }

    /// <summary>A row enters its nearest negative label's memory below this grouped confidence: thres - gap thres.</summary>
    public double NegativeThreshold { get; }

    /// <summary>1 / tau, the official code's <c>logit_scale</c>.</summary>
    public float Scale { get; }

    /// <summary>The kept negatives in group order.</summary>
    public ReadOnlySpan<int> GroupOrder => _groupOrder;

    /// <summary>All label text embeddings, row-major.</summary>
    public ReadOnlySpan<float> AllText => _text;

    /// <summary>All label text embeddings, row-major, for work split over threads.</summary>
    public ReadOnlyMemory<float> TextRows => _text;

    /// <summary>One label's unit text embedding.</summary>
    public ReadOnlySpan<float> Text(int label) => _text.AsSpan(label * Width, Width);

    /// <summary>Whether <paramref name="other"/> is the same rule: equal settings, sizes, label embeddings and group order.</summary>
    public bool SameAs(AdaNegRule other)
    {
        var (a, b) = (Settings, other.Settings);
        return ReferenceEquals(this, other)
            || (a.MemoryLength == b.MemoryLength && a.Threshold.Equals(b.Threshold) && a.Gap.Equals(b.Gap) && a.Lambda.Equals(b.Lambda)
                && a.Groups == b.Groups && a.Temperature.Equals(b.Temperature) && a.UpdateBatch == b.UpdateBatch && a.ShuffleSeed == b.ShuffleSeed
                && a.SampleAdaptiveBeta == b.SampleAdaptiveBeta
                && IdCount == other.IdCount && Width == other.Width
                && AllText.SequenceEqual(other.AllText) && GroupOrder.SequenceEqual(other.GroupOrder));
    }

    /// <summary>Checks the embeddings and the settings and builds the rule, as the estimator and the catalog do.</summary>
    /// <exception cref="ArgumentException">Empty label sets, embeddings of different widths, NaN, infinite or zero embeddings.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A setting outside its range, named.</exception>
    public static AdaNegRule Create(IReadOnlyList<float[]> idLabelEmbeddings, IReadOnlyList<float[]> negativeLabelEmbeddings, AdaNegOptions? options)
    {
        var ids = LabelEmbeddings.Normalise(idLabelEmbeddings, LabelEmbeddings.IdSet, nameof(idLabelEmbeddings));
        var negatives = LabelEmbeddings.Normalise(negativeLabelEmbeddings, LabelEmbeddings.NegativeSet, nameof(negativeLabelEmbeddings), ids.Width);
        var settings = (options ?? new AdaNegOptions()).Copy();
        settings.Check(negatives.Count);
        var text = new float[(long)(ids.Count + negatives.Count) * ids.Width];
        for (int i = 0; i < ids.Count; i++)
        {
            ids.Row(i).CopyTo(text.AsSpan(i * ids.Width));
        }
        for (int j = 0; j < negatives.Count; j++)
        {
            negatives.Row(j).CopyTo(text.AsSpan((ids.Count + j) * ids.Width));
        }
        var order = LabelEmbeddings.GroupOrder(negatives.Count, settings.Groups, settings.ShuffleSeed);
        return new AdaNegRule(settings, text, ids.Count, ids.Width, order);
    }

    /// <summary>Writes the settings (format 2: with the sample-adaptive beta), the sizes, the text embeddings and the group order.</summary>
    public void Write(BinaryWriter writer)
    {
        var s = Settings;
        writer.Write(s.MemoryLength);
        writer.Write(s.Threshold);
        writer.Write(s.Gap);
        writer.Write(s.Lambda);
        writer.Write(s.Groups);
        writer.Write(s.Temperature);
        writer.Write(s.UpdateBatch);
        writer.Write(s.ShuffleSeed.HasValue);
        writer.Write(s.ShuffleSeed ?? 0);
        writer.Write(s.SampleAdaptiveBeta.HasValue);
        writer.Write(s.SampleAdaptiveBeta ?? 0);
        writer.Write(IdCount);
        writer.Write(NegativeCount);
        writer.Write(Width);
        AdaNegStreams.WriteFloats(writer, _text);
        foreach (int index in _groupOrder)
        {
            writer.Write(index);
        }
    }

    /// <summary>
    /// Reads what <see cref="Write"/> wrote, checking every setting, size, value and the group order; a state of
    /// <paramref name="version"/> 1 (before samada) has no sample-adaptive beta.
    /// </summary>
    public static AdaNegRule Read(BinaryReader reader, int version)
    {
        var s = new AdaNegOptions
        {
            MemoryLength = reader.ReadInt32(),
            Threshold = reader.ReadSingle(),
            Gap = reader.ReadSingle(),
            Lambda = reader.ReadSingle(),
            Groups = reader.ReadInt32(),
            Temperature = reader.ReadSingle(),
            UpdateBatch = reader.ReadInt32(),
        };
        bool seeded = reader.ReadBoolean();
        int seed = reader.ReadInt32();
        s.ShuffleSeed = seeded ? seed : null;
        if (version >= 2)
        {
            bool adaptive = reader.ReadBoolean();
            int beta = reader.ReadInt32();
            s.SampleAdaptiveBeta = adaptive ? beta : null;
        }
        int idCount = reader.ReadInt32();
        int negativeCount = reader.ReadInt32();
        int width = reader.ReadInt32();
        AdaNegStreams.Require(idCount >= 1 && negativeCount >= 1 && width >= 1 && (long)(idCount + negativeCount) * width <= AdaNegStreams.MaxValues,
            $"{idCount} class labels, {negativeCount} negative labels of width {width}");
        s.Check(negativeCount);
        var text = AdaNegStreams.ReadFloats(reader, (idCount + negativeCount) * width, "label embeddings");
        int kept = negativeCount - negativeCount % s.Groups;
        var order = new int[kept];
        var seen = new bool[kept];
        for (int i = 0; i < kept; i++)
        {
            int index = reader.ReadInt32();
            AdaNegStreams.Require(index >= 0 && index < kept && !seen[index], $"group order entry {i} is {index}");
            seen[index] = true;
            order[i] = index;
        }
        return new AdaNegRule(s, text, idCount, width, order);
    }
}
