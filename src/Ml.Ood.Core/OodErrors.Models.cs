namespace Ml.Ood;

// Saved models (docs/ARCHITECTURE.md section 4, "Checked loads"): the ONNX wire format, content hashes, head settings,
// the .zip and ML.NET's saved form. Every one is an InvalidDataException unless its note says otherwise. Messages about
// one head start with what holds it ({0}), so that a wrapper can tell a message that already names it.
public static partial class OodErrors
{
    /// <summary>What holds a head, when nothing more is known, for the messages below.</summary>
    public const string HeadSubject = "The MlOod head";

    /// <summary>What holds a head read from a model file, for the messages below. {0}: the .zip entry.</summary>
    public const string HeadInEntrySubject = "The MlOod head in entry '{0}'";

    /// <summary>What holds a head that ML.NET's loader handed back, for the messages below.</summary>
    public const string HeadLoadedByMlNetSubject = "An MlOod head loaded by ML.NET";

    /// <summary>What holds a head saved in ML.NET's form, for the messages below. {0}: output column, {1}: the head's kind.</summary>
    public const string SavedHeadSubject = "The MlOod {1} head writing '{0}'";

    /// <summary>A protobuf tag of field 0 or beyond the largest field. {0}: the tag.</summary>
    public const string ProtobufInvalidTag = "The ONNX model holds an invalid protobuf tag {0}.";

    /// <summary>A length-delimited field longer than any stream. {0}: the length.</summary>
    public const string ProtobufImpossibleLength = "The ONNX model holds an impossible field length {0}.";

    /// <summary>A nested message that did not end where its length said. {0}: the bytes it overran by.</summary>
    public const string ProtobufMessageOverrun = "A protobuf message of the ONNX model overruns its length by {0} bytes.";

    /// <summary>A varint of more than ten bytes.</summary>
    public const string ProtobufMalformedVarint = "The ONNX model holds a malformed varint.";

    /// <summary>A protobuf wire type that ONNX does not use. {0}: the wire type.</summary>
    public const string ProtobufUnsupportedWireType = "The ONNX model holds an unsupported protobuf wire type {0}.";

    /// <summary>A model that ends inside a field.</summary>
    public const string ProtobufTruncated = "The ONNX model ends in the middle of a protobuf field.";

    /// <summary>A head whose model cannot be parsed. {0}: what holds it, {1}: the parser's message.</summary>
    public const string HeadNotReadableOnnx = "{0} is not a readable ONNX model ({1}): the model is damaged.";

    /// <summary>A head with two content hashes. {0}: what holds it.</summary>
    public const string ContentHashTwice = "{0} holds two content hashes.";

    /// <summary>A head with bytes after its content hash. {0}: what holds it.</summary>
    public const string ContentHashNotLast = "{0}: its content hash is not the model's last field, so something was appended after it.";

    /// <summary>A head that ends before the bytes its content hash covers. {0}: what holds it.</summary>
    public const string ContentHashTruncated = "{0} ends before its content hash.";

    /// <summary>A head whose bytes do not hash to its content hash. {0}: what holds it.</summary>
    public const string ContentHashMismatch = "{0} does not match its content hash: the head was changed or damaged after it was saved.";

    /// <summary>
    /// A head written by a newer MlOod (an <see cref="InvalidOperationException"/>). {0}: what holds it, {1}: its kind,
    /// {2}: its version, {3}: the newest version this library reads.
    /// </summary>
    public const string HeadVersionTooNew =
        "{0} is an MlOod '{1}' head of version {2}, newer than this library reads ({3}). Update the Ml.Ood packages.";

    /// <summary>A head whose metadata lacks a setting every head has. {0}: what holds it, {1}: the metadata key.</summary>
    public const string HeadMetadataMissing = "{0} lacks its '{1}' setting: the model is damaged or was not written by MlOod.";

    /// <summary>A head's metadata setting that cannot be read. {0}: what holds it, {1}: the metadata key, {2}: its text.</summary>
    public const string HeadMetadataUnreadable = "{0} has an unreadable '{1}' setting ('{2}'): the model is damaged or was not written by MlOod.";

    /// <summary>
    /// A head's graph whose input or output is not what its settings say. {0}: what holds it, {1}: the input column,
    /// {2}: the output it should write, {3}: the graph's inputs and {4}: its outputs, each joined by ", ".
    /// </summary>
    public const string HeadGraphSignatureMismatch =
        "{0} says it reads '{1}' and writes '{2}', but its graph reads [{3}] and writes [{4}]: the model is damaged.";

    /// <summary>
    /// A session whose graph does not read and write what the head's settings say. {0}: the input column, {1}: the head's
    /// kind, {2}: its input width, {3}: the graph output it should write, {4}: that output's element type.
    /// </summary>
    public const string HeadSessionSignatureMismatch =
        "The MlOod {1} head's graph does not read '{0}' as [batch, {2}] floats and write '{3}' as [batch] {4} values, " +
        "as its settings say: the model is damaged.";

