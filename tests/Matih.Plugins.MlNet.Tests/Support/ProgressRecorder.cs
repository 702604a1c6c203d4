namespace Matih.Plugins.MlNet.Tests.Support;

/// <summary>Records progress reports synchronously, in order.</summary>
internal sealed class ProgressRecorder : IProgress<double>
{
    private readonly List<double> _values = [];

    public IReadOnlyList<double> Values
    {
        get
        {
            lock (_values)
            {
                return _values.ToArray();
            }
        }
    }

    public void Report(double value)
    {
        lock (_values)
        {
            _values.Add(value);
        }
    }
}
