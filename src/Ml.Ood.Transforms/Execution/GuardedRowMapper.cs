using Microsoft.ML;
using Microsoft.ML.Data;

namespace Ml.Ood.Transforms.Execution;

/// <summary>
/// A row-to-row mapper whose every value is read under a <see cref="SharedLifetime"/>'s guard: once the state behind
/// the inner mapper (ML.NET transformers with native sessions) is freed, reading throws ObjectDisposedException rather
/// than reaching freed native memory.
/// </summary>
internal sealed class GuardedRowMapper : IRowToRowMapper
{
    private readonly IRowToRowMapper _inner;
    private readonly SharedLifetime _lifetime;

    public GuardedRowMapper(IRowToRowMapper inner, SharedLifetime lifetime)
    {
        _inner = inner;
        _lifetime = lifetime;
    }

    public DataViewSchema InputSchema => _inner.InputSchema;

    public DataViewSchema OutputSchema => _inner.OutputSchema;

    public IEnumerable<DataViewSchema.Column> GetDependencies(IEnumerable<DataViewSchema.Column> dependingColumns)
        => _inner.GetDependencies(dependingColumns);

    public DataViewRow GetRow(DataViewRow input, IEnumerable<DataViewSchema.Column> activeColumns)
    {
        _lifetime.Enter();
        try
        {
            return new Row(_inner.GetRow(input, activeColumns), _lifetime);
        }
        finally
        {
            _lifetime.Exit();
        }
    }

    private sealed class Row(DataViewRow inner, SharedLifetime lifetime) : DataViewRow
    {
        public override DataViewSchema Schema => inner.Schema;

        public override long Position => inner.Position;

        public override long Batch => inner.Batch;

        public override ValueGetter<DataViewRowId> GetIdGetter() => inner.GetIdGetter();

        public override bool IsColumnActive(DataViewSchema.Column column) => inner.IsColumnActive(column);

        public override ValueGetter<TValue> GetGetter<TValue>(DataViewSchema.Column column)
        {
            var getter = inner.GetGetter<TValue>(column);
            return (ref TValue value) =>
            {
                lifetime.Enter();
                try
                {
                    getter(ref value);
                }
                finally
                {
                    lifetime.Exit();
                }
            };
        }

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                inner.Dispose();
            }

            base.Dispose(disposing);
        }
    }
}
