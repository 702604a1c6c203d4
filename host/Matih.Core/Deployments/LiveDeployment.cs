using System.Collections.Frozen;
using Matih.Core.Models;
using Matih.Sdk.Serving;

namespace Matih.Core.Deployments;

/// <summary>A registered model version as one deployment serves it: inputs, entity key, response field names.</summary>
internal sealed class ServingModel
{
    private volatile string? _keyField;

    public ServingModel(ModelVersionView version, IServingRuntime runtime, PredictionOutput output, string? keyField)
    {
        Version = version;
        Runtime = runtime;
        Output = output;
        _keyField = keyField;
        Inputs = version.InputSchema;
        Index = Inputs.Select((input, i) => (input.Name, i)).ToFrozenDictionary(p => p.Name, p => p.i, StringComparer.Ordinal);
        NumericCount = Inputs.Count(i => i.IsNumeric);
        (ProbabilityField, RiskField) = FieldNames(version.Source.Label, output);
        Neutral = new FeatureVector(
            version.NumericFeatures.ToDictionary(f => f, _ => float.NaN, StringComparer.Ordinal),
            version.CategoricalFeatures.ToDictionary(f => f, _ => (string?)null, StringComparer.Ordinal));
    }

    public ModelVersionView Version { get; }

    public IServingRuntime Runtime { get; }

    public PredictionOutput Output { get; }

    public IReadOnlyList<InputFeature> Inputs { get; }

    public FrozenDictionary<string, int> Index { get; }

    public int NumericCount { get; }

    public string ProbabilityField { get; }

    public string RiskField { get; }

    /// <summary>All inputs unknown: the health probe.</summary>
    public FeatureVector Neutral { get; }

    public string Reference => Version.Reference;

    public string? FeatureSet => Version.FeatureSet;

    /// <summary>The feature group's entity key; null until the group exists (the <c>*_id</c> rule applies meanwhile).</summary>
    public string? KeyField
    {
        get => _keyField;
        set => _keyField = value;
    }

    public ModelArtifact Artifact => new(Version.Framework, Version.Artifact.Path, Version.NumericFeatures, Version.CategoricalFeatures);

    /// <summary>
    /// <c>{stem}_probability</c> and <c>{stem}_risk</c>, the stem being the label without an <c>is_</c>/<c>has_</c>/<c>will_</c>
    /// prefix and a past-tense <c>ed</c> (<c>is_churned</c>: <c>churn</c>); the deployment's output settings win.
    /// </summary>
    public static (string Probability, string Risk) FieldNames(string label, PredictionOutput output)
    {
        var stem = label.ToLowerInvariant();
        foreach (var prefix in new[] { "is_", "has_", "will_", "did_" })
        {
            if (stem.StartsWith(prefix, StringComparison.Ordinal) && stem.Length > prefix.Length)
            {
                stem = stem[prefix.Length..];
                break;
            }
        }

        if (stem.EndsWith("ed", StringComparison.Ordinal) && stem.Length > 4)
        {
            stem = stem[..^2];
        }

        return (output.ProbabilityField ?? $"{stem}_probability", output.RiskField ?? $"{stem}_risk");
    }
}

/// <summary>
/// One loaded copy of the model. Requests count themselves in <see cref="Ongoing"/> while they use it; a retired
/// replica takes no new requests and is disposed once its ongoing count is back to zero.
/// </summary>
internal sealed class Replica(int id, IModelPredictor predictor, DeploymentState state, DateTimeOffset startedAt)
{
    private int _ongoing;
    private long _requests;
    private int _retired;

    public int Id { get; } = id;

    public IModelPredictor Predictor { get; } = predictor;

    public DeploymentState State { get; } = state;

    public DateTimeOffset StartedAt { get; } = startedAt;

    public int Ongoing => Volatile.Read(ref _ongoing);

    public long Requests => Interlocked.Read(ref _requests);

    public bool Retired => Volatile.Read(ref _retired) != 0;

