using Matih.PluginKit.Tests.Support;
using Matih.Testing;

namespace Matih.PluginKit.Tests.Templates;

/// <summary>
/// <c>dotnet new matih-plugin</c> from templates/Matih.Plugin.Templates, installed into a private template cache,
/// generating plugins that build against the packed SDK and whose generated tests pass through the packed test kit.
/// </summary>
[Collection(PackedSdkCollection.Name)]
public sealed class PluginTemplateTests
{
    private readonly PackedSdk _sdk;

    public PluginTemplateTests(PackedSdk sdk)
    {
        _sdk = sdk;
    }

    [Theory]
    [InlineData("quality-rule", "Acme.EmailRules")]
    [InlineData("pipeline-task", "Acme.RowGate")]
    public async Task A_generated_plugin_builds_against_the_packed_sdk_and_its_generated_tests_pass(string kind, string name)
    {
        var work = Path.Combine(_sdk.Root, "template-" + kind);
        var hive = Path.Combine(work, "hive");
        Directory.CreateDirectory(work);
        var template = Path.Combine(MatihHost.RepositoryRoot, "templates", "Matih.Plugin.Templates");
        await DotNet.RunAsync(work, "new", "install", template, "--debug:custom-hive", hive);

        await DotNet.RunAsync(work, "new", "matih-plugin", "--debug:custom-hive", hive, "-n", name, "--kind", kind,
            "--sdk-version", _sdk.Version, "--sdk-source", _sdk.Source);
        var output = await DotNet.RunAsync(Path.Combine(work, name), "test", $"tests/{name}.Tests", "--disable-build-servers");

        var plugin = Path.Combine(work, name, "tests", $"{name}.Tests", "bin", "Debug", "net10.0", "plugins", name);
        Assert.True(File.Exists(Path.Combine(plugin, name + ".dll")), output);
        Assert.False(File.Exists(Path.Combine(plugin, "Matih.Sdk.dll")), "The plugin folder must not carry its own Matih.Sdk.dll.");
        Assert.Matches(@"Passed!\s+-\s+Failed:\s+0, Passed:\s+[1-9]", output);
    }
}
