namespace Matih.Core.Lineage;

/// <summary>One statement of a script and where it starts, so errors can point into the whole text.</summary>
/// <param name="Text">The statement without its terminating semicolon.</param>
/// <param name="Offset">Its 0-based character offset in the script.</param>
public sealed record SqlStatement(string Text, int Offset);

/// <summary>Splits SQL scripts into statements, respecting quotes and comments.</summary>
public static class SqlStatements
{
    /// <summary>The non-empty statements of <paramref name="sql"/>.</summary>
    public static IReadOnlyList<SqlStatement> Split(string sql)
    {
        var statements = new List<SqlStatement>();
        var start = 0;
        var i = 0;
        while (i < sql.Length)
        {
            var c = sql[i];
            if (c is '\'' or '"')
            {
                i = SkipQuoted(sql, i, c);
            }
            else if (c == '-' && i + 1 < sql.Length && sql[i + 1] == '-')
            {
                var end = sql.IndexOf('\n', i);
                i = end < 0 ? sql.Length : end + 1;
            }
            else if (c == '/' && i + 1 < sql.Length && sql[i + 1] == '*')
            {
                var end = sql.IndexOf("*/", i + 2, StringComparison.Ordinal);
                i = end < 0 ? sql.Length : end + 2;
            }
            else if (c == ';')
            {
                Add(sql, start, i, statements);
                start = ++i;
            }
            else
            {
                i++;
            }
        }

        Add(sql, start, sql.Length, statements);
        return statements;
    }

    /// <summary><paramref name="sql"/> with comments replaced by spaces (positions kept).</summary>
    public static string WithoutComments(string sql)
    {
        var chars = sql.ToCharArray();
        var i = 0;
        while (i < chars.Length)
        {
            var c = chars[i];
            if (c is '\'' or '"')
            {
                i = SkipQuoted(sql, i, c);
            }
            else if (c == '-' && i + 1 < chars.Length && chars[i + 1] == '-')
            {
                while (i < chars.Length && chars[i] != '\n')
                {
                    chars[i++] = ' ';
                }
            }
            else if (c == '/' && i + 1 < chars.Length && chars[i + 1] == '*')
            {
                var end = sql.IndexOf("*/", i + 2, StringComparison.Ordinal);
                var stop = end < 0 ? chars.Length : end + 2;
                for (; i < stop; i++)
                {
                    chars[i] = chars[i] == '\n' ? '\n' : ' ';
                }
            }
            else
            {
                i++;
            }
        }

        return new string(chars);
    }

    private static int SkipQuoted(string sql, int i, char quote)
    {
        i++;
        while (i < sql.Length)
        {
            if (sql[i] == quote)
            {
                if (i + 1 < sql.Length && sql[i + 1] == quote)
                {
                    i += 2;
                    continue;
                }

                return i + 1;
            }

            i++;
        }

        return i;
    }

    private static void Add(string sql, int start, int end, List<SqlStatement> statements)
    {
        var text = sql[start..end];
        if (!string.IsNullOrWhiteSpace(WithoutComments(text)))
        {
            statements.Add(new SqlStatement(text, start));
        }
    }
}
