using System.IO.Compression;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using Matih.Testing;

namespace Matih.Host.Tests.Api;

public sealed class PluginsTests
{
    [Fact]
    public async Task Every_built_in_plugin_is_loaded()
    {
        await using var host = await MatihHost.StartAsync();
        using var client = await host.SignedInAsync();

        var plugins = await client.GetFromJsonAsync<JsonElement>("api/plugins");

        var faker = plugins.EnumerateArray().Single(p => p.GetProperty("id").GetString() == "source-faker");
        Assert.Equal("loaded", faker.GetProperty("state").GetString());
        Assert.Equal("connector", faker.GetProperty("kind").GetString());
        Assert.Equal(1, faker.GetProperty("sdk_major").GetInt32());
        Assert.All(plugins.EnumerateArray(), p => Assert.Equal("loaded", p.GetProperty("state").GetString()));
    }

    [Fact]
    public async Task A_host_with_a_broken_plugins_file_keeps_running_and_says_where_the_file_is_wrong()
    {
        var folder = Directory.CreateTempSubdirectory("matih-badplugins-").FullName;
        var file = Path.Combine(folder, "plugins.json");
        await File.WriteAllTextAsync(file, "{ \"plugins\": [\n  { \"id\": \"source-faker\", \"path\": }\n] }");
        try
        {
            await using var host = await MatihHost.StartAsync(extraArgs: ["--plugins", file]);
            using var client = await host.SignedInAsync();

            var plugins = await client.GetFromJsonAsync<JsonElement>("api/plugins");

            var problem = Assert.Single(plugins.EnumerateArray());
            Assert.Equal("faulted", problem.GetProperty("state").GetString());
            Assert.Contains("plugins.json line 2, column", problem.GetProperty("error").GetString(), StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public async Task An_admin_disables_a_plugin_and_changes_its_settings_with_errors_named_by_field_and_each_change_waits_for_a_restart()
    {
        var folder = Directory.CreateTempSubdirectory("matih-pluginsapi-").FullName;
        var file = Path.Combine(folder, "plugins.json");
        var document = JsonNode.Parse(await File.ReadAllTextAsync(Path.Combine(MatihHost.RepositoryRoot, "plugins.json")))!;
        var notifiers = document["plugins"]!.AsArray().Single(p => p!["id"]!.GetValue<string>() == "notifiers")!;
        notifiers["settings"]!["email"]!["password"] = "s3cret-literal-password";
        await File.WriteAllTextAsync(file, document.ToJsonString());
        try
        {
            await using var host = await MatihHost.StartAsync(extraArgs: ["--plugins", file]);
            using var admin = await host.SignedInAsync();

            var disabled = await admin.PutAsJsonAsync("api/plugins/source-postgres/enabled", new { enabled = false });
            Assert.Equal(HttpStatusCode.OK, disabled.StatusCode);
            var answer = await disabled.Content.ReadFromJsonAsync<JsonElement>();
            Assert.True(answer.GetProperty("restart_required").GetBoolean());
            Assert.True(answer.GetProperty("plugin").GetProperty("pending_restart").GetBoolean());
            Assert.Equal("loaded", answer.GetProperty("plugin").GetProperty("state").GetString());
            var list = await admin.GetFromJsonAsync<JsonElement>("api/plugins");
            Assert.True(list.EnumerateArray().Single(p => p.GetProperty("id").GetString() == "source-postgres").GetProperty("pending_restart").GetBoolean());
            Assert.False(list.EnumerateArray().Single(p => p.GetProperty("id").GetString() == "notifiers").GetProperty("pending_restart").GetBoolean());

            // The secret is never returned: masked in settings, "set" in secrets. References name a secret and are shown.
            var detailText = await admin.GetStringAsync("api/plugins/notifiers");
            Assert.DoesNotContain("s3cret-literal-password", detailText, StringComparison.Ordinal);
            var detail = JsonNode.Parse(detailText)!;
            Assert.Equal("********", detail["settings"]!["email"]!["password"]!.GetValue<string>());
            Assert.Equal("set", detail["secrets"]!["settings.email.password"]!.GetValue<string>());
            Assert.Equal("${SLACK_DATA_ALERTS_URL}", detail["settings"]!["slack"]!["webhooks"]!["#data-alerts"]!.GetValue<string>());
            Assert.Contains(detail["declared_settings"]!.AsArray(), s => s!["name"]!.GetValue<string>() == "max_attempts");

            var before = await File.ReadAllTextAsync(file);
            var wrong = detail["settings"]!.DeepClone();
            wrong["max_attempts"] = 50;
            wrong["email"]!["port"] = "five-eight-seven";
            wrong["slack"]!["webhooks"]!["#new-channel"] = "https://hooks.example/literal";
            var refused = await admin.PutAsJsonAsync("api/plugins/notifiers/settings", new { settings = wrong });
            Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
            Assert.Equal("application/problem+json", refused.Content.Headers.ContentType?.MediaType);
            var errors = (await refused.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors");
            Assert.Equal("max_attempts must be at most 10.", errors.GetProperty("settings.max_attempts")[0].GetString());
            Assert.Equal("port must be a whole number.", errors.GetProperty("settings.email.port")[0].GetString());
            Assert.Contains("${NAME}", errors.GetProperty("settings.slack.webhooks[\"#new-channel\"]")[0].GetString(), StringComparison.Ordinal);
            Assert.Equal(before, await File.ReadAllTextAsync(file));

            // The plugin's own check: both username and password or neither (the declared specs cannot say that).
            var half = detail["settings"]!.DeepClone();
            half["email"]!.AsObject().Remove("username");
            var pluginRefused = await admin.PutAsJsonAsync("api/plugins/notifiers/settings", new { settings = half });
            Assert.Equal(HttpStatusCode.BadRequest, pluginRefused.StatusCode);
            var pluginErrors = (await pluginRefused.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors");
            Assert.Equal("is required when the other of username and password is given.", pluginErrors.GetProperty("settings.email.username")[0].GetString());

            var right = detail["settings"]!.DeepClone();
            right["max_attempts"] = 5;
            var saved = await admin.PutAsJsonAsync("api/plugins/notifiers/settings", new { settings = right });
            Assert.Equal(HttpStatusCode.OK, saved.StatusCode);
            var savedAnswer = await saved.Content.ReadFromJsonAsync<JsonElement>();
            Assert.True(savedAnswer.GetProperty("restart_required").GetBoolean());
            Assert.True(savedAnswer.GetProperty("plugin").GetProperty("pending_restart").GetBoolean());
            var written = JsonNode.Parse(await File.ReadAllTextAsync(file))!["plugins"]!.AsArray().Single(p => p!["id"]!.GetValue<string>() == "notifiers")!["settings"]!;
            Assert.Equal(5, written["max_attempts"]!.GetValue<int>());
            Assert.Equal("s3cret-literal-password", written["email"]!["password"]!.GetValue<string>());
            Assert.DoesNotContain("s3cret-literal-password", host.Output, StringComparison.Ordinal);

            // Each change is in the audit log, naming the settings changed but never a value.
            var auditText = await admin.GetStringAsync("api/audit?action=plugin.*");
            Assert.DoesNotContain("s3cret-literal-password", auditText, StringComparison.Ordinal);
            var audit = JsonNode.Parse(auditText)!["items"]!.AsArray();
            Assert.Contains(audit, e => e!["action"]!.GetValue<string>() == "plugin.disabled" && e["target"]!.GetValue<string>() == "source-postgres");
            Assert.Contains(audit, e => e!["action"]!.GetValue<string>() == "plugin.settings_changed" && e["detail"]!.GetValue<string>() == "changed: max_attempts");

            var missing = await admin.PutAsJsonAsync("api/plugins/ghost/enabled", new { enabled = true });
            Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
            var noFlag = await admin.PutAsJsonAsync("api/plugins/notifiers/enabled", new { });
            Assert.Equal("enabled is required: true or false.", (await noFlag.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors").GetProperty("enabled")[0].GetString());

            // Analysts and viewers keep the read-only list.
            (await admin.PostAsJsonAsync("api/users", new { username = "plugin-analyst", password = "analyst-password-123", role = "analyst" })).EnsureSuccessStatusCode();
            using var analyst = await host.SignedInAsync("plugin-analyst", "analyst-password-123");
            Assert.Equal(HttpStatusCode.OK, (await analyst.GetAsync("api/plugins")).StatusCode);
            Assert.Equal(HttpStatusCode.Forbidden, (await analyst.GetAsync("api/plugins/notifiers")).StatusCode);
            Assert.Equal(HttpStatusCode.Forbidden, (await analyst.PutAsJsonAsync("api/plugins/notifiers/enabled", new { enabled = false })).StatusCode);
            Assert.Equal(HttpStatusCode.Forbidden, (await analyst.PutAsJsonAsync("api/plugins/notifiers/settings", new { settings = right })).StatusCode);
            Assert.Equal(HttpStatusCode.Forbidden, (await analyst.PostAsJsonAsync("api/plugins", new { path = "/tmp" })).StatusCode);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public async Task An_admin_installs_a_zipped_plugin_and_a_plugin_for_another_sdk_major_is_refused()
    {
        var folder = Directory.CreateTempSubdirectory("matih-pluginsinstall-").FullName;
        var file = Path.Combine(folder, "plugins.json");
        await File.WriteAllTextAsync(file, """{ "plugins": [ { "id": "source-faker", "path": "Matih.Plugins.SourceFaker", "enabled": true, "settings": {} } ] }""");
        var zip = Path.Combine(folder, "drift.zip");
        ZipFile.CreateFromDirectory(Path.Combine(Path.GetDirectoryName(MatihHost.HostAssembly)!, "plugins", "Matih.Plugins.Drift"), zip);
        try
        {
            await using var host = await MatihHost.StartAsync(extraArgs: ["--plugins", file]);
            using var admin = await host.SignedInAsync();

            var future = Path.Combine(MatihHost.RepositoryRoot, "tests", "TestPlugins", "Matih.TestPlugins.FutureSdk", "bin", "Debug", "net10.0");
            var refused = await admin.PostAsJsonAsync("api/plugins", new { path = future, enabled = true });
            Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
            var error = (await refused.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors").GetProperty("path")[0].GetString();
            Assert.Contains("built for Matih SDK 2.x, but this host runs SDK 1.x", error, StringComparison.Ordinal);

            using var form = new MultipartFormDataContent();
            var content = new ByteArrayContent(await File.ReadAllBytesAsync(zip));
            content.Headers.ContentType = new MediaTypeHeaderValue("application/zip");
            form.Add(content, "file", "drift.zip");
            form.Add(new StringContent("false"), "enabled");
            var installed = await admin.PostAsync("api/plugins", form);

            Assert.Equal(HttpStatusCode.Created, installed.StatusCode);
            var answer = await installed.Content.ReadFromJsonAsync<JsonElement>();
            Assert.True(answer.GetProperty("restart_required").GetBoolean());
            var plugin = answer.GetProperty("plugin");
            Assert.Equal("drift", plugin.GetProperty("id").GetString());
            Assert.Equal("drift_detector", plugin.GetProperty("kind").GetString());
            Assert.Equal(1, plugin.GetProperty("sdk_major").GetInt32());
            Assert.False(plugin.GetProperty("enabled").GetBoolean());
            var entry = JsonNode.Parse(await File.ReadAllTextAsync(file))!["plugins"]![1]!;
            Assert.Equal("drift", entry["id"]!.GetValue<string>());
            Assert.StartsWith(Path.Combine(host.DataDirectory, "plugins", "drift"), entry["path"]!.GetValue<string>(), StringComparison.Ordinal);
            Assert.False(entry["enabled"]!.GetValue<bool>());
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }
}
