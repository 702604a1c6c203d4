using Matih.Plugins.MlNet.Data;
using Matih.Sdk.Serving;
using Microsoft.Extensions.ObjectPool;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace Matih.Plugins.MlNet.Serving;

/// <summary>
/// A loaded model answering predictions from many threads. PredictionEngine is not thread-safe, so each call rents
/// an engine (with its own input and output buffers) from a pool; explanations use a second pool whose engines also
/// compute feature contributions, which costs several times more than the probability alone.
/// </summary>
internal sealed class MlNetPredictor : IModelPredictor
{
    private readonly FeatureLayout _layout;
    private readonly int[] _slotOwners;
    private readonly Dictionary<string, ReadOnlyMemory<char>>[] _knownCategories;
    private readonly ObjectPool<Scorer<ProbabilityOutput>> _plain;
    private readonly ObjectPool<Scorer<ExplainedOutput>> _explained;
    private volatile bool _disposed;

    public MlNetPredictor(MLContext ml, ITransformer model, FeatureLayout layout, IReadOnlyList<string> categoryKeys)
    {
        _layout = layout;
        _slotOwners = layout.SlotOwners(categoryKeys);
        _knownCategories = layout.Categorical.Select(_ => new Dictionary<string, ReadOnlyMemory<char>>(StringComparer.Ordinal)).ToArray();
        foreach (var key in categoryKeys)
        {
            var (index, value) = FeatureLayout.Unprefix(key);
            _knownCategories[index][value] = key.AsMemory();
        }

        var definition = InputDefinition(layout);
        var provider = new DefaultObjectPoolProvider { MaximumRetained = Math.Max(4, Environment.ProcessorCount * 4) };
        var creation = new Lock();
        _plain = provider.Create(new ScorerPolicy<ProbabilityOutput>(ml, model, definition, layout, creation));
        _explained = provider.Create(new ScorerPolicy<ExplainedOutput>(ml, model, definition, layout, creation));
    }

    public Prediction Predict(FeatureVector input, int topFactors)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentOutOfRangeException.ThrowIfNegative(topFactors);
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (topFactors == 0)
        {
            var scorer = _plain.Get();
            try
            {
                Fill(input, scorer.Input);
                scorer.Engine.Predict(scorer.Input, ref scorer.Output);
                return new Prediction(scorer.Output.Probability, []);
            }
            finally
            {
                _plain.Return(scorer);
            }
        }

        var explaining = _explained.Get();
        try
        {
            Fill(input, explaining.Input);
            explaining.Engine.Predict(explaining.Input, ref explaining.Output);
            return new Prediction(explaining.Output.Probability, TopFactors(explaining.Output.FeatureContributions, explaining.PerFeature, topFactors));
        }
        finally
        {
            _explained.Return(explaining);
        }
    }

    public void Dispose()
    {
        _disposed = true;
        (_plain as IDisposable)?.Dispose();
        (_explained as IDisposable)?.Dispose();
    }

    private static SchemaDefinition InputDefinition(FeatureLayout layout)
    {
        var definition = SchemaDefinition.Create(typeof(ModelInput));
        var numeric = definition[nameof(ModelInput.Numeric)];
        var categorical = definition[nameof(ModelInput.Categorical)];
        if (layout.Numeric.Count > 0)
        {
            numeric.ColumnType = new VectorDataViewType(NumberDataViewType.Single, layout.Numeric.Count);
        }
        else
        {
            definition.Remove(numeric);
        }

        if (layout.Categorical.Count > 0)
        {
            categorical.ColumnType = new VectorDataViewType(TextDataViewType.Instance, layout.Categorical.Count);
        }
        else
        {
            definition.Remove(categorical);
        }

        return definition;
    }

    private void Fill(FeatureVector input, ModelInput row)
    {
        var numeric = _layout.Numeric;
        for (var i = 0; i < numeric.Count; i++)
        {
            if (!input.Numeric.TryGetValue(numeric[i], out var value))
            {
                throw new ArgumentException($"{numeric[i]}: the model needs this numeric feature, but the input does not have it.", nameof(input));
            }

            row.Numeric[i] = value;
        }

        var categorical = _layout.Categorical;
        for (var j = 0; j < categorical.Count; j++)
        {
            if (!input.Categorical.TryGetValue(categorical[j], out var value))
            {
                throw new ArgumentException($"{categorical[j]}: the model needs this categorical feature, but the input does not have it.", nameof(input));
            }

            // A category the model never saw encodes as all zeros, exactly like a missing one.
            row.Categorical[j] = value is not null && _knownCategories[j].TryGetValue(value, out var key) ? key : ReadOnlyMemory<char>.Empty;
        }
    }

    private IReadOnlyList<FeatureFactor> TopFactors(float[] contributions, double[] perFeature, int count)
    {
        FeatureLayout.SumBySlotOwner(contributions, _slotOwners, perFeature);
        var total = 0.0;
        for (var f = 0; f < perFeature.Length; f++)
        {
            perFeature[f] = Math.Abs(perFeature[f]);
            total += perFeature[f];
        }

        var take = Math.Min(count, perFeature.Length);
        var factors = new FeatureFactor[take];
        Span<bool> used = stackalloc bool[perFeature.Length];
        for (var n = 0; n < take; n++)
        {
            var best = -1;
            for (var f = 0; f < perFeature.Length; f++)
            {
                if (!used[f] && (best < 0 || perFeature[f] > perFeature[best]))
                {
                    best = f;
                }
            }

            used[best] = true;
            factors[n] = new FeatureFactor(FeatureName(best), total > 0 ? perFeature[best] / total : 0);
        }

        return factors;
    }

    private string FeatureName(int index) =>
        index < _layout.Numeric.Count ? _layout.Numeric[index] : _layout.Categorical[index - _layout.Numeric.Count];

    /// <summary>A PredictionEngine with the buffers it fills; rented by one thread at a time.</summary>
    private sealed class Scorer<TOutput> : IDisposable
        where TOutput : class, new()
    {
        public Scorer(PredictionEngine<ModelInput, TOutput> engine, FeatureLayout layout)
        {
            Engine = engine;
            Input = new ModelInput
            {
                Numeric = new float[layout.Numeric.Count],
                Categorical = new ReadOnlyMemory<char>[layout.Categorical.Count],
            };
            PerFeature = new double[layout.FeatureCount];
        }

        public PredictionEngine<ModelInput, TOutput> Engine { get; }

        public ModelInput Input { get; }

        public double[] PerFeature { get; }

        public TOutput Output = new();

        public void Dispose() => Engine.Dispose();
    }

    private sealed class ScorerPolicy<TOutput>(MLContext ml, ITransformer model, SchemaDefinition definition, FeatureLayout layout, Lock creation)
        : PooledObjectPolicy<Scorer<TOutput>>
        where TOutput : class, new()
    {
        public override Scorer<TOutput> Create()
        {
            // Engines are created rarely (pool misses); the shared MLContext is not documented as safe for concurrent use.
            lock (creation)
            {
                return new Scorer<TOutput>(ml.Model.CreatePredictionEngine<ModelInput, TOutput>(model, ignoreMissingColumns: true, inputSchemaDefinition: definition), layout);
            }
        }

        public override bool Return(Scorer<TOutput> obj) => true;
    }
}
