using System.Text;
using Matih.Sdk.Notifications;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Matih.Plugins.Notifiers.Tests.Support;

/// <summary>Plugin settings from JSON, bound the way the host binds a plugins.json entry's settings.</summary>
internal static class Settings
{
    public static IConfiguration FromJson(string json) =>
        new ConfigurationBuilder().AddJsonStream(new MemoryStream(Encoding.UTF8.GetBytes(json))).Build();

    /// <summary>The notifiers the plugin registers for <paramref name="json"/>, resolved from a real container.</summary>
    public static IReadOnlyDictionary<string, INotifier> Notifiers(string json, IReadOnlyDictionary<string, string?>? hostSettings = null)
    {
        var services = new ServiceCollection();
        if (hostSettings is not null)
        {
            services.AddSingleton<IConfiguration>(new ConfigurationBuilder().AddInMemoryCollection(hostSettings).Build());
        }

        new NotifiersPlugin().Register(services, FromJson(json));
        return services.BuildServiceProvider().GetServices<INotifier>().ToDictionary(n => n.Channel);
    }

    /// <summary>A notification with every part filled in.</summary>
    public static Notification Sample(Severity severity = Severity.Critical) => new(
        "Daily Churn Feature Refresh failed",
        "Task quality_gate failed after 1 attempt: 2 of 7 expectations not met (expect_column_values_to_not_be_null on customer_id).",
        severity,
        new Uri("http://matih.local/pipelines/churn-feature-refresh/runs/42"))
    {
        Fields = new Dictionary<string, string>
        {
            ["pipeline"] = "churn-feature-refresh",
            ["failed task"] = "quality_gate",
            ["duration"] = "4.2 s",
        },
    };
}
