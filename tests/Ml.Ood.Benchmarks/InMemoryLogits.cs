using Microsoft.ML;
using Microsoft.ML.Data;

namespace Ml.Ood.Benchmarks;

/// <summary>Deterministic logits in memory, exposed as an ML.NET view with a known vector size.</summary>
internal static class InMemoryLogits
{
    private sealed class Row
    {
        public float[] Logits { get; set; } = [];
    }

    public static IDataView Create(MLContext ml, int rows, int classes, int seed)
    {
        var random = new Random(seed);
        var data = new Row[rows];
        for (int r = 0; r < rows; r++)
        {
            var logits = new float[classes];
            for (int c = 0; c < classes; c++)
            {
                logits[c] = (float)(random.NextDouble() * 20 - 10);
            }

            data[r] = new Row { Logits = logits };
        }
        var definition = SchemaDefinition.Create(typeof(Row));
        definition[nameof(Row.Logits)].ColumnType = new VectorDataViewType(NumberDataViewType.Single, classes);
        return ml.Data.LoadFromEnumerable(data, definition);
    }
}
