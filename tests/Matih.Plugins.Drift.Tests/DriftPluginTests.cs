using Matih.Sdk.Drift;
using Matih.Sdk.Plugins;
using Microsoft.Extensions.DependencyInjection;
using Matih.Plugins.Drift.Tests.Support;
using static Matih.Plugins.Drift.Tests.Support.Samples;

namespace Matih.Plugins.Drift.Tests;

public sealed class DriftPluginTests
{
    [Fact]
    public void Manifest_describes_the_drift_detector_plugin()
    {
        var manifest = new DriftPlugin().Manifest;

        Assert.Equal("drift", manifest.Id);
        Assert.Equal(PluginKind.DriftDetector, manifest.Kind);
        Assert.Equal(SdkInfo.Major, manifest.SdkMajor);
    }

    [Fact]
    public void Register_adds_one_detector_per_method_the_seed_and_issue_name()
    {
        var detectors = Registered().ToDictionary(d => d.Method);

        Assert.Equal(["psi", "ks_test", "chi_square", "jensen_shannon", "wasserstein", "precision_at_k"], detectors.Keys);
        Assert.True(detectors["psi"].HigherIsWorse);
        Assert.False(detectors["ks_test"].HigherIsWorse);
        Assert.False(detectors["chi_square"].HigherIsWorse);
        Assert.True(detectors["jensen_shannon"].HigherIsWorse);
        Assert.True(detectors["wasserstein"].HigherIsWorse);
        Assert.False(detectors["precision_at_k"].HigherIsWorse);
        Assert.Equal([DriftInputKind.Labelled], detectors["precision_at_k"].Accepts);
    }

    [Fact]
    public void Every_option_has_a_default_so_a_monitor_may_leave_it_out()
    {
        foreach (var detector in Registered())
        {
            Assert.All(detector.Options, o => Assert.NotNull(o.Default));
            var sample = detector.Accepts[0] switch
            {
                DriftInputKind.Categorical => Categories("a", "b"),
                DriftInputKind.Labelled => Scored([0.2, 0.8], [false, true]),
                _ => Numbers(1, 2),
            };
            Assert.False(double.IsNaN(detector.Measure(sample, sample, NoOptions).Value), detector.Method);
        }
    }

    private static List<IDriftDetector> Registered()
    {
        var services = new ServiceCollection();
        new DriftPlugin().Register(services, EmptyConfiguration.Instance);

        Assert.All(services, s => Assert.Equal(ServiceLifetime.Singleton, s.Lifetime));
        return services
            .Where(s => s.ServiceType == typeof(IDriftDetector))
            .Select(s => (IDriftDetector)Activator.CreateInstance(s.ImplementationType!)!)
            .ToList();
    }
}
