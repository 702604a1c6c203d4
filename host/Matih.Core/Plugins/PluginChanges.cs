using System.Collections.Concurrent;
using System.IO.Compression;
using System.Reflection.Metadata;
using System.Reflection.PortableExecutable;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Matih.Core.Audit;
using Matih.Core.Connections;
using Matih.Sdk.Plugins;

namespace Matih.Core.Plugins;

/// <summary>
/// What an admin changes about plugins: enable or disable one, edit its settings, install a new one from a folder or
/// a zip. Every change is checked first and written to plugins.json only when it is valid; it applies when the host
/// restarts. The Plugins page and <c>/api/plugins</c> both call this.
/// </summary>
public sealed partial class PluginChanges
{
    private readonly InstalledPlugins _installed;
    private readonly string _builtInDirectory;
    private readonly AuditLog? _audit;

    // What an install found out about a plugin that is not loaded yet, so the list can show its kind and version.
    private readonly ConcurrentDictionary<string, PluginStatus> _inspected = new(StringComparer.Ordinal);

    /// <summary>Creates the service.</summary>
    /// <param name="installed">What was loaded at start-up.</param>
    /// <param name="pluginsFilePath">plugins.json.</param>
    /// <param name="builtInDirectory">The host's built-in plugin folder.</param>
    /// <param name="installDirectory">Where installed plugins are copied, one folder per id (the data directory's <c>plugins</c>).</param>
    /// <param name="audit">Where changes are recorded, when there is an audit log.</param>
    public PluginChanges(InstalledPlugins installed, string pluginsFilePath, string builtInDirectory, string installDirectory, AuditLog? audit = null)
    {
        _installed = installed;
        PluginsFilePath = Path.GetFullPath(pluginsFilePath);
        _builtInDirectory = builtInDirectory;
        InstallDirectory = Path.GetFullPath(installDirectory);
        _audit = audit;
    }

    /// <summary>The plugins.json this changes.</summary>
    public string PluginsFilePath { get; }

    /// <summary>Where installed plugins are copied.</summary>
    public string InstallDirectory { get; }

    /// <summary>Every plugin: each entry of plugins.json as it is now, then loaded plugins it no longer lists.</summary>
    public IReadOnlyList<PluginOverview> List()
    {
        var now = PluginsFile.Read(PluginsFilePath);
        var atStart = (_installed.File?.Entries ?? []).ToDictionary(e => e.Id, StringComparer.Ordinal);
        var loaded = _installed.Statuses.GroupBy(s => s.Id, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.First(), StringComparer.Ordinal);

        // A file broken since start-up: show what is in force, with the problem.
        if (now.Entries.Count == 0 && now.Problems.Count > 0)
        {
            return [.. now.Problems.Select(p => new PluginOverview(p, false, false, [], new Dictionary<string, bool>(), true)),
                .. _installed.Statuses.Where(s => atStart.ContainsKey(s.Id)).Select(s => Overview(s, atStart[s.Id], atStart[s.Id], inFile: false))];
        }

        var result = new List<PluginOverview>();
        var listed = new HashSet<string>(StringComparer.Ordinal);
        foreach (var entry in now.Entries)
        {
            listed.Add(entry.Id);
            var status = loaded.GetValueOrDefault(entry.Id) is { Name: not null } known ? known : Inspected(entry, loaded.GetValueOrDefault(entry.Id));
            result.Add(Overview(status, entry, atStart.GetValueOrDefault(entry.Id), inFile: true));
        }

        foreach (var status in _installed.Statuses.Where(s => !listed.Contains(s.Id)))
        {
            result.Add(atStart.TryGetValue(status.Id, out var was)
                ? Overview(status, was, was, inFile: false)
                : new PluginOverview(status, false, false, [], new Dictionary<string, bool>(), InFile: false));
        }

        foreach (var problem in now.Problems.Where(p => !listed.Contains(p.Id) && !loaded.ContainsKey(p.Id)))
        {
            result.Add(new PluginOverview(problem, false, false, [], new Dictionary<string, bool>(), true));
        }

        return result;
    }

