using System.Text.Json.Nodes;
using Matih.Core.Plugins;

namespace Matih.Core.Tests.Plugins;

public sealed class PluginsFileWriterTests : IDisposable
{
    private const string TwoPlugins = """
        {
          "plugins": [
            { "id": "source-faker", "path": "Matih.Plugins.SourceFaker", "enabled": true, "settings": { "default_scale": 0.05 }, "owner": "data team" },
            { "id": "notifiers", "path": "Matih.Plugins.Notifiers", "enabled": true,
              "settings": { "email": { "host": "${SMTP_HOST}", "port": 587, "from": "Matih <matih@novamart.com>" } } }
          ],
          "reviewed": "2026-11-01"
        }
        """;

    private readonly string _folder = Directory.CreateTempSubdirectory("matih-pluginsfile-").FullName;

    private string FilePath => Path.Combine(_folder, "plugins.json");

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public void Disabling_a_plugin_changes_only_its_enabled_flag_and_keeps_every_other_entry_and_field()
    {
        File.WriteAllText(FilePath, TwoPlugins);

        PluginsFileWriter.SetEnabled(FilePath, "notifiers", false);

        var expected = JsonNode.Parse(TwoPlugins)!;
        expected["plugins"]![1]!["enabled"] = false;
        Assert.True(JsonNode.DeepEquals(expected, JsonNode.Parse(File.ReadAllText(FilePath))));
        Assert.Contains("\"from\": \"Matih <matih@novamart.com>\"", File.ReadAllText(FilePath), StringComparison.Ordinal);
        Assert.False(PluginsFile.Read(FilePath).Entries.Single(e => e.Id == "notifiers").Enabled);
    }

    [Fact]
    public void The_file_is_replaced_whole_so_a_reader_of_the_old_file_never_sees_half_of_the_new_one()
    {
        File.WriteAllText(FilePath, TwoPlugins);
        using var reader = new FileStream(FilePath, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);

        PluginsFileWriter.SetSettings(FilePath, "source-faker", new JsonObject { ["default_scale"] = 0.5 });

        // A rename leaves the open file intact; writing in place would have truncated it under the reader.
        using (var old = new StreamReader(reader))
        {
            Assert.Equal(TwoPlugins, old.ReadToEnd());
        }

        Assert.Equal(0.5, JsonNode.Parse(File.ReadAllText(FilePath))!["plugins"]![0]!["settings"]!["default_scale"]!.GetValue<double>());
        Assert.Equal(["plugins.json"], Directory.GetFiles(_folder).Select(Path.GetFileName));
    }

    [Fact]
    public void A_file_that_is_not_valid_JSON_is_refused_with_its_line_and_left_untouched()
    {
        const string broken = "{ \"plugins\": [\n  { \"id\": \"source-faker\", \"path\": }\n] }";
        File.WriteAllText(FilePath, broken);

        var refused = Assert.Throws<PluginsFileException>(() => PluginsFileWriter.SetEnabled(FilePath, "source-faker", false));

        Assert.Contains("plugins.json line 2", refused.Message, StringComparison.Ordinal);
        Assert.Contains("not valid JSON, so it was not changed", refused.Message, StringComparison.Ordinal);
        Assert.Equal(broken, File.ReadAllText(FilePath));
    }

    [Fact]
    public void Changing_a_plugin_the_file_does_not_list_is_refused_naming_it()
    {
        File.WriteAllText(FilePath, TwoPlugins);

        var refused = Assert.Throws<PluginsFileException>(() => PluginsFileWriter.SetEnabled(FilePath, "ghost", true));

        Assert.True(refused.NotFound);
        Assert.Equal("plugins.json has no plugin \"ghost\".", refused.Message);
        Assert.Equal(TwoPlugins, File.ReadAllText(FilePath));
    }

    [Fact]
    public void An_installed_plugin_is_appended_at_the_end_and_an_id_already_listed_is_refused()
    {
        File.WriteAllText(FilePath, TwoPlugins);

        PluginsFileWriter.Append(FilePath, "json-new", "/opt/plugins/json-new/Matih.TestPlugins.JsonNew.dll", enabled: false);

        var entries = PluginsFile.Read(FilePath).Entries;
        Assert.Equal(["source-faker", "notifiers", "json-new"], entries.Select(e => e.Id));
        Assert.False(entries[2].Enabled);
        var again = Assert.Throws<PluginsFileException>(() => PluginsFileWriter.Append(FilePath, "Notifiers", "x", enabled: true));
        Assert.Contains("already lists a plugin \"Notifiers\"", again.Message, StringComparison.Ordinal);
        Assert.Equal(3, PluginsFile.Read(FilePath).Entries.Count);
    }
}
