namespace Matih.Plugins.SourcePostgres;

/// <summary>SQL text helpers.</summary>
internal static class Sql
{
    /// <summary>Quotes an identifier: <c>"name"</c>.</summary>
    public static string Quote(string identifier) => "\"" + identifier.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";

    /// <summary>Quotes a string literal: <c>'text'</c> (standard_conforming_strings is on since 9.1).</summary>
    public static string Literal(string value) => "'" + value.Replace("'", "''", StringComparison.Ordinal) + "'";
}
