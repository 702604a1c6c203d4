using Matih.Sdk.Drift;
using Matih.Sdk.Plugins;
using Matih.Sdk.Testing;

namespace Company.MatihPlugin.Tests;

public sealed class SampleEntryDetectorTests
{
    private const string PluginFolder = "Company.MatihPlugin";

    [Fact]
    public void The_plugin_loads_as_a_drift_detector_for_sdk_1_without_carrying_the_sdk()
    {
        using var plugin = PluginHarness.LoadBuilt(PluginFolder);

        Assert.Equal("sample-plugin-id", plugin.Manifest.Id);
        Assert.Equal(PluginKind.DriftDetector, plugin.Manifest.Kind);
        Assert.Equal(SdkInfo.Major, plugin.Manifest.SdkMajor);
        Assert.Empty(plugin.PackagingWarnings);
    }

    [Fact]
    public void A_window_shifted_by_one_standard_deviation_measures_one_and_an_unchanged_one_zero()
    {
        using var plugin = PluginHarness.LoadBuilt(PluginFolder);
        var detector = plugin.GetSingle<IDriftDetector>();
        var reference = new DriftSample { Numeric = [1, 2, 3, 4, 5, double.NaN] };
        var sd = Math.Sqrt(2.5);

        var shifted = detector.Measure(reference, new DriftSample { Numeric = [1 + sd, 2 + sd, 3 + sd, 4 + sd, 5 + sd] }, TestJson.Object("{}"));
        var same = detector.Measure(reference, reference, TestJson.Object("{}"));

        Assert.Equal(1.0, shifted.Value, precision: 9);
        Assert.Equal(0.0, same.Value);
        Assert.Equal(2, shifted.Bins.Count);
    }
}
