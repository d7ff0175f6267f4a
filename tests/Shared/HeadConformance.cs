using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.OnnxRuntime;

namespace Ml.Ood.Tests;

/// <summary>
/// What every head must do, checked in one call, as ML.NET's <c>TestEstimatorCore</c> does for its transforms
/// (docs/ARCHITECTURE.md section 8): estimator and transformer schemas agree; a missing column, a wrong type and (for the
/// fitted head) a wrong width fail in both GetOutputSchema and Fit; odd block sizes and a PredictionEngine give the
/// batched values; after <c>ml.Model.Save</c>, <c>ml.Model.Load</c> gives a scalar Single (or Boolean) column with the same
/// values, <c>ml.Ood().Load</c> the batched ones and the same settings; the exported ONNX model run in ONNX Runtime alone
/// gives them too. It compares execution paths of one head with each other; whether the values are right is for the
/// head's reference tests.
/// </summary>
/// <remarks>
/// Every path that runs the head's own session (other block sizes, a PredictionEngine, <c>ml.Ood().Load</c>, the exported
/// model in a plain <see cref="InferenceSession"/>) must give the batched values bit for bit. <c>ml.Model.Load</c> runs
/// ML.NET's OnnxTransformer, whose session options are ML.NET's: within <see cref="PlainLoadTolerance"/>.
/// </remarks>
internal static class HeadConformance
{
    /// <summary>
    /// How far <c>ml.Model.Load</c>'s values may be from the batched ones, relative: ML.NET's OnnxTransformer runs the head
    /// with its own session options. (Measured: bit for bit, for every head and test of this repository.)
    /// </summary>
    public const double PlainLoadTolerance = 1e-5;

    /// <summary>Runs every check on one head; throws <see cref="AssertFailedException"/> naming the head and the check.</summary>
    /// <typeparam name="TSettings">The head's settings record, read with <c>GetSettings</c> before and after loading.</typeparam>
    /// <param name="ml">The context the head's estimators come from.</param>
    /// <param name="head">The head's name in failure messages, e.g. <c>energy(T=2)</c>.</param>
    /// <param name="estimator">Builds the head's estimator with the given execution options (null: the defaults).</param>
    /// <param name="train">The data the head is fitted on.</param>
    /// <param name="test">The data it scores (at least one row).</param>
    /// <param name="outputColumn">The column the head writes.</param>
    public static void Check<TSettings>(MLContext ml, string head, Func<OodExecutionOptions?, IEstimator<OodHeadTransformer>> estimator,
        IDataView train, IDataView test, string outputColumn) where TSettings : OodHeadSettings
        => Check(ml, head, estimator, train, test, outputColumn, t => t.GetSettings<TSettings>());

    /// <inheritdoc cref="Check{TSettings}"/>
    /// <param name="settings">Reads the head's settings record (<c>t =&gt; t.GetSettings&lt;EnergySettings&gt;()</c>).</param>
    public static void Check(MLContext ml, string head, Func<OodExecutionOptions?, IEstimator<OodHeadTransformer>> estimator,
        IDataView train, IDataView test, string outputColumn, Func<OodHeadTransformer, OodHeadSettings> settings)
    {
        using var fitted = estimator(null).Fit(train);
        var subject = new ConformanceSubject(ml, head, fitted, test, outputColumn);
        subject.Fail(fitted.Head.OutputColumnName != outputColumn, "fit", $"the head writes '{fitted.Head.OutputColumnName}', not '{outputColumn}'");

        CheckSchemas(subject, estimator(null), train);
        CheckBadInput(subject, estimator, train);
        var batched = ConformanceValues.Read(fitted.Transform(test), subject);
        subject.Fail(batched.Length == 0, "fit", "the test data has no rows");
        CheckBlockSizes(subject, estimator, train, batched);
        ConformanceValues.AssertSame(subject, "PredictionEngine vs batched", batched, ConformanceValues.PerRow(subject, fitted));
        CheckPersistence(subject, train, batched, settings);
        ConformanceValues.AssertSame(subject, "exported ONNX in ONNX Runtime vs batched", batched, Exported(subject));
    }

