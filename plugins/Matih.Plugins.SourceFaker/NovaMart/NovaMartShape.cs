namespace Matih.Plugins.SourceFaker.NovaMart;

/// <summary>The sizes and time spans of the NovaMart dataset, from the seed walkthrough's profile.</summary>
internal static class NovaMartShape
{
    /// <summary>Customers at scale 1.0, the row count of the seed's customers table.</summary>
    public const int CustomersAtFullScale = 2_103_847;

    public const int ProductsAtFullScale = 50_000;

    /// <summary>Enough products for varied baskets even at tiny scales.</summary>
    public const int MinProducts = 500;

    /// <summary>The newest customers signed up a month before as_of...</summary>
    public const int MinTenureDays = 30;

    /// <summary>...the oldest about seven years before (2019-01 for an as_of of 2025-12-15).</summary>
    public const int MaxTenureDays = 2_540;

    /// <summary>Longest gap since a last order, as in the seed's quality report.</summary>
    public const int MaxDaysSinceLastOrder = 2_187;

    /// <summary>Days of clickstream before as_of (the churn SQL reads the last 90).</summary>
    public const int ClickWindowDays = 180;

    /// <summary>The largest order, 14,329.00, as in the seed's avg_order_value range.</summary>
    public const long MaxOrderCents = 1_432_900;

    /// <summary>Ids of a customer's orders, returns, sessions and events are derived from the customer id.</summary>
    public const int MaxOrdersPerCustomer = 999;

    public const int MaxItemsPerOrder = 8;

    public const int MaxSessionsPerCustomer = 999;

    public const int MaxEventsPerCustomer = 9_999;

    // Rows per customer at any scale, measured on generated data; used for estimates and chunk sizes only.
    public const double OrdersPerCustomer = 9.5;
    public const double ItemsPerCustomer = 15.2;
    public const double ReturnsPerCustomer = 0.48;
    public const double EventsPerCustomer = 14.3;

    public static int CustomerCount(double scale) => (int)Math.Max(1, Math.Round(CustomersAtFullScale * scale));

    public static int ProductCount(double scale) => (int)Math.Max(MinProducts, Math.Round(ProductsAtFullScale * scale));
}

/// <summary>Salts that give each aspect of an entity its own random sequence.</summary>
internal static class Salts
{
    /// <summary>Who the customer is and how they behave (drives every other stream).</summary>
    public const ulong Profile = 1;

    /// <summary>The customer's orders, their items and returns.</summary>
    public const ulong Orders = 2;

    /// <summary>The customer's clickstream sessions.</summary>
    public const ulong Clicks = 3;

    public const ulong Product = 4;
}
