using Microsoft.ML;
using Microsoft.ML.Data;
using Ml.Ood.Transforms.Execution;

namespace Ml.Ood.Transforms.Tests;

/// <summary>
/// The row every single-row mapper returns (a head's, a sharded KNN head's): the input's columns, then one computed
/// column, computed once per position, refused when not requested or read as another type.
/// </summary>
[TestClass]
public sealed class AppendedColumnRowTests
{
    private sealed class Input
    {
        public float X { get; set; }
    }

    /// <summary>Appends 10 x X and counts how often it was computed.</summary>
    private sealed class TenTimes(DataViewSchema schema, DataViewRow input, bool active) : AppendedColumnRow<float>(schema, input.Schema.Count, input, active)
    {
        private readonly ValueGetter<float> _x = input.GetGetter<float>(input.Schema["X"]);

        public int Computed { get; private set; }

        protected override void Compute(float[] output)
        {
            float x = 0;
            _x(ref x);
            output[0] = 10 * x;
            Computed++;
        }
    }

    private static (DataViewRowCursor Cursor, DataViewSchema Schema) Rows()
    {
        var ml = new MLContext(seed: 1);
        var data = ml.Data.LoadFromEnumerable(new[] { new Input { X = 1 }, new Input { X = 2 } });
        var builder = new DataViewSchema.Builder();
        builder.AddColumns(data.Schema);
        builder.AddColumn("Score", NumberDataViewType.Single);
        return (data.GetRowCursor(data.Schema), builder.ToSchema());
    }

    [TestMethod]
    public void TheColumnIsComputedOncePerPositionAndTheInputsColumnsPassThrough()
    {
        var (cursor, schema) = Rows();
        using (cursor)
        {
            var row = new TenTimes(schema, cursor, active: true);
            var score = row.GetGetter<float>(schema["Score"]);
            var x = row.GetGetter<float>(schema["X"]);
            float value = 0, input = 0;
            var seen = new List<(float X, float Score)>();
            while (cursor.MoveNext())
            {
                score(ref value);
                score(ref value);
                x(ref input);
                seen.Add((input, value));
            }

            CollectionAssert.AreEqual(new[] { (1f, 10f), (2f, 20f) }, seen);
            Assert.AreEqual(2, row.Computed, "read twice per row, computed once per row");
            Assert.IsTrue(row.IsColumnActive(schema["Score"]));
            Assert.AreEqual(cursor.Position, row.Position);
        }
    }

    [TestMethod]
    public void AColumnNotRequestedOrReadAsAnotherTypeIsRefusedNamingIt()
    {
        var (cursor, schema) = Rows();
        using (cursor)
        {
            var inactive = new TenTimes(schema, cursor, active: false);
            Assert.IsFalse(inactive.IsColumnActive(schema["Score"]));
            var notRequested = Assert.ThrowsExactly<InvalidOperationException>(() => inactive.GetGetter<float>(schema["Score"]));
            Assert.AreEqual(OodErrors.Format(OodErrors.ColumnNotRequestedByRow, "Score"), notRequested.Message);

            var active = new TenTimes(schema, cursor, active: true);
            var wrongType = Assert.ThrowsExactly<InvalidOperationException>(() => active.GetGetter<double>(schema["Score"]));
            Assert.AreEqual(OodErrors.Format(OodErrors.GetterTypeMismatch, "Score", "Single", "Double"), wrongType.Message);
            Assert.AreEqual(0, active.Computed, "nothing is computed for a getter that was refused");
        }
    }
}
