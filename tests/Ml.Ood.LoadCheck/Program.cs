// A separate process for the persistence bar (docs/ARCHITECTURE.md section 8): it loads a model saved by MlOod with
// plain ml.Model.Load, calls nothing of MlOod, and prints the requested score (Single) or decision (Boolean) columns, or
// vector of Single columns (an encoder's outputs) row after row.
// With --mlood-load first it loads with ml.Ood().Load instead: the only way to restore a test-time head (OODD), whose
// plain load refuses to score (docs/TEST-TIME-HEADS.md section 3).
// Usage: Ml.Ood.LoadCheck [--mlood-load] <model.zip> <features.bin> <output.txt> <column> [<column> ...]
// features.bin: int32 rows, int32 width, then rows * width float32 (little-endian), read into "Features".
using System.Globalization;
using Microsoft.ML;
using Microsoft.ML.Data;
using Ml.Ood;

bool oodLoad = args.Length > 0 && args[0] == "--mlood-load";
args = oodLoad ? args[1..] : args;
if (args.Length < 4)
{
    Console.Error.WriteLine("usage: Ml.Ood.LoadCheck [--mlood-load] <model.zip> <features.bin> <output.txt> <column> [<column> ...]");
    return 2;
}

var ml = new MLContext(seed: 1);
DataViewSchema inputSchema;
var model = oodLoad ? ml.Ood().Load(args[0], out inputSchema) : ml.Model.Load(args[0], out inputSchema);

float[][] features;
using (var reader = new BinaryReader(File.OpenRead(args[1])))
{
    int rows = reader.ReadInt32(), width = reader.ReadInt32();
    features = Enumerable.Range(0, rows)
        .Select(_ => Enumerable.Range(0, width).Select(_ => reader.ReadSingle()).ToArray())
        .ToArray();
}

var definition = SchemaDefinition.Create(typeof(FeatureRow));
definition[nameof(FeatureRow.Features)].ColumnType = inputSchema[nameof(FeatureRow.Features)].Type;
var data = ml.Data.LoadFromEnumerable(features.Select(f => new FeatureRow { Features = f }), definition);
var scored = model.Transform(data);

using var output = new StreamWriter(args[2]);
foreach (string column in args.Skip(3))
{
    var type = scored.Schema[column].Type;
    output.WriteLine($"{column}\t{type}");
    var values = type == BooleanDataViewType.Instance
        ? scored.GetColumn<bool>(column).Select(v => v ? "1" : "0")
        : type is VectorDataViewType
            ? scored.GetColumn<float[]>(column).SelectMany(v => v).Select(v => v.ToString("R", CultureInfo.InvariantCulture))
            : scored.GetColumn<float>(column).Select(v => v.ToString("R", CultureInfo.InvariantCulture));
    output.WriteLine(string.Join(' ', values));
}
return 0;

/// <summary>The input the end-to-end models are saved with.</summary>
internal sealed class FeatureRow
{
    public float[] Features { get; set; } = [];

    public float Label { get; set; }
}