    /// <summary>Takes the replica for one request (a health probe is not counted as one); false when it was retired meanwhile (pick again).</summary>
    public bool TryEnter(bool probe = false)
    {
        // Count first, then look: Retire sets the flag first, then looks at the count. Either this sees the flag, or
        // Retire sees the count and waits (both steps are full fences).
        Interlocked.Increment(ref _ongoing);
        if (Volatile.Read(ref _retired) == 0)
        {
            if (!probe)
            {
                Interlocked.Increment(ref _requests);
            }

            return true;
        }

        Interlocked.Decrement(ref _ongoing);
        return false;
    }

    public void Exit() => Interlocked.Decrement(ref _ongoing);

    /// <summary>Stops new requests, waits for those in flight (up to <paramref name="timeout"/>), then unloads the model.</summary>
    public async Task RetireAsync(TimeSpan timeout)
    {
        Interlocked.Exchange(ref _retired, 1);
        var deadline = Environment.TickCount64 + (long)timeout.TotalMilliseconds;
        while (Volatile.Read(ref _ongoing) > 0 && Environment.TickCount64 < deadline)
        {
            await Task.Delay(2).ConfigureAwait(false);
        }

        Predictor.Dispose();
    }
}

/// <summary>
/// One version of a deployment: its settings, model and replicas. An update builds a new state with new replicas
/// and swaps it in whole; autoscaling swaps the replica array of the current state.
/// </summary>
internal sealed class DeploymentState(DeploymentSpec spec, ServingModel model)
{
    private volatile Replica[] _replicas = [];

    public DeploymentSpec Spec { get; } = spec;

    public ServingModel Model { get; } = model;

    public Replica[] Replicas
    {
        get => _replicas;
        set => _replicas = value;
    }

    public AutoscalingPolicy? Autoscaling { get; } = spec.Autoscaling is { } config ? new AutoscalingPolicy(config) : null;

    public long NextHealthCheckMs { get; set; }
}

/// <summary>The result of the last health probe of a deployment.</summary>
/// <param name="At">When.</param>
/// <param name="Healthy">Whether every replica answered.</param>
/// <param name="Message">What failed, if anything.</param>
public sealed record HealthProbe(DateTimeOffset At, bool Healthy, string? Message);

/// <summary>A deployment in memory: the current state, admission control and statistics.</summary>
internal sealed class LiveDeployment(string name, DeploymentRecord record)
{
    private volatile DeploymentState? _current;
    private int _ongoing;
    private int _nextReplicaId;

    public string Name { get; } = name;

    public DeploymentRecord Record { get; set; } = record;

    public DeploymentState? Current
    {
        get => _current;
        set => _current = value;
    }

    /// <summary>deploying | running | updating | failed.</summary>
    public string Status { get; set; } = "deploying";

    public string? Error { get; set; }

    public RequestStats Stats { get; } = new();

    public HealthProbe? LastProbe { get; set; }

    public int Ongoing => Volatile.Read(ref _ongoing);

    public int NextReplicaId() => Interlocked.Increment(ref _nextReplicaId);

    /// <summary>Admits a request when fewer than <paramref name="limit"/> are in flight; never waits.</summary>
    public bool TryAdmit(int limit)
    {
        if (Interlocked.Increment(ref _ongoing) <= limit)
        {
            return true;
        }

        Interlocked.Decrement(ref _ongoing);
        return false;
    }

    public void Leave() => Interlocked.Decrement(ref _ongoing);

    /// <summary>
    /// A replica of the current state for one request, the less busy of two picked at random (Ray Serve's
    /// power-of-two-choices); null when the deployment has none.
    /// </summary>
    public Replica? AcquireReplica()
    {
        for (var attempt = 0; attempt < 1_000; attempt++)
        {
            var replicas = _current?.Replicas;
            if (replicas is null || replicas.Length == 0)
            {
                return null;
            }

            var pick = replicas[Random.Shared.Next(replicas.Length)];
            if (replicas.Length > 1)
            {
                var other = replicas[Random.Shared.Next(replicas.Length)];
                if (other.Ongoing < pick.Ongoing)
                {
                    pick = other;
                }
            }

            if (pick.TryEnter())
            {
                return pick;
            }
        }

        return null;
    }
}
