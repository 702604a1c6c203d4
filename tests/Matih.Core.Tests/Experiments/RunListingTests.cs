using System.Text.Json;
using Matih.Core.Experiments;
using Microsoft.EntityFrameworkCore;

namespace Matih.Core.Tests.Experiments;

public sealed class RunListingTests : IDisposable
{
    private readonly ExperimentStores _stores = new();

    public void Dispose() => _stores.Dispose();

    [Fact]
    public async Task Runs_are_paged_and_sorted_by_any_metric()
    {
        await SeedRunsAsync(250);

        var page = await _stores.Runs.ListRunsAsync("sweep", page: 2, pageSize: 50, sort: "auc", order: "desc", default);

        Assert.Equal((250, 2, 50, "auc", "desc"), (page!.Total, page.Page, page.PageSize, page.Sort, page.Order));
        Assert.Equal(50, page.Items.Count);
        Assert.Equal(page.Items.OrderByDescending(r => r.Auc).Select(r => r.Name), page.Items.Select(r => r.Name));
        var first = await _stores.Runs.ListRunsAsync("sweep", 1, 50, "auc", "desc", default);
        Assert.True(first!.Items[^1].Auc >= page.Items[0].Auc);
    }

    [Fact]
    public async Task Without_a_sort_the_newest_runs_come_first_and_names_sort_ascending_by_default()
    {
        await SeedRunsAsync(30);

        var newest = await _stores.Runs.ListRunsAsync("sweep", 1, 10, null, null, default);
        var byName = await _stores.Runs.ListRunsAsync("sweep", 1, 10, "name", null, default);
        var byTime = await _stores.Runs.ListRunsAsync("sweep", 1, 30, "training_time", "asc", default);

        Assert.Equal("run-0029", newest!.Items[0].Name);
        Assert.Equal("run-0000", byName!.Items[0].Name);
        Assert.Equal(byTime!.Items.OrderBy(r => r.TrainingSeconds).Select(r => r.Name), byTime.Items.Select(r => r.Name));
    }

    [Fact]
    public async Task An_unknown_sort_or_order_is_refused_naming_the_parameter()
    {
        await SeedRunsAsync(1);

        var sort = await Assert.ThrowsAsync<ArgumentException>(() => _stores.Runs.ListRunsAsync("sweep", 1, 10, "colour", null, default));
        var order = await Assert.ThrowsAsync<ArgumentException>(() => _stores.Runs.ListRunsAsync("sweep", 1, 10, "auc", "up", default));

        Assert.StartsWith("sort: 'colour' is not a run column", sort.Message, StringComparison.Ordinal);
        Assert.StartsWith("order: 'up'", order.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_experiment_that_does_not_exist_has_no_run_list()
    {
        Assert.Null(await _stores.Runs.ListRunsAsync("nothing", 1, 10, null, null, default));
    }

    [Fact]
    public async Task A_page_of_the_comparison_table_is_quick_with_a_hundred_thousand_runs()
    {
        await SeedRunsAsync(1);
        await CopyRunAsync("run-0000", 99_999);
        // The first query pays for building the EF model and compiling the query; a user's page view does not.
        await _stores.Runs.ListRunsAsync("sweep", 1, 50, "auc", "desc", default);

        var clock = System.Diagnostics.Stopwatch.StartNew();
        var page = await _stores.Runs.ListRunsAsync("sweep", 731, 50, "f1", "desc", default);
        var elapsed = clock.Elapsed;

        Assert.Equal(100_000, page!.Total);
        Assert.Equal(50, page.Items.Count);
        Assert.True(elapsed < TimeSpan.FromSeconds(2), $"took {elapsed.TotalMilliseconds:F0} ms");
    }

    /// <summary>Copies one run <paramref name="copies"/> times in SQL, with new ids, names, times and metrics.</summary>
    private async Task CopyRunAsync(string template, int copies)
    {
        await using var db = await _stores.Stores.Contexts.CreateDbContextAsync();
        var entity = db.Model.FindEntityType(typeof(ExperimentRunRecord))!;
        var table = entity.GetTableName();
        var columns = entity.GetProperties().Select(p => (p.Name, Column: p.GetColumnName())).ToArray();
        var values = columns.Select(c => c.Name switch
        {
            nameof(ExperimentRunRecord.Id) => "printf('%08X-0000-0000-0000-%012X', n.i, n.i)",
            nameof(ExperimentRunRecord.Name) => "'copy-' || printf('%06d', n.i)",
            // Stored as DateTimeOffset.ToBinary-style ticks shifted past the offset bits: adding 2048 adds a tick step.
            nameof(ExperimentRunRecord.QueuedAt) => $"t.\"{c.Column}\" + n.i * 2048",
            nameof(ExperimentRunRecord.Auc) or nameof(ExperimentRunRecord.F1) or nameof(ExperimentRunRecord.Precision)
                or nameof(ExperimentRunRecord.Recall) or nameof(ExperimentRunRecord.Accuracy) => "0.6 + (abs(random()) % 350000) / 1000000.0",
            nameof(ExperimentRunRecord.TrainingSeconds) => "(abs(random()) % 100000) / 1000.0",
            _ => $"t.\"{c.Column}\"",
        });
        var sql = $"""
            WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < {copies})
            INSERT INTO "{table}" ({string.Join(", ", columns.Select(c => $"\"{c.Column}\""))})
            SELECT {string.Join(", ", values)} FROM n, "{table}" t WHERE t."Name" = '{template}'
            """;
        await db.Database.ExecuteSqlRawAsync(sql);
    }

    private async Task SeedRunsAsync(int count)
    {
        var random = new Random(3);
        var start = DateTimeOffset.UtcNow.AddDays(-1);
        await using var db = await _stores.Stores.Contexts.CreateDbContextAsync();
        db.Add(new ExperimentRecord { Name = "sweep", CreatedBy = "priya", CreatedAt = start });
        for (var i = 0; i < count; i++)
        {
            var auc = 0.6 + random.NextDouble() * 0.35;
            db.Add(new ExperimentRunRecord
            {
                Id = Guid.NewGuid(),
                Experiment = "sweep",
                Name = $"run-{i:D4}",
                Trainer = "lightgbm",
                Model = "Gradient Boosting (LightGBM)",
                Framework = "lightgbm",
                Table = ExperimentStores.Table,
                Label = "churned",
                NumericFeatures = JsonSerializer.Serialize(new[] { "recency" }),
                CategoricalFeatures = "[]",
                FeatureCount = 1,
                Params = "{}",
                Hyperparameters = "{}",
                Split = """{"fraction":0.2,"seed":42,"timeColumn":null}""",
                Tags = "{}",
                State = "succeeded",
                CreatedBy = "priya",
                QueuedAt = start.AddSeconds(i),
                Auc = auc,
                Precision = auc - 0.1,
                Recall = auc - 0.12,
                F1 = auc - 0.11 + random.NextDouble() * 0.01,
                Accuracy = auc - 0.05,
                LogLoss = 1 - auc,
                TrainingSeconds = random.NextDouble() * 100,
                TrainRows = 800,
                TestRows = 200,
            });
        }

        db.ChangeTracker.AutoDetectChangesEnabled = false;
        await db.SaveChangesAsync();
    }
}
