using Microsoft.ML;
using Ml.Ood.Transforms.Execution;
using Ml.Ood.Transforms.Onnx;

namespace Ml.Ood.Transforms.TestTime;

/// <summary>
/// OODD's live state (Yang et al., CVPR 2025; zxk1212/OODD, openood/postprocessors/knn_postprocessor.py,
/// <c>conf_postprocess</c>): a dictionary of at most q rows with the lowest s_id seen so far. Per update batch, in stream
/// order: s_id of every row (bank graph); push the batch's rows, evicting the largest s_id while more than q are held
/// (<see cref="OoddDictionary"/>); s_ood of every row against the held rows, the batch's own included (dictionary
/// graph); score = s_ood - s_id, higher = OOD. The same state serves OODD's vision-language variant (kind
/// <c>oodd_vl</c>, zxk1212/OODD <c>MCM/eval_ood_detection.py</c>, <c>NegLabel/tools/ood_test.py</c>), whose bank graph
/// gives the MCM or NegLabel confidence as s_id.
/// </summary>
/// <remarks>
/// Fail closed: a row with a NaN or infinite value has s_id NaN, scores NaN (a Threshold flags it) and never enters the
/// dictionary. While the dictionary holds fewer than K2 rows (the stream's first rows when B &lt; K2, or after
/// unscorable rows) there is no K2-th neighbour: the official code would fail; here those rows score NaN.
/// </remarks>
internal sealed class OoddState : TestTimeState
{
    private const int FormatVersion = 1;

    private readonly OoddShared _shared;
    private readonly OoddDictionary _dictionary;
    private readonly float[] _batch;
    private readonly float[] _block;
    private readonly float[] _blockScores;
    private readonly float[] _sId;
    private readonly float[] _sOod;
    private long _rowsSeen;
    private bool _holdsReference;

    public OoddState(OoddShared shared)
        : this(shared, new OoddDictionary(shared.Settings.Capacity, shared.Width), 0, holdsReference: false)
    {
    }

    /// <param name="shared">The head's shared parts.</param>
    /// <param name="dictionary">The dictionary, owned by this state.</param>
    /// <param name="rowsSeen">Rows scored before.</param>
    /// <param name="holdsReference">
    /// Whether this state holds one reference to the shared head (a state read back from a snapshot owns its own bank;
    /// its clones take one each), given back by <see cref="Dispose"/>.
    /// </param>
    private OoddState(OoddShared shared, OoddDictionary dictionary, long rowsSeen, bool holdsReference)
    {
        _shared = shared;
        _holdsReference = holdsReference;
        _dictionary = dictionary;
        _rowsSeen = rowsSeen;
        int b = shared.Settings.UpdateBatch;
        int block = Math.Min(shared.BlockSize, b);
        _batch = new float[b * shared.Width];
        _block = new float[block * shared.Width];
        _blockScores = new float[block];
        _sId = new float[b];
        _sOod = new float[b];
    }

    public override string Kind => _shared.Kind;

    public override int Width => _shared.Width;

    public override int UpdateBatch => _shared.Settings.UpdateBatch;

    public override long RowsSeen => _rowsSeen;

    /// <summary>The rows the dictionary holds now.</summary>
    public int DictionaryRows => _dictionary.Held;

    internal OoddShared Shared => _shared;

    internal OoddDictionary HeldRows => _dictionary;

    public override void ScoreBatch(ReadOnlySpan<float> rows, int count, Span<float> scores)
    {
        if (count < 1 || count > UpdateBatch || rows.Length < count * Width || scores.Length < count)
        {
            throw new ArgumentOutOfRangeException(nameof(count), count,
                OodErrors.Format(OodErrors.TestTimeBatchOutOfRange, count, UpdateBatch, rows.Length, Width, scores.Length));
        }

        int width = Width;
        rows[..(count * width)].CopyTo(_batch);
        ScoreBank(count);
        _dictionary.Push(_batch, _sId, count);
        if (_dictionary.Held >= _shared.Settings.K2)
        {
            _shared.Bank.Lifetime.Enter();
            try
            {
                _shared.Dictionary().Run(_batch, count, _dictionary.Rows, _dictionary.Held, _sOod);
            }
            finally
            {
                _shared.Bank.Lifetime.Exit();
            }
        }
        else
        {
            _sOod.AsSpan(0, count).Fill(float.NaN);
        }

        System.Numerics.Tensors.TensorPrimitives.Subtract(_sOod.AsSpan(0, count), _sId.AsSpan(0, count), scores[..count]);
        _rowsSeen += count;
    }

