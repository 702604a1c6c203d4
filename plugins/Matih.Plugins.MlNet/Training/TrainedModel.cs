using Matih.Plugins.MlNet.Data;
using Matih.Sdk.Training;
using Microsoft.ML;

namespace Matih.Plugins.MlNet.Training;

/// <summary>A fitted ML.NET model chain: preparation, scorer (with calibrator) and feature contributions.</summary>
internal sealed class TrainedModel : ITrainedModel
{
    private readonly MLContext _ml;
    private readonly ITransformer _model;
    private readonly FeatureLayout _layout;
    private readonly IReadOnlyDictionary<string, double> _importance;

    public TrainedModel(MLContext ml, ITransformer model, FeatureLayout layout, IReadOnlyDictionary<string, double> importance, TimeSpan fitTime)
    {
        _ml = ml;
        _model = model;
        _layout = layout;
        _importance = importance;
        FitTime = fitTime;
    }

    /// <summary>How long the fit took, preparation included.</summary>
    public TimeSpan FitTime { get; }

    public float[] Score(FeatureTable rows)
    {
        ArgumentNullException.ThrowIfNull(rows);
        var view = new FeatureTableDataView(rows, _layout, includeLabel: false);
        var scored = _model.Transform(view);
        var probabilities = new float[rows.RowCount];
        var column = scored.Schema[FeatureLayout.ProbabilityColumn];
        // Only the probability is read, so the (costlier) contributions are never computed here.
        using var cursor = scored.GetRowCursor([column]);
        var getter = cursor.GetGetter<float>(column);
        var i = 0;
        while (cursor.MoveNext())
        {
            getter(ref probabilities[i++]);
        }

        return probabilities;
    }

    public IReadOnlyDictionary<string, double> FeatureImportance() => _importance;

    public async Task SaveAsync(Stream destination, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(destination);
        using var buffer = new MemoryStream();
        _ml.Model.Save(_model, FeatureTableDataView.SchemaOf(_layout, includeLabel: false), buffer);
        buffer.Position = 0;
        await buffer.CopyToAsync(destination, cancellationToken).ConfigureAwait(false);
    }
}