    /// <summary>One plugin by id, or null.</summary>
    public PluginOverview? Find(string id)
    {
        var all = List();
        return all.FirstOrDefault(p => p.Id == id && p.InFile) ?? all.FirstOrDefault(p => p.Id == id);
    }

    /// <summary>Enables or disables <paramref name="id"/> in plugins.json.</summary>
    public async Task<PluginChange> SetEnabledAsync(string id, bool enabled, string actor, CancellationToken cancellationToken = default)
    {
        try
        {
            PluginsFileWriter.SetEnabled(PluginsFilePath, id, enabled);
        }
        catch (PluginsFileException e)
        {
            return new PluginChange(null, [new DocumentProblem(e.NotFound ? "id" : "$", e.Message)], e.NotFound);
        }

        await RecordAsync(actor, enabled ? "plugin.enabled" : "plugin.disabled", id, "applies on restart", cancellationToken).ConfigureAwait(false);
        return new PluginChange(Find(id), []);
    }

    /// <summary>
    /// Replaces the settings of <paramref name="id"/> after checking them against the plugin's declared settings and
    /// by a trial registration. Secrets sent back as <see cref="PluginSettingsCheck.Mask"/> keep their stored value.
    /// Nothing is written when there is a problem.
    /// </summary>
    public async Task<PluginChange> UpdateSettingsAsync(string id, JsonObject settings, string actor, CancellationToken cancellationToken = default)
    {
        var now = PluginsFile.Read(PluginsFilePath);
        var entry = now.Entries.FirstOrDefault(e => e.Id == id);
        if (entry is null)
        {
            var known = now.Problems.FirstOrDefault(p => p.Id == id);
            return known is null
                ? new PluginChange(null, [new DocumentProblem("id", $"plugins.json has no plugin \"{id}\".")], NotFound: true)
                : new PluginChange(null, [new DocumentProblem("$", known.Error ?? "plugins.json has a problem with this entry.")]);
        }

        var stored = StoredSettings(entry);
        using var opened = PluginFor(entry);
        var specs = opened.Manifest?.Settings ?? _installed.Statuses.FirstOrDefault(s => s.Id == id)?.Settings ?? [];
        var merged = PluginSettingsCheck.KeepStoredSecrets(JsonNode.Parse(settings.ToJsonString())!.AsObject(), stored, specs);
        var problems = new List<DocumentProblem>(PluginSettingsCheck.AgainstSpecs(merged, specs));
        problems.AddRange(PluginSettingsCheck.LiteralSecrets(merged, stored, specs));
        if (problems.Count == 0 && opened.Plugin is { } plugin && PluginSettingsCheck.TrialRegister(plugin, merged) is { } refused)
        {
            problems.Add(refused);
        }

        if (problems.Count > 0)
        {
            return new PluginChange(null, problems);
        }

        try
        {
            PluginsFileWriter.SetSettings(PluginsFilePath, id, merged);
        }
        catch (PluginsFileException e)
        {
            return new PluginChange(null, [new DocumentProblem("$", e.Message)], e.NotFound);
        }

        // Which settings changed, never their values.
        var changed = merged.Select(p => p.Key).Union(stored.Select(p => p.Key))
            .Where(k => !JsonNode.DeepEquals(merged[k], stored[k])).Order(StringComparer.Ordinal).ToArray();
        await RecordAsync(actor, "plugin.settings_changed", id, changed.Length == 0 ? "no change" : $"changed: {string.Join(", ", changed)}", cancellationToken).ConfigureAwait(false);
        return new PluginChange(Find(id), []);
    }

