namespace Matih.Plugins.SourceFaker.NovaMart;

/// <summary>
/// The category values NovaMart's tables use. Rows reference these instances, so millions of rows share a
/// handful of strings instead of allocating one each.
/// </summary>
internal static class Vocabulary
{
    public const byte Web = 0;
    public const byte Mobile = 1;
    public const byte Store = 2;

    public static readonly string[] Channels = ["web", "mobile", "store"];

    public const byte New = 0;
    public const byte Bronze = 1;
    public const byte Silver = 2;
    public const byte Gold = 3;
    public const byte Inactive = 4;

    /// <summary>Exactly the seed's value set for <c>segment</c>.</summary>
    public static readonly string[] Segments = ["New", "Bronze", "Silver", "Gold", "Inactive"];

    public const byte Processing = 0;
    public const byte Shipped = 1;
    public const byte Delivered = 2;
    public const byte Cancelled = 3;
    public const byte Returned = 4;

    public static readonly string[] OrderStatuses = ["processing", "shipped", "delivered", "cancelled", "returned"];

    public const byte PageView = 0;
    public const byte Search = 1;
    public const byte ProductView = 2;
    public const byte AddToCart = 3;
    public const byte Checkout = 4;

    public static readonly string[] EventTypes = ["page_view", "search", "product_view", "add_to_cart", "checkout"];

    public static readonly string[] ReturnReasons =
        ["damaged", "defective", "wrong_item", "not_as_described", "no_longer_needed", "late_delivery"];

    /// <summary>Reserved example domains: generated addresses can never reach a real person.</summary>
    public static readonly string[] EmailDomains = ["example.com", "example.net", "example.org", "mail.example.com"];
}
