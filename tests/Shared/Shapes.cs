using System.Reflection;
using Microsoft.ML;

namespace Ml.Ood.Tests;

/// <summary>
/// SchemaShape.Create is internal to ML.NET (its own tests reach it as a friend). Tests reach it by
/// reflection to call an estimator's GetOutputSchema the way a pipeline does.
/// </summary>
internal static class Shapes
{
    private static readonly MethodInfo Create = typeof(SchemaShape).GetMethod(
        "Create", BindingFlags.Static | BindingFlags.NonPublic, [typeof(DataViewSchema)])!;

    public static SchemaShape Of(DataViewSchema schema) => (SchemaShape)Create.Invoke(null, [schema])!;

    public static SchemaShape.Column Find(this SchemaShape shape, string name) => shape.Single(c => c.Name == name);
}
