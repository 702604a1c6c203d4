using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using Matih.Testing;

namespace Matih.Host.Tests.Api;

/// <summary>The seed's curl request against /serve/churn-predictor-v1/predict, and what else serving answers.</summary>
[Collection(ServeHostCollection.Name)]
public sealed class ServeApiTests(ServeHostFixture fixture)
{
    private MatihHost Host => fixture.Host;

    [Fact]
    public async Task The_seeds_curl_request_gets_the_seeds_response_shape_with_the_model_version()
    {
        using var client = await Host.SignedInAsync();
        await fixture.EnsureSeedDeployedAsync(client);

        var response = await client.PostAsync("serve/churn-predictor-v1/predict", ServeHostFixture.Json(ServeHostFixture.Seed("churn-predict-request.json")));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        Assert.True(Guid.TryParse(response.Headers.GetValues("X-Request-Id").Single(), out _));
        var answer = JsonNode.Parse(await response.Content.ReadAsStringAsync())!.AsObject();
        var seed = JsonNode.Parse(ServeHostFixture.Seed("churn-predict-response.json"))!.AsObject();
        Assert.Equal(seed.Select(p => p.Key).Append("model_version"), answer.Select(p => p.Key));
        Assert.Equal(1042587, answer["customer_id"]!.GetValue<long>());
        var probability = answer["churn_probability"]!.GetValue<double>();
        Assert.InRange(probability, 0, 1);
        Assert.Equal(probability < 0.3 ? "LOW" : probability <= 0.7 ? "MEDIUM" : "HIGH", answer["churn_risk"]!.GetValue<string>());
        var factors = answer["top_factors"]!.AsArray();
        Assert.Equal(3, factors.Count);
        Assert.All(factors, f => Assert.Equal(["feature", "importance"], f!.AsObject().Select(p => p.Key)));
        Assert.Equal("1.0.0", answer["model_version"]!.GetValue<string>());
    }

