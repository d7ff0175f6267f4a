using Microsoft.ML;
using Ml.Ood.Transforms.Execution;

namespace Ml.Ood.Transforms.TestTime;

/// <summary>
/// What every clone of one OODD state shares and never changes: the settings, the bank's graph (s_id, the fitted head's
/// own ONNX model and session) and the dictionary's graph (s_ood), created on first use and freed with the head.
/// </summary>
internal sealed class OoddShared
{
    private readonly Lock _gate = new();
    private readonly OodHeadExecution _execution;
    private DictionarySimilarity? _dictionary;

    public OoddShared(MLContext context, OodHeadModel model, OodHeadExecution execution)
    {
        Settings = HeadSettings.Read<OoddSettings>(model.Info);
        Width = model.Info.InputSize;
        _execution = execution;
        Bank = new HeadState(context, model, execution, Free);
    }

    public OoddSettings Settings { get; }

    public int Width { get; }

    /// <summary>The rows per ONNX Runtime call for s_id: speed only (docs/TEST-TIME-HEADS.md section 1).</summary>
    public int BlockSize => _execution.BlockSize;

    /// <summary>The fitted head's graph: each row's K1-th largest cosine to the bank (NaN for a non-finite row).</summary>
    public HeadState Bank { get; }

    /// <summary>The dictionary's graph; throws <see cref="ObjectDisposedException"/> once the head is freed.</summary>
    public DictionarySimilarity Dictionary()
    {
        lock (_gate)
        {
            Bank.Lifetime.ThrowIfDisposed();
            return _dictionary ??= new DictionarySimilarity(Width, Settings.K2, _execution);
        }
    }

    private void Free()
    {
        lock (_gate)
        {
            _dictionary?.Dispose();
            _dictionary = null;
        }
    }
}
