using Matih.Scripting.Protocol;
using Xunit.Abstractions;

namespace Matih.Scripting.Tests.Runner;

public sealed class MemoryTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Memory_stays_flat_over_a_thousand_distinct_scripts()
    {
        await using var runner = await RunnerClient.StartAsync(memoryLimitMb: 1024, cacheSize: 32);

        // Past the first few hundred the cache is full and every new script unloads an old one: the process should
        // stop growing. Each script is distinct (a new assembly), with a type of its own and a lambda.
        RunnerStats? afterWarmUp = null;
        long residentAfterWarmUp = 0;
        for (var i = 0; i < 1000; i++)
        {
            var code = $"record Point{i}(int X, int Y);\nvar points = Enumerable.Range(0, 50).Select(n => new Point{i}(n, n * {i})).ToList();\npoints.Sum(p => p.Y)";
            var outcome = await runner.RunAsync(code, $"distinct-{i}.csx");
            Assert.True(outcome.State == "succeeded", $"script {i}: {outcome.Message}");
            if (i == 199)
            {
                afterWarmUp = (await runner.RequestAsync(new RunnerRequest { Kind = "stats" })).Stats;
                residentAfterWarmUp = runner.ResidentBytes();
            }
        }

        var end = (await runner.RequestAsync(new RunnerRequest { Kind = "stats" })).Stats!;
        var residentAtEnd = runner.ResidentBytes();

        Assert.Equal(1000, end.Runs);
        Assert.Equal(32, end.CachedScripts);
        // Unloaded load contexts are collected, not kept alive by anything.
        Assert.True(end.LiveLoadContexts < 50, $"{end.LiveLoadContexts} unloaded script contexts are still alive.");
        // 800 more distinct scripts after the warm-up add less than 15 MB of managed heap and 80 MB resident (each
        // leaked assembly would cost tens of KB: 800 of them leaking shows as a steady climb).
        var managedGrowth = end.ManagedBytes - afterWarmUp!.ManagedBytes;
        var residentGrowth = residentAtEnd - residentAfterWarmUp;
        output.WriteLine($"after 200 scripts: {afterWarmUp.ManagedBytes / 1048576.0:0.0} MB managed, {residentAfterWarmUp / 1048576.0:0.0} MB resident; "
            + $"after 1000: {end.ManagedBytes / 1048576.0:0.0} MB managed, {residentAtEnd / 1048576.0:0.0} MB resident; {end.LiveLoadContexts} unloaded contexts alive");
        Assert.True(managedGrowth < 15L * 1024 * 1024, $"Managed heap grew by {managedGrowth / 1024 / 1024} MB over 800 scripts.");
        Assert.True(residentGrowth < 80L * 1024 * 1024, $"Resident memory grew by {residentGrowth / 1024 / 1024} MB over 800 scripts.");
    }
}