    /// <summary>
    /// A head that ONNX Runtime refuses. {0}: the input column, {1}: the head's kind, {2}: the output column,
    /// {3}: ONNX Runtime's message.
    /// </summary>
    public const string HeadNotValidOnnx = "The MlOod {1} head reading '{0}' and writing '{2}' is not a valid ONNX model: {3}";

    /// <summary>
    /// A head that ONNX Runtime refuses, with where it was found. {0}: the input column, {1}: the head's kind,
    /// {2}: the output column, {3}: where, {4}: ONNX Runtime's message.
    /// </summary>
    public const string HeadNotValidOnnxAt = "The MlOod {1} head reading '{0}' and writing '{2}' ({3}) is not a valid ONNX model: {4}";

    /// <summary>A stub whose head this load did not set aside. {0}: the stub's id.</summary>
    public const string StubNotSetAside = "The loaded model refers to an MlOod head ('{0}') that this load did not set aside.";

    /// <summary>A model file whose .zip directory cannot be read. {0}: the .zip reader's message.</summary>
    public const string ModelFileNotZip = "The model file is not a readable .zip: {0}";

    /// <summary>
    /// A model file that passed MlOod's checks but that ML.NET's loader refuses. {0}: the innermost message of
    /// ML.NET's error.
    /// </summary>
    public const string ModelFileNotLoadable = "The model file passed its integrity checks, but ML.NET could not load it: {0}";

    /// <summary>The start of every <see cref="ZipEntryDamaged"/> message, by which a wrapper knows it names its entry.</summary>
    public const string ModelFileDamagedPrefix = "The model file is damaged: ";

    /// <summary>
    /// A .zip entry that fails its checks. {0}: the entry, {1}: why (<see cref="ZipEntrySizeMismatch"/>,
    /// <see cref="ZipEntryCrcMismatch"/>, ... or the reader's message).
    /// </summary>
    public const string ZipEntryDamaged = ModelFileDamagedPrefix + "entry '{0}' cannot be trusted ({1}).";

    /// <summary>Why an entry is damaged: its size. {0}: the bytes read, {1}: the size the directory says.</summary>
    public const string ZipEntrySizeMismatch = "it holds {0:N0} bytes where the .zip's directory says {1:N0}";

    /// <summary>Why an entry is damaged: its CRC-32. {0}: the CRC of its bytes, {1}: the directory's.</summary>
    public const string ZipEntryCrcMismatch = "its CRC-32 is {0:x8} where the .zip's directory says {1:x8}";

    /// <summary>Why an entry is damaged: another entry has its name.</summary>
    public const string ZipEntryDuplicate = "the .zip holds two entries of that name";

    /// <summary>Why an entry is damaged: its model's length prefix. {0}: the length claimed, {1}: the entry's size.</summary>
    public const string ZipEntryModelLength = "its ONNX model claims {0:N0} bytes in an entry of {1:N0}";

    /// <summary>Why an entry is damaged: it ends inside its model. {0}: the length its model claims.</summary>
    public const string ZipEntryEndsEarly = "it ends before the {0:N0} bytes its ONNX model claims";

    /// <summary>An OnnxTransformer saved without its model entry (an <see cref="InvalidOperationException"/>).</summary>
    public const string SavedOnnxEntryMissing = "The saved OnnxTransformer holds no ONNX model entry.";

    /// <summary>A head in ML.NET's saved form whose model is not marked as a head. {0}: what holds it, {1}: the metadata key.</summary>
    public const string SavedHeadKeyMissing = "{0} has no '{1}' setting, though it is saved as a head: the model is damaged.";

    /// <summary>A head saved with the other kind's mapping. {0}: what holds it, {1}: "score" or "decision", the mapping found.</summary>
    public const string SavedHeadWrongMapping = "{0} is saved with the mapping of a {1}: the model is damaged.";

    /// <summary>
    /// A head whose ONNX step ML.NET saved for another input. {0}: what holds it, {1}: the input column, {2}: ML.NET's message.
    /// </summary>
    public const string SavedHeadInputMismatch = "{0} reads '{1}', but ML.NET saved its ONNX step otherwise ({2}): the model is damaged.";

    /// <summary>
    /// A head whose ONNX step ML.NET saved with other outputs. {0}: what holds it, {1}: the graph's output, {2}: the saved
    /// outputs joined by ", ".
    /// </summary>
    public const string SavedHeadGraphOutputMismatch =
        "{0} writes '{1}' from its graph, but ML.NET saved its ONNX step as writing [{2}]: the model is damaged.";

    /// <summary>
    /// A head whose saved steps add other columns. {0}: what holds it, {1}: the output column, {2}: the columns added,
    /// joined by ", ".
    /// </summary>
    public const string SavedHeadOutputMismatch = "{0} writes '{1}', but ML.NET saved it as writing [{2}]: the model is damaged.";

    /// <summary>An external initializer stored in another file than the head's. {0}: the initializer, {1}: the file it names.</summary>
    public const string ExternalDataWrongFile = "Initializer '{0}' refers to '{1}', not to the head's data file.";

    /// <summary>A head's data file that ends inside an initializer. {0}: the initializer.</summary>
    public const string ExternalDataTruncated = "The head's data file ends inside initializer '{0}'.";
}
