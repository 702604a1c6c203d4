using System.Runtime.InteropServices;

namespace Matih.Plugins.MlNet.Training;

/// <summary>
/// LightGBM runs on OpenMP, whose worker threads by default spin while they wait for work. On a busy machine (a
/// host that also serves, syncs and queries) spinning threads steal the cores the fit needs: a 2M-row fit measured
/// 71-132 s spinning against 18 s with passive waiting. OpenMP reads its settings from the process environment when
/// its library loads, which happens at the first LightGBM fit; .NET's <see cref="Environment.SetEnvironmentVariable(string, string)"/>
/// does not reach the native environment on Unix, so the variable is set through libc.
/// </summary>
internal static class OpenMpEnvironment
{
    private const string WaitPolicy = "OMP_WAIT_POLICY";

    /// <summary>Sets <c>OMP_WAIT_POLICY=PASSIVE</c> unless the user chose a policy themselves.</summary>
    /// <returns>The policy OpenMP will use.</returns>
    public static string PreferPassiveWaiting()
    {
        if (Environment.GetEnvironmentVariable(WaitPolicy) is { Length: > 0 } chosen)
        {
            return chosen;
        }

        if (OperatingSystem.IsLinux() || OperatingSystem.IsMacOS() || OperatingSystem.IsFreeBSD())
        {
            // overwrite = 0: a value the native side already has (set by a parent process) wins.
            _ = SetEnv(WaitPolicy, "PASSIVE", 0);
        }

        Environment.SetEnvironmentVariable(WaitPolicy, "PASSIVE");
        return "PASSIVE";
    }

    // DllImport rather than LibraryImport: the generated marshalling would need unsafe code for one call at start.
    [DllImport("libc", EntryPoint = "setenv", CharSet = CharSet.Ansi, BestFitMapping = false, ThrowOnUnmappableChar = true)]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static extern int SetEnv(string name, string value, int overwrite);
}