    /// <summary>
    /// Installs the built plugin in <paramref name="folder"/> (its output folder, or its .dll): checks it has exactly one
    /// <see cref="IMatihPlugin"/> built for this SDK major and an id plugins.json does not list yet, copies the folder
    /// under <see cref="InstallDirectory"/> (or, with <paramref name="copy"/> false, refers to it where it is) and adds
    /// its entry. Nothing is copied or written when a check fails.
    /// </summary>
    public async Task<PluginChange> InstallFromFolderAsync(string folder, bool enabled, bool copy, string actor, CancellationToken cancellationToken = default)
    {
        var change = Install(folder, enabled, copy, "path");
        if (change.Succeeded)
        {
            await RecordAsync(actor, "plugin.installed", change.Plugin!.Id, $"from {folder}; {(enabled ? "enabled" : "disabled")}; applies on restart", cancellationToken).ConfigureAwait(false);
        }

        return change;
    }

    /// <summary>Installs the built plugin in <paramref name="zip"/> (its output folder, zipped); checked as <see cref="InstallFromFolderAsync"/>.</summary>
    public async Task<PluginChange> InstallFromZipAsync(Stream zip, string fileName, bool enabled, string actor, CancellationToken cancellationToken = default)
    {
        var incoming = Path.Combine(InstallDirectory, $".incoming-{Guid.NewGuid():N}");
        try
        {
            try
            {
                Directory.CreateDirectory(incoming);
                // Refuses entries that would land outside the folder.
                ZipFile.ExtractToDirectory(zip, incoming);
            }
            catch (Exception e) when (e is InvalidDataException or IOException or UnauthorizedAccessException)
            {
                return new PluginChange(null, [new DocumentProblem("file", $"{fileName} could not be unpacked as a zip: {e.Message}")]);
            }

            // A zip of the folder itself holds one folder: look inside it.
            var root = incoming;
            if (Directory.GetFiles(root, "*.dll").Length == 0 && Directory.GetDirectories(root) is [var only])
            {
                root = only;
            }

            var change = Install(root, enabled, copy: true, "file", fileName);
            if (change.Succeeded)
            {
                await RecordAsync(actor, "plugin.installed", change.Plugin!.Id, $"from upload {fileName}; {(enabled ? "enabled" : "disabled")}; applies on restart", cancellationToken).ConfigureAwait(false);
            }

            return change;
        }
        finally
        {
            TryDelete(incoming);
        }
    }

    /// <summary>
    /// The plugin assembly in <paramref name="folder"/>: the .dll named like the folder, else the one with a
    /// .deps.json, else the one .dll that references Matih.Sdk. Or why there is none.
    /// </summary>
    public static (string? AssemblyPath, string? Error) FindPluginAssembly(string folder)
    {
        if (File.Exists(folder))
        {
            return folder.EndsWith(".dll", StringComparison.OrdinalIgnoreCase) ? (folder, null) : (null, $"{folder} is not a .dll or a folder.");
        }

        if (!Directory.Exists(folder))
        {
            return (null, $"{folder} was not found on the host.");
        }

        var named = Path.Combine(folder, Path.GetFileName(Path.TrimEndingDirectorySeparator(folder)) + ".dll");
        if (File.Exists(named) && ReferencesSdk(named))
        {
            return (named, null);
        }

        var candidates = Directory.GetFiles(folder, "*.dll").Where(ReferencesSdk).Order(StringComparer.Ordinal).ToArray();
        if (candidates.Length > 1)
        {
            // The plugin is the one with a .deps.json; the others are libraries it ships.
            var withDeps = candidates.Where(c => File.Exists(c[..^".dll".Length] + ".deps.json")).ToArray();
            if (withDeps.Length == 1)
            {
                return (withDeps[0], null);
            }
        }

        return candidates switch
        {
            [var one] => (one, null),
            [] => (null, $"{folder} holds no Matih plugin: no .dll in it references Matih.Sdk. Point at the plugin's build output folder (bin/Release/net10.0)."),
            _ => (null, $"{folder} holds several assemblies that reference Matih.Sdk ({string.Join(", ", candidates.Select(Path.GetFileName))}); point at the plugin's .dll."),
        };
    }

