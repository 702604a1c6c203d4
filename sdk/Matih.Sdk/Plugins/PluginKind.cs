namespace Matih.Sdk.Plugins;

/// <summary>The kinds of extension a plugin can contribute. A plugin declares its main kind in its manifest.</summary>
public enum PluginKind
{
    /// <summary>Reads a source into the warehouse (<see cref="Connectors.IConnector"/>).</summary>
    Connector,
    /// <summary>Lists datasets and their metadata (<see cref="Catalog.ICatalogProvider"/>).</summary>
    CatalogProvider,
    /// <summary>One or more expectation types (<see cref="Quality.IQualityRule"/>).</summary>
    QualityRule,
    /// <summary>Trains models (<see cref="Training.ITrainer"/>).</summary>
    Trainer,
    /// <summary>Loads registered models and answers predictions (<see cref="Serving.IServingRuntime"/>).</summary>
    ServingRuntime,
    /// <summary>Compares a current window with a reference (<see cref="Drift.IDriftDetector"/>).</summary>
    DriftDetector,
    /// <summary>A task kind in a pipeline DAG (<see cref="Pipelines.IPipelineTaskType"/>).</summary>
    PipelineTaskType,
    /// <summary>Delivers alerts and run reports (<see cref="Notifications.INotifier"/>).</summary>
    Notifier,
}
