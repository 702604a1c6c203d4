using System.Text.Json;
using Matih.Plugins.SourcePostgres.Configuration;
using Matih.Sdk.Connectors;
using Matih.Sdk.Plugins;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace Matih.Plugins.SourcePostgres.Tests.Configuration;

public sealed class PostgresConfigTests
{
    [Fact]
    public void Absent_fields_take_the_spec_defaults()
    {
        var config = Parse("""{"host": "db", "database": "novamart", "username": "priya"}""");

        Assert.Equal((5432, "prefer", false), (config.Port, config.SslMode, config.IsCdc));
        Assert.Equal(["public"], config.Schemas);
        Assert.Null(config.Password);
        Assert.Equal(SslMode.Prefer, config.Builder().SslMode);
    }

    [Theory]
    [InlineData("disable", SslMode.Disable)]
    [InlineData("allow", SslMode.Allow)]
    [InlineData("require", SslMode.Require)]
    [InlineData("verify-ca", SslMode.VerifyCA)]
    [InlineData("VERIFY-FULL", SslMode.VerifyFull)]
    public void Ssl_mode_is_handed_to_the_driver(string written, SslMode expected)
    {
        var config = Parse($$"""{"host": "db", "database": "d", "username": "u", "ssl_mode": "{{written}}"}""");

        Assert.Equal(expected, config.Builder().SslMode);
    }

    [Theory]
    [InlineData("""{"database": "d", "username": "u"}""", "host: is required.")]
    [InlineData("""{"host": "db", "database": "d", "username": "u", "port": 70000}""", "port: must be a whole number from 1 to 65535 (got 70000).")]
    [InlineData("""{"host": "db", "database": "d", "username": "u", "ssl_mode": "strict"}""", "ssl_mode: must be one of disable, allow, prefer, require, verify-ca, verify-full (got \"strict\").")]
    [InlineData("""{"host": "db", "database": "d", "username": "u", "schemas": ["public", 3]}""", "schemas[1]: must be a schema name (got 3).")]
    [InlineData("""{"host": "db", "database": "d", "username": "${POSTGRES_USER}"}""", "username: the reference ${POSTGRES_USER} was not resolved; set the secret or environment variable it names.")]
    [InlineData("""{"host": "db", "database": "d", "username": "u", "replication_method": {"method": "CDC", "replication_slot": "Matih-Slot", "publication": "p"}}""", "replication_method.replication_slot: 'Matih-Slot' is not a valid slot name: use lower-case letters, digits and underscores, at most 63 characters.")]
    [InlineData("""{"host": "db", "database": "d", "username": "u", "replication_method": {"method": "CDC", "replication_slot": "s"}}""", "replication_method.publication: is required.")]
    [InlineData("""{"host": "db", "database": "d", "username": "u", "replication_method": {"method": "Xmin"}}""", "replication_method.method: must be one of Standard, CDC (got \"Xmin\").")]
    public void Invalid_configs_name_the_field_at_fault_by_its_path(string json, string expected)
    {
        Assert.False(PostgresConfig.TryParse(JsonDocument.Parse(json).RootElement, out _, out var error));
        Assert.Equal(expected, error);
    }

    [Fact]
    public void The_spec_describes_every_seed_field_and_marks_the_password_secret()
    {
        var spec = new PostgresConnector(PostgresPluginSettings.Default).Spec;

        Assert.Equal(["host", "port", "database", "username", "password", "schemas", "replication_method", "ssl_mode"], spec.Config.Select(p => p.Name));
        Assert.True(spec.Config.Single(p => p.Name == "password").Secret);
        Assert.Equal(["method", "replication_slot", "publication", "initial_wait_seconds", "max_batch_rows", "continuous"],
            spec.Config.Single(p => p.Name == "replication_method").Properties!.Select(p => p.Name));
        Assert.True(spec.SupportsIncremental && spec.SupportsCdc);
    }

    [Fact]
    public void The_plugin_registers_one_connector_that_also_gives_diagnostics()
    {
        var plugin = new SourcePostgresPlugin();
        var services = new ServiceCollection();

        plugin.Register(services, new ConfigurationBuilder().Build());
        using var provider = services.BuildServiceProvider();

        Assert.Equal(("source-postgres", PluginKind.Connector, "1.0.0"), (plugin.Manifest.Id, plugin.Manifest.Kind, plugin.Manifest.Version));
        Assert.Same(provider.GetRequiredService<IConnector>(), provider.GetRequiredService<IConnectorDiagnostics>());
    }

    [Fact]
    public void A_bad_lag_warning_setting_is_named()
    {
        var settings = new ConfigurationBuilder().AddInMemoryCollection([new("lag_warning_bytes", "a lot")]).Build();

        var error = Assert.Throws<PluginSettingsException>(() => Register(settings));

        Assert.Equal("lag_warning_bytes", error.Setting);
    }

    private static void Register(IConfiguration settings) => new SourcePostgresPlugin().Register(new ServiceCollection(), settings);

    private static PostgresConfig Parse(string json) => PostgresConfig.Parse(JsonDocument.Parse(json).RootElement);
}
