using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Matih.Core.Deployments;
using Matih.Core.Models;
using Microsoft.AspNetCore.Components;
using MudBlazor;

namespace Matih.Host.Components.Pages;

/// <summary>
/// ML Workbench > Deployments: status, replicas, request rate, latency p50/p99 and error rate of every deployment,
/// refreshed every two seconds, with a "try it" form answering through the same engine call as
/// <c>POST /serve/{deployment}/predict</c>.
/// </summary>
public partial class Deployments : IDisposable
{
    // The seed's curl body: the example for models with the seed's inputs.
    private static readonly Dictionary<string, JsonNode?> s_examples = new(StringComparer.Ordinal)
    {
        ["total_orders"] = 3,
        ["avg_order_value"] = 45.20,
        ["days_since_last_order"] = 78,
        ["customer_age_days"] = 412,
        ["total_sessions_90d"] = 2,
        ["product_views_90d"] = 8,
        ["return_rate"] = 0.33,
        ["segment"] = "Silver",
    };

    private static readonly JsonSerializerOptions s_pretty = new() { WriteIndented = true };

    private Timer? _refresh;

    [Inject]
    private ServingEngine Engine { get; set; } = default!;

    [Inject]
    private ModelRegistry Registry { get; set; } = default!;

    private IReadOnlyList<DeploymentView>? Rows { get; set; }

    private string? Selected { get; set; }

    private DeploymentView? Detail { get; set; }

    private string Body { get; set; } = "";

    private string Example { get; set; } = "";

    private bool Predicting { get; set; }

    private string? Answer { get; set; }

    private string AnswerTitle { get; set; } = "";

    private bool AnswerOk { get; set; }

    /// <inheritdoc />
    public void Dispose()
    {
        Engine.Changed -= OnChanged;
        _refresh?.Dispose();
    }

    /// <inheritdoc />
    protected override async Task OnInitializedAsync()
    {
        Engine.Changed += OnChanged;
        await LoadAsync();
        _refresh = new Timer(_ => OnChanged(), null, TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(2));
    }

    private async Task LoadAsync()
    {
        Rows = await Engine.ListAsync(CancellationToken.None);
        if (Selected is { } name)
        {
            Detail = await Engine.GetAsync(name, CancellationToken.None);
        }
    }

    private async Task SelectAsync(string name)
    {
        Selected = name;
        Answer = null;
        Detail = await Engine.GetAsync(name, CancellationToken.None);
        Example = Detail is null ? "" : await ExampleAsync(Detail);
        Body = Example;
    }

    private void ResetBody() => Body = Example;

    private async Task PredictAsync()
    {
        if (Selected is not { } name)
        {
            return;
        }

        Predicting = true;
        try
        {
            using var document = JsonDocument.Parse(Body);
            var outcome = await Engine.PredictAsync(name, document.RootElement, null, CancellationToken.None);
            AnswerOk = outcome.Status == PredictionStatus.Ok;
            if (AnswerOk)
            {
                using var buffer = new MemoryStream();
                await using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true }))
                {
                    outcome.WriteTo(writer);
                }

                AnswerTitle = $"200 OK, request {outcome.RequestId}";
                Answer = Encoding.UTF8.GetString(buffer.ToArray());
            }
            else
            {
                AnswerTitle = $"{outcome.Status}: {outcome.Message}";
                Answer = string.Join("\n", outcome.Problems.Select(p => $"{p.Path}: {p.Message}"));
            }
        }
        catch (JsonException e)
        {
            (AnswerOk, AnswerTitle, Answer) = (false, "The body is not JSON.", e.Message);
        }
        finally
        {
            Predicting = false;
        }
    }

    /// <summary>A body with every input of the served version (the seed's values where the names match) and the entity key.</summary>
    private async Task<string> ExampleAsync(DeploymentView deployment)
    {
        var version = await Registry.GetVersionAsync(deployment.ModelName, deployment.ModelVersion, CancellationToken.None);
        var body = new JsonObject();
        if (deployment.Settings?.EntityKey is { } key)
        {
            body[key] = 1042587;
        }

        foreach (var input in version?.InputSchema ?? [])
        {
            body[input.Name] = s_examples.TryGetValue(input.Name, out var value) ? value?.DeepClone() : input.Type switch
            {
                InputFeatureType.String => "",
                InputFeatureType.Bool => false,
                _ => 0,
            };
        }

        return body.ToJsonString(s_pretty);
    }

    private void OnChanged() => _ = InvokeAsync(async () =>
    {
        await LoadAsync();
        StateHasChanged();
    });

    private static Color StatusColor(string status) => status switch
    {
        "running" => Color.Success,
        "failed" => Color.Error,
        _ => Color.Info,
    };

    private static string Millis(double? value) => value is { } v ? v.ToString("0.00", CultureInfo.InvariantCulture) : "-";

    private static string Time(DateTimeOffset at) => at.ToLocalTime().ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture);
}
