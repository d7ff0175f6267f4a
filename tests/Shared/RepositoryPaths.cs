namespace Ml.Ood.Tests;

/// <summary>Finds the repository root and the reference vectors committed under <c>tests/ReferenceVectors</c>.</summary>
/// <remarks>
/// Everything the tests read lives inside the repository, so that a fresh clone passes its tests with nothing
/// beside it; there is deliberately no fallback to a folder outside the repository.
/// </remarks>
internal static class RepositoryPaths
{
    public static string Root { get; } = FindRoot();

    /// <summary>The folder of independent reference values (numpy, scikit-learn); see its README.md.</summary>
    public static string ReferenceVectorsFolder => Path.Combine(Root, "tests", "ReferenceVectors");

    /// <summary>A file of <c>tests/ReferenceVectors</c>.</summary>
    public static string ReferenceVector(string fileName)
    {
        string path = Path.Combine(ReferenceVectorsFolder, fileName);
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"Reference vector '{fileName}' not found in {ReferenceVectorsFolder}.", path);
        }

        return path;
    }

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "MlOod.sln")))
            {
                return dir.FullName;
            }
        }
        throw new DirectoryNotFoundException($"MlOod.sln not found above {AppContext.BaseDirectory}.");
    }
}
