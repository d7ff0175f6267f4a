using Microsoft.ML;
using Microsoft.ML.Data;

namespace Ml.Ood;

/// <summary>
/// A fitted sharded KNN head (<see cref="ShardedKnnEstimator"/>): scores each block of rows by sending it to every shard
/// grain at once and merging their neighbour lists exactly. Higher means more likely out-of-distribution; the scores equal
/// <see cref="KnnEstimator"/>'s over the same bank bit for bit.
/// </summary>
/// <remarks>
/// <para>
/// <see cref="Transform"/> is lazy and reads blocks of <see cref="ShardCalls.BlockSize"/> rows; a PredictionEngine sends
/// each row alone. A shard that does not answer within <see cref="ShardCalls.MaxAttempts"/> attempts of
/// <see cref="ShardCalls.CallTimeout"/> fails the block with an <see cref="InvalidOperationException"/> that names it:
/// never a score over the shards that answered. A NaN or infinite input scores NaN.
/// </para>
/// <para>
/// Saving: <c>ml.Model.Save</c> saves the transformer, alone or in a pipeline, as MlOod's saved form of a head: a stub
/// of its signature whose settings hold the manifest (columns, k, the shard files and their SHA-256) and the call
/// settings, sealed with the content hash as every head; <c>ml.Ood().LoadSharded(path, clusterClient, out schema)</c>
/// loads the pipeline. Plain <c>ml.Model.Load</c> and <c>ml.Ood().Load</c> refuse it, naming LoadSharded.
/// <see cref="Save(string)"/> writes the manifest alone as JSON, for <c>ml.Ood().LoadSharded(path, clusterClient)</c>.
/// The bank stays in the shard store either way.
/// </para>
/// </remarks>
public sealed class ShardedKnnTransformer : ITransformer
{
    internal ShardedKnnTransformer(IGrainFactory grains, ShardManifest manifest, ShardCalls calls)
    {
        FanOut = new ShardFanOut(grains, manifest, calls);
    }

    /// <summary>The shards, columns and k.</summary>
    public ShardManifest Manifest => FanOut.Manifest;

    /// <summary>Block size, timeout and retries of the shard calls.</summary>
    public ShardCalls Calls => FanOut.Calls;

    /// <summary>Shard calls this transformer retried so far (a silo that left the cluster, a timeout).</summary>
    public long RetriedShardCalls => FanOut.Retries;

    /// <inheritdoc/>
    public bool IsRowToRowMapper => true;

    internal ShardFanOut FanOut { get; }

    /// <inheritdoc/>
    public DataViewSchema GetOutputSchema(DataViewSchema inputSchema)
    {
        ArgumentNullException.ThrowIfNull(inputSchema);
        HeadSchema.CheckInput(inputSchema, Manifest.InputColumnName, Manifest.InputSize);
        return HeadSchema.Append(inputSchema, Manifest.OutputColumnName, OodHeadOutputKind.Score);
    }

    /// <inheritdoc/>
    public IDataView Transform(IDataView input)
    {
        ArgumentNullException.ThrowIfNull(input);
        return new ShardedKnnDataView(input, GetOutputSchema(input.Schema), FanOut);
    }

    /// <inheritdoc/>
    public IRowToRowMapper GetRowToRowMapper(DataViewSchema inputSchema)
        => new ShardedKnnRowMapper(FanOut, inputSchema, GetOutputSchema(inputSchema));

    /// <summary>Writes the manifest and call settings as JSON; load it with <c>ml.Ood().LoadSharded(path, clusterClient)</c>.</summary>
    /// <param name="path">The file to write.</param>
    public void Save(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        new ShardedModelFile(Manifest, Calls).Write(path);
    }

    /// <inheritdoc/>
    void ICanSaveModel.Save(ModelSaveContext ctx)
    {
        ArgumentNullException.ThrowIfNull(ctx);
        ShardedZipForm.Save(this, ctx);
    }
}
