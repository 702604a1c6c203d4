using Matih.Core.Plugins;

namespace Matih.Core.Tests.Plugins;

public sealed class PluginsFileTests : IDisposable
{
    private readonly string _file = Path.Combine(Directory.CreateTempSubdirectory("matih-pf-").FullName, "plugins.json");

    public void Dispose() => Directory.Delete(Path.GetDirectoryName(_file)!, recursive: true);

    [Fact]
    public void Bad_json_is_reported_with_its_line_and_column_and_loads_nothing()
    {
        File.WriteAllText(_file, "{\n  \"plugins\": [\n    { \"id\": \"a\" \"path\": \"x\" }\n  ]\n}");

        var file = PluginsFile.Read(_file);

        Assert.Empty(file.Entries);
        var problem = Assert.Single(file.Problems);
        Assert.Contains("plugins.json line 3, column", problem.Error, StringComparison.Ordinal);
        Assert.Contains("not valid JSON", problem.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void An_entry_without_a_path_is_named_by_index_and_id_while_good_entries_remain()
    {
        File.WriteAllText(_file, """{ "plugins": [ { "id": "a" }, { "id": "b", "path": "B" } ] }""");

        var file = PluginsFile.Read(_file);

        Assert.Equal("b", Assert.Single(file.Entries).Id);
        Assert.Equal("plugins.json plugins[0] (a): \"path\" is required (a built-in plugin's folder name, or a folder or .dll relative to plugins.json).",
            Assert.Single(file.Problems).Error);
    }

    [Fact]
    public void Duplicate_ids_and_wrongly_typed_fields_are_each_reported()
    {
        File.WriteAllText(_file, """
            { "plugins": [
              { "id": "a", "path": "A" },
              { "id": "a", "path": "A2" },
              { "id": "c", "path": "C", "enabled": "yes" },
              { "id": "d", "path": "D", "settings": [1] },
              { "path": "E" } ] }
            """);

        var file = PluginsFile.Read(_file);

        Assert.Equal(["a"], file.Entries.Select(e => e.Id));
        Assert.Collection(file.Problems,
            p => Assert.Contains("plugins[1] (a): the id appears twice", p.Error, StringComparison.Ordinal),
            p => Assert.Contains("plugins[2] (c): \"enabled\" must be true or false", p.Error, StringComparison.Ordinal),
            p => Assert.Contains("plugins[3] (d): \"settings\" must be an object", p.Error, StringComparison.Ordinal),
            p => Assert.Contains("plugins[4]: \"id\" is required", p.Error, StringComparison.Ordinal));
    }

    [Fact]
    public void A_missing_file_means_no_plugins_with_the_path_in_the_message()
    {
        var file = PluginsFile.Read(_file + ".absent");

        Assert.Empty(file.Entries);
        Assert.Contains("plugins.json.absent was not found", Assert.Single(file.Problems).Error, StringComparison.Ordinal);
    }

    [Fact]
    public void Comments_and_trailing_commas_are_tolerated()
    {
        File.WriteAllText(_file, """
            {
              // built-in
              "plugins": [ { "id": "a", "path": "A", "enabled": true, }, ],
            }
            """);

        Assert.Single(PluginsFile.Read(_file).Entries);
    }
}
