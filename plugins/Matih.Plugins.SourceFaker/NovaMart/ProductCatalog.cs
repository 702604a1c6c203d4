using Matih.Plugins.SourceFaker.Generation;

namespace Matih.Plugins.SourceFaker.NovaMart;

/// <summary>
/// NovaMart's products for one dataset: built once per read (50k products at scale 1.0 take milliseconds) and
/// shared read-only by every worker, so order items and clicks reference products that exist.
/// </summary>
internal sealed class ProductCatalog
{
    /// <summary>Price bands in cents. Shoppers stay near their own band, which shapes order value and its variance.</summary>
    public const int BandCount = 8;

    /// <summary>The most expensive product: five of it make the largest possible order, 14,329.00.</summary>
    public const int MaxPriceCents = 286_580;

    private static readonly int[] BandLow = [499, 1_000, 2_000, 4_000, 8_000, 16_000, 40_000, 100_000];
    private static readonly int[] BandHigh = [999, 1_999, 3_999, 7_999, 15_999, 39_999, 99_999, MaxPriceCents];

    private static readonly Category[] Categories =
    [
        new("Electronics", 2, 7, 1.6, ["Headphones", "Speaker", "Smartwatch", "Tablet", "Monitor", "Keyboard", "Camera", "Charger", "Router", "Laptop"]),
        new("Home & Kitchen", 1, 6, 1.8, ["Blender", "Cookware Set", "Knife Block", "Coffee Maker", "Toaster", "Mixing Bowls", "Air Fryer", "Kettle"]),
        new("Clothing", 1, 4, 1.7, ["T-Shirt", "Hoodie", "Jeans", "Jacket", "Sneakers", "Dress", "Sweater", "Socks"]),
        new("Beauty", 0, 3, 1.1, ["Face Cream", "Serum", "Lipstick", "Shampoo", "Perfume", "Nail Kit", "Hair Dryer"]),
        new("Sports & Outdoors", 1, 6, 1.0, ["Yoga Mat", "Tent", "Backpack", "Water Bottle", "Dumbbells", "Bike Helmet", "Sleeping Bag"]),
        new("Toys & Games", 0, 4, 0.9, ["Puzzle", "Board Game", "Building Blocks", "Plush Toy", "Drone", "Action Figure"]),
        new("Books", 0, 2, 0.8, ["Cookbook", "Novel", "Travel Guide", "Notebook", "Planner", "Art Book"]),
        new("Grocery", 0, 2, 1.0, ["Coffee Beans", "Olive Oil", "Tea Sampler", "Snack Box", "Spice Set", "Chocolate"]),
        new("Garden", 1, 5, 0.6, ["Planter", "Hose", "Pruner", "Grill", "Patio Lights", "Seed Kit"]),
        new("Automotive", 1, 6, 0.5, ["Dash Cam", "Car Vacuum", "Floor Mats", "Jump Starter", "Seat Cover"]),
        new("Health", 0, 3, 0.8, ["Vitamins", "Thermometer", "First Aid Kit", "Massager", "Scale"]),
        new("Pet Supplies", 0, 4, 0.7, ["Dog Bed", "Cat Tree", "Pet Food", "Leash", "Litter Box"]),
        new("Furniture", 4, 7, 0.5, ["Desk", "Office Chair", "Sofa", "Bookshelf", "Bed Frame", "Dining Table"]),
        new("Jewelry", 2, 7, 0.4, ["Necklace", "Bracelet", "Earrings", "Ring", "Watch"]),
    ];

    private static readonly string[] Adjectives =
    [
        "Classic", "Compact", "Deluxe", "Essential", "Premium", "Smart", "Ultra", "Eco", "Pro", "Everyday", "Modern",
        "Vintage", "Portable", "Heavy-Duty", "Lightweight", "Signature", "Urban", "Organic", "Advanced", "Cozy",
    ];

    private static readonly string[] Colors =
    [
        "Black", "White", "Gray", "Navy", "Red", "Green", "Blue", "Walnut", "Oak", "Steel", "Rose", "Sand", "Olive", "Teal",
    ];

    private static readonly double[] CategoryCdf = FastRandom.Cdf(Categories.Select(c => c.Weight).ToArray());

    private readonly int[][] _byBand;

    public ProductCatalog(long seed, int count, DateOnly asOf)
    {
        Count = count;
        Names = new string[count];
        CategoryNames = new string[count];
        PriceCents = new int[count];
        CreatedAt = new DateTime[count];
        UpdatedAt = new DateTime[count];
        var bands = new List<int>[BandCount];
        for (var b = 0; b < BandCount; b++)
        {
            bands[b] = [];
        }

        var asOfStart = asOf.ToDateTime(TimeOnly.MinValue);
        var random = new FastRandom(0);
        for (var i = 0; i < count; i++)
        {
            random.Reset(FastRandom.SeedFor(seed, i + 1, Salts.Product));
            var category = Categories[random.NextFromCdf(CategoryCdf)];
            var band = random.NextInt(category.LowBand, category.HighBand);
            var adjective = Adjectives[random.NextInt(Adjectives.Length)];
            var color = Colors[random.NextInt(Colors.Length)];
            var noun = category.Nouns[random.NextInt(category.Nouns.Length)];
            Names[i] = string.Concat(adjective, " ", color, " ", noun);
            CategoryNames[i] = category.Name;

            // Log-uniform within the band, priced like a shop does: whole dollars and 99 cents.
            var low = BandLow[band];
            var high = BandHigh[band];
            var raw = low * Math.Pow((double)high / low, random.NextDouble());
            var cents = Math.Clamp(((int)(raw / 100) * 100) + 99, low, high);
            PriceCents[i] = cents;
            bands[band].Add(i);

            // Listed before the first possible order (signups reach back 2,540 days), so no order predates its product.
            var ageDays = NovaMartShape.MaxTenureDays + 1 + random.NextInt(700);
            var created = asOfStart.AddDays(-ageDays).AddSeconds(random.NextInt(86_400));
            CreatedAt[i] = created;
            var sinceCreated = (asOfStart.AddDays(1) - created).Ticks;
            UpdatedAt[i] = random.Chance(0.3)
                ? asOfStart.AddDays(-random.NextInt(90)).AddSeconds(random.NextInt(86_400))
                : created.AddTicks((long)(sinceCreated * random.NextDouble() * 0.5));
            if (UpdatedAt[i] < created)
            {
                UpdatedAt[i] = created;
            }
        }

        // A small catalog may leave a band empty: borrow the nearest band so every pick finds a product.
        _byBand = new int[BandCount][];
        for (var b = 0; b < BandCount; b++)
        {
            _byBand[b] = bands[b].ToArray();
        }

        for (var b = 0; b < BandCount; b++)
        {
            for (var distance = 1; _byBand[b].Length == 0; distance++)
            {
                var candidate = b - distance >= 0 && bands[b - distance].Count > 0 ? b - distance : b + distance;
                if (candidate < BandCount && bands[candidate].Count > 0)
                {
                    _byBand[b] = bands[candidate].ToArray();
                }
            }
        }
    }

    public int Count { get; }

    public string[] Names { get; }

    public string[] CategoryNames { get; }

    public int[] PriceCents { get; }

    public DateTime[] CreatedAt { get; }

    public DateTime[] UpdatedAt { get; }

    /// <summary>A product index in <paramref name="band"/>; lower ids are the bestsellers.</summary>
    public int Pick(int band, double u)
    {
        var products = _byBand[band];
        return products[(int)(products.Length * u * u)];
    }

    private sealed record Category(string Name, int LowBand, int HighBand, double Weight, string[] Nouns);
}
