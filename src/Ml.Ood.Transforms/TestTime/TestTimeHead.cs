using Ml.Ood.Transforms.Execution;

namespace Ml.Ood.Transforms.TestTime;

/// <summary>
/// A test-time head as its transformer holds it: the starting state (never advanced; cursors and streaming scorers
/// advance clones) and the fitted head whose model is saved and whose lifetime every user shares.
/// </summary>
internal sealed record TestTimeHead(TestTimeState Starting, HeadState Head);
