using System.Text.Json;
using Matih.Plugins.MlNet.Training;
using Matih.Sdk.Training;

namespace Matih.Plugins.MlNet.Tests.Support;

/// <summary>The plugin's four trainers, each fitted once on the same synthetic rows and shared by the tests.</summary>
public sealed class Trained
{
    public const int Seed = 11;

    private readonly Dictionary<string, Task<ITrainedModel>> _models = new(StringComparer.Ordinal);
    private readonly Lock _lock = new();

    public Trained()
    {
        Train = ChurnLikeData.Generate(6_000, seed: 1);
        Test = ChurnLikeData.Generate(3_000, seed: 2);
    }

    public FeatureTable Train { get; }

    public FeatureTable Test { get; }

    public static IReadOnlyList<ITrainer> Trainers() =>
    [
        new MlNetTrainer(new LogisticRegressionAlgorithm()),
        new MlNetTrainer(new RandomForestAlgorithm()),
        new MlNetTrainer(new FastTreeAlgorithm()),
        new MlNetTrainer(new LightGbmAlgorithm()),
    ];

    public static ITrainer Trainer(string id) => Trainers().Single(t => t.Id == id);

    public Task<ITrainedModel> Model(string trainerId)
    {
        lock (_lock)
        {
            if (!_models.TryGetValue(trainerId, out var model))
            {
                model = Trainer(trainerId).TrainAsync(Request(Train), new Progress<double>(), CancellationToken.None);
                _models[trainerId] = model;
            }

            return model;
        }
    }

    public static TrainingRequest Request(FeatureTable rows, IReadOnlyDictionary<string, JsonElement>? parameters = null) =>
        new(rows, parameters ?? new Dictionary<string, JsonElement>(), Seed, Threads: 1);
}
