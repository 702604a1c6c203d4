using System.Text.Json;
using Matih.Sdk.Notifications;

namespace Company.MatihPlugin;

/// <summary>
/// Channel <c>jsonl</c>: <c>jsonl:ops</c> appends each notification as one JSON line to <c>ops.jsonl</c> in the
/// configured folder. Replace the file with your channel's API; keep delivery failures as results.
/// </summary>
public sealed class SampleEntryNotifier : INotifier
{
    private readonly string _directory;
    private readonly SemaphoreSlim _gate = new(1, 1);

    /// <summary>Creates the notifier writing into <paramref name="directory"/>.</summary>
    public SampleEntryNotifier(string directory)
    {
        _directory = directory;
    }

    /// <inheritdoc />
    public string Channel => "jsonl";

    /// <inheritdoc />
    public async Task<DeliveryResult> SendAsync(Notification notification, string target, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(notification);
        if (string.IsNullOrWhiteSpace(target) || target.IndexOfAny(Path.GetInvalidFileNameChars()) >= 0 || target.StartsWith('.'))
        {
            return new DeliveryResult(false, $"target '{target}' must be a plain name such as 'ops'.");
        }

        var line = JsonSerializer.Serialize(new
        {
            at = DateTimeOffset.UtcNow,
            title = notification.Title,
            text = notification.Text,
            severity = notification.Severity.ToString().ToLowerInvariant(),
            link = notification.Link,
            fields = notification.Fields,
        });
        await _gate.WaitAsync(cancellationToken);
        try
        {
            Directory.CreateDirectory(_directory);
            await File.AppendAllTextAsync(Path.Combine(_directory, target + ".jsonl"), line + "\n", cancellationToken);
            return new DeliveryResult(true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return new DeliveryResult(false, $"could not write to {_directory}: {e.Message}");
        }
        finally
        {
            _gate.Release();
        }
    }
}
