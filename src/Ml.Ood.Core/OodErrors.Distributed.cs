namespace Ml.Ood;

// Ml.Ood.Distributed: a KNN bank sharded across an Orleans cluster (issue 15).
public static partial class OodErrors
{
    /// <summary>A shard count below 1. {0}: the count.</summary>
    public const string ShardCountTooSmall = "The number of shards must be at least 1; got {0}.";

    /// <summary>More shards than bank rows. {0}: shards, {1}: bank rows.</summary>
    public const string MoreShardsThanRows =
        "{0} shards were asked for but the KNN bank holds {1:N0} rows; pass at most {1} shards, or keep more rows.";

    /// <summary>A call timeout that is not positive. {0}: the timeout.</summary>
    public const string ShardTimeoutNotPositive = "The shard call timeout must be positive; got {0}.";

    /// <summary>Blocks in flight below 1. {0}: the count.</summary>
    public const string BlocksInFlightTooSmall = "The blocks in flight per cursor must be at least 1; got {0}.";

    /// <summary>Attempts below 1. {0}: the attempts.</summary>
    public const string ShardAttemptsTooSmall = "The attempts per shard call must be at least 1; got {0}.";

    /// <summary>
    /// A shard that did not answer a block within the attempts: the block fails (never a score over the shards that
    /// answered). {0}: shard index, {1}: shards, {2}: file, {3}: attempts, {4}: per-attempt timeout, {5}: last error.
    /// </summary>
    public const string ShardUnreachable =
        "KNN shard {0} of {1} ('{2}') did not answer after {3} attempts of {4} each, so the block was not scored (a score " +
        "over the other shards would not be the KNN score). Last error: {5} Check that a silo can read the shard store " +
        "and that the cluster is up, or raise ShardedKnnOptions.CallTimeout / MaxAttempts.";

    /// <summary>A shard file missing from the store. {0}: file, {1}: store.</summary>
    public const string ShardFileMissing =
        "KNN shard file '{0}' is not in the shard store {1}; give every silo the store the model was fitted into.";

    /// <summary>
    /// A shard file whose SHA-256 differs from the manifest's (damaged, or replaced by another fit). {0}: file,
    /// {1}: expected hash, {2}: actual hash.
    /// </summary>
    public const string ShardHashMismatch =
        "KNN shard file '{0}' has SHA-256 {2} but the model's manifest expects {1}: the file is damaged or from " +
        "another fit; fit the sharded head again or restore the store.";

    /// <summary>A shard file that is not a KNN shard head. {0}: file, {1}: what was found.</summary>
    public const string ShardFileNotShardHead = "KNN shard file '{0}' is not an MlOod KNN shard head: {1}.";

    /// <summary>A shard's answer of the wrong size. {0}: shard index, {1}: expected values, {2}: actual values.</summary>
    public const string ShardAnswerSizeMismatch =
        "KNN shard {0} answered with {2} values where {1} were expected; the silo runs another version of the shard head.";

    /// <summary>A block of queries whose values do not match its row count. {0}: rows, {1}: width, {2}: values.</summary>
    public const string ShardQueriesSizeMismatch =
        "A block of {0} query rows of width {1} needs {0} x {1} values but holds {2}; send whole rows of the model's width.";

    /// <summary>A manifest file that cannot be read. {0}: path, {1}: the problem.</summary>
    public const string ShardManifestInvalid = "'{0}' is not a sharded KNN model MlOod can load: {1}.";

    /// <summary>A shard store name that is not a plain file name. {0}: the name.</summary>
    public const string ShardNameInvalid = "'{0}' is not a valid shard file name: use letters, digits, '-', '_' and '.'.";

    /// <summary>
    /// A shard whose bank would not fit one ONNX file (a shard file holds its rows inline). {0}: shards, {1}: rows in the
    /// largest shard, {2}: width, {3}: its size in GB, {4}: the fewest shards that fit.
    /// </summary>
    public const string ShardTooLarge =
        "With {0} shards the largest KNN shard would hold {1:N0} rows x {2} floats ({3:F2} GB), over the 2 GB an ONNX shard " +
        "file can hold; set ShardedKnnOptions.Shards to at least {4}.";
}
