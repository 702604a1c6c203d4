using Matih.Host.Auth;

namespace Matih.Host.Tests.Auth;

/// <summary>The signing key every host on a data directory shares.</summary>
public sealed class TokenIssuerTests
{
    [Fact]
    public async Task Hosts_starting_at_once_on_a_fresh_directory_end_up_with_one_signing_key()
    {
        var data = Directory.CreateTempSubdirectory("matih-keys-").FullName;
        try
        {
            using var start = new ManualResetEventSlim();
            var keys = await Task.WhenAll(Enumerable.Range(0, 16).Select(_ => Task.Run(() =>
            {
                start.Wait();
                return Convert.ToBase64String(TokenIssuer.LoadOrCreateKey(data).Key);
            })).Append(Task.Run(() => { start.Set(); return ""; })));

            var distinct = keys.Where(k => k.Length > 0).Distinct().ToList();
            Assert.Single(distinct);
            Assert.Equal(64, Convert.FromBase64String(distinct[0]).Length);
            Assert.Equal(["jwt-signing.key"], Directory.GetFiles(Path.Combine(data, "keys")).Select(Path.GetFileName));
            if (!OperatingSystem.IsWindows())
            {
                Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(Path.Combine(data, "keys", "jwt-signing.key")));
            }
        }
        finally
        {
            Directory.Delete(data, recursive: true);
        }
    }
}
