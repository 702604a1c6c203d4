using System.Text.Json;
using System.Text.Json.Nodes;
using Matih.Core.AbTests;
using Matih.Core.Deployments;
using Matih.Host.Api;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Authorization;

namespace Matih.Host.Components.AbTests;

/// <summary>
/// The A/B test setup form: writes the seed's document from its fields and starts it through the engine
/// <c>POST /api/abtests</c> calls, showing each problem under the field its JSON path names.
/// </summary>
public partial class AbTestSetupForm
{
    private static readonly JsonSerializerOptions s_pretty = new() { WriteIndented = true };

    private Dictionary<string, string> _problems = [];

    [Inject]
    private Matih.Core.AbTests.AbTests Tests { get; set; } = default!;

    [Inject]
    private ServingEngine Serving { get; set; } = default!;

    [CascadingParameter]
    private Task<AuthenticationState> AuthenticationState { get; set; } = default!;

    /// <summary>Called with the test's name once it started.</summary>
    [Parameter]
    public EventCallback<string> OnStarted { get; set; }

    /// <summary>Called when the form is cancelled.</summary>
    [Parameter]
    public EventCallback OnClose { get; set; }

    private string? Name { get; set; }

    private string? Deployment { get; set; }

    private int DurationDays { get; set; } = 14;

    private string? ControlModel { get; set; }

    private string? ControlDescription { get; set; }

    private double ControlPercentage { get; set; } = 50;

    private string? TreatmentModel { get; set; }

    private string? TreatmentDescription { get; set; }

    private string AssignmentMethod { get; set; } = "customer_id_hash";

    private string? PrimaryMetric { get; set; }

    private string? SecondaryMetrics { get; set; }

    private string? GuardrailMetric { get; set; }

    private double? GuardrailMax { get; set; }

    private bool Busy { get; set; }

    private List<string> Other { get; set; } = [];

    /// <summary>The seed-shaped document the fields make: the same keys in the same order as Stage 8's.</summary>
    private string Document
    {
        get
        {
            var document = new JsonObject { ["experiment_name"] = Name?.Trim() ?? "" };
            if (!string.IsNullOrWhiteSpace(Deployment))
            {
                document["deployment"] = Deployment.Trim();
            }

            document["duration_days"] = DurationDays;
            document["traffic_split"] = new JsonObject
            {
                ["control"] = Arm(ControlModel, ControlDescription, ControlPercentage),
                ["treatment"] = Arm(TreatmentModel, TreatmentDescription, 100 - ControlPercentage),
            };
            document["assignment_method"] = AssignmentMethod.Trim();
            document["primary_metric"] = PrimaryMetric?.Trim() ?? "";
            document["secondary_metrics"] = new JsonArray((SecondaryMetrics ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
                .Select(m => (JsonNode?)JsonValue.Create(m)).ToArray());
            document["guardrail_metrics"] = string.IsNullOrWhiteSpace(GuardrailMetric)
                ? new JsonArray()
                : new JsonArray(new JsonObject { ["metric"] = GuardrailMetric.Trim(), ["max_value"] = GuardrailMax });
            return document.ToJsonString(s_pretty);

            static JsonObject Arm(string? model, string? description, double share)
            {
                var arm = new JsonObject { ["model"] = model?.Trim() ?? "" };
                if (!string.IsNullOrWhiteSpace(description))
                {
                    arm["description"] = description.Trim();
                }

                arm["traffic_percentage"] = share;
                return arm;
            }
        }
    }

    private bool Has(string field) => _problems.ContainsKey(field);

    private string? Message(string field) => _problems.GetValueOrDefault(field);

    private async Task StartAsync()
    {
        Busy = true;
        try
        {
            var user = Auth.Roles.Caller((await AuthenticationState).User).UserName;
            var record = await Tests.StartAsync(Document, user, (model, ct) => AbTestEndpoints.ServingAsync(Serving, model, ct), CancellationToken.None);
            (_problems, Other) = ([], []);
            await OnStarted.InvokeAsync(record.Name);
        }
        catch (AbTestDocumentException e)
        {
            _problems = [];
            Other = [];
            foreach (var problem in e.Problems)
            {
                var field = Field(problem.Path);
                if (field is null || !_problems.TryAdd(field, problem.Message))
                {
                    Other.Add($"{problem.Path}: {problem.Message}");
                }
            }
        }
        finally
        {
            Busy = false;
        }
    }

    /// <summary>The form field a JSON path belongs to, or null for problems of the whole document.</summary>
    private static string? Field(string path) => path switch
    {
        "$.experiment_name" or "$.deployment" or "$.duration_days" or "$.primary_metric" or "$.assignment_method"
            or "$.traffic_split.control.model" or "$.traffic_split.treatment.model" => path,
        "$.traffic_split" or "$.traffic_split.control.traffic_percentage" or "$.traffic_split.treatment.traffic_percentage" => "split",
        _ when path.StartsWith("$.secondary_metrics", StringComparison.Ordinal) => "$.secondary_metrics",
        _ when path.StartsWith("$.guardrail_metrics", StringComparison.Ordinal) => "$.guardrail_metrics",
        _ => null,
    };
}