    private PluginChange Install(string folder, bool enabled, bool copy, string field, string? shownAs = null)
    {
        var name = shownAs ?? folder;
        if (string.IsNullOrWhiteSpace(folder) || (shownAs is null && !Path.IsPathFullyQualified(folder)))
        {
            return Refused(field, "path must be an absolute path on the host to a built plugin's folder or .dll.");
        }

        var (assemblyPath, findError) = FindPluginAssembly(folder);
        if (assemblyPath is null)
        {
            return Refused(field, shownAs is null ? findError! : $"{shownAs}: {findError!.Replace(folder, "the zip", StringComparison.Ordinal)}");
        }

        PluginManifest manifest;
        using (var opened = new OpenedScope(PluginLoading.Open(assemblyPath, name, unloadable: true)))
        {
            if (opened.Error is { } openError)
            {
                return Refused(field, openError);
            }

            manifest = opened.Manifest!;
        }

        if (manifest.SdkMajor != SdkInfo.Major)
        {
            return Refused(field, $"{name}: declares Matih SDK {manifest.SdkMajor}.x, but this host runs SDK {SdkInfo.Major}.x. Rebuild the plugin against Matih.Sdk {SdkInfo.Major}.x.");
        }

        if (!PluginId().IsMatch(manifest.Id))
        {
            return Refused(field, $"{name}: the plugin's id \"{manifest.Id}\" is not lower-case letters, digits and dashes.");
        }

        var now = PluginsFile.Read(PluginsFilePath);
        if (now.Entries.FirstOrDefault(e => string.Equals(e.Id, manifest.Id, StringComparison.OrdinalIgnoreCase)) is { } existing)
        {
            return Refused(field, $"plugins.json already lists \"{manifest.Id}\" ({existing.Label}, path \"{existing.Path}\"); disable or remove that entry first.");
        }

        if (File.Exists(PluginsFilePath) && now.Entries.Count == 0 && now.Problems.Count > 0)
        {
            return Refused("$", $"plugins.json cannot be changed: {now.Problems[0].Error}");
        }

        var entryPath = assemblyPath;
        if (copy)
        {
            var target = Path.Combine(InstallDirectory, manifest.Id);
            TryDelete(target);
            CopyFolder(Path.GetDirectoryName(assemblyPath)!, target);
            entryPath = Path.Combine(target, Path.GetFileName(assemblyPath));
        }

        try
        {
            PluginsFileWriter.Append(PluginsFilePath, manifest.Id, Path.GetFullPath(entryPath), enabled);
        }
        catch (PluginsFileException e)
        {
            return Refused("$", e.Message);
        }

        _inspected[manifest.Id] = new PluginStatus(manifest.Id, manifest.Name, PluginLoading.KindName(manifest.Kind), manifest.Version, manifest.SdkMajor,
            PluginState.Disabled, null, Path.GetFullPath(entryPath), [])
        {
            Description = manifest.Description,
            Settings = manifest.Settings,
        };
        return new PluginChange(Find(manifest.Id), []);
    }

    // A plugin disabled at start-up (or added since) was never opened: open it once, in a throwaway context, so the
    // list can show its kind, version and declared settings. Its load state stays what start-up found.
    private PluginStatus Inspected(PluginEntry entry, PluginStatus? atStart)
    {
        var fallback = atStart ?? new PluginStatus(entry.Id, null, null, null, null, PluginState.Disabled, null, entry.Path, []);
        if (fallback.State == PluginState.Faulted)
        {
            return fallback;
        }

        return _inspected.GetOrAdd(entry.Id, _ =>
        {
            var (assemblyPath, _) = PluginLoading.Locate(entry, PluginsFilePath, _builtInDirectory);
            if (assemblyPath is null)
            {
                return fallback;
            }

            using var opened = new OpenedScope(PluginLoading.Open(assemblyPath, entry.Label, unloadable: true));
            return opened.Manifest is not { } manifest || manifest.Id != entry.Id
                ? fallback
                : fallback with
                {
                    Name = manifest.Name,
                    Kind = PluginLoading.KindName(manifest.Kind),
                    Version = manifest.Version,
                    SdkMajor = manifest.SdkMajor,
                    Path = assemblyPath,
                    Description = manifest.Description,
                    Settings = manifest.Settings,
                };
        });
    }

