using System.Globalization;
using System.Reflection;
using System.Text;

namespace Ml.Ood;

/// <summary>
/// Writes a head's <see cref="OodHeadSettings"/> record to its metadata parameters and reads it back: one place for what
/// each head used to format by hand (and each user to parse with <c>GetSingle</c>).
/// </summary>
internal static class HeadSettings
{
    /// <summary>The kind of head <typeparamref name="TSettings"/> belongs to.</summary>
    public static string KindOf<TSettings>() where TSettings : OodHeadSettings => KindOf(typeof(TSettings));

    public static string KindOf(Type settings)
        => settings.GetCustomAttribute<OodHeadKindAttribute>()?.Kind
           ?? throw new InvalidOperationException(OodErrors.Format(OodErrors.HeadKindMissing, settings.Name));

    /// <summary>The settings as metadata parameters (names without the <c>mlood.param.</c> prefix).</summary>
    public static Dictionary<string, string> Write(OodHeadSettings settings)
    {
        var parameters = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (name, property) in Settings(settings.GetType()))
        {
            if (property.GetValue(settings) is { } value)
            {
                parameters[name] = Format(value);
            }
        }
        return parameters;
    }

    /// <summary>Reads a head's settings; the head must be of the record's kind.</summary>
    /// <exception cref="InvalidOperationException">The head is of another kind.</exception>
    /// <exception cref="InvalidDataException">A setting is missing or unreadable.</exception>
    public static TSettings Read<TSettings>(OodHeadInfo head) where TSettings : OodHeadSettings
    {
        string kind = KindOf<TSettings>();
        if (head.Kind != kind)
        {
            throw new InvalidOperationException(OodErrors.Format(OodErrors.NotThatHead, head.OutputColumnName, head.Kind, kind));
        }

        var constructor = typeof(TSettings).GetConstructors().MaxBy(c => c.GetParameters().Length)!;
        var names = Settings(typeof(TSettings)).ToDictionary(s => s.Property.Name, s => s.Name, StringComparer.Ordinal);
        var nullability = new NullabilityInfoContext();
        var arguments = constructor.GetParameters()
            .Select(p => Parse(head, names[p.Name!], p.ParameterType, nullability.Create(p).WriteState == NullabilityState.Nullable))
            .ToArray();
        return (TSettings)constructor.Invoke(arguments);
    }

    private static IEnumerable<(string Name, PropertyInfo Property)> Settings(Type type)
        => type.GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .Where(p => p.DeclaringType != typeof(OodHeadSettings) && p.GetIndexParameters().Length == 0)
            .Select(p => (p.GetCustomAttribute<OodSettingNameAttribute>()?.Name ?? SnakeCase(p.Name), p));

    private static object? Parse(OodHeadInfo head, string name, Type type, bool nullable)
    {
        var underlying = Nullable.GetUnderlyingType(type);
        if (!head.Parameters.TryGetValue(name, out string? text))
        {
            return nullable
                ? null
                : throw new InvalidDataException(OodErrors.Format(OodErrors.SettingMissing, head.OutputColumnName, head.Kind, name));
        }
        var target = underlying ?? type;
        try
        {
            return target.IsEnum ? Enum.Parse(target, text) : Convert.ChangeType(text, target, CultureInfo.InvariantCulture);
        }
        catch (Exception e) when (e is FormatException or OverflowException or ArgumentException or InvalidCastException)
        {
            throw new InvalidDataException(OodErrors.Format(OodErrors.SettingUnreadable, head.OutputColumnName, head.Kind, name, text), e);
        }
    }

    private static string Format(object value) => value switch
    {
        float f => f.ToString("R", CultureInfo.InvariantCulture),
        double d => d.ToString("R", CultureInfo.InvariantCulture),
        bool b => b ? "true" : "false",
        IFormattable formattable => formattable.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString()!,
    };

    private static string SnakeCase(string name)
    {
        var builder = new StringBuilder(name.Length + 4);
        for (int i = 0; i < name.Length; i++)
        {
            if (char.IsUpper(name[i]) && i > 0)
            {
                builder.Append('_');
            }

            builder.Append(char.ToLowerInvariant(name[i]));
        }
        return builder.ToString();
    }
}
