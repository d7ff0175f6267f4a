namespace Ml.Ood.Transforms.TestTime;

/// <summary>
/// AdaNeg's memories: per label (class or negative) L + 1 feature slots with an entropy each, and the renormalised slot
/// means ("proxies") that rows are scored against.
/// </summary>
/// <remarks>
/// The official layout (<c>ttaprompt_postprocessor.py</c> lines 772-779, 813-868, 893-894 at commit 804f331): slot 0 holds
/// the label's text embedding and slots 1..L zeros; every entropy starts at 0; a label's next slot starts at 1. A row goes
/// to the next slot while it is below L; at L the memory counts as full (so slot L is never appended to, and L - 1 image
/// features fit), and the row replaces the slot of largest entropy (the last one of an ascending sort, ties to the highest
/// slot) only when its entropy is below at least one stored entropy. The proxy is the mean of all L + 1 slots, empty ones
/// included, renormalised, i.e. the unit vector along text + the stored features. A label's slots are allocated when it
/// first stores a row; until then its proxy is its text embedding (renormalised in double, as every proxy). With samada
/// (<see cref="SampleAdaptiveLogits"/>) each row has its own proxy per label, from the slots' Gram matrix kept here.
/// </remarks>
internal sealed class AdaNegMemory
{
    private readonly AdaNegRule _rule;
    private readonly float[]?[] _slots;
    private readonly double[]?[] _entropies;
    private readonly int[] _next;
    private readonly float[] _proxies;
    private readonly bool[] _stale;
    private readonly double[]?[] _grams;

    public AdaNegMemory(AdaNegRule rule)
    {
        _rule = rule;
        int labels = rule.LabelCount;
        _slots = new float[labels][];
        _entropies = new double[labels][];
        _next = new int[labels];
        Array.Fill(_next, 1);
        _proxies = new float[rule.AllText.Length];
        _stale = new bool[labels];
        _grams = new double[labels][];
        for (int label = 0; label < labels; label++)
        {
            Refresh(label);
        }
    }

    private AdaNegMemory(AdaNegMemory other)
    {
        _rule = other._rule;
        _slots = other._slots.Select(s => (float[]?)s?.Clone()).ToArray();
        _entropies = other._entropies.Select(e => (double[]?)e?.Clone()).ToArray();
        _next = (int[])other._next.Clone();
        _proxies = (float[])other._proxies.Clone();
        _stale = (bool[])other._stale.Clone();
        _grams = other._grams.Select(g => (double[]?)g?.Clone()).ToArray();
        Appends = other.Appends;
        Replacements = other.Replacements;
    }

    /// <summary>Rows written to a memory that was not full.</summary>
    public long Appends { get; private set; }

    /// <summary>Rows that replaced the highest-entropy entry of a full memory.</summary>
    public long Replacements { get; private set; }

    /// <summary>The image features a label's memory holds (0 to L - 1, as the official slot indexing allows).</summary>
    public int Stored(int label) => _next[label] - 1;

    /// <summary>One label's current proxy (unit, or NaN if its slots sum to zero).</summary>
    public ReadOnlySpan<float> Proxy(int label) => _proxies.AsSpan(label * _rule.Width, _rule.Width);

    /// <summary>All proxies, row-major by label.</summary>
    public ReadOnlyMemory<float> ProxyRows => _proxies;

    public AdaNegMemory Clone() => new(this);

    /// <summary>Offers a unit row with its label entropy to a label's memory (the official slot rule).</summary>
    public void Store(int label, ReadOnlySpan<float> row, double entropy)
    {
        int length = _rule.Settings.MemoryLength;
        var entropies = _entropies[label] ??= new double[length + 1];
        int slot;
        if (_next[label] == length)
        {
            slot = HighestEntropySlot(entropies);
            if (!(entropy < entropies[slot]))
            {
                return;
            }
            Replacements++;
        }
        else
        {
            slot = _next[label]++;
            Appends++;
        }
        row.CopyTo(Slots(label).AsSpan(slot * _rule.Width, _rule.Width));
        entropies[slot] = entropy;
        _stale[label] = true;
    }

    /// <summary>Recomputes the proxies of the labels that stored a row since the last call.</summary>
    public void RefreshProxies()
    {
        for (int label = 0; label < _stale.Length; label++)
        {
            if (_stale[label])
            {
                Refresh(label);
                _stale[label] = false;
            }
        }
    }

    /// <summary>
    /// samada (the official <c>samada = True</c>, lines 874-891): overwrites, for every valid row and every label that
    /// stored rows, <paramref name="logits"/> [rows x labels] with scale x cos(row, p), where p = sum_k w_k slot_k, w_k =
    /// exp(-beta (1 - cos(slot_k, row))) over the label's L + 1 slots (a zero slot adds nothing). A label that stored
    /// nothing keeps its mean-proxy logit: its only non-zero slot is its text, so p is the text's direction either way.
    /// </summary>
    /// <remarks>
    /// cos(row, p) = sum_k w_k s_k / sqrt(w' G w), with s_k = cos(slot_k, row) and G the slots' Gram matrix (kept per label,
    /// in double): the official code builds p in D dimensions for every row and label; this is the same number without
    /// it. Each value is computed on its own (in double), so threads and batch composition never change it.
    /// </remarks>
    public void SampleAdaptiveLogits(float[] rows, bool[] valid, int beta, float[] logits)
    {
        int width = _rule.Width;
        int labels = _rule.LabelCount;
        int n = _rule.Settings.MemoryLength + 1;
        int[] stored = [.. Enumerable.Range(0, labels).Where(l => _slots[l] is not null)];
        void Row(int i)
        {
            if (!valid[i])
            {
                return;
            }

            var row = rows.AsSpan(i * width, width);
            Span<double> w = stackalloc double[n];
            foreach (int label in stored)
            {
                var slots = _slots[label]!;
                var gram = _grams[label]!;
                double numerator = 0;
                for (int k = 0; k < n; k++)
                {
                    double cos = Dot(slots.AsSpan(k * width, width), row);
                    w[k] = Math.Exp(-beta * (1 - cos));
                    numerator += w[k] * cos;
                }
                double squared = 0;
                for (int j = 0; j < n; j++)
                {
                    double sum = 0;
                    for (int k = 0; k < n; k++)
                    {
                        sum += gram[(j * n) + k] * w[k];
                    }
                    squared += w[j] * sum;
                }
                logits[(i * labels) + label] = (float)(_rule.Scale * numerator / Math.Sqrt(squared));
            }
        }

        if ((long)valid.Length * stored.Length * n * width < 1L << 22)
        {
            for (int i = 0; i < valid.Length; i++)
            {
                Row(i);
            }
            return;
        }
        Parallel.For(0, valid.Length, Row);
    }

