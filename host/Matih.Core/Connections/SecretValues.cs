using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Matih.Sdk.Plugins;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.Extensions.Configuration;

namespace Matih.Core.Connections;

/// <summary>
/// Keeps secrets out of the metadata store: <c>${NAME}</c> references are stored as written and resolved at run
/// time from the <c>Secrets</c> configuration section or the environment; a literal value in a secret field is
/// encrypted with ASP.NET Core Data Protection before it is stored, and never shown again.
/// </summary>
public sealed partial class SecretValues
{
    private readonly IDataProtector _protector;
    private readonly Matih.Core.Secrets.ISecretStore _secrets;

    /// <summary>Resolves <c>${NAME}</c> through <paramref name="secrets"/>, the host's one secret store.</summary>
    public SecretValues(IDataProtectionProvider protection, Matih.Core.Secrets.ISecretStore secrets)
    {
        _protector = protection.CreateProtector("Matih.Connections.Secrets.v1");
        _secrets = secrets;
    }

    /// <summary>Resolves <c>${NAME}</c> from <c>Secrets:NAME</c> in <paramref name="configuration"/>, then the environment.</summary>
    public SecretValues(IDataProtectionProvider protection, IConfiguration configuration)
        : this(protection, new Matih.Core.Secrets.SecretStore(protection, configuration, "", writable: false))
    {
    }

    /// <summary>What the API shows instead of a stored secret.</summary>
    public const string Mask = "********";

    private const string Prefix = "enc:v1:";

    /// <summary>True for a whole-value <c>${NAME}</c> reference.</summary>
    public static bool IsReference(string value) => Reference().IsMatch(value);

    /// <summary>A copy of <paramref name="config"/> with literal secret values encrypted, ready to store.</summary>
    public JsonObject Protect(JsonObject config, IReadOnlyList<ParameterSpec> spec) =>
        Transform(config, spec, secret => secret.StartsWith(Prefix, StringComparison.Ordinal) || IsReference(secret) ? secret : Prefix + _protector.Protect(secret));

    /// <summary>A copy for display: references shown as written, stored secrets masked.</summary>
    public static JsonObject Redact(JsonObject config, IReadOnlyList<ParameterSpec> spec) =>
        Transform(config, spec, secret => IsReference(secret) ? secret : Mask);

    /// <summary>
    /// A copy for the connector: every <c>${NAME}</c> (in any string) replaced by its value, encrypted secrets
    /// decrypted. Throws <see cref="InvalidOperationException"/> naming the field and the variable when one is unset.
    /// </summary>
    public JsonObject Resolve(JsonObject config)
    {
        var copy = (JsonObject)config.DeepClone();
        ResolveNode(copy, "config");
        return copy;
    }

    private void ResolveNode(JsonNode node, string path)
    {
        switch (node)
        {
            case JsonObject obj:
                foreach (var (key, child) in obj.ToList())
                {
                    if (child is JsonValue value && value.TryGetValue<string>(out var text))
                    {
                        obj[key] = ResolveText(text, $"{path}.{key}");
                    }
                    else if (child is not null)
                    {
                        ResolveNode(child, $"{path}.{key}");
                    }
                }

                break;
            case JsonArray array:
                for (var i = 0; i < array.Count; i++)
                {
                    if (array[i] is JsonValue value && value.TryGetValue<string>(out var text))
                    {
                        array[i] = ResolveText(text, $"{path}[{i}]");
                    }
                    else if (array[i] is { } child)
                    {
                        ResolveNode(child, $"{path}[{i}]");
                    }
                }

                break;
        }
    }

    private JsonNode ResolveText(string text, string path)
    {
        if (text.StartsWith(Prefix, StringComparison.Ordinal))
        {
            return JsonValue.Create(_protector.Unprotect(text[Prefix.Length..]));
        }

        var resolved = Embedded().Replace(text, match =>
        {
            var name = match.Groups[1].Value;
            return _secrets.Resolve(name)
                ?? throw new InvalidOperationException(
                    $"{path} refers to ${{{name}}}, which is not set: set the environment variable {name} or the setting Secrets:{name}.");
        });

        // A whole-value reference to a number ("${PG_PORT}") becomes a number again.
        return IsReference(text) && long.TryParse(resolved, out var number) ? JsonValue.Create(number) : JsonValue.Create(resolved);
    }

    private static JsonObject Transform(JsonObject config, IReadOnlyList<ParameterSpec> spec, Func<string, string> secret)
    {
        var copy = (JsonObject)config.DeepClone();
        foreach (var field in spec)
        {
            if (field.Secret && copy[field.Name] is JsonValue value && value.TryGetValue<string>(out var text))
            {
                copy[field.Name] = secret(text);
            }
            else if (field.Type == ParameterType.Object && field.Properties is { } nested && copy[field.Name] is JsonObject child)
            {
                copy[field.Name] = Transform(child, nested, secret);
            }
        }

        return copy;
    }

    [GeneratedRegex(@"^\$\{([A-Za-z_][A-Za-z0-9_]*)\}$")]
    private static partial Regex Reference();

    [GeneratedRegex(@"\$\{([A-Za-z_][A-Za-z0-9_]*)\}")]
    private static partial Regex Embedded();
}
