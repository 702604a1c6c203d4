using System.Text.Json.Nodes;
using Matih.Host.Components.Pipelines;
using Matih.Sdk.Plugins;

namespace Matih.Host.Tests.Pipelines;

public sealed class ConfigFieldTextTests
{
    [Theory]
    [InlineData(ParameterType.Integer, "3", "3")]
    [InlineData(ParameterType.Number, "0.10", "0.10")]
    [InlineData(ParameterType.Array, "[\"a\", 2]", "[\"a\",2]")]
    [InlineData(ParameterType.Object, "{\"k\": {\"n\": 1}}", "{\"k\":{\"n\":1}}")]
    [InlineData(ParameterType.Duration, " 30s ", "\"30s\"")]
    public void What_is_typed_becomes_the_json_value_of_its_type(ParameterType type, string text, string json)
    {
        var (value, error) = ConfigFieldText.Read(new ParameterSpec("x", type, ""), text);

        Assert.Null(error);
        Assert.Equal(json, value!.ToJsonString());
    }

    [Theory]
    [InlineData(ParameterType.Integer, "2.5", "whole number")]
    [InlineData(ParameterType.Number, "lots", "a number")]
    [InlineData(ParameterType.Array, "{\"a\": 1}", "JSON list")]
    [InlineData(ParameterType.Object, "{oops", "JSON object")]
    public void Text_that_is_not_of_the_fields_type_is_an_error_naming_the_field(ParameterType type, string text, string expected)
    {
        var (value, error) = ConfigFieldText.Read(new ParameterSpec("max_rows", type, ""), text);

        Assert.Null(value);
        Assert.Contains("max_rows", error);
        Assert.Contains(expected, error);
    }

    [Fact]
    public void An_empty_field_removes_the_entry_and_sql_keeps_its_lines()
    {
        Assert.Equal((null, null), ConfigFieldText.Read(new ParameterSpec("x", ParameterType.String, ""), "  "));
        Assert.Equal("SELECT 1\n  FROM t", ConfigFieldText.Read(new ParameterSpec("sql", ParameterType.Sql, ""), "SELECT 1\n  FROM t").Value!.GetValue<string>());
    }

    [Fact]
    public void Values_show_as_text_and_defaults_in_the_help()
    {
        Assert.Equal("analytics.derived.t", ConfigFieldText.Show(JsonValue.Create("analytics.derived.t")));
        Assert.Equal("true", ConfigFieldText.Show(JsonValue.Create(true)));
        Assert.Equal("", ConfigFieldText.Show(null));
        Assert.EndsWith("Default: overwrite.", ConfigFieldText.Help(new ParameterSpec("write_mode", ParameterType.String, "How.") { Default = "overwrite" }));
    }
}
