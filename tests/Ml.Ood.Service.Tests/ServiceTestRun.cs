namespace Ml.Ood.Service.Tests;

/// <summary>What the whole test run shares: the folder of saved test models, deleted at the end (every run left one behind).</summary>
[TestClass]
public sealed class ServiceTestRun
{
    [AssemblyCleanup]
    public static void DeleteTestModels()
    {
        if (Directory.Exists(TestModels.Folder))
        {
            Directory.Delete(TestModels.Folder, recursive: true);
        }
    }
}
