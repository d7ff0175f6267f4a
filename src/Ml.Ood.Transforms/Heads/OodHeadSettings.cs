namespace Ml.Ood;

/// <summary>
/// The typed settings of one kind of head: its hyperparameters and what <c>Fit</c> learned. A head writes them into its
/// ONNX model's <c>mlood.param.*</c> metadata, so they read back the same from a fitted head and from one loaded with
/// <c>ml.Ood().Load</c>: <c>transformer.GetSettings&lt;EnergySettings&gt;()</c>.
/// </summary>
/// <remarks>
/// A settings type is a record whose primary constructor names every setting; each is stored under its property's name
/// in snake case (<c>IdTruePositiveRate</c> as <c>id_true_positive_rate</c>) unless <see cref="OodSettingNameAttribute"/>
/// says otherwise, as an invariant-culture string that round-trips (floats with "R"). Numbers, booleans, strings, enums
/// and their nullable forms are supported; a null setting is not written. <see cref="OodHeadKindAttribute"/> names the
/// kind of head the record belongs to.
/// </remarks>
public abstract record OodHeadSettings;

/// <summary>Names the kind of head (<c>mlood.head</c>) whose settings a <see cref="OodHeadSettings"/> record holds.</summary>
/// <param name="kind">The head's kind, e.g. <c>energy</c>.</param>
[AttributeUsage(AttributeTargets.Class, Inherited = false)]
public sealed class OodHeadKindAttribute(string kind) : Attribute
{
    /// <summary>The head's kind.</summary>
    public string Kind { get; } = kind;
}

/// <summary>The metadata name of one setting, where its snake-case property name is not the one saved models use.</summary>
/// <param name="name">The name under <c>mlood.param.</c>.</param>
[AttributeUsage(AttributeTargets.Property | AttributeTargets.Parameter)]
public sealed class OodSettingNameAttribute(string name) : Attribute
{
    /// <summary>The name under <c>mlood.param.</c>.</summary>
    public string Name { get; } = name;
}
