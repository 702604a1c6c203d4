using System.Text.Json.Nodes;
using Matih.Core.Plugins;
using Matih.Sdk.Plugins;

namespace Matih.Core.Tests.Plugins;

public sealed class PluginSettingsCheckTests
{
    private static readonly IReadOnlyList<ParameterSpec> s_specs =
    [
        new("slack", ParameterType.Object, "Slack.")
        {
            Properties = [new("webhooks", ParameterType.Object, "Channel to URL.") { Values = new("channel", ParameterType.String, "URL.") { Secret = true } }],
        },
        new("email", ParameterType.Object, "SMTP.")
        {
            Properties =
            [
                new("host", ParameterType.String, "Host.") { Required = true },
                new("port", ParameterType.Integer, "Port.") { Minimum = 1, Maximum = 65_535 },
                new("password", ParameterType.String, "Password.") { Secret = true },
            ],
        },
        new("max_attempts", ParameterType.Integer, "Attempts.") { Minimum = 1, Maximum = 10 },
        new("mode", ParameterType.String, "Mode.") { AllowedValues = ["fast", "safe"] },
    ];

    [Fact]
    public void Each_problem_is_named_by_the_json_path_of_its_setting()
    {
        var settings = JsonNode.Parse("""
            { "email": { "port": 70000 }, "max_attempts": 2.5, "mode": "reckless", "colour": "blue",
              "slack": { "webhooks": { "#data-alerts": 42 } } }
            """)!.AsObject();

        var problems = PluginSettingsCheck.AgainstSpecs(settings, s_specs).ToDictionary(p => p.Path, p => p.Message);

        Assert.Equal("host is required: Host.", problems["settings.email.host"]);
        Assert.Equal("port must be at most 65535.", problems["settings.email.port"]);
        Assert.Equal("max_attempts must be a whole number.", problems["settings.max_attempts"]);
        Assert.Equal("'reckless' is not allowed; use one of fast, safe.", problems["settings.mode"]);
        Assert.StartsWith("colour is not a setting of this plugin; expected one of: slack, email,", problems["settings.colour"], StringComparison.Ordinal);
        Assert.Equal("#data-alerts must be a string.", problems["settings.slack.webhooks[\"#data-alerts\"]"]);
        Assert.Equal(6, problems.Count);
    }

    [Fact]
    public void References_are_accepted_wherever_a_value_is_expected()
    {
        var settings = JsonNode.Parse("""{ "email": { "host": "${SMTP_HOST}", "port": "${SMTP_PORT}" }, "max_attempts": 3 }""")!.AsObject();

        Assert.Empty(PluginSettingsCheck.AgainstSpecs(settings, s_specs));
    }

    [Fact]
    public void Secret_values_are_masked_references_are_shown_and_each_secret_says_whether_it_is_set()
    {
        var settings = JsonNode.Parse("""
            { "email": { "host": "smtp", "password": "hunter2" }, "slack": { "webhooks": { "#ops": "${OPS_URL}", "#raw": "https://hooks.example/abc" } } }
            """)!.AsObject();

        var masked = PluginSettingsCheck.Masked(settings, s_specs);

        Assert.DoesNotContain("hunter2", masked.ToJsonString(), StringComparison.Ordinal);
        Assert.DoesNotContain("hooks.example", masked.ToJsonString(), StringComparison.Ordinal);
        Assert.Equal("********", masked["email"]!["password"]!.GetValue<string>());
        Assert.Equal("${OPS_URL}", masked["slack"]!["webhooks"]!["#ops"]!.GetValue<string>());
        Assert.Equal("hunter2", settings["email"]!["password"]!.GetValue<string>());
        var secrets = PluginSettingsCheck.SecretsSet(settings, s_specs);
        Assert.True(secrets["settings.email.password"]);
        Assert.True(secrets["settings.slack.webhooks[\"#raw\"]"]);
        Assert.False(PluginSettingsCheck.SecretsSet(new JsonObject(), s_specs)["settings.email.password"]);
    }

    [Fact]
    public void A_masked_secret_sent_back_keeps_its_stored_value_and_a_new_literal_secret_is_refused()
    {
        var stored = JsonNode.Parse("""{ "email": { "host": "smtp", "password": "hunter2" } }""")!.AsObject();
        var sentBack = JsonNode.Parse("""{ "email": { "host": "smtp2", "password": "********" } }""")!.AsObject();

        var merged = PluginSettingsCheck.KeepStoredSecrets(sentBack, stored, s_specs);

        Assert.Equal("hunter2", merged["email"]!["password"]!.GetValue<string>());
        Assert.Equal("smtp2", merged["email"]!["host"]!.GetValue<string>());
        Assert.Empty(PluginSettingsCheck.LiteralSecrets(merged, stored, s_specs));

        var literal = JsonNode.Parse("""{ "email": { "host": "smtp", "password": "letmein" }, "slack": { "webhooks": { "#new": "https://hooks.example/x" } } }""")!.AsObject();
        var problems = PluginSettingsCheck.LiteralSecrets(literal, stored, s_specs);
        Assert.Equal(["settings.email.password", "settings.slack.webhooks[\"#new\"]"], problems.Select(p => p.Path));
        Assert.All(problems, p => Assert.DoesNotContain("letmein", p.Message, StringComparison.Ordinal));
        Assert.All(problems, p => Assert.Contains("${NAME}", p.Message, StringComparison.Ordinal));
    }

    [Fact]
    public void A_trial_registration_reports_the_plugins_own_settings_exception_at_the_setting_it_names()
    {
        var path = Path.Combine(AppContext.BaseDirectory, "plugins", "Matih.TestPlugins.NeedsSettings", "Matih.TestPlugins.NeedsSettings.dll");
        var opened = PluginLoading.Open(path, "needs-settings", unloadable: true);
        try
        {
            Assert.Null(opened.Error);

            var refused = PluginSettingsCheck.TrialRegister(opened.Plugin!, new JsonObject { ["webhook"] = "not a url" });
            var accepted = PluginSettingsCheck.TrialRegister(opened.Plugin!, new JsonObject { ["webhook"] = "http://127.0.0.1:9/hook" });

            Assert.NotNull(refused);
            Assert.Equal("settings.webhook", refused.Path);
            Assert.Equal("expected an absolute URL, got 'not a url'.", refused.Message);
            Assert.Null(accepted);
        }
        finally
        {
            opened.Loader?.Dispose();
        }
    }

    [Fact]
    public void A_configuration_key_becomes_the_json_path_of_the_setting()
    {
        Assert.Equal("settings.email.port", PluginSettingsCheck.PathOf("email:port"));
        Assert.Equal("settings.slack.webhooks[\"#data-alerts\"]", PluginSettingsCheck.PathOf("slack:webhooks:#data-alerts"));
    }
}
