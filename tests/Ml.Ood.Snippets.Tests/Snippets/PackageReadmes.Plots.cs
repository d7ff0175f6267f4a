#region plots-readme
using Ml.Ood;
#endregion

namespace ReadmeSnippets;

/// <summary>src/Ml.Ood.Evaluators.Plots/README.md, "How to use".</summary>
internal static class PlotsReadme
{
    public static void Run(Microsoft.ML.MLContext ml, Microsoft.ML.IDataView scored)
    {
        #region plots-readme
        var metrics = ml.Ood().Evaluate(scored, isOodColumnName: "IsOodTruth", scoreColumnName: "EnergyScore");
        metrics.SaveRocCurvePng("roc.png");
        metrics.SaveScoreHistogramPng("histogram.png");
        #endregion
    }
}
