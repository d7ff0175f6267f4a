using System.Reflection;
using System.Text.RegularExpressions;
using Ml.Ood.Tests;

namespace Ml.Ood.Snippets.Tests;

/// <summary>
/// The layout rules no analyzer states (the rest of the code style is .editorconfig's, enforced by the build): each
/// folder of src/ holds one namespace, and every public type of the packages is in namespace Ml.Ood, so that one
/// <c>using Ml.Ood;</c> reaches everything a user names.
/// </summary>
[TestClass]
public sealed partial class CodeLayoutTests
{
    [TestMethod]
    public void EachSourceFolderHoldsOneNamespace()
    {
        var folders = Directory.EnumerateFiles(Path.Combine(RepositoryPaths.Root, "src"), "*.cs", SearchOption.AllDirectories)
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal)
                     && !f.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}", StringComparison.Ordinal))
            .GroupBy(Path.GetDirectoryName);
        var mixed = new List<string>();
        foreach (var folder in folders)
        {
            var namespaces = folder.Select(f => NamespaceLine().Match(File.ReadAllText(f)).Groups[1].Value).Distinct().ToList();
            if (namespaces.Count != 1)
            {
                mixed.Add($"{Path.GetRelativePath(RepositoryPaths.Root, folder.Key!)}: {string.Join(", ", namespaces)}");
            }
        }
        Assert.IsEmpty(mixed, "folders with more than one namespace: " + string.Join("; ", mixed));
    }

    [TestMethod]
    public void EveryPublicTypeIsInMlOod()
    {
        Assembly[] packages = [typeof(OodCatalog).Assembly, typeof(OodHeadTransformer).Assembly, typeof(KnnEstimator).Assembly,
            typeof(OodMetrics).Assembly, typeof(OodPlots).Assembly];
        // Types public only for ML.NET's loader (the custom mappings of a head's saved form) are hidden from users.
        var elsewhere = packages.SelectMany(a => a.GetExportedTypes())
            .Where(t => t.Namespace != "Ml.Ood" && t.GetCustomAttribute<System.ComponentModel.EditorBrowsableAttribute>()?.State != System.ComponentModel.EditorBrowsableState.Never)
            .Select(t => t.FullName).ToList();
        Assert.IsEmpty(elsewhere, "public types outside namespace Ml.Ood: " + string.Join(", ", elsewhere));
    }

    [GeneratedRegex(@"^namespace ([\w.]+);", RegexOptions.Multiline)]
    private static partial Regex NamespaceLine();
}
