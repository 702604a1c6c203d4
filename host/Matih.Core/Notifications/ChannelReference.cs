namespace Matih.Core.Notifications;

/// <summary>
/// Where a notification goes, as documents write it: <c>slack:#data-alerts</c>, <c>email:priya@novamart.com</c>,
/// <c>webhook:ops</c>. The part before the first colon is the channel, the rest the target.
/// </summary>
/// <param name="Channel">The notifier's channel (<c>slack</c>), lower case.</param>
/// <param name="Target">The target within the channel (<c>#data-alerts</c>).</param>
public sealed record ChannelReference(string Channel, string Target)
{
    /// <summary>Parses <paramref name="text"/>; false with a reason when it is not <c>channel:target</c>.</summary>
    public static bool TryParse(string? text, out ChannelReference reference, out string? error)
    {
        reference = null!;
        var colon = text?.IndexOf(':', StringComparison.Ordinal) ?? -1;
        if (text is null || colon <= 0 || colon == text.Length - 1)
        {
            error = $"'{text}' is not a channel reference: write channel:target, e.g. slack:#data-alerts or email:priya@novamart.com.";
            return false;
        }

        var channel = text[..colon].Trim();
        var target = text[(colon + 1)..].Trim();
        if (channel.Length == 0 || target.Length == 0 || channel.Any(char.IsWhiteSpace))
        {
            error = $"'{text}' is not a channel reference: write channel:target, e.g. slack:#data-alerts or email:priya@novamart.com.";
            return false;
        }

        reference = new ChannelReference(channel.ToLowerInvariant(), target);
        error = null;
        return true;
    }

    /// <summary>Parses <paramref name="text"/>.</summary>
    /// <exception cref="FormatException">It is not <c>channel:target</c>.</exception>
    public static ChannelReference Parse(string text) =>
        TryParse(text, out var reference, out var error) ? reference : throw new FormatException(error);

    /// <inheritdoc />
    public override string ToString() => $"{Channel}:{Target}";
}
