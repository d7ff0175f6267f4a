using System.Reflection;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace Ml.Ood.Tests;

/// <summary>
/// Every catalogued head's column read back through a PredictionEngine. An engine binds columns to members, so the row
/// has slots, and <see cref="Definition"/> binds the i-th score slot to the i-th score head of <see cref="HeadCatalogue"/>
/// (decisions likewise): a new head in the catalogue needs no new member here while slots are left.
/// </summary>
internal sealed class CatalogueRow
{
    private static readonly PropertyInfo[] Slots = Bind();

    public float Score0 { get; set; }
    public float Score1 { get; set; }
    public float Score2 { get; set; }
    public float Score3 { get; set; }
    public float Score4 { get; set; }
    public float Score5 { get; set; }
    public float Score6 { get; set; }
    public float Score7 { get; set; }
    public float Score8 { get; set; }
    public float Score9 { get; set; }
    public float Score10 { get; set; }
    public float Score11 { get; set; }
    public float Score12 { get; set; }
    public float Score13 { get; set; }
    public float Score14 { get; set; }
    public float Score15 { get; set; }
    public float Score16 { get; set; }
    public float Score17 { get; set; }
    public float Score18 { get; set; }
    public float Score19 { get; set; }
    public float Score20 { get; set; }
    public float Score21 { get; set; }
    public float Score22 { get; set; }
    public float Score23 { get; set; }
    public float Score24 { get; set; }
    public float Score25 { get; set; }
    public float Score26 { get; set; }
    public float Score27 { get; set; }
    public float Score28 { get; set; }
    public float Score29 { get; set; }
    public float Score30 { get; set; }
    public float Score31 { get; set; }
    public bool Decision0 { get; set; }
    public bool Decision1 { get; set; }
    public bool Decision2 { get; set; }
    public bool Decision3 { get; set; }

    /// <summary>The output schema definition of a PredictionEngine that reads every catalogued head's column.</summary>
    public static SchemaDefinition Definition()
    {
        var definition = SchemaDefinition.Create(typeof(CatalogueRow));
        var used = HeadCatalogue.All.Zip(Slots, (head, slot) => (head.Column, slot.Name)).ToDictionary(p => p.Name, p => p.Column);
        definition.RemoveAll(c => !used.ContainsKey(c.MemberName));
        foreach (var column in definition)
        {
            column.ColumnName = used[column.MemberName];
        }

        return definition;
    }

    /// <summary>The options of an engine that reads every catalogued head's column.</summary>
    public static PredictionEngineOptions Options(bool ownsTransformer = true)
        => new() { OwnsTransformer = ownsTransformer, OutputSchemaDefinition = Definition() };

    /// <summary>Every catalogued head's value, in catalogue order: a score, or a decision as 1 (OOD) or 0.</summary>
    public float[] Values() => Slots.Select(slot => slot.GetValue(this) switch { bool d => d ? 1f : 0f, var v => (float)v! }).ToArray();

    /// <summary>The values' bits, for comparisons bit for bit.</summary>
    public int[] Bits() => Values().Select(BitConverter.SingleToInt32Bits).ToArray();

    /// <summary>The slot of each catalogued head, in catalogue order.</summary>
    private static PropertyInfo[] Bind()
    {
        int scores = 0, decisions = 0;
        var slots = HeadCatalogue.All.Select(h => typeof(CatalogueRow).GetProperty(h.IsDecision ? $"Decision{decisions++}" : $"Score{scores++}")).ToArray();
        if (slots.Any(s => s is null))
        {
            throw new InvalidOperationException($"{nameof(CatalogueRow)} has fewer slots than {nameof(HeadCatalogue)} has heads: add Score or Decision properties.");
        }

        return slots!;
    }
}
