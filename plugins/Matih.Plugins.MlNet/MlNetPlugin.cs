using Matih.Plugins.MlNet.Serving;
using Matih.Plugins.MlNet.Training;
using Matih.Sdk.Plugins;
using Matih.Sdk.Serving;
using Matih.Sdk.Training;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Matih.Plugins.MlNet;

/// <summary>
/// Entry point of the mlnet plugin: four binary-classification trainers on ML.NET (<c>logistic_regression</c>,
/// <c>random_forest</c>, <c>fast_tree</c>, <c>lightgbm</c>) and the in-process serving runtime for their artifacts.
/// No settings.
/// </summary>
public sealed class MlNetPlugin : IMatihPlugin
{
    /// <inheritdoc />
    public PluginManifest Manifest { get; } = new(
        "mlnet",
        "ML.NET trainers and serving",
        "1.0.0",
        PluginKind.Trainer,
        "Trains logistic regression, random forest, FastTree and LightGBM classifiers and serves them in process with per-prediction top factors.");

    /// <inheritdoc />
    public void Register(IServiceCollection services, IConfiguration settings)
    {
        // Before any LightGBM fit loads OpenMP: its threads must not spin on a shared machine.
        OpenMpEnvironment.PreferPassiveWaiting();
        services.AddSingleton<ITrainer>(new MlNetTrainer(new LogisticRegressionAlgorithm()));
        services.AddSingleton<ITrainer>(new MlNetTrainer(new RandomForestAlgorithm()));
        services.AddSingleton<ITrainer>(new MlNetTrainer(new FastTreeAlgorithm()));
        services.AddSingleton<ITrainer>(new MlNetTrainer(new LightGbmAlgorithm()));
        services.AddSingleton<IServingRuntime, MlNetServingRuntime>();
    }
}
