using System.Text.Json;

namespace Ml.Ood.Evaluators.Tests;

/// <summary>
/// Loads the independent reference vectors (numpy / scikit-learn) from <c>&lt;repo&gt;/../shared/reference/vectors</c>,
/// found by walking up from the test binaries.
/// </summary>
internal static class ReferenceVectors
{
    private static readonly Lazy<string> Folder = new(FindFolder);

    public static JsonElement Load(string name)
    {
        string path = Path.Combine(Folder.Value, name + ".json");
        using var doc = JsonDocument.Parse(File.ReadAllText(path));
        return doc.RootElement.Clone();
    }

    public static float[] Floats(this JsonElement e) => e.EnumerateArray().Select(x => (float)x.GetDouble()).ToArray();

    public static bool[] Bools(this JsonElement e) => e.EnumerateArray().Select(x => x.GetBoolean()).ToArray();

    public static int[] Ints(this JsonElement e) => e.EnumerateArray().Select(x => x.GetInt32()).ToArray();

    public static double[] Doubles(this JsonElement e) => e.EnumerateArray().Select(x => x.GetDouble()).ToArray();

    /// <summary>A JSON matrix (array of equal-length arrays) flattened row-major.</summary>
    public static float[] FlatFloats(this JsonElement e, out int columns)
    {
        var rows = e.EnumerateArray().Select(r => r.Floats()).ToArray();
        columns = rows[0].Length;
        return rows.SelectMany(r => r).ToArray();
    }

    private static string FindFolder()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            string candidate = Path.Combine(dir.FullName, "shared", "reference", "vectors");
            if (Directory.Exists(candidate))
            {
                return candidate;
            }
        }

        throw new DirectoryNotFoundException("shared/reference/vectors not found above " + AppContext.BaseDirectory);
    }
}
