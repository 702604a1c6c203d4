using Matih.Plugins.MlNet.Tests.Support;
using Matih.Sdk.Plugins;
using Matih.Sdk.Serving;
using Matih.Sdk.Training;
using System.Runtime.InteropServices;
using Microsoft.Extensions.DependencyInjection;

namespace Matih.Plugins.MlNet.Tests;

public sealed class MlNetPluginTests
{
    [Fact]
    public void Manifest_describes_the_mlnet_plugin()
    {
        var manifest = new MlNetPlugin().Manifest;

        Assert.Equal("mlnet", manifest.Id);
        Assert.Equal(PluginKind.Trainer, manifest.Kind);
        Assert.Equal(SdkInfo.Major, manifest.SdkMajor);
    }

    [Fact]
    public void Register_adds_the_four_trainers_and_the_serving_runtime()
    {
        var services = new ServiceCollection();

        new MlNetPlugin().Register(services, new EmptyConfiguration());

        var trainers = services.Where(d => d.ServiceType == typeof(ITrainer)).Select(d => (ITrainer)d.ImplementationInstance!).ToDictionary(t => t.Id);
        Assert.Equal(["fast_tree", "lightgbm", "logistic_regression", "random_forest"], trainers.Keys.Order());
        Assert.Equal("Gradient Boosting (LightGBM)", trainers["lightgbm"].DisplayName);
        Assert.Equal("lightgbm", trainers["lightgbm"].Framework);
        var runtime = (IServingRuntime)Activator.CreateInstance(services.Single(d => d.ServiceType == typeof(IServingRuntime)).ImplementationType!)!;
        Assert.Equal("mlnet", runtime.Id);
        Assert.All(trainers.Values, t => Assert.Contains(t.Framework, runtime.Frameworks));
    }

    [Fact]
    public void Registering_the_plugin_makes_OpenMP_threads_wait_passively_for_LightGBM()
    {
        new MlNetPlugin().Register(new ServiceCollection(), new EmptyConfiguration());

        // What the native OpenMP runtime will read when LightGBM loads, not .NET's copy of the environment.
        Assert.Equal("PASSIVE", NativeEnvironment("OMP_WAIT_POLICY"));
    }

    [DllImport("libc", EntryPoint = "getenv", CharSet = CharSet.Ansi, BestFitMapping = false, ThrowOnUnmappableChar = true)]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static extern IntPtr GetEnv(string name);

    private static string? NativeEnvironment(string name) => Marshal.PtrToStringUTF8(GetEnv(name));
}
