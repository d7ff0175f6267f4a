using Microsoft.ML;
using Ml.Ood.Transforms.Execution;

namespace Ml.Ood.Transforms.TestTime;

/// <summary>
/// What every clone of one OODD state shares and never changes: the settings, the bank's graph (s_id, the fitted head's
/// own ONNX model and session) and the dictionary's graph (s_ood), created on first use and freed with the head. Two
/// kinds share it: <c>oodd</c> (s_id = the K1-th cosine to a bank) and <c>oodd_vl</c> (s_id = a vision-language
/// confidence); everything after s_id is the same rule.
/// </summary>
internal sealed class OoddShared
{
    private readonly Lock _gate = new();
    private readonly OodHeadExecution _execution;
    private DictionarySimilarity? _dictionary;

    public OoddShared(MLContext context, OodHeadModel model, OodHeadExecution execution)
    {
        Kind = model.Info.Kind;
        Settings = OoddRule.Of(model.Info);
        Width = model.Info.InputSize;
        _execution = execution;
        Bank = new HeadState(context, model, execution, Free);
    }

    /// <summary>The head's kind: <c>oodd</c> or <c>oodd_vl</c>.</summary>
    public string Kind { get; }

    public OoddRule Settings { get; }

    public int Width { get; }

    /// <summary>The rows per ONNX Runtime call for s_id: speed only (docs/TEST-TIME-HEADS.md section 1).</summary>
    public int BlockSize => _execution.BlockSize;

    /// <summary>
    /// The fitted head's graph: each row's s_id, the K1-th largest cosine to the bank (<c>oodd</c>) or the MCM or NegLabel
    /// confidence (<c>oodd_vl</c>); NaN for a row that cannot be scored.
    /// </summary>
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

/// <summary>What the dictionary rule reads from either OODD kind's settings.</summary>
/// <param name="K2">The dictionary neighbour rank whose cosine is s_ood.</param>
/// <param name="Capacity">q, the most rows the dictionary holds.</param>
/// <param name="UpdateBatch">B, the rows scored between dictionary updates.</param>
internal readonly record struct OoddRule(int K2, int Capacity, int UpdateBatch)
{
    /// <summary>The rule of an <c>oodd</c> or <c>oodd_vl</c> head.</summary>
    /// <exception cref="InvalidOperationException">The head is of another kind.</exception>
    public static OoddRule Of(OodHeadInfo head)
    {
        if (head.Kind == OoddVisionLanguageSettings.Kind)
        {
            var vl = HeadSettings.Read<OoddVisionLanguageSettings>(head);
            return new OoddRule(vl.K2, vl.Capacity, vl.UpdateBatch);
        }

        var knn = HeadSettings.Read<OoddSettings>(head);
        return new OoddRule(knn.K2, knn.Capacity, knn.UpdateBatch);
    }
}