    [Fact]
    public async Task Missing_extra_and_wrongly_typed_fields_are_400_naming_the_field_and_the_instance_of_a_batch()
    {
        using var client = await Host.SignedInAsync();
        await fixture.EnsureSeedDeployedAsync(client);
        var request = JsonNode.Parse(ServeHostFixture.Seed("churn-predict-request.json"))!.AsObject();
        request.Remove("return_rate");
        request["coupon_code"] = "XMAS";
        request["total_orders"] = "three";
        var good = JsonNode.Parse(ServeHostFixture.Seed("churn-predict-request.json"))!;
        var bad = good.DeepClone();
        bad["segment"] = 3;

        var single = await client.PostAsync("serve/churn-predictor-v1/predict", ServeHostFixture.Json(request.ToJsonString()));
        var batch = await client.PostAsync("serve/churn-predictor-v1/predict", ServeHostFixture.Json(new JsonObject { ["instances"] = new JsonArray(good.DeepClone(), bad) }.ToJsonString()));
        var notJson = await client.PostAsync("serve/churn-predictor-v1/predict", ServeHostFixture.Json("{\"customer_id\": 1,"));

        Assert.Equal(HttpStatusCode.BadRequest, single.StatusCode);
        Assert.Equal("application/problem+json", single.Content.Headers.ContentType?.MediaType);
        var errors = (await single.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors");
        Assert.Equal(["coupon_code", "return_rate", "total_orders"], errors.EnumerateObject().Select(p => p.Name).Order(StringComparer.Ordinal));
        Assert.Equal("must be a whole number (int), not the string \"three\".", errors.GetProperty("total_orders")[0].GetString());
        Assert.Equal(HttpStatusCode.BadRequest, batch.StatusCode);
        Assert.Equal(["instances[1].segment"], (await batch.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors").EnumerateObject().Select(p => p.Name));
        Assert.Equal(HttpStatusCode.BadRequest, notJson.StatusCode);
    }

    [Fact]
    public async Task A_batch_of_instances_gets_one_prediction_each_in_order()
    {
        using var client = await Host.SignedInAsync();
        await fixture.EnsureSeedDeployedAsync(client);
        var first = JsonNode.Parse(ServeHostFixture.Seed("churn-predict-request.json"))!;
        var second = first.DeepClone();
        second["customer_id"] = 17;
        second["days_since_last_order"] = 2;

        var response = await client.PostAsync("serve/churn-predictor-v1/predict", ServeHostFixture.Json(new JsonObject { ["instances"] = new JsonArray(first.DeepClone(), second) }.ToJsonString()));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var predictions = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("predictions");
        Assert.Equal([1042587L, 17L], predictions.EnumerateArray().Select(p => p.GetProperty("customer_id").GetInt64()));
        Assert.All(predictions.EnumerateArray(), p => Assert.Equal("1.0.0", p.GetProperty("model_version").GetString()));
    }

    [Fact]
    public async Task A_request_with_only_the_customer_id_is_answered_from_the_online_feature_store()
    {
        using var client = await Host.SignedInAsync();
        await fixture.EnsureSeedDeployedAsync(client);
        var synced = await client.PostAsJsonAsync("api/features", new
        {
            feature_group = "customer_churn_features",
            source_table = ServeHostFixture.ChurnFeatures,
            entity_key = "customer_id",
            timestamp_column = "last_order_date",
        });
        Assert.True(synced.IsSuccessStatusCode, await synced.Content.ReadAsStringAsync());
        var sql = await client.PostAsJsonAsync("api/sql", new { sql = $"SELECT min(customer_id) FROM {ServeHostFixture.ChurnFeatures}" });
        var customer = (await sql.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("rows")[0][0].GetInt64();

        var known = await client.PostAsync("serve/churn-predictor-v1/predict", ServeHostFixture.Json($"{{\"customer_id\": {customer}}}"));
        var unknown = await client.PostAsync("serve/churn-predictor-v1/predict", ServeHostFixture.Json("{\"customer_id\": 999999999}"));

        Assert.Equal(HttpStatusCode.OK, known.StatusCode);
        var answer = await known.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(customer, answer.GetProperty("customer_id").GetInt64());
        Assert.InRange(answer.GetProperty("churn_probability").GetDouble(), 0, 1);
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        var problem = await unknown.Content.ReadFromJsonAsync<JsonElement>();
        Assert.True(problem.GetProperty("errors").TryGetProperty("customer_id", out _));
        Assert.Contains("customer_id 999999999 has no features in feature group customer_churn_features", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Serving_needs_a_bearer_token_any_role_may_predict_and_health_answers()
    {
        using var admin = await Host.SignedInAsync();
        await fixture.EnsureSeedDeployedAsync(admin);
        using var viewer = await Host.SignedInAsync(ServeHostFixture.ViewerName, ServeHostFixture.ViewerPassword);
        using var anonymous = Host.Anonymous();
        var body = ServeHostFixture.Seed("churn-predict-request.json");

        var withoutToken = await anonymous.PostAsync("serve/churn-predictor-v1/predict", ServeHostFixture.Json(body));
        var badToken = new HttpRequestMessage(HttpMethod.Post, "serve/churn-predictor-v1/predict") { Content = ServeHostFixture.Json(body) };
        badToken.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", "not-a-token");
        var byViewer = await viewer.PostAsync("serve/churn-predictor-v1/predict", ServeHostFixture.Json(body));
        var viewerDeploys = await ServeHostFixture.DeployAsync(viewer, "viewer-deployment", "customer-churn-predictor/1.0.0");
        var health = await viewer.GetAsync("serve/churn-predictor-v1/health");
        var healthAnonymous = await anonymous.GetAsync("serve/churn-predictor-v1/health");
        var noDeployment = await viewer.PostAsync("serve/nothing-here/predict", ServeHostFixture.Json(body));

        Assert.Equal(HttpStatusCode.Unauthorized, withoutToken.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.SendAsync(badToken)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, byViewer.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, viewerDeploys.StatusCode);
        Assert.Equal(HttpStatusCode.OK, health.StatusCode);
        var status = await health.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(("healthy", "1.0.0"), (status.GetProperty("status").GetString(), status.GetProperty("model_version").GetString()));
        Assert.Equal(HttpStatusCode.Unauthorized, healthAnonymous.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, noDeployment.StatusCode);
    }

    [Fact]
    public async Task Each_prediction_is_written_to_the_prediction_log_in_the_warehouse()
    {
        using var client = await Host.SignedInAsync();
        await fixture.EnsureSeedDeployedAsync(client);
        var response = await client.PostAsync("serve/churn-predictor-v1/predict", ServeHostFixture.Json(ServeHostFixture.Seed("churn-predict-request.json")));
        var requestId = response.Headers.GetValues("X-Request-Id").Single();
        var probability = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("churn_probability").GetDouble();

        JsonElement rows = default;
        for (var attempt = 0; attempt < 50; attempt++)
        {
            var query = await client.PostAsJsonAsync("api/sql", new
            {
                sql = $"""
                    SELECT deployment, model_name, model_version, entity_key, json_extract_string(features, '$.segment'), round(probability, 4), status, latency_us > 0
                    FROM analytics.monitoring.prediction_log WHERE request_id = '{requestId}'
                    """,
            });
            Assert.True(query.IsSuccessStatusCode, await query.Content.ReadAsStringAsync());
            rows = (await query.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("rows");
            if (rows.GetArrayLength() > 0)
            {
                break;
            }

            await Task.Delay(100);
        }

        var row = Assert.Single(rows.EnumerateArray()).EnumerateArray().ToArray();
        Assert.Equal(["churn-predictor-v1", "customer-churn-predictor", "1.0.0", "1042587", "Silver"], row[..5].Select(v => v.GetString()));
        Assert.Equal(probability, row[5].GetDouble());
        Assert.Equal(("ok", true), (row[6].GetString(), row[7].GetBoolean()));
    }
}
