using Matih.Benchmarks;
using Matih.Benchmarks.Commands;

// A tiny dispatcher: `dotnet run -c Release --project tests/Matih.Benchmarks -- <command> [options]`.
// Each command lives in its own file under Commands/; add new ones to this list.
IBenchmarkCommand[] commands =
[
    new FakerBenchmark(),
    new ColdStartBenchmark(),
    new CsvImportBenchmark(),
    new CatalogSearchBenchmark(),
    new ChurnSqlBenchmark(),
    new PostgresSyncBenchmark(),
    new OnlineLookupBenchmark(),
    new QualitySuiteBenchmark(),
    new PipelineOverheadBenchmark(),
    new DriftBenchmark(),
    new TrainingBenchmark(),
    new ScriptBenchmark(),
    new ServingBenchmark(),
    new AbRoutingBenchmark(),
    new JourneyBenchmark(),
    new WarehouseSharingBenchmark(),
    new ListPagingBenchmark(),
];

if (args.Length == 0 || args[0] is "-h" or "--help" or "help")
{
    Console.WriteLine("usage: Matih.Benchmarks <command> [options]");
    Console.WriteLine();
    foreach (var command in commands)
    {
        Console.WriteLine($"  {command.Name,-12} {command.Description}");
        Console.WriteLine($"  {string.Empty,-12} {command.Usage}");
    }

    return args.Length == 0 ? 1 : 0;
}

var selected = commands.FirstOrDefault(c => string.Equals(c.Name, args[0], StringComparison.OrdinalIgnoreCase));
if (selected is null)
{
    Console.Error.WriteLine($"Unknown command '{args[0]}'. Commands: {string.Join(", ", commands.Select(c => c.Name))}.");
    return 1;
}

using var cancel = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true;
    cancel.Cancel();
};

try
{
    return await selected.RunAsync(BenchmarkOptions.Parse(args.AsSpan(1)), cancel.Token);
}
catch (ArgumentException ex)
{
    Console.Error.WriteLine(ex.Message);
    return 1;
}
catch (OperationCanceledException)
{
    Console.Error.WriteLine("Cancelled.");
    return 130;
}
