using System.Text.Json;

namespace Matih.Core.Files;

/// <summary>
/// Reads declared columns as users write them: the seed's <c>customer_id (INT), survey_date (DATE), ...</c>,
/// <c>customer_id INT, ...</c>, or JSON <c>[{"name": "customer_id", "type": "INT"}]</c>.
/// </summary>
public static partial class DeclaredColumns
{
    /// <summary>Parses <paramref name="text"/>; throws <see cref="FormatException"/> naming the entry at fault.</summary>
    public static IReadOnlyList<DeclaredColumn> Parse(string text)
    {
        text = text.Trim();
        if (text.StartsWith('['))
        {
            try
            {
                return JsonSerializer.Deserialize<DeclaredColumn[]>(text, new JsonSerializerOptions(JsonSerializerDefaults.Web)) ?? [];
            }
            catch (JsonException e)
            {
                throw new FormatException($"columns is not a JSON list of {{name, type}}: {e.Message}", e);
            }
        }

        var columns = new List<DeclaredColumn>();
        var entries = SplitTopLevel(text);
        for (var i = 0; i < entries.Count; i++)
        {
            var entry = entries[i].Trim();
            var parenthesised = Parenthesised().Match(entry);
            var space = entry.IndexOfAny([' ', '\t']);
            if (parenthesised.Success)
            {
                columns.Add(new DeclaredColumn(parenthesised.Groups[1].Value, parenthesised.Groups[2].Value.Trim()));
            }
            else if (space > 0)
            {
                columns.Add(new DeclaredColumn(entry[..space], entry[space..].Trim()));
            }
            else
            {
                throw new FormatException($"columns entry {i + 1} ('{entry}') needs a name and a type, e.g. customer_id (INT).");
            }
        }

        return columns;
    }

    private static List<string> SplitTopLevel(string text)
    {
        var parts = new List<string>();
        var depth = 0;
        var start = 0;
        for (var i = 0; i < text.Length; i++)
        {
            depth += text[i] switch { '(' => 1, ')' => -1, _ => 0 };
            if (text[i] == ',' && depth == 0)
            {
                parts.Add(text[start..i]);
                start = i + 1;
            }
        }

        parts.Add(text[start..]);
        return parts.Where(p => !string.IsNullOrWhiteSpace(p)).ToList();
    }

    [System.Text.RegularExpressions.GeneratedRegex(@"^(\w+)\s*\((.+)\)$")]
    private static partial System.Text.RegularExpressions.Regex Parenthesised();
}
