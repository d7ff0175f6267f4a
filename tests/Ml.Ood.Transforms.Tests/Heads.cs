using Ml.Ood.Transforms.Graph;

namespace Ml.Ood.Transforms.Tests;

/// <summary>Heads built straight from a description, for tests of what surrounds a head (metadata, caps, stubs).</summary>
internal static class Heads
{
    public static OodHeadModel Energy(OodHeadInfo info, float temperature)
    {
        var g = HeadGraph.Start(info);
        return g.Finish(g.Energy(g.Input, temperature));
    }
}
