#region evaluators-readme
using Microsoft.ML;
using Ml.Ood;

#endregion

namespace ReadmeSnippets;

/// <summary>src/Ml.Ood.Evaluators/README.md, "How to use".</summary>
internal static class EvaluatorsReadme
{
    public static void Run(ITransformer model, IDataView test, OodDetectionMetrics energyMetrics, bool[] isOod, float[] scores)
    {
        #region evaluators-readme
        var ml = new MLContext();
        IDataView scored = model.Transform(test);                     // has IsOodTruth (Boolean) and KnnScore (Single or Double)
        var metrics = ml.Ood().Evaluate(scored, isOodColumnName: "IsOodTruth", scoreColumnName: "KnnScore");
        Console.WriteLine(metrics);                                   // AUROC, AUPR-In/Out, FPR@95TPR, ... with directions
        File.WriteAllText("results.md", new OodReport().Add("KNN", metrics).Add("Energy", energyMetrics).ToMarkdown());

        double auroc = OodMetrics.AreaUnderRocCurve(isOod, scores);   // spans (float or double), outside any pipeline
        #endregion
        _ = auroc;
    }
}