    private static void CheckSchemas(ConformanceSubject s, IEstimator<OodHeadTransformer> estimator, IDataView train)
    {
        var promised = estimator.GetOutputSchema(Shapes.Of(train.Schema));
        var delivered = Shapes.Of(s.Fitted.GetOutputSchema(train.Schema));
        s.Fail(promised.Count() != delivered.Count(), "schemas",
            $"the estimator promises columns [{Names(promised)}], the transformer delivers [{Names(delivered)}]");
        foreach (var column in delivered)
        {
            var match = promised.FirstOrDefault(c => c.Name == column.Name);
            s.Fail(match.Name is null, "schemas", $"the transformer delivers '{column.Name}', which the estimator does not promise");
            s.Fail(match.Kind != column.Kind || !match.ItemType.Equals(column.ItemType) || match.IsKey != column.IsKey, "schemas",
                $"column '{column.Name}': the estimator promises {Describe(match)}, the transformer delivers {Describe(column)}");
            // ML.NET's rule (TestEstimatorCore): every annotation delivered must have been promised.
            foreach (var annotation in column.Annotations)
            {
                s.Fail(!match.Annotations.Any(a => a.Name == annotation.Name), "schemas",
                    $"column '{column.Name}': the transformer delivers annotation '{annotation.Name}', which the estimator does not promise");
            }
        }

        var output = promised.Single(c => c.Name == s.OutputColumn);
        s.Fail(output.Kind != SchemaShape.Column.VectorKind.Scalar || !output.ItemType.Equals(s.OutputType), "schemas",
            $"the estimator promises {Describe(output)} for '{s.OutputColumn}', not a scalar {s.OutputType}");
        var onTest = s.Fitted.GetOutputSchema(s.Test.Schema)[s.OutputColumn];
        s.Fail(!onTest.Type.Equals(s.OutputType), "schemas", $"'{s.OutputColumn}' on the test data is {onTest.Type}, not {s.OutputType}");
        s.Fail(s.IsDecision != OodAnnotations.IsDecision(onTest), "schemas",
            s.IsDecision ? $"the decision '{s.OutputColumn}' lacks {OodAnnotations.DecisionKind}" : $"the score '{s.OutputColumn}' is marked as a decision");
        s.Fail(s.IsDecision != output.Annotations.Any(a => a.Name == OodAnnotations.DecisionKind), "schemas",
            $"the estimator's '{s.OutputColumn}' {(s.IsDecision ? "lacks" : "carries")} {OodAnnotations.DecisionKind}");
    }

    private static void CheckBadInput(ConformanceSubject s, Func<OodExecutionOptions?, IEstimator<OodHeadTransformer>> estimator, IDataView train)
    {
        string input = s.Fitted.Head.InputColumnName;
        var missing = s.Ml.Transforms.DropColumns(input).Fit(train).Transform(train);
        string notFound = $"Could not find input column '{input}'";
        s.Throws("missing column, Fit", notFound, () => estimator(null).Fit(missing));
        s.Throws("missing column, estimator GetOutputSchema", notFound, () => estimator(null).GetOutputSchema(Shapes.Of(missing.Schema)));
        s.Throws("missing column, transformer GetOutputSchema", notFound, () => s.Fitted.GetOutputSchema(missing.Schema));

        // A scalar where the head reads a vector, a vector where it reads a scalar.
        var wrongType = s.ScalarInput ? ConformanceValues.Vectors(s.Ml, input, 2) : ConformanceValues.Scalars(s.Ml, input);
        string mismatch = $"Schema mismatch for input column '{input}': expected ";
        string got = s.ScalarInput ? "got Vector<Single" : "got Single";
        s.Throws("wrong type, Fit", mismatch, () => estimator(null).Fit(wrongType), got);
        s.Throws("wrong type, estimator GetOutputSchema", mismatch, () => estimator(null).GetOutputSchema(Shapes.Of(wrongType.Schema)), got);
        s.Throws("wrong type, transformer GetOutputSchema", mismatch, () => s.Fitted.GetOutputSchema(wrongType.Schema), got);
        if (s.ScalarInput)
        {
            return;
        }

        int width = s.Fitted.Head.InputSize;
        var wider = ConformanceValues.Vectors(s.Ml, input, width + 1);
        string wrongWidth = $"Schema mismatch for input column '{input}': expected vector of Single of size {width}, got Vector<Single, {width + 1}>";
        s.Throws("wrong width, transformer GetOutputSchema", wrongWidth, () => s.Fitted.GetOutputSchema(wider.Schema));
        s.Throws("wrong width, Transform", wrongWidth, () => s.Fitted.Transform(wider));
        s.Throws("wrong width, GetRowToRowMapper", wrongWidth, () => s.Fitted.GetRowToRowMapper(wider.Schema));
    }

