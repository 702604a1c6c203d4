namespace Matih.Benchmarks;

/// <summary>One benchmark the program can run, chosen by its <see cref="Name"/> on the command line.</summary>
public interface IBenchmarkCommand
{
    /// <summary>The command word (<c>faker</c>).</summary>
    string Name { get; }

    /// <summary>One sentence for the help text.</summary>
    string Description { get; }

    /// <summary>The options it takes, for the help text.</summary>
    string Usage { get; }

    /// <summary>Runs the benchmark and prints its figures; returns the process exit code.</summary>
    Task<int> RunAsync(BenchmarkOptions options, CancellationToken cancellationToken);
}
