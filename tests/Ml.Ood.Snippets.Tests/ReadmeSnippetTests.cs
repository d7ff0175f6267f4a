using Ml.Ood.Tests;

namespace Ml.Ood.Snippets.Tests;

/// <summary>
/// Every C# block in the repository's markdown files is a named snippet whose text is exactly the code compiled
/// in Snippets/*.cs: the build proves the READMEs' code compiles against today's API, these tests prove the READMEs
/// show that code and nothing else. To change a snippet, edit the region and paste it into the README (or the
/// reverse): both must stay identical, up to the region's indentation.
/// </summary>
[TestClass]
public sealed class ReadmeSnippetTests
{
    private static readonly string SnippetFolder = Path.Combine(RepositoryPaths.Root, "tests", "Ml.Ood.Snippets.Tests", "Snippets");

    public static IEnumerable<object[]> Blocks
        => SnippetSources.MarkdownBlocks(RepositoryPaths.Root).Select(b => new object[] { $"{b.File}:{b.Line}" });

    [TestMethod]
    public void TheReadmesHaveCSharpBlocks()
        => Assert.IsGreaterThanOrEqualTo(7, SnippetSources.MarkdownBlocks(RepositoryPaths.Root).Count(), "README.md and the five package READMEs");

    [TestMethod]
    [DynamicData(nameof(Blocks))]
    public void BlockIsItsCompiledRegion(string where)
    {
        var block = SnippetSources.MarkdownBlocks(RepositoryPaths.Root).Single(b => $"{b.File}:{b.Line}" == where);
        Assert.IsNotNull(block.Name,
            $"{where}: a C# block needs a '<!-- snippet: NAME -->' line right above it and a '#region NAME' in {SnippetFolder}, so that it compiles.");
        var regions = SnippetSources.Regions(SnippetFolder);
        Assert.IsTrue(regions.TryGetValue(block.Name, out string? compiled), $"{where}: no '#region {block.Name}' in {SnippetFolder}.");
        Assert.AreEqual(compiled, block.Text, $"{where}: the README block differs from '#region {block.Name}' (the compiled code).");
    }

    [TestMethod]
    public void EveryRegionIsShownOnce()
    {
        var shown = SnippetSources.MarkdownBlocks(RepositoryPaths.Root).Where(b => b.Name is not null).GroupBy(b => b.Name!).ToList();
        foreach (var name in SnippetSources.Regions(SnippetFolder).Keys)
        {
            Assert.AreEqual(1, shown.SingleOrDefault(g => g.Key == name)?.Count() ?? 0, $"'#region {name}' should appear in exactly one README block.");
        }
    }
}
