using System.Globalization;
using Matih.Testing;

namespace Matih.PluginKit.Tests.Support;

/// <summary>
/// Matih.Sdk and Matih.Sdk.Testing packed into a temporary local package source, as a plugin author gets them, and
/// the sample plugin built out of tree against that source (once, for every test of the collection). Removes its
/// folders, and its packages from the NuGet cache, when the collection is done.
/// </summary>
public sealed class PackedSdk : IAsyncLifetime
{
    private Task<string>? _samplePlugin;

    /// <summary>Everything this fixture writes, under one temporary folder.</summary>
    public string Root { get; } = Directory.CreateTempSubdirectory("matih-kit-").FullName;

    /// <summary>The local package source holding the two packages.</summary>
    public string Source => Path.Combine(Root, "packages");

    /// <summary>
    /// The packages' version: 1.1.0 with a prerelease tag unique to this run, so NuGet's global cache can never hand
    /// a build a stale package packed by an earlier run. The assembly version stays 1.0.0.0 (SDK major 1).
    /// </summary>
    public string Version { get; } = "1.1.0-kit." + DateTime.UtcNow.ToString("yyyyMMddHHmmssfff", CultureInfo.InvariantCulture);

    /// <inheritdoc />
    public async Task InitializeAsync()
    {
        var artifacts = Path.Combine(Root, "artifacts");
        foreach (var project in new[] { "sdk/Matih.Sdk", "sdk/Matih.Sdk.Testing" })
        {
            // --artifacts-path keeps the repository's own bin/obj folders out of it.
            await DotNet.RunAsync(MatihHost.RepositoryRoot, "pack", project, "-c", "Release", "-o", Source, "--artifacts-path", artifacts,
                $"-p:Version={Version}", "--disable-build-servers");
        }
    }

    /// <summary>
    /// Copies samples/Matih.Samples.RestJsonConnector's plugin project to a folder outside the repository, adds a
    /// nuget.config naming <see cref="Source"/> (the machine's usual sources still apply), builds it against the
    /// packed SDK and returns its build output folder.
    /// </summary>
    public Task<string> SamplePluginAsync() => _samplePlugin ??= BuildSampleAsync();

    /// <summary>Writes a nuget.config into <paramref name="directory"/> that adds <see cref="Source"/>.</summary>
    public void WriteNuGetConfig(string directory) => File.WriteAllText(Path.Combine(directory, "nuget.config"), $"""
        <?xml version="1.0" encoding="utf-8"?>
        <configuration>
          <packageSources>
            <add key="matih-kit" value="{Source}" />
          </packageSources>
        </configuration>
        """);

    /// <inheritdoc />
    public Task DisposeAsync()
    {
        Delete(Root);
        var cache = Environment.GetEnvironmentVariable("NUGET_PACKAGES") is { Length: > 0 } configured
            ? configured
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");
        foreach (var id in new[] { "matih.sdk", "matih.sdk.testing" })
        {
            Delete(Path.Combine(cache, id, Version.ToLowerInvariant()));
            if (Directory.Exists(Path.Combine(cache, id)) && !Directory.EnumerateFileSystemEntries(Path.Combine(cache, id)).Any())
            {
                Directory.Delete(Path.Combine(cache, id));
            }
        }

        return Task.CompletedTask;
    }

    private async Task<string> BuildSampleAsync()
    {
        var sample = Path.Combine(MatihHost.RepositoryRoot, "samples", "Matih.Samples.RestJsonConnector");
        var copy = Path.Combine(Root, "sample");
        Directory.CreateDirectory(copy);
        foreach (var file in new[] { "Directory.Build.props", "Directory.Packages.props" })
        {
            File.Copy(Path.Combine(sample, file), Path.Combine(copy, file));
        }

        CopyDirectory(Path.Combine(sample, "src", "Matih.Samples.RestJsonConnector"), Path.Combine(copy, "src", "Matih.Samples.RestJsonConnector"));
        WriteNuGetConfig(copy);
        await DotNet.RunAsync(copy, "build", "src/Matih.Samples.RestJsonConnector", "-c", "Release", $"-p:MatihSdkVersion={Version}", "--disable-build-servers");
        return Path.Combine(copy, "src", "Matih.Samples.RestJsonConnector", "bin", "Release", "net10.0");
    }

    internal static void CopyDirectory(string from, string to)
    {
        foreach (var file in Directory.EnumerateFiles(from, "*", SearchOption.AllDirectories))
        {
            var relative = Path.GetRelativePath(from, file);
            if (relative.Split(Path.DirectorySeparatorChar)[0] is "bin" or "obj")
            {
                continue;
            }

            var target = Path.Combine(to, relative);
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target, overwrite: true);
        }
    }

    private static void Delete(string directory)
    {
        try
        {
            if (Directory.Exists(directory))
            {
                Directory.Delete(directory, recursive: true);
            }
        }
        catch (IOException)
        {
            // A file still held open by a process that is exiting; the temp folder is cleaned by the OS eventually.
        }
    }
}

/// <summary>The tests that share one packed SDK (packing and building take a while).</summary>
[CollectionDefinition(Name)]
public sealed class PackedSdkCollection : ICollectionFixture<PackedSdk>
{
    /// <summary>The collection's name.</summary>
    public const string Name = "Packed SDK";
}
