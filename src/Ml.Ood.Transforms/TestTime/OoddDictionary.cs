namespace Ml.Ood.Transforms.TestTime;

/// <summary>
/// OODD's dictionary: at most q rows, each with its s_id and its place in the stream. The official code pushes each row
/// of a batch into a priority queue and pops the largest s_id while more than q are held; that keeps the q smallest s_id
/// of (held + batch), which is what <see cref="Push"/> keeps, in one sort per batch.
/// </summary>
/// <remarks>
/// Ties: among rows of equal s_id the earlier row in the stream stays (Python's heap leaves that choice to its heap
/// layout). Rows are kept as read (not normalised): the dictionary graph normalises them with the queries.
/// </remarks>
internal sealed class OoddDictionary
{
    private float[] _rows;
    private float[] _spare;
    private readonly float[] _keys;
    private readonly long[] _order;
    private long _pushed;
    private Candidate[] _candidates = [];

    public OoddDictionary(int capacity, int width)
    {
        Capacity = capacity;
        Width = width;
        _rows = new float[(long)capacity * width];
        _spare = new float[(long)capacity * width];
        _keys = new float[capacity];
        _order = new long[capacity];
    }

    public int Capacity { get; }

    public int Width { get; }

    /// <summary>The rows held now.</summary>
    public int Held { get; private set; }

    /// <summary>The held rows, row-major, in the first <see cref="Held"/> rows.</summary>
    public float[] Rows => _rows;

    /// <summary>Each held row's s_id.</summary>
    public ReadOnlySpan<float> Keys => _keys.AsSpan(0, Held);

    /// <summary>Each held row's place in the stream of pushed rows (rows that could not be scored are not counted).</summary>
    public ReadOnlySpan<long> Order => _order.AsSpan(0, Held);

    /// <summary>
    /// Pushes the rows of a batch whose s_id is finite (a row that cannot be scored never enters), then evicts the largest
    /// s_id while more than <see cref="Capacity"/> are held.
    /// </summary>
    public void Push(float[] batch, float[] sId, int count)
    {
        int width = Width;
        int finite = 0;
        for (int i = 0; i < count; i++)
        {
            if (float.IsFinite(sId[i]))
            {
                finite++;
            }
        }
        if (Held + finite <= Capacity)
        {
            for (int i = 0; i < count; i++)
            {
                if (float.IsFinite(sId[i]))
                {
                    Array.Copy(batch, (long)i * width, _rows, (long)Held * width, width);
                    _keys[Held] = sId[i];
                    _order[Held++] = _pushed++;
                }
            }
            return;
        }
        KeepSmallest(batch, sId, count, finite);
    }

    private void KeepSmallest(float[] batch, float[] sId, int count, int finite)
    {
        int total = Held + finite;
        if (_candidates.Length < total)
        {
            _candidates = new Candidate[total];
        }

        int n = 0;
        for (int i = 0; i < Held; i++)
        {
            _candidates[n++] = new Candidate(_keys[i], _order[i], i);
        }
        for (int i = 0; i < count; i++)
        {
            if (float.IsFinite(sId[i]))
            {
                _candidates[n++] = new Candidate(sId[i], _pushed++, ~i);
            }
        }
        Array.Sort(_candidates, 0, n);
        int width = Width;
        for (int i = 0; i < Capacity; i++)
        {
            var c = _candidates[i];
            var source = c.Source >= 0 ? _rows : batch;
            long from = (long)(c.Source >= 0 ? c.Source : ~c.Source) * width;
            Array.Copy(source, from, _spare, (long)i * width, width);
            _keys[i] = c.Key;
            _order[i] = c.Order;
        }
        (_rows, _spare) = (_spare, _rows);
        Held = Capacity;
    }

    public OoddDictionary Clone()
    {
        var copy = new OoddDictionary(Capacity, Width) { Held = Held, _pushed = _pushed };
        Array.Copy(_rows, copy._rows, (long)Held * Width);
        Array.Copy(_keys, copy._keys, Held);
        Array.Copy(_order, copy._order, Held);
        return copy;
    }

    public void Write(BinaryWriter writer)
    {
        writer.Write(Capacity);
        writer.Write(Width);
        writer.Write(Held);
        writer.Write(_pushed);
        for (int i = 0; i < Held; i++)
        {
            writer.Write(_keys[i]);
            writer.Write(_order[i]);
        }
        writer.Write(System.Runtime.InteropServices.MemoryMarshal.AsBytes(_rows.AsSpan(0, Held * Width)));
    }

    public static OoddDictionary Read(BinaryReader reader)
    {
        int capacity = reader.ReadInt32();
        int width = reader.ReadInt32();
        int held = reader.ReadInt32();
        long pushed = reader.ReadInt64();
        if (capacity < 1 || width < 1 || (long)capacity * width > Array.MaxLength || held < 0 || held > capacity || pushed < held)
        {
            throw new FormatException(OodErrors.Format(OodErrors.TestTimeStateField, "dictionary size", $"{held} of {capacity} x {width}"));
        }

        var dictionary = new OoddDictionary(capacity, width) { Held = held, _pushed = pushed };
        for (int i = 0; i < held; i++)
        {
            dictionary._keys[i] = reader.ReadSingle();
            dictionary._order[i] = reader.ReadInt64();
            if (!float.IsFinite(dictionary._keys[i]) || dictionary._order[i] < 0 || dictionary._order[i] >= pushed)
            {
                throw new FormatException(OodErrors.Format(OodErrors.TestTimeStateField, "dictionary entry", i));
            }
        }
        var bytes = System.Runtime.InteropServices.MemoryMarshal.AsBytes(dictionary._rows.AsSpan(0, held * width));
        if (reader.BaseStream.ReadAtLeast(bytes, bytes.Length, throwOnEndOfStream: false) != bytes.Length)
        {
            throw new EndOfStreamException();
        }

        if (!System.Numerics.Tensors.TensorPrimitives.IsFiniteAll<float>(dictionary._rows.AsSpan(0, held * width)))
        {
            throw new FormatException(OodErrors.Format(OodErrors.TestTimeStateField, "dictionary rows", "not finite"));
        }

        return dictionary;
    }

    /// <summary>A row competing for a place: ordered by s_id, then by its place in the stream (earlier first).</summary>
    private readonly record struct Candidate(float Key, long Order, int Source) : IComparable<Candidate>
    {
        public int CompareTo(Candidate other)
        {
            int byKey = Key.CompareTo(other.Key);
            return byKey != 0 ? byKey : Order.CompareTo(other.Order);
        }
    }
}
