using System.Collections.Concurrent;
using System.Reflection;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace Ml.Ood.Transforms.Execution;

/// <summary>
/// Holds one pass-through column's values for a block of rows, so that the rows can be served after the
/// block was scored. Typed per column; vectors are deep-copied because cursors reuse their buffers.
/// </summary>
internal abstract class ColumnBuffer
{
    /// <summary>Reads the source cursor's current value into slot <paramref name="row"/>.</summary>
    public abstract void Capture(int row);

    /// <summary>A getter that serves the slot <paramref name="currentRow"/> points at.</summary>
    public abstract Delegate MakeGetter(Func<int> currentRow);

    public static ColumnBuffer Create(DataViewRow source, DataViewSchema.Column column, int capacity)
    {
        var key = column.Type is VectorDataViewType vector ? (true, vector.ItemType.RawType) : (false, column.Type.RawType);
        return Factories.GetOrAdd(key, MakeFactory)(source, column, capacity);
    }

    /// <summary>
    /// One constructor delegate per column type, made once: a cursor makes a buffer per pass-through column, and a service
    /// makes cursors per batch (16 heads x ~20 columns), where reflection per buffer was measurable.
    /// </summary>
    private static readonly ConcurrentDictionary<(bool Vector, Type Item), Func<DataViewRow, DataViewSchema.Column, int, ColumnBuffer>> Factories = new();

    private static Func<DataViewRow, DataViewSchema.Column, int, ColumnBuffer> MakeFactory((bool Vector, Type Item) key)
        => (key.Vector ? typeof(VectorColumnBuffer<>) : typeof(ScalarColumnBuffer<>)).MakeGenericType(key.Item)
            .GetMethod(nameof(ScalarColumnBuffer<int>.Construct), BindingFlags.Public | BindingFlags.Static)!
            .CreateDelegate<Func<DataViewRow, DataViewSchema.Column, int, ColumnBuffer>>();
}

internal sealed class ScalarColumnBuffer<T> : ColumnBuffer
{
    private readonly ValueGetter<T> _getter;
    private readonly T[] _values;

    public ScalarColumnBuffer(DataViewRow source, DataViewSchema.Column column, int capacity)
    {
        _getter = source.GetGetter<T>(column);
        _values = new T[capacity];
    }

    public static ColumnBuffer Construct(DataViewRow source, DataViewSchema.Column column, int capacity) => new ScalarColumnBuffer<T>(source, column, capacity);

    public override void Capture(int row) => _getter(ref _values[row]);

    public override Delegate MakeGetter(Func<int> currentRow)
        => (ValueGetter<T>)((ref T value) => value = _values[currentRow()]);
}

internal sealed class VectorColumnBuffer<T> : ColumnBuffer
{
    private readonly ValueGetter<VBuffer<T>> _getter;
    private readonly VBuffer<T>[] _values;
    private VBuffer<T> _scratch;

    public VectorColumnBuffer(DataViewRow source, DataViewSchema.Column column, int capacity)
    {
        _getter = source.GetGetter<VBuffer<T>>(column);
        _values = new VBuffer<T>[capacity];
    }

    public static ColumnBuffer Construct(DataViewRow source, DataViewSchema.Column column, int capacity) => new VectorColumnBuffer<T>(source, column, capacity);

    public override void Capture(int row)
    {
        _getter(ref _scratch);
        _scratch.CopyTo(ref _values[row]);
    }

    public override Delegate MakeGetter(Func<int> currentRow)
        => (ValueGetter<VBuffer<T>>)((ref VBuffer<T> value) => _values[currentRow()].CopyTo(ref value));
}
