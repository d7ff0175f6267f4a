using Microsoft.ML;
using Microsoft.ML.Data;
using Ml.Ood.Tests;
using Ml.Ood.Transforms.Execution;

namespace Ml.Ood.Transforms.Tests;

/// <summary>
/// Heads side by side in a chain are scored by one cursor (a head's Transform joins the previous head's view): the view
/// must be that of the heads stacked one view each, column for column and bit for bit, whatever columns a cursor asks for.
/// </summary>
[TestClass]
public sealed class HeadFusionTests
{
    private static readonly float[][] Logits = WithNaNRow(LogitsData.Random(rows: 103, classes: 6, scale: 5, seed: 11), row: 40);

    [TestMethod]
    [DataRow(1)]
    [DataRow(4)] // the heads' calls run side by side, up to 4 at once
    public void LoadedAndFittedChainsScoreHeadsSideBySideAsStackedHeadsDo(int parallelism)
    {
        var ml = new MLContext(seed: 1);
        var data = LogitsData.Create(ml, Logits);
        // Four heads after a copy: two read Logits, two the copy, and the last writes "Energy" again (hiding the first).
        var pipeline = ml.Transforms.CopyColumns("Copy", "Logits")
            .Append(ml.Ood().Energy("Energy", "Logits"))
            .Append(ml.Ood().MaxLogit("MaxLogit", "Copy"))
            .Append(ml.Ood().MaxSoftmaxProbability("Msp", "Logits"))
            .Append(ml.Ood().Energy("Energy", "Copy", temperature: 2f));
        using var saved = pipeline.Fit(data);
        using var stream = new MemoryStream();
        ml.Model.Save(saved, data.Schema, stream);
        stream.Position = 0;
        using var loaded = (OodLoadedModel)ml.Ood().Load(stream, out _, new OodExecutionOptions { Parallelism = parallelism });

        var fused = loaded.Transform(data);
        var stacked = Stacked((TransformerChain<ITransformer>)loaded.Model, data);

        var view = fused as FusedHeadsDataView;
        Assert.IsNotNull(view, $"the heads after the copy are one view, not {fused.GetType().Name}");
        Assert.AreEqual(4, view.HeadCount);
        AssertSameView(stacked, fused, "every column");
        AssertSameView(stacked, fused, "Msp and Id only", "Msp", "Id");
        AssertSameView(stacked, fused, "the hidden first Energy only", 4);
        AssertSameView(stacked, fused, "no head column", "Name", "Extra");
        var fitted = pipeline.Fit(data).Transform(data);
        Assert.AreEqual(4, (fitted as FusedHeadsDataView)?.HeadCount, "a freshly fitted chain's heads are one view too");
        AssertSameView(stacked, fitted, "the fitted chain, every column");
    }

    [TestMethod]
    public void AHeadThatReadsAnotherHeadsScoreStartsAGroupOfItsOwn()
    {
        var ml = new MLContext(seed: 1);
        var data = LogitsData.Create(ml, Logits);
        using var energy = ml.Ood().Energy("Energy", "Logits").Fit(data);
        using var msp = ml.Ood().MaxSoftmaxProbability("Msp", "Logits").Fit(data);
        // Energy of the one-value "Energy" column: it must read the first head's score, so it cannot share its cursor.
        var info = new OodHeadInfo("energy", "Energy", "EnergyOfEnergy", 1, OodHeadOutputKind.Score,
            new Dictionary<string, string> { ["temperature"] = "1" }, inputIsScalar: true);
        using var ofEnergy = new OodHeadTransformer(ml, Heads.Energy(info, 1f), new OodHeadExecution(null, true, 256, Parallelism: 1));
        var chain = new TransformerChain<ITransformer>(energy, ofEnergy, msp);

        var fused = chain.Transform(data);

        Assert.AreEqual(2, (fused as FusedHeadsDataView)?.HeadCount, "EnergyOfEnergy and Msp side by side, after Energy");
        AssertSameView(Stacked(chain, data), fused, "every column");
        var energies = fused.GetColumn<float>("Energy").ToArray();
        var ofEnergies = fused.GetColumn<float>("EnergyOfEnergy").ToArray();
        for (int i = 0; i < energies.Length; i++)
        {
            if (float.IsNaN(energies[i]))
            {
                Assert.IsTrue(float.IsNaN(ofEnergies[i]), $"row {i}: a NaN score scores NaN again");
                continue;
            }

            Assert.AreEqual(-energies[i], ofEnergies[i], 1e-5 * Math.Max(1, Math.Abs(energies[i])), $"row {i}: the energy of one value is minus it");
        }
    }

