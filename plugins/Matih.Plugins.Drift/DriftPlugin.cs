using Matih.Sdk.Drift;
using Matih.Sdk.Plugins;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Matih.Plugins.Drift;

/// <summary>
/// Entry point of the drift plugin: registers the built-in detectors <c>psi</c>, <c>ks_test</c>,
/// <c>chi_square</c>, <c>jensen_shannon</c>, <c>wasserstein</c> and <c>precision_at_k</c>. No settings.
/// </summary>
public sealed class DriftPlugin : IMatihPlugin
{
    /// <summary>The plugin id in plugins.json.</summary>
    public const string PluginId = "drift";

    /// <inheritdoc />
    public PluginManifest Manifest { get; } = new(
        PluginId,
        "Drift detectors",
        "1.0.0",
        PluginKind.DriftDetector,
        "PSI, Kolmogorov-Smirnov, chi-square, Jensen-Shannon, Wasserstein and precision@k for monitors.");

    /// <inheritdoc />
    public void Register(IServiceCollection services, IConfiguration settings)
    {
        services.AddSingleton<IDriftDetector, PsiDetector>();
        services.AddSingleton<IDriftDetector, KsTestDetector>();
        services.AddSingleton<IDriftDetector, ChiSquareDetector>();
        services.AddSingleton<IDriftDetector, JensenShannonDetector>();
        services.AddSingleton<IDriftDetector, WassersteinDetector>();
        services.AddSingleton<IDriftDetector, PrecisionAtKDetector>();
    }
}
