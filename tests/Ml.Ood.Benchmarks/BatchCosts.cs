using System.Diagnostics;
using System.Globalization;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Transforms.Image;
using Ml.Ood.Samples;

namespace Ml.Ood.Benchmarks;

/// <summary>
/// batch-costs ZIP [ROWS] [REPEATS] [all]: what one dynamic batch of samples/Service costs, column by column. Loads the
/// model as the service does (ml.Ood().Load, block size 256; OodExecutionOptions.Parallelism from MLOOD_PARALLELISM,
/// default every core) and times a batch of ROWS seeded-noise 28 x 28 PNGs (decoded as they are read) through a fresh
/// Transform and cursor, with one output column requested at a time: the pixels alone, the encoder's columns alone, then
/// each head's (encoder + that head; its own cost is the difference), then the columns the service reads (every score and
/// decision, and the logits) at once; with "all" only that, e.g. under a profiler. Prints the median of REPEATS batches
/// in microseconds per batch and per row, and the process's CPU time per row (every thread's). Not a unit test.
/// </summary>
internal static class BatchCosts
{
    public static int Run(string zip, int rows, int repeats, bool everyColumnOnly)
    {
        var ml = new MLContext(seed: 0);
        using var model = (IDisposable)ml.Ood().Load(zip, out var saved, new OodExecutionOptions { BlockSize = 256, Parallelism = Environment.GetEnvironmentVariable("MLOOD_PARALLELISM") is { Length: > 0 } parallelism ? int.Parse(parallelism, CultureInfo.InvariantCulture) : null });
        var transformer = (ITransformer)model;
        var images = Enumerable.Range(0, rows).Select(i =>
        {
            var pixels = new byte[28 * 28];
            new Random(i).NextBytes(pixels);
            return Png.Grey(pixels, 28, 28);
        }).ToArray();
        // Decoded as each cursor reads them: ML.NET's pixel extractor disposes an image once it has read it.
        // Counted, as the service's batch view is: MlOod's cursors size their buffers to a view's rows when it says how many.
        var input = new CountedView(ml.Data.LoadFromEnumerable(images.Select(png => new ImageRow { Image = MLImage.CreateFromStream(new MemoryStream(png)) })), rows);
        var schema = transformer.GetOutputSchema(input.Schema);
        var columns = schema.Where(c => !c.IsHidden && input.Schema.GetColumnOrNull(c.Name) is null).Select(c => c.Name).ToList();
        Console.WriteLine($"{rows} rows per batch, median of {repeats} batches (after {repeats} warm-up batches)");
        Console.WriteLine("| column                 | us/batch | us/row | CPU us/row |");
        Console.WriteLine("|------------------------|----------|--------|------------|");
        var sets = everyColumnOnly ? [] : columns.Select(c => new[] { c });
        // What samples/Service reads per row: every score and decision, and the logits for the predicted class.
        string[] served = [.. columns.Where(c => schema[c].Type is not VectorDataViewType || c == "logits")];
        foreach (string[] requested in sets.Append(served))
        {
            var times = new List<double>();
            TimeSpan cpuStart = TimeSpan.Zero;
            for (int r = 0; r < 2 * repeats; r++)
            {
                if (r == repeats)
                {
                    cpuStart = Process.GetCurrentProcess().TotalProcessorTime;
                }

                long start = Stopwatch.GetTimestamp();
                var scored = transformer.Transform(input);
                using var cursor = scored.GetRowCursor(requested.Select(c => scored.Schema[c]));
                while (cursor.MoveNext())
                {
                }
                if (r >= repeats)
                {
                    times.Add(Stopwatch.GetElapsedTime(start).TotalMicroseconds);
                }
            }
            // Every thread's: ONNX Runtime's own threads included.
            double cpuPerRow = (Process.GetCurrentProcess().TotalProcessorTime - cpuStart).TotalMicroseconds / ((double)repeats * rows);
            times.Sort();
            double median = times[times.Count / 2];
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| {(requested.Length == 1 ? requested[0] : "(as served)"),-22} | {median,8:F0} | {median / rows,6:F1} | {cpuPerRow,10:F1} |"));
        }
        return 0;
    }

    private sealed class CountedView(IDataView inner, long rows) : IDataView
    {
        public bool CanShuffle => false;

        public DataViewSchema Schema => inner.Schema;

        public long? GetRowCount() => rows;

        public DataViewRowCursor GetRowCursor(IEnumerable<DataViewSchema.Column> columnsNeeded, Random? rand = null)
            => inner.GetRowCursor(columnsNeeded, rand);

        public DataViewRowCursor[] GetRowCursorSet(IEnumerable<DataViewSchema.Column> columnsNeeded, int n, Random? rand = null)
            => [GetRowCursor(columnsNeeded, rand)];
    }

    private sealed class ImageRow
    {
        [ImageType(28, 28)]
        public MLImage Image { get; set; } = null!;
    }
}
