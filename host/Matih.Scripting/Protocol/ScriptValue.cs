using System.Text.Json;

namespace Matih.Scripting.Protocol;

/// <summary>
/// A script's value as the console renders it. <see cref="Kind"/>: <c>table</c> (a grid of <see cref="Columns"/> and
/// <see cref="Rows"/>), <c>series</c> (a chart), <c>number</c>, <c>text</c>, <c>boolean</c>, <c>json</c> (indented
/// text), <c>object</c> (its text), <c>null</c>. <see cref="Text"/> is always set: the plain rendering headless runs print.
/// </summary>
public sealed record ScriptValue
{
    /// <summary>table, series, number, text, boolean, json, object or null.</summary>
    public required string Kind { get; init; }

    /// <summary>The .NET type, in C# words (<c>Table</c>, <c>List&lt;int&gt;</c>).</summary>
    public string? Type { get; init; }

    /// <summary>The value as plain text.</summary>
    public required string Text { get; init; }

    /// <summary>A caption given with <c>Display(value, title)</c>.</summary>
    public string? Title { get; init; }

    /// <summary>For tables: the columns.</summary>
    public IReadOnlyList<ScriptColumn>? Columns { get; init; }

    /// <summary>For tables: the rows shown (at most <see cref="MaxRows"/>), values as JSON.</summary>
    public IReadOnlyList<JsonElement[]>? Rows { get; init; }

    /// <summary>For tables: all rows, shown or not.</summary>
    public long? RowCount { get; init; }

    /// <summary>For series: the lines or bars.</summary>
    public IReadOnlyList<ScriptSeries>? Series { get; init; }

    /// <summary>For series: <c>line</c> or <c>bar</c>.</summary>
    public string? Chart { get; init; }

    /// <summary>The most rows a table value carries.</summary>
    public const int MaxRows = 1000;
}

/// <summary>A column of a table value.</summary>
/// <param name="Name">The column name.</param>
/// <param name="Type">Its type (warehouse or .NET).</param>
public sealed record ScriptColumn(string Name, string Type);

/// <summary>A series of a chart value.</summary>
/// <param name="Name">The legend.</param>
/// <param name="Labels">The x-axis labels.</param>
/// <param name="Values">The values.</param>
public sealed record ScriptSeries(string Name, IReadOnlyList<string> Labels, IReadOnlyList<double> Values);
