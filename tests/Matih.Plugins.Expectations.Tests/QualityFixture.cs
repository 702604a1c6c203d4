using System.Text.Json;
using Matih.Core.Metadata;
using Matih.Core.Quality;
using Matih.Core.Warehouse;
using Matih.Sdk.Data;
using Microsoft.EntityFrameworkCore;

namespace Matih.Plugins.Expectations.Tests;

/// <summary>A real warehouse and metadata store in a temporary folder, the plugin's rules, and the quality engine over them.</summary>
public sealed class QualityFixture : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("matih-quality-").FullName;

    public QualityFixture()
    {
        Warehouse = new DuckDbWarehouse(new WarehouseOptions { Directory = Path.Combine(_folder, "warehouse"), Catalogs = ["analytics"] });
        var options = new DbContextOptionsBuilder<MetadataDbContext>().UseSqlite($"Data Source={Path.Combine(_folder, "metadata.db")};Pooling=false").Options;
        Contexts = new Factory(options);
        using (var db = Contexts.CreateDbContext())
        {
            MetadataSchema.EnsureAsync(db, default).GetAwaiter().GetResult();
        }

        Rules = ExpectationsPlugin.All();
        Validator = new SuiteValidator(Warehouse, Rules, TimeProvider.System);
        Suites = new QualitySuites(Contexts, Warehouse, Rules, TimeProvider.System);
        Validations = new QualityValidations(Suites, Validator, Contexts);
    }

    public DuckDbWarehouse Warehouse { get; }

    public IDbContextFactory<MetadataDbContext> Contexts { get; }

    public IReadOnlyList<Sdk.Quality.IQualityRule> Rules { get; }

    public SuiteValidator Validator { get; }

    public QualitySuites Suites { get; }

    public QualityValidations Validations { get; }

    /// <summary>Runs statements on the warehouse.</summary>
    public void Sql(string sql)
    {
        using var connection = Warehouse.OpenConnection();
        connection.Execute(sql);
    }

    /// <summary>Validates one expectation over a table and returns its result.</summary>
    public async Task<ExpectationResult> CheckAsync(string table, string type, object kwargs)
    {
        var validation = await ValidateAsync(table, (type, kwargs));
        return validation.Results.Single();
    }

    /// <summary>Validates expectations over a table.</summary>
    public async Task<SuiteValidation> ValidateAsync(string table, params (string Type, object Kwargs)[] expectations)
    {
        var suite = new ExpectationSuite("test_suite", table, expectations
            .Select(e => new ExpectationConfig(e.Type, JsonSerializer.SerializeToElement(e.Kwargs), null, ExpectationSeverity.Error)).ToArray());
        return await Validator.ValidateAsync(suite, TableRef.Parse(table), CancellationToken.None);
    }

    public void Dispose()
    {
        Warehouse.Dispose();
        Directory.Delete(_folder, recursive: true);
    }

    /// <summary>The repository root (the folder holding Matih.sln).</summary>
    public static string RepositoryRoot
    {
        get
        {
            var directory = new DirectoryInfo(AppContext.BaseDirectory);
            while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "Matih.sln")))
            {
                directory = directory.Parent;
            }

            return directory?.FullName ?? throw new InvalidOperationException("Matih.sln not found above " + AppContext.BaseDirectory);
        }
    }

    /// <summary>The seed's Stage 5 suite exactly as printed (scripts/seed/churn-features-validation.json).</summary>
    public static string SeedSuite => File.ReadAllText(Path.Combine(RepositoryRoot, "scripts", "seed", "churn-features-validation.json"));

    private sealed class Factory(DbContextOptions<MetadataDbContext> options) : IDbContextFactory<MetadataDbContext>
    {
        public MetadataDbContext CreateDbContext() => new(options);
    }
}
