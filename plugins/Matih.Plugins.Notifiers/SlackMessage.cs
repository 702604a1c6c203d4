using System.Text.Json.Nodes;
using Matih.Sdk.Notifications;

namespace Matih.Plugins.Notifiers;

/// <summary>
/// The JSON body of a Slack incoming-webhook message: <c>text</c> (shown in push notifications and by clients
/// without blocks) and one attachment coloured by severity holding the title, text, fields and link as blocks.
/// Slack-compatible receivers (Mattermost, Rocket.Chat) read the same shape.
/// </summary>
internal static class SlackMessage
{
    // Slack's limits: header 150 chars, section text 3000, 10 fields per section of 2000 chars each.
    private const int HeaderLimit = 150;
    private const int TextLimit = 3000;
    private const int FieldLimit = 2000;
    private const int FieldsPerSection = 10;

    /// <summary>The attachment colour for a severity.</summary>
    public static string Colour(Severity severity) => severity switch
    {
        Severity.Critical => "#d32f2f",
        Severity.Warning => "#f9a825",
        _ => "#2e7d32",
    };

    /// <summary>Builds the message body.</summary>
    public static JsonObject Build(Notification notification)
    {
        var blocks = new JsonArray
        {
            new JsonObject
            {
                ["type"] = "header",
                ["text"] = new JsonObject { ["type"] = "plain_text", ["text"] = Cut(notification.Title, HeaderLimit), ["emoji"] = true },
            },
        };

        if (!string.IsNullOrWhiteSpace(notification.Text))
        {
            blocks.Add(Section(Cut(Escape(notification.Text), TextLimit)));
        }

        foreach (var chunk in notification.Fields.Chunk(FieldsPerSection))
        {
            var fields = new JsonArray();
            foreach (var (name, value) in chunk)
            {
                fields.Add(new JsonObject { ["type"] = "mrkdwn", ["text"] = Cut($"*{Escape(name)}*\n{Escape(value)}", FieldLimit) });
            }

            blocks.Add(new JsonObject { ["type"] = "section", ["fields"] = fields });
        }

        var context = new JsonArray { new JsonObject { ["type"] = "mrkdwn", ["text"] = $"Severity: *{SeverityName(notification.Severity)}*" } };
        if (notification.Link is { } link)
        {
            blocks.Add(Section($"<{link.AbsoluteUri}|Open in Matih>"));
        }

        blocks.Add(new JsonObject { ["type"] = "context", ["elements"] = context });
        var fallback = notification.Severity == Severity.Info ? notification.Title : $"[{SeverityName(notification.Severity).ToUpperInvariant()}] {notification.Title}";
        return new JsonObject
        {
            ["text"] = Escape(fallback),
            ["attachments"] = new JsonArray
            {
                new JsonObject
                {
                    ["color"] = Colour(notification.Severity),
                    ["fallback"] = Escape(fallback),
                    ["blocks"] = blocks,
                },
            },
        };
    }

    /// <summary>The severity as people read it.</summary>
    public static string SeverityName(Severity severity) => severity switch
    {
        Severity.Critical => "critical",
        Severity.Warning => "warning",
        _ => "info",
    };

    private static JsonObject Section(string mrkdwn) =>
        new() { ["type"] = "section", ["text"] = new JsonObject { ["type"] = "mrkdwn", ["text"] = mrkdwn } };

    // Slack reads &, < and > as control characters in mrkdwn.
    private static string Escape(string text) =>
        text.Replace("&", "&amp;", StringComparison.Ordinal).Replace("<", "&lt;", StringComparison.Ordinal).Replace(">", "&gt;", StringComparison.Ordinal);

    private static string Cut(string text, int limit) => text.Length <= limit ? text : text[..(limit - 1)] + "…";
}
