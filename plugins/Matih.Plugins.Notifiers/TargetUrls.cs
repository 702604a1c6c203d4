namespace Matih.Plugins.Notifiers;

/// <summary>Finds the URL configured for a target and resolves its secret references, with errors in words.</summary>
internal sealed class TargetUrls(IReadOnlyDictionary<string, string> urls, string settingPath, string channelName, SecretText secrets)
{
    /// <summary>The configured target names, sorted.</summary>
    public IReadOnlyList<string> Names { get; } = urls.Keys.Order(StringComparer.OrdinalIgnoreCase).ToArray();

    /// <summary>The URL for <paramref name="target"/>, or false with an error that never contains a URL.</summary>
    public bool TryGet(string target, out string url, out string? error)
    {
        url = "";
        if (!urls.TryGetValue(target, out var configured))
        {
            var known = Names.Count == 0 ? "none are configured" : "configured: " + string.Join(", ", Names);
            error = $"No {channelName} target '{target}' ({known}). Add it under settings.{settingPath.Replace(':', '.')} of the notifiers plugin in plugins.json.";
            return false;
        }

        var setting = $"{settingPath.Replace(':', '.')}.{target}";
        if (!secrets.TryResolve(configured, setting, out url, out error))
        {
            return false;
        }

        if (!NotifierSettings.IsHttpUrl(url))
        {
            error = $"settings.{setting} does not resolve to an absolute http(s) URL (the value is a secret and is not shown).";
            return false;
        }

        return true;
    }
}