    private static void CheckBlockSizes(ConformanceSubject s, Func<OodExecutionOptions?, IEstimator<OodHeadTransformer>> estimator, IDataView train, float[] batched)
    {
        s.Fail(s.Fitted.BlockSize != OodExecutionOptions.DefaultBlockSize, "block sizes", $"the default block is {s.Fitted.BlockSize} rows");
        foreach (int blockSize in new[] { 1, 7, batched.Length + 3 })
        {
            using var head = estimator(new OodExecutionOptions { BlockSize = blockSize }).Fit(train);
            s.Fail(head.BlockSize != blockSize, "block sizes", $"asked for blocks of {blockSize} rows, got {head.BlockSize}");
            ConformanceValues.AssertSame(s, $"block size {blockSize} vs {OodExecutionOptions.DefaultBlockSize}", batched,
                ConformanceValues.Read(head.Transform(s.Test), s));
        }

        // Blocks of 7 rows scored 1, 3 and 8 calls at once: a row's score must not depend on which calls ran beside it.
        s.Fail(s.Fitted.Parallelism != Environment.ProcessorCount, "parallelism", $"the default is {s.Fitted.Parallelism} calls at once");
        foreach (int parallelism in new[] { 1, 3, 8 })
        {
            using var head = estimator(new OodExecutionOptions { BlockSize = 7, Parallelism = parallelism }).Fit(train);
            s.Fail(head.Parallelism != parallelism, "parallelism", $"asked for {parallelism} calls at once, got {head.Parallelism}");
            ConformanceValues.AssertSame(s, $"blocks of 7 rows, {parallelism} calls at once vs the default", batched,
                ConformanceValues.Read(head.Transform(s.Test), s));
        }
    }

