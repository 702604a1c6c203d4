using System.Text.Json;
using Matih.Core.Quality;
using Microsoft.AspNetCore.Components;

namespace Matih.Host.Components.Pages;

/// <summary>
/// One validation run as a Data-Docs-like page: status, statistics, each expectation with its kwargs and observed
/// figures (observed value, counts, unexpected share and sample), and the report in the seed's words.
/// </summary>
public partial class QualityResult
{
    private static readonly HashSet<string> s_shown = new(StringComparer.Ordinal)
    {
        "observed_value", "element_count", "missing_count", "unexpected_count", "unexpected_percent", "partial_unexpected_list", "values_not_in_set", "details",
    };

    [Inject]
    private QualityValidations Validations { get; set; } = default!;

    /// <summary>The run id from the route.</summary>
    [Parameter]
    public Guid Id { get; set; }

    private ValidationRun? Run { get; set; }

    private bool NotFound { get; set; }

    private static HashSet<string> Shown => s_shown;

    /// <inheritdoc />
    protected override async Task OnParametersSetAsync()
    {
        Run = await Validations.GetAsync(Id, CancellationToken.None);
        NotFound = Run is null;
    }

    /// <summary>A result figure, with an object of details (observed min and max) shown as its own figures.</summary>
    private static IEnumerable<JsonProperty> Flatten(JsonProperty figure) =>
        figure.Value.ValueKind == JsonValueKind.Object ? figure.Value.EnumerateObject() : [figure];

    private static string SeverityOf(JsonElement config) =>
        config.TryGetProperty("severity", out var s) && s.ValueKind == JsonValueKind.String ? s.GetString()!
        : config.TryGetProperty("meta", out var meta) && meta.ValueKind == JsonValueKind.Object && meta.TryGetProperty("severity", out var m) && m.ValueKind == JsonValueKind.String ? m.GetString()!
        : "error";
}