    /// <summary>s_id of the batch, in ONNX Runtime calls of at most the block size: a row's value is the same for any.</summary>
    private void ScoreBank(int count)
    {
        int width = Width;
        int block = _blockScores.Length;
        if (count <= block)
        {
            _shared.Bank.Run(_batch, count, _sId);
            return;
        }

        for (int start = 0; start < count; start += block)
        {
            int n = Math.Min(block, count - start);
            Array.Copy(_batch, start * width, _block, 0, n * width);
            _shared.Bank.Run(_block, n, _blockScores);
            Array.Copy(_blockScores, 0, _sId, start, n);
        }
    }

    /// <summary>A fitted or loaded OODD head: its starting state (an empty dictionary) over the head's bank.</summary>
    internal static TestTimeHead Start(MLContext context, OodHeadModel model, OodHeadExecution execution)
    {
        var shared = new OoddShared(context, model, execution);
        return new TestTimeHead(new OoddState(shared), shared.Bank);
    }

    /// <summary>
    /// This state's dictionary and progress over <paramref name="starting"/>'s bank, when both banks are the same model
    /// (same content hash): a snapshot read back then runs on the scorer's own session and device.
    /// </summary>
    internal override TestTimeState? OnSharedPartsOf(TestTimeState starting) => starting is OoddState oodd ? OnBankOf(oodd) : null;

    private OoddState? OnBankOf(OoddState starting)
    {
        string? mine = ContentHash(_shared.Bank.Model);
        return mine is not null && mine == ContentHash(starting._shared.Bank.Model) && starting.Width == Width
            && starting._shared.Settings == _shared.Settings
            ? new OoddState(starting._shared, _dictionary.Clone(), _rowsSeen, holdsReference: false)
            : null;
    }

    private static string? ContentHash(OodHeadModel model) => OodHeadModel.ReadMetadata(model.Source).GetValueOrDefault(HeadIntegrity.HashKey);

    public override TestTimeState Clone()
    {
        if (_holdsReference)
        {
            _shared.Bank.Lifetime.Acquire();
        }

        return new OoddState(_shared, _dictionary.Clone(), _rowsSeen, _holdsReference);
    }

    public override void Dispose()
    {
        if (_holdsReference)
        {
            _holdsReference = false;
            _shared.Bank.Lifetime.Release();
        }
        base.Dispose();
    }

    public override void Write(BinaryWriter writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.Write(Kind);
        writer.Write(FormatVersion);
        writer.Write(_rowsSeen);
        _dictionary.Write(writer);
        // The bank's model with its initializers inline: the fitted model's own array (no copy), or, for a large head loaded
        // as external data, the model read back inline (its inline length is not known before it is serialised).
        byte[] model = _shared.Bank.Model.Source.ToArray();
        writer.Write((long)model.Length);
        writer.Write(model);
    }

    /// <summary>
    /// Reads what <see cref="Write"/> wrote after the kind (<paramref name="kind"/>, which the bank's model must be); the
    /// bank's model is checked against its content hash.
    /// </summary>
    internal static OoddState Read(BinaryReader reader, string kind)
    {
        int version = reader.ReadInt32();
        if (version != FormatVersion)
        {
            throw new FormatException(OodErrors.Format(OodErrors.TestTimeStateVersion, version, FormatVersion));
        }

        long rowsSeen = reader.ReadInt64();
        var dictionary = OoddDictionary.Read(reader);
        long length = reader.ReadInt64();
        if (length <= 0 || length > int.MaxValue)
        {
            throw new FormatException(OodErrors.Format(OodErrors.TestTimeStateField, "model length", length));
        }

        byte[] bytes = reader.ReadBytes((int)length);
        if (bytes.Length != length)
        {
            throw new EndOfStreamException();
        }

        const string what = "The saved OODD state's bank";
        using (var check = new MemoryStream(bytes, writable: false))
        {
            if (HeadIntegrity.Check(check, check.Length, what) != HeadIntegrity.Result.Verified)
            {
                throw new FormatException(OodErrors.Format(OodErrors.TestTimeStateField, "bank hash", "missing"));
            }
        }
        var model = OodHeadModel.TryRead(bytes);
        if (model?.Info.Kind != kind)
        {
            throw new FormatException(OodErrors.Format(OodErrors.TestTimeStateField, "bank", model?.Info.Kind ?? "not a head"));
        }

        // A state read back runs on the CPU: the snapshot names no device (a streaming scorer's Load uses its own head's).
        var shared = new OoddShared(new MLContext(), model, OodHeadExecution.Cpu);
        var state = new OoddState(shared, dictionary, rowsSeen, holdsReference: true);
        if (dictionary.Capacity != shared.Settings.Capacity || dictionary.Width != shared.Width || rowsSeen < 0)
        {
            state.Dispose();
            throw new FormatException(OodErrors.Format(OodErrors.TestTimeStateField, "settings", "inconsistent with the bank"));
        }

        return state;
    }
}
