namespace Matih.Core.Deployments;

/// <summary>Serving settings, from <c>Matih:Serving</c> (appsettings.json or <c>MATIH__SERVING__*</c>).</summary>
public sealed class ServingOptions
{
    /// <summary>The configuration section.</summary>
    public const string Section = "Matih:Serving";

    /// <summary>
    /// How often each host compares its live deployments with the stored ones and follows changes made on other hosts
    /// (server mode), in seconds; also how often a deployment that could not load here is tried again.
    /// </summary>
    public double ReconcileSeconds { get; set; } = 2;

    /// <summary><see cref="ReconcileSeconds"/> as a span.</summary>
    public TimeSpan ReconcileInterval => TimeSpan.FromSeconds(ReconcileSeconds);
}
