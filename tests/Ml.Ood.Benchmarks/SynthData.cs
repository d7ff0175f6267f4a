using Microsoft.ML;
using Microsoft.ML.Data;

using Ml.Ood.Samples;

namespace Ml.Ood.Benchmarks;

/// <summary>The data set peer/make_synth.py writes (50,000 x 512 bank, 10,000 queries), as ML.NET views.</summary>
internal sealed class SynthData
{
    private sealed class Row
    {
        public float[] Embedding { get; set; } = [];
    }

    private SynthData(float[] train, float[] test, int dimensions)
    {
        Train = train;
        Test = test;
        Dimensions = dimensions;
    }

    public float[] Train { get; }

    public float[] Test { get; }

    public int Dimensions { get; }

    public int TestRows => Test.Length / Dimensions;

    /// <summary>The folder named by MLOOD_BENCH_DATA, else .cache/synth50k in the repository.</summary>
    public static string Folder => Environment.GetEnvironmentVariable("MLOOD_BENCH_DATA")
        ?? Path.Combine(FindRepository(), ".cache", "synth50k");

    public static SynthData Load(string folder)
    {
        var (train, trainShape) = Npy.ReadFloat32(Path.Combine(folder, "train_emb.npy"));
        var (test, _) = Npy.ReadFloat32(Path.Combine(folder, "test_emb.npy"));
        return new SynthData(train, test, trainShape[1]);
    }

    public IDataView TrainView(MLContext ml, int? rows = null) => View(ml, Train, rows);

    public IDataView TestView(MLContext ml) => View(ml, Test, null);

    private IDataView View(MLContext ml, float[] data, int? rows)
    {
        int count = Math.Min(rows ?? int.MaxValue, data.Length / Dimensions);
        var list = new Row[count];
        for (int r = 0; r < count; r++)
        {
            list[r] = new Row { Embedding = data.AsSpan(r * Dimensions, Dimensions).ToArray() };
        }

        var definition = SchemaDefinition.Create(typeof(Row));
        definition[nameof(Row.Embedding)].ColumnType = new VectorDataViewType(NumberDataViewType.Single, Dimensions);
        return ml.Data.LoadFromEnumerable(list, definition);
    }

    private static string FindRepository()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "MlOod.sln")))
            {
                return dir.FullName;
            }
        }
        throw new DirectoryNotFoundException("MlOod.sln not found; set MLOOD_BENCH_DATA.");
    }
}
