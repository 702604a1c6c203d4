using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json;
using Matih.Testing;

namespace Matih.Host.Tests.Api;

/// <summary><c>Matih.Host script scripts/NAME.csx</c>, run as a user runs it, in process on its own data directory or against a running host.</summary>
[Collection(ScriptCollection.Name)]
public sealed class ScriptHeadlessTests(ScriptHostFixture fixture) : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("matih-headless-").FullName;

    public void Dispose()
    {
        try
        {
            Directory.Delete(_folder, recursive: true);
        }
        catch (IOException)
        {
            // A file still open; the temp folder is cleaned eventually.
        }
    }

    [Fact]
    public async Task A_script_run_headless_against_its_data_directory_prints_its_output_and_exits_0()
    {
        var script = Write("ok.csx", "Console.WriteLine($\"hello {Args[0]}\");\nvar t = await SqlAsync(\"SELECT 21 * 2 AS answer\");\nt.Scalar<int>()");

        var (exit, stdout, stderr) = await RunInProcessAsync(script, "world");

        Assert.True(exit == 0, stderr);
        Assert.Equal(["hello world", "42"], stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
    }

    [Fact]
    public async Task A_script_that_does_not_compile_exits_non_zero_naming_file_line_and_column()
    {
        var script = Write("broken.csx", "var a = 1;\nvar b = undefinedThing;");

        var (exit, _, stderr) = await RunInProcessAsync(script);

        Assert.Equal(1, exit);
        Assert.Contains("broken.csx(2,9): error CS0103", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_script_that_throws_exits_non_zero_against_a_running_host()
    {
        var script = Write("throws.csx", "Console.WriteLine(\"before\");\nthrow new InvalidOperationException(\"the source is down\");");

        var (exit, stdout, stderr) = await RunRemoteAsync(script);

        Assert.Equal(1, exit);
        Assert.Contains("before", stdout, StringComparison.Ordinal);
        Assert.Contains("InvalidOperationException at line 2: the source is down", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_script_past_its_time_limit_exits_non_zero()
    {
        var script = Write("loops.csx", "while (true) { }");

        var (exit, _, stderr) = await RunRemoteAsync(script, "--timeout", "2");

        Assert.Equal(1, exit);
        Assert.Contains("ran past its 2 s limit", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_missing_script_is_a_usage_error()
    {
        var (exit, _, stderr) = await RunAsync(["script", "--no-demo", Path.Combine(_folder, "nope.csx")], _folder);

        Assert.Equal(2, exit);
        Assert.Contains("No script at", stderr, StringComparison.Ordinal);
    }

    private string Write(string name, string code)
    {
        var path = Path.Combine(_folder, name);
        File.WriteAllText(path, code);
        return path;
    }

    private async Task<(int Exit, string Stdout, string Stderr)> RunInProcessAsync(string script, params string[] args) =>
        await RunAsync(["script", "--data-dir", Path.Combine(_folder, "data"), "--no-demo", "--plugins", Path.Combine(MatihHost.RepositoryRoot, "plugins.json"), script, .. args], _folder);

    private async Task<(int Exit, string Stdout, string Stderr)> RunRemoteAsync(string script, params string[] options)
    {
        using var anonymous = fixture.Host.Anonymous();
        var token = (await (await anonymous.PostAsJsonAsync("api/auth/token", new { username = "admin", password = MatihHost.AdminPassword }))
            .Content.ReadFromJsonAsync<JsonElement>()).GetProperty("access_token").GetString()!;
        return await RunAsync(["script", "--api", fixture.Host.BaseAddress.ToString(), "--token", token, .. options, script], _folder);
    }

    private static async Task<(int Exit, string Stdout, string Stderr)> RunAsync(string[] args, string workingDirectory)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory,
        };
        start.ArgumentList.Add(MatihHost.HostAssembly);
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        start.Environment["MATIH_ADMIN_PASSWORD"] = MatihHost.AdminPassword;
        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromMinutes(3));
        return (process.ExitCode, await stdout, await stderr);
    }
}
