using System.Net.Http.Json;
using System.Text.Json;

namespace Matih.Testing;

/// <summary>Starts a connection's sync through the API and waits for the run to end.</summary>
public static class SyncClient
{
    /// <summary>POSTs <c>/api/connections/{id}/sync</c> and polls the run until it ends; returns the run document.</summary>
    public static async Task<JsonElement> SyncAsync(this HttpClient client, string connectionId, TimeSpan? timeout = null)
    {
        var started = await client.PostAsync($"api/connections/{connectionId}/sync", null);
        if (!started.IsSuccessStatusCode)
        {
            throw new InvalidOperationException($"Starting the sync failed ({(int)started.StatusCode}): {await started.Content.ReadAsStringAsync()}");
        }

        var runId = (await started.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("runId").GetGuid();
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromMinutes(2));
        while (DateTime.UtcNow < deadline)
        {
            var run = await client.GetFromJsonAsync<JsonElement>($"api/connections/{connectionId}/runs/{runId}");
            if (run.GetProperty("state").GetString() is "succeeded" or "failed" or "cancelled")
            {
                return run;
            }

            await Task.Delay(100);
        }

        throw new TimeoutException($"Run {runId} of {connectionId} did not finish in time.");
    }
}
