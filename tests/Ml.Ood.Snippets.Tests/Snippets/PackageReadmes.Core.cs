#region core-readme
using Microsoft.ML;
using Ml.Ood;
#endregion

namespace ReadmeSnippets;

/// <summary>src/Ml.Ood.Core/README.md, "How to use".</summary>
internal static class CoreReadme
{
    public static void Run()
    {
        #region core-readme
        var ml = new MLContext();
        var energy = ml.Ood().Energy("EnergyScore", "Logits");   // with Ml.Ood.Transforms
        #endregion
        _ = energy;
    }
}