    private static void CheckPersistence(ConformanceSubject s, IDataView train, float[] batched, Func<OodHeadTransformer, OodHeadSettings> settings)
    {
        var folder = Directory.CreateTempSubdirectory("conformance-");
        try
        {
            string zip = Path.Combine(folder.FullName, "head.zip");
            s.Ml.Model.Save(s.Fitted, train.Schema, zip);

            var plain = s.Ml.Model.Load(zip, out _);
            try
            {
                var scored = plain.Transform(s.Test);
                var type = scored.Schema[s.OutputColumn].Type;
                s.Fail(!type.Equals(s.OutputType), "ml.Model.Load", $"'{s.OutputColumn}' loads as {type}, not a scalar {s.OutputType}");
                ConformanceValues.AssertClose(s, "ml.Model.Load vs batched", batched, ConformanceValues.Read(scored, s), PlainLoadTolerance);
            }
            finally
            {
                (plain as IDisposable)?.Dispose();
            }

            var restored = s.Ml.Ood().Load(zip, out _);
            try
            {
                s.Fail(restored is not OodHeadTransformer, "ml.Ood().Load", $"a saved head loads as {restored.GetType().Name}, not as a batched head");
                var head = (OodHeadTransformer)restored;
                var restoredScored = head.Transform(s.Test);
                ConformanceValues.AssertSame(s, "ml.Ood().Load vs batched", batched, ConformanceValues.Read(restoredScored, s));
                s.Fail(s.IsDecision != OodAnnotations.IsDecision(restoredScored.Schema[s.OutputColumn]), "ml.Ood().Load",
                    $"'{s.OutputColumn}' {(s.IsDecision ? "lost" : "gained")} {OodAnnotations.DecisionKind}");
                var before = settings(s.Fitted);
                var after = settings(head);
                s.Fail(!before.Equals(after), "ml.Ood().Load", $"settings {after} after loading, {before} when fitted");
                s.Fail(head.Head.Kind != s.Fitted.Head.Kind || head.Head.InputSize != s.Fitted.Head.InputSize, "ml.Ood().Load",
                    $"loads as {head.Head}, fitted as {s.Fitted.Head}");
            }
            finally
            {
                (restored as IDisposable)?.Dispose();
            }
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }

    private static float[] Exported(ConformanceSubject s)
    {
        using var onnx = new MemoryStream();
        s.Fitted.ExportOnnx(onnx);
        using var session = new InferenceSession(onnx.ToArray());
        s.Fail(!session.ModelMetadata.CustomMetadataMap.TryGetValue("mlood.head", out string? kind) || kind != s.Fitted.Head.Kind,
            "exported ONNX", $"mlood.head is '{kind}', not '{s.Fitted.Head.Kind}'");
        var (values, rows) = ConformanceValues.Inputs(s);
        using var input = OrtValue.CreateTensorValueFromMemory(values, [rows, s.Fitted.Head.InputSize]);
        string outputName = s.IsDecision ? "mlood_decision" : "mlood_score";
        using var runOptions = new RunOptions();
        using var outputs = session.Run(runOptions, [s.Fitted.Head.InputColumnName], [input], [outputName]);
        return s.IsDecision
            ? outputs[0].GetTensorDataAsSpan<bool>().ToArray().Select(d => d ? 1f : 0f).ToArray()
            : outputs[0].GetTensorDataAsSpan<float>().ToArray();
    }

    private static string Names(SchemaShape shape) => string.Join(", ", shape.Select(c => c.Name));

    private static string Describe(SchemaShape.Column column)
        => $"{column.Kind} {column.ItemType}{(column.IsKey ? " key" : "")}";
}

/// <summary>One head under <see cref="HeadConformance"/>: what the checks share, and how they fail.</summary>
internal sealed class ConformanceSubject(MLContext ml, string head, OodHeadTransformer fitted, IDataView test, string outputColumn)
{
    public MLContext Ml { get; } = ml;

    public string Head { get; } = head;

    public OodHeadTransformer Fitted { get; } = fitted;

    public IDataView Test { get; } = test;

    public string OutputColumn { get; } = outputColumn;

    public bool IsDecision => Fitted.Head.OutputKind == OodHeadOutputKind.Decision;

    public bool ScalarInput => Fitted.Head.InputIsScalar;

    public DataViewType OutputType => IsDecision ? BooleanDataViewType.Instance : NumberDataViewType.Single;

    public void Fail(bool failed, string check, string what)
    {
        if (failed)
        {
            throw new AssertFailedException($"Head conformance, {Head}, {check}: {what}.");
        }
    }

    /// <summary>Asserts that <paramref name="action"/> throws ML.NET's schema error, its message starting with <paramref name="prefix"/>.</summary>
    public void Throws(string check, string prefix, Action action, string? contains = null)
    {
        try
        {
            action();
        }
        catch (ArgumentOutOfRangeException e)
        {
            Fail(!e.Message.StartsWith(prefix, StringComparison.Ordinal) || (contains is not null && !e.Message.Contains(contains, StringComparison.Ordinal)),
                check, $"the message is \"{e.Message}\", expected one starting \"{prefix}\"{(contains is null ? "" : $" and containing \"{contains}\"")}");
            return;
        }
        catch (Exception e)
        {
            Fail(true, check, $"threw {e.GetType().Name} (\"{e.Message}\"), not ArgumentOutOfRangeException");
        }
        Fail(true, check, "did not throw");
    }
}
