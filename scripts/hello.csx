// A first Matih script: the platform is in scope as globals (SqlAsync, Catalog, Pipelines, Quality, ...).
// Console:  paste it into the Script Console (admin) and press Ctrl+Enter.
// Headless: dotnet run --project host/Matih.Host -- script scripts/hello.csx [name]
var name = Args.Length > 0 ? Args[0] : User;
Console.WriteLine($"Hello {name}, from a script running as {User}.");

// The catalog, as the API shows it.
var found = await Catalog.SearchAsync("customer");
Console.WriteLine($"The catalog has {found.Total} table(s) matching 'customer'.");
foreach (var hit in found.Items.Take(5))
{
    Console.WriteLine($"  {hit.Name,-45} {hit.Rows,12:N0} rows");
}

// SQL returns a Table: shown as a grid in the console, as aligned text headless.
var tables = await SqlAsync("""
    SELECT table_catalog AS catalog, count(*) AS tables
    FROM information_schema.tables
    WHERE table_schema NOT IN ('information_schema', 'pg_catalog')
    GROUP BY 1 ORDER BY 1
    """);
Display(tables, "Tables per catalog");

// The last expression is the script's result; numbers over labels are drawn as a chart in the console.
tables.ToSeries("catalog", "tables").AsBars()
