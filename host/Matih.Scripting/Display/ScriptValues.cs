using System.Collections;
using System.Globalization;
using System.Reflection;
using System.Runtime.CompilerServices;
using System.Text.Json;
using System.Text.Json.Nodes;
using Matih.Scripting.Protocol;

namespace Matih.Scripting.Display;

/// <summary>
/// Turns what a script returns or displays into a <see cref="ScriptValue"/>: tables (a <see cref="Table"/>, a list
/// of records or objects) as grids, a <see cref="Series"/> or numbers (a list, a dictionary of label to number) as
/// charts, numbers and text plainly, JSON indented, anything else by its text.
/// </summary>
public static class ScriptValues
{
    private const int MaxPoints = 10_000;
    private static readonly JsonSerializerOptions s_indented = new() { WriteIndented = true };

    /// <summary>The value as the console shows it.</summary>
    public static ScriptValue Render(object? value, string? title = null)
    {
        try
        {
            return RenderCore(value) with { Title = title };
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // A lazy sequence that throws while shown is the script's error, told without losing the run.
            return new ScriptValue { Kind = "text", Type = TypeName(value?.GetType()), Text = $"(could not show the value: {e.GetType().Name}: {e.Message})", Title = title };
        }
    }

    /// <summary>A .NET type in C# words: <c>List&lt;int&gt;</c>, <c>Table</c>.</summary>
    public static string? TypeName(Type? type)
    {
        if (type is null)
        {
            return null;
        }

        if (Nullable.GetUnderlyingType(type) is { } inner)
        {
            return TypeName(inner) + "?";
        }

        if (type.IsArray)
        {
            return TypeName(type.GetElementType()) + "[]";
        }

        var keyword = Type.GetTypeCode(type) switch
        {
            TypeCode.Int32 => "int",
            TypeCode.Int64 => "long",
            TypeCode.Double => "double",
            TypeCode.Decimal => "decimal",
            TypeCode.String => "string",
            TypeCode.Boolean => "bool",
            TypeCode.Single => "float",
            TypeCode.Int16 => "short",
            TypeCode.Byte => "byte",
            _ => null,
        };
        if (keyword is not null && !type.IsEnum)
        {
            return keyword;
        }

        if (type.IsDefined(typeof(CompilerGeneratedAttribute), false) && type.Name.Contains("AnonymousType", StringComparison.Ordinal))
        {
            return "anonymous";
        }

        if (!type.IsGenericType)
        {
            return type.Name;
        }

        var name = type.Name[..type.Name.IndexOf('`', StringComparison.Ordinal)];
        return $"{name}<{string.Join(", ", type.GetGenericArguments().Select(TypeName))}>";
    }

    private static ScriptValue RenderCore(object? value)
    {
        var type = TypeName(value?.GetType());
        switch (value)
        {
            case null:
                return new ScriptValue { Kind = "null", Text = "null" };
            case Table table:
                return FromTable(table, type);
            case Series series:
                return new ScriptValue
                {
                    Kind = "series",
                    Type = type,
                    Text = series.ToString(),
                    Chart = series.Chart,
                    Series = [new ScriptSeries(series.Name, series.Labels, series.Values)],
                };
            case TableProfile profile:
                return FromTable(profile.ToTable(), type) with { Text = profile.ToTable().Format(100) };
            case string text:
                return new ScriptValue { Kind = "text", Type = type, Text = text };
            case char c:
                return new ScriptValue { Kind = "text", Type = type, Text = c.ToString() };
            case bool b:
                return new ScriptValue { Kind = "boolean", Type = type, Text = b ? "true" : "false" };
            case JsonNode node:
                return new ScriptValue { Kind = "json", Type = type, Text = node.ToJsonString(s_indented) };
            case JsonElement element:
                return new ScriptValue { Kind = "json", Type = type, Text = JsonSerializer.Serialize(element, s_indented) };
            case DateTime or DateTimeOffset or DateOnly or TimeOnly or TimeSpan or Guid or Enum or Uri:
                return new ScriptValue { Kind = "text", Type = type, Text = Table.Text(value) };
        }

        if (IsNumber(value))
        {
            return new ScriptValue { Kind = "number", Type = type, Text = Table.Text(value) };
        }

        if (value is IDictionary dictionary)
        {
            var entries = new List<DictionaryEntry>();
            var walk = dictionary.GetEnumerator();
            while (entries.Count <= MaxPoints && walk.MoveNext())
            {
                entries.Add(walk.Entry);
            }

            if (entries.Count is > 0 and <= MaxPoints && entries.All(e => IsNumber(e.Value)))
            {
                return Chart(type, "values", entries.Select(e => Table.Text(e.Key)).ToArray(), entries.Select(e => ToDouble(e.Value)).ToArray());
            }

            return FromTable(new Table([new("key", ""), new("value", "")], entries.Take(ScriptValue.MaxRows).Select(e => new[] { e.Key, e.Value }).ToArray(), entries.Count), type);
        }

        if (value is IEnumerable sequence)
        {
            var items = sequence.Cast<object?>().Take(MaxPoints + 1).ToList();
            if (items.Count is > 0 and <= MaxPoints && items.All(IsNumber))
            {
                return Chart(type, "values", Enumerable.Range(1, items.Count).Select(i => i.ToString(CultureInfo.InvariantCulture)).ToArray(), items.Select(ToDouble).ToArray());
            }

            if (items.Count is > 0 and <= MaxPoints && items.All(i => Pair(i) is { } p && IsNumber(p.Value)))
            {
                var pairs = items.Select(i => Pair(i)!.Value).ToArray();
                return Chart(type, "values", pairs.Select(p => Table.Text(p.Key)).ToArray(), pairs.Select(p => ToDouble(p.Value)).ToArray());
            }

            if (items.Count > 0 && items.All(i => i is Series))
            {
                var all = items.Cast<Series>().ToArray();
                return new ScriptValue
                {
                    Kind = "series",
                    Type = type,
                    Text = string.Join(Environment.NewLine, all.Select(s => s.ToString())),
                    Chart = all[0].Chart,
                    Series = all.Select(s => new ScriptSeries(s.Name, s.Labels, s.Values)).ToArray(),
                };
            }

            return FromTable(ToTable(items), type);
        }

        var toString = value.ToString() ?? "";
        if (value.GetType().GetMethod("ToString", Type.EmptyTypes)?.DeclaringType != typeof(object))
        {
            return new ScriptValue { Kind = "object", Type = type, Text = toString };
        }

        // A plain class without a ToString of its own: its properties, one per row.
        var properties = Readable(value.GetType());
        var rows = properties.Select(p => new object?[] { p.Name, Cell(Read(p, value)) }).ToArray();
        var asTable = new Table([new("property", ""), new("value", "")], rows);
        return FromTable(asTable, type) with { Text = asTable.Format(100) };
    }

