namespace Matih.Plugins.SourceFaker.NovaMart;

/// <summary>One NovaMart dataset: everything the streams share, fixed by (seed, scale, as_of).</summary>
internal sealed class NovaMartDataset
{
    public NovaMartDataset(long seed, double scale, DateOnly asOf)
    {
        Seed = seed;
        Scale = scale;
        AsOf = asOf;
        AsOfDayNumber = asOf.DayNumber;
        AsOfStartTicks = asOf.ToDateTime(TimeOnly.MinValue).Ticks;
        LastTick = AsOfStartTicks + TimeSpan.TicksPerDay - TimeSpan.TicksPerSecond;
        CustomerCount = NovaMartShape.CustomerCount(scale);
        Products = new ProductCatalog(seed, NovaMartShape.ProductCount(scale), asOf);
    }

    public long Seed { get; }

    public double Scale { get; }

    public DateOnly AsOf { get; }

    public int AsOfDayNumber { get; }

    /// <summary>Midnight starting as_of.</summary>
    public long AsOfStartTicks { get; }

    /// <summary>The last second of as_of: no timestamp is later.</summary>
    public long LastTick { get; }

    public int CustomerCount { get; }

    public ProductCatalog Products { get; }

    /// <summary>The date <paramref name="daysAgo"/> days before as_of.</summary>
    public DateOnly Date(int daysAgo) => DateOnly.FromDayNumber(AsOfDayNumber - daysAgo);

    /// <summary>Ticks of the moment <paramref name="second"/> seconds into the day <paramref name="daysAgo"/> days before as_of.</summary>
    public long Ticks(int daysAgo, int second) =>
        AsOfStartTicks - (daysAgo * TimeSpan.TicksPerDay) + (second * TimeSpan.TicksPerSecond);
}
