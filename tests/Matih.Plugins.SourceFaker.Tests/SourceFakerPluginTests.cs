using Matih.Plugins.SourceFaker.Tests.Support;
using Matih.Sdk.Connectors;
using Matih.Sdk.Plugins;
using Microsoft.Extensions.DependencyInjection;

namespace Matih.Plugins.SourceFaker.Tests;

public sealed class SourceFakerPluginTests
{
    [Fact]
    public void Manifest_describes_the_source_faker_connector()
    {
        var manifest = new SourceFakerPlugin().Manifest;

        Assert.Equal("source-faker", manifest.Id);
        Assert.Equal(PluginKind.Connector, manifest.Kind);
        Assert.Equal("1.0.0", manifest.Version);
        Assert.Equal(SdkInfo.Major, manifest.SdkMajor);
    }

    [Fact]
    public void Register_adds_the_connector_with_its_settings()
    {
        var services = new ServiceCollection();

        new SourceFakerPlugin().Register(services, new TestConfiguration(new Dictionary<string, string?>
        {
            ["default_scale"] = "0.05",
            ["default_seed"] = "7",
        }));

        var connector = Assert.Single(services, s => s.ServiceType == typeof(IConnector));
        Assert.Equal(typeof(FakerConnector), connector.ImplementationType);
        Assert.Equal(ServiceLifetime.Singleton, connector.Lifetime);
        var settings = Assert.IsType<FakerSettings>(Assert.Single(services, s => s.ServiceType == typeof(FakerSettings)).ImplementationInstance);
        Assert.Equal(0.05, settings.DefaultScale);
        Assert.Equal(7, settings.DefaultSeed);
    }

    [Fact]
    public void Missing_settings_fall_back_to_defaults()
    {
        var settings = FakerSettings.FromConfiguration(TestConfiguration.Empty);

        Assert.Equal(0.01, settings.DefaultScale);
        Assert.Equal(42, settings.DefaultSeed);
        Assert.Equal(8_192, settings.BatchRows);
        Assert.True(settings.MaxParallelism >= 1);
    }

    [Theory]
    [InlineData("default_scale", "abc")]
    [InlineData("default_scale", "0")]
    [InlineData("default_scale", "-1")]
    [InlineData("default_scale", "1000")]
    [InlineData("default_seed", "1.5")]
    [InlineData("max_parallelism", "0")]
    [InlineData("batch_rows", "10")]
    public void Wrong_settings_fault_the_plugin_naming_the_setting(string setting, string value)
    {
        var services = new ServiceCollection();

        var error = Assert.Throws<PluginSettingsException>(() => new SourceFakerPlugin().Register(
            services, new TestConfiguration(new Dictionary<string, string?> { [setting] = value })));

        Assert.Equal(setting, error.Setting);
        Assert.StartsWith($"settings.{setting}: ", error.Message, StringComparison.Ordinal);
        Assert.Contains(value, error.Message, StringComparison.Ordinal);
    }
}