    private static ScriptValue Chart(string? type, string name, IReadOnlyList<string> labels, IReadOnlyList<double> values)
    {
        var series = new Series(name, labels, values);
        return new ScriptValue { Kind = "series", Type = type, Text = series.ToString(), Chart = "line", Series = [new ScriptSeries(name, labels, values)] };
    }

    private static ScriptValue FromTable(Table table, string? type) => new()
    {
        Kind = "table",
        Type = type,
        Text = table.Format(20),
        Columns = table.Columns.Select(c => new ScriptColumn(c.Name, c.Type)).ToArray(),
        Rows = table.Rows.Take(ScriptValue.MaxRows).Select(r => r.Select(ToJson).ToArray()).ToArray(),
        RowCount = table.RowCount,
    };

    private static Table ToTable(IReadOnlyList<object?> items)
    {
        var first = items.FirstOrDefault(i => i is not null);
        if (first is null || IsScalar(first))
        {
            return new Table([new("value", TypeName(first?.GetType()) ?? "")], items.Take(ScriptValue.MaxRows).Select(i => new[] { Cell(i) }).ToArray(), items.Count);
        }

        if (first is IReadOnlyDictionary<string, object?> record)
        {
            var keys = record.Keys.ToArray();
            return new Table(keys.Select(k => new TableColumn(k, "")).ToArray(),
                items.Take(ScriptValue.MaxRows).Select(i => keys.Select(k => i is IReadOnlyDictionary<string, object?> d && d.TryGetValue(k, out var v) ? Cell(v) : null).ToArray()).ToArray(),
                items.Count);
        }

        var properties = Readable(first.GetType());
        return new Table(
            properties.Select(p => new TableColumn(p.Name, TypeName(p.PropertyType) ?? "")).ToArray(),
            items.Take(ScriptValue.MaxRows).Select(i => properties.Select(p => i is null ? null : Cell(Read(p, i))).ToArray()).ToArray(),
            items.Count);
    }

    private static PropertyInfo[] Readable(Type type) =>
        type.GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.GetIndexParameters().Length == 0 && p.CanRead).ToArray();

    private static object? Read(PropertyInfo property, object target)
    {
        try
        {
            return property.GetValue(target);
        }
        catch (TargetInvocationException e)
        {
            return $"({e.InnerException?.GetType().Name})";
        }
    }

    private static object? Cell(object? value) => value switch
    {
        null => null,
        _ when IsScalar(value) => value,
        JsonElement element => element,
        _ => value.ToString(),
    };

    private static JsonElement ToJson(object? value) => value switch
    {
        JsonElement element => element,
        null => JsonSerializer.SerializeToElement<object?>(null),
        double d when double.IsNaN(d) || double.IsInfinity(d) => JsonSerializer.SerializeToElement(Table.Text(d)),
        float f when float.IsNaN(f) || float.IsInfinity(f) => JsonSerializer.SerializeToElement(Table.Text(f)),
        _ when IsNumber(value) || value is bool or string => JsonSerializer.SerializeToElement(value, value.GetType()),
        _ => JsonSerializer.SerializeToElement(Table.Text(value)),
    };

    private static (object? Key, object? Value)? Pair(object? item)
    {
        if (item is null)
        {
            return null;
        }

        var type = item.GetType();
        if (type.IsGenericType && type.GetGenericTypeDefinition() == typeof(KeyValuePair<,>))
        {
            return (type.GetProperty("Key")!.GetValue(item), type.GetProperty("Value")!.GetValue(item));
        }

        if (item is ITuple { Length: 2 } tuple)
        {
            return (tuple[0], tuple[1]);
        }

        return null;
    }

    private static bool IsScalar(object value) =>
        IsNumber(value) || value is string or bool or char or DateTime or DateTimeOffset or DateOnly or TimeOnly or TimeSpan or Guid or Enum or decimal;

    private static bool IsNumber(object? value) =>
        value is sbyte or byte or short or ushort or int or uint or long or ulong or float or double or decimal;

    private static double ToDouble(object? value) => Convert.ToDouble(value, CultureInfo.InvariantCulture);
}