    [TestMethod]
    public void EachFusedHeadCountsTheRowsItCouldNotScore()
    {
        var ml = new MLContext(seed: 1);
        var data = LogitsData.Create(ml, Logits);
        using var energy = ml.Ood().Energy("Energy", "Logits").Fit(data);
        using var maxLogit = ml.Ood().MaxLogit("MaxLogit", "Logits").Fit(data);
        var chain = new TransformerChain<ITransformer>(energy, maxLogit);

        var fused = chain.Transform(data);
        Assert.AreEqual(2, (fused as FusedHeadsDataView)?.HeadCount);
        Assert.AreEqual(Logits.Length, fused.GetColumn<float>("MaxLogit").Count());

        Assert.AreEqual(1, maxLogit.NonFiniteRowCount, "row 40 holds a NaN: counted by the head whose column was read");
        Assert.AreEqual(0, energy.NonFiniteRowCount, "a head whose column no cursor read scored nothing");
        Assert.IsTrue(float.IsNaN(fused.GetColumn<float>("Energy").ElementAt(40)));
        Assert.AreEqual(1, energy.NonFiniteRowCount);
    }

    [TestMethod]
    public void AFusedViewOfADisposedModelRefusesToScore()
    {
        var ml = new MLContext(seed: 1);
        var data = LogitsData.Create(ml, Logits);
        var pipeline = ml.Ood().Energy("Energy", "Logits").Append(ml.Ood().MaxLogit("MaxLogit", "Logits"));
        using var stream = new MemoryStream();
        ml.Model.Save(pipeline.Fit(data), data.Schema, stream);
        stream.Position = 0;
        var loaded = (OodLoadedModel)ml.Ood().Load(stream, out _);
        var fused = loaded.Transform(data);

        loaded.Dispose();

        Assert.AreEqual(Logits.Length, fused.GetColumn<int>("Id").Count(), "columns that need no head still pass through");
        Assert.ThrowsExactly<ObjectDisposedException>(() => fused.GetColumn<float>("MaxLogit").ToArray());
        Assert.ThrowsExactly<ObjectDisposedException>(() => loaded.Transform(data));
    }

    /// <summary>The chain's parts applied one by one, each head as a view of its own over the last: no head joins another.</summary>
    private static IDataView Stacked(TransformerChain<ITransformer> chain, IDataView data)
    {
        var view = data;
        foreach (var part in chain)
        {
            view = part is OodHeadTransformer head
                ? new FusedHeadsDataView(view, head.GetOutputSchema(view.Schema), [head.State])
                : part.Transform(view);
        }

        return view;
    }

    private static float[][] WithNaNRow(float[][] logits, int row)
    {
        logits[row][2] = float.NaN;
        return logits;
    }

    private static void AssertSameView(IDataView expected, IDataView actual, string because, params object[] columns)
    {
        Assert.AreEqual(expected.Schema.Count, actual.Schema.Count, $"{because}: column count");
        for (int i = 0; i < expected.Schema.Count; i++)
        {
            Assert.AreEqual(expected.Schema[i].Name, actual.Schema[i].Name, $"{because}: name of column {i}");
            Assert.AreEqual(expected.Schema[i].Type, actual.Schema[i].Type, $"{because}: type of column {i}");
            Assert.AreEqual(expected.Schema[i].IsHidden, actual.Schema[i].IsHidden, $"{because}: column {i} hidden");
        }

        var wanted = columns.Length == 0
            ? Enumerable.Range(0, expected.Schema.Count).ToArray()
            : columns.Select(c => c is int index ? index : expected.Schema[(string)c].Index).ToArray();
        CollectionAssert.AreEqual(Read(expected, wanted), Read(actual, wanted), $"{because}: values (as bits)");
    }

    /// <summary>The rows' values of <paramref name="columns"/> as strings; floats as their bits, so NaNs and -0 compare exactly.</summary>
    private static List<string> Read(IDataView view, int[] columns)
    {
        var values = new List<string>();
        using var cursor = view.GetRowCursor(columns.Select(i => view.Schema[i]));
        var getters = columns.Select(i => Getter(cursor, view.Schema[i])).ToArray();
        while (cursor.MoveNext())
        {
            values.Add(string.Join(" | ", getters.Select(g => g())));
        }

        return values;
    }

    private static Func<string> Getter(DataViewRowCursor cursor, DataViewSchema.Column column)
    {
        switch (column.Type.RawType)
        {
            case var t when t == typeof(float):
            {
                var get = cursor.GetGetter<float>(column);
                float value = 0;
                return () => { get(ref value); return Bits(value); };
            }
            case var t when t == typeof(int):
            {
                var get = cursor.GetGetter<int>(column);
                int value = 0;
                return () => { get(ref value); return value.ToString(System.Globalization.CultureInfo.InvariantCulture); };
            }
            case var t when t == typeof(ReadOnlyMemory<char>):
            {
                var get = cursor.GetGetter<ReadOnlyMemory<char>>(column);
                ReadOnlyMemory<char> value = default;
                return () => { get(ref value); return value.ToString(); };
            }
            default:
            {
                var get = cursor.GetGetter<VBuffer<float>>(column);
                VBuffer<float> value = default;
                return () => { get(ref value); return string.Join(",", value.DenseValues().Select(Bits)); };
            }
        }
    }

    private static string Bits(float value) => BitConverter.SingleToInt32Bits(value).ToString(System.Globalization.CultureInfo.InvariantCulture);
}
