using Microsoft.ML.OnnxRuntime;
using Ml.Ood.Transforms.Execution;
using Ml.Ood.Transforms.Graph;
using Ml.Ood.Transforms.Onnx.Protos;

namespace Ml.Ood.Transforms.TestTime;

/// <summary>
/// OODD's second graph: each row's K2-th largest cosine to the rows a dictionary holds. The dictionary changes after every
/// update batch, so it is the graph's second input ([held, D]), not an initializer; both inputs are unit-normalised in the
/// graph with the same piece as the bank's queries. Stateless, so one session serves every clone of a state.
/// </summary>
internal sealed class DictionarySimilarity : IDisposable
{
    private const string RowsName = "rows";
    private const string DictionaryName = "dictionary";
    private const string OutputName = "s_ood";

    private readonly InferenceSession _session;
    private readonly RunOptions _runOptions = new();
    private readonly int _width;

    public DictionarySimilarity(int width, int k, OodHeadExecution execution)
    {
        _width = width;
        var info = new OodHeadInfo("oodd_dictionary", RowsName, OutputName, width, OodHeadOutputKind.Score,
            new Dictionary<string, string>(StringComparer.Ordinal));
        var g = HeadGraph.Start(info);
        g.Builder.AddInput(DictionaryName, "held", TensorProto.Types.DataType.Float, width);
        string held = g.Node("Transpose", [g.UnitRows(DictionaryName)], Onnx.OnnxAttributes.Ints("perm", 1, 0));
        string kth = g.KthLargest(g.Node("MatMul", g.UnitRows(RowsName), held), k);
        g.Builder.RenameValue(kth, OutputName);
        g.Builder.AddOutput(OutputName, TensorProto.Types.DataType.Float);
        byte[] bytes = g.Builder.ToBytes();
        _session = HeadSession.CreateSession(options => new InferenceSession(bytes, options), execution, prepack: false);
    }

    /// <summary>
    /// Writes the K2-th largest cosine of each of <paramref name="rows"/> rows of <paramref name="input"/> to the
    /// <paramref name="held"/> rows of <paramref name="dictionary"/> (held &gt;= K2) into <paramref name="output"/>.
    /// </summary>
    public void Run(float[] input, int rows, float[] dictionary, int held, float[] output)
    {
        using var inputValue = OrtValue.CreateTensorValueFromMemory(
            OrtMemoryInfo.DefaultInstance, input.AsMemory(0, rows * _width), [rows, _width]);
        using var dictionaryValue = OrtValue.CreateTensorValueFromMemory(
            OrtMemoryInfo.DefaultInstance, dictionary.AsMemory(0, held * _width), [held, _width]);
        using var outputValue = OrtValue.CreateTensorValueFromMemory(OrtMemoryInfo.DefaultInstance, output.AsMemory(0, rows), [rows]);
        _session.Run(_runOptions, [RowsName, DictionaryName], [inputValue, dictionaryValue], [OutputName], [outputValue]);
    }

    public void Dispose()
    {
        _runOptions.Dispose();
        _session.Dispose();
    }
}