    private static PluginChange Refused(string field, string message) => new(null, [new DocumentProblem(field, message)]);

    private PluginOverview Overview(PluginStatus status, PluginEntry now, PluginEntry? atStart, bool inFile)
    {
        var settings = StoredSettings(now);
        var specs = status.Settings;
        var pending = !inFile
            || (atStart is null ? now.Enabled : atStart.Enabled != now.Enabled || !JsonNode.DeepEquals(StoredSettings(atStart), settings));
        return new PluginOverview(status, now.Enabled, pending, PluginSettingsCheck.Masked(settings, specs), PluginSettingsCheck.SecretsSet(settings, specs), inFile);
    }

    private static JsonObject StoredSettings(PluginEntry entry) =>
        entry.Settings is { } element ? JsonNode.Parse(element.GetRawText()) as JsonObject ?? [] : [];

    // The loaded entry point when there is one; otherwise the plugin opened in a throwaway context for the check.
    private OpenedScope PluginFor(PluginEntry entry)
    {
        if (_installed.Plugins.TryGetValue(entry.Id, out var loaded))
        {
            return new OpenedScope(new OpenedPlugin(null, loaded, loaded.Manifest, null));
        }

        var (assemblyPath, _) = PluginLoading.Locate(entry, PluginsFilePath, _builtInDirectory);
        return assemblyPath is null
            ? new OpenedScope(new OpenedPlugin(null, null, null, "not found"))
            : new OpenedScope(PluginLoading.Open(assemblyPath, entry.Label, unloadable: true));
    }

    private async Task RecordAsync(string actor, string action, string target, string detail, CancellationToken cancellationToken)
    {
        if (_audit is not null)
        {
            await _audit.RecordAsync(actor, action, target, detail, cancellationToken).ConfigureAwait(false);
        }
    }

    private static bool ReferencesSdk(string dll)
    {
        try
        {
            using var stream = File.OpenRead(dll);
            using var pe = new PEReader(stream);
            if (!pe.HasMetadata)
            {
                return false;
            }

            var metadata = pe.GetMetadataReader();
            var sdk = typeof(IMatihPlugin).Assembly.GetName().Name;
            return metadata.AssemblyReferences.Any(h => metadata.GetString(metadata.GetAssemblyReference(h).Name) == sdk);
        }
        catch (BadImageFormatException)
        {
            return false;
        }
    }

    private static void CopyFolder(string from, string to)
    {
        Directory.CreateDirectory(to);
        foreach (var file in Directory.EnumerateFiles(from, "*", SearchOption.AllDirectories))
        {
            var target = Path.Combine(to, Path.GetRelativePath(from, file));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target, overwrite: true);
        }
    }

    private static void TryDelete(string folder)
    {
        try
        {
            if (Directory.Exists(folder))
            {
                Directory.Delete(folder, recursive: true);
            }
        }
        catch (IOException)
        {
        }
    }

    [GeneratedRegex("^[a-z0-9][a-z0-9-]*$")]
    private static partial Regex PluginId();

    // Unloads a throwaway load context when the check is done; a loaded plugin's context is left alone.
    private sealed class OpenedScope(OpenedPlugin opened) : IDisposable
    {
        public IMatihPlugin? Plugin => opened.Plugin;

        public PluginManifest? Manifest => opened.Manifest;

        public string? Error => opened.Error;

        public void Dispose() => opened.Loader?.Dispose();
    }
}