    /// <summary>Writes every label's next slot and, for the labels that stored rows, their slots and entropies.</summary>
    public void Write(BinaryWriter writer)
    {
        writer.Write(Appends);
        writer.Write(Replacements);
        for (int label = 0; label < _slots.Length; label++)
        {
            writer.Write(_next[label]);
            writer.Write(_slots[label] is not null);
            if (_slots[label] is { } slots)
            {
                AdaNegStreams.WriteFloats(writer, slots);
                foreach (double e in _entropies[label]!)
                {
                    writer.Write(e);
                }
            }
        }
    }

    /// <summary>Reads what <see cref="Write"/> wrote and recomputes the proxies from the slots.</summary>
    public static AdaNegMemory Read(BinaryReader reader, AdaNegRule rule)
    {
        var memory = new AdaNegMemory(rule);
        memory.Appends = reader.ReadInt64();
        memory.Replacements = reader.ReadInt64();
        AdaNegStreams.Require(memory.Appends >= 0 && memory.Replacements >= 0, "negative append or replacement counts");
        int length = rule.Settings.MemoryLength;
        int values = (length + 1) * rule.Width;
        for (int label = 0; label < rule.LabelCount; label++)
        {
            int next = reader.ReadInt32();
            AdaNegStreams.Require(next >= 1 && next <= length, $"label {label}'s next slot is {next}, outside [1, {length}]");
            memory._next[label] = next;
            if (reader.ReadBoolean())
            {
                memory._slots[label] = AdaNegStreams.ReadFloats(reader, values, $"label {label}'s memory slots");
                var entropies = new double[length + 1];
                for (int i = 0; i < entropies.Length; i++)
                {
                    entropies[i] = reader.ReadDouble();
                    AdaNegStreams.Require(double.IsFinite(entropies[i]), $"label {label}'s entropy {i} is not finite");
                }
                memory._entropies[label] = entropies;
                memory.Refresh(label);
            }
            else
            {
                AdaNegStreams.Require(next == 1, $"label {label} stores no rows but its next slot is {next}");
            }
        }
        return memory;
    }

    /// <summary>The slot that sorts last in an ascending sort of the entropies, a stable one: the highest slot among equal maxima.</summary>
    private static int HighestEntropySlot(double[] entropies)
    {
        int best = 0;
        for (int i = 1; i < entropies.Length; i++)
        {
            if (entropies[i] >= entropies[best])
            {
                best = i;
            }
        }
        return best;
    }

    private float[] Slots(int label)
    {
        if (_slots[label] is { } slots)
        {
            return slots;
        }

        slots = new float[(_rule.Settings.MemoryLength + 1) * _rule.Width];
        _rule.Text(label).CopyTo(slots);
        return _slots[label] = slots;
    }

    // The official mean over L + 1 slots followed by a renormalisation is the unit vector along their sum (the text
    // embedding alone for a label that stored nothing); the sum and the norm in double keep the proxy exact to float.
    private void Refresh(int label)
    {
        ReadOnlySpan<float> slots = _slots[label] ?? _rule.Text(label);
        int width = _rule.Width;
        var sum = new double[width];
        for (int s = 0; s < slots.Length; s += width)
        {
            for (int d = 0; d < width; d++)
            {
                sum[d] += slots[s + d];
            }
        }
        double norm = Math.Sqrt(System.Numerics.Tensors.TensorPrimitives.SumOfSquares<double>(sum));
        var proxy = _proxies.AsSpan(label * width, width);
        for (int d = 0; d < width; d++)
        {
            proxy[d] = (float)(sum[d] / norm);
        }

        if (_slots[label] is { } stored && _rule.Settings.SampleAdaptiveBeta is not null)
        {
            int n = stored.Length / width;
            var gram = _grams[label] ??= new double[n * n];
            for (int j = 0; j < n; j++)
            {
                for (int k = 0; k <= j; k++)
                {
                    gram[(j * n) + k] = gram[(k * n) + j] = Dot(stored.AsSpan(j * width, width), stored.AsSpan(k * width, width));
                }
            }
        }
    }

    /// <summary>A dot product of two float vectors, accumulated in double.</summary>
    private static double Dot(ReadOnlySpan<float> a, ReadOnlySpan<float> b)
    {
        double sum = 0;
        for (int d = 0; d < a.Length; d++)
        {
            sum += (double)a[d] * b[d];
        }
        return sum;
    }
}
