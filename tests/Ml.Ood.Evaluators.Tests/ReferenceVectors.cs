using System.Text.Json;

namespace Ml.Ood.Evaluators.Tests;

/// <summary>
/// Loads the independent reference vectors (numpy / scikit-learn) committed under <c>tests/ReferenceVectors</c>
/// (see its README.md), found by walking up from the test binaries to the repository root (the folder of MlOod.sln).
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
        // The repository root, not any folder named like the vectors' folder: nothing outside the repository is read.
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "MlOod.sln")))
            {
                string folder = Path.Combine(dir.FullName, "tests", "ReferenceVectors");
                return Directory.Exists(folder)
                    ? folder
                    : throw new DirectoryNotFoundException("tests/ReferenceVectors not found in the repository at " + dir.FullName);
            }
        }

        throw new DirectoryNotFoundException("MlOod.sln not found above " + AppContext.BaseDirectory);
    }
}
