namespace Matih.Sdk.Data;

/// <summary>A three-part table name: <c>catalog.schema.table</c>, as in <c>postgresql.novamart.customers</c>.</summary>
public sealed record TableRef(string Catalog, string Schema, string Table)
{
    /// <summary>Parses <c>catalog.schema.table</c>. Parts may be double-quoted to contain dots.</summary>
    /// <exception cref="FormatException">The text is not three non-empty parts.</exception>
    public static TableRef Parse(string text)
    {
        if (TryParse(text, out var table))
        {
            return table;
        }

        throw new FormatException($"'{text}' is not a three-part table name (catalog.schema.table).");
    }

    /// <summary>Parses <c>catalog.schema.table</c>; false when the text is not three non-empty parts.</summary>
    public static bool TryParse(string? text, out TableRef table)
    {
        table = null!;
        if (string.IsNullOrWhiteSpace(text))
        {
            return false;
        }

        var parts = new List<string>(3);
        var current = new System.Text.StringBuilder();
        var quoted = false;
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (c == '"')
            {
                if (quoted && i + 1 < text.Length && text[i + 1] == '"')
                {
                    current.Append('"');
                    i++;
                }
                else
                {
                    quoted = !quoted;
                }
            }
            else if (c == '.' && !quoted)
            {
                parts.Add(current.ToString().Trim());
                current.Clear();
            }
            else
            {
                current.Append(c);
            }
        }

        parts.Add(current.ToString().Trim());
        if (quoted || parts.Count != 3 || parts.Any(string.IsNullOrEmpty))
        {
            return false;
        }

        table = new TableRef(parts[0], parts[1], parts[2]);
        return true;
    }

    /// <summary>The name quoted for SQL: <c>"catalog"."schema"."table"</c>.</summary>
    public string ToSql() => $"{Quote(Catalog)}.{Quote(Schema)}.{Quote(Table)}";

    /// <summary>The plain dotted name.</summary>
    public override string ToString() => $"{Catalog}.{Schema}.{Table}";

    /// <summary>Quotes one SQL identifier.</summary>
    public static string Quote(string identifier) => "\"" + identifier.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";
}
