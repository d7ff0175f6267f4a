namespace Ml.Ood.Tests;

/// <summary>Finds the repository and the read-only <c>shared/</c> folder beside it.</summary>
internal static class RepositoryPaths
{
    public static string Root { get; } = FindRoot();

    /// <summary>A file of <c>../shared/reference/vectors</c>, where independent reference values live.</summary>
    public static string ReferenceVector(string fileName)
        => Path.Combine(Root, "..", "shared", "reference", "vectors", fileName);

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "MlOod.sln")))
                return dir.FullName;
        }
        throw new DirectoryNotFoundException($"MlOod.sln not found above {AppContext.BaseDirectory}.");
    }
}
