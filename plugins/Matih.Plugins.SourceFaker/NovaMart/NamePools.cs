using System.Runtime.CompilerServices;
using Matih.Plugins.SourceFaker.Generation;

namespace Matih.Plugins.SourceFaker.NovaMart;

/// <summary>
/// First names, last names, cities and states customers are drawn from. The pools do not depend on the dataset
/// seed, so they are built once per process; their sizes and skew are chosen so that 2.1M customers show the
/// seed profile's distinct counts (~148k first names, ~313k last names, 4,891 cities, 51 states).
/// </summary>
internal static class NamePools
{
    /// <summary>Share of customers with one of the common first names; the rest draw uniformly from the long tail.</summary>
    private const double CommonFirstNameShare = 0.70;
    private const double CommonLastNameShare = 0.50;
    private const int FirstNameTail = 150_000;
    private const int LastNameTail = 325_000;
    private const int CityCount = 4_891;

    private static readonly string[] CommonFirst =
    [
        "James", "Mary", "Michael", "Patricia", "Robert", "Jennifer", "John", "Linda", "David", "Elizabeth",
        "William", "Barbara", "Richard", "Susan", "Joseph", "Jessica", "Thomas", "Karen", "Christopher", "Sarah",
        "Charles", "Lisa", "Daniel", "Nancy", "Matthew", "Sandra", "Anthony", "Betty", "Mark", "Ashley",
        "Donald", "Emily", "Steven", "Kimberly", "Andrew", "Margaret", "Paul", "Donna", "Joshua", "Michelle",
        "Kenneth", "Carol", "Kevin", "Amanda", "Brian", "Melissa", "Timothy", "Deborah", "Ronald", "Stephanie",
        "George", "Rebecca", "Jason", "Sharon", "Edward", "Laura", "Jeffrey", "Cynthia", "Ryan", "Dorothy",
        "Jacob", "Amy", "Nicholas", "Kathleen", "Gary", "Angela", "Eric", "Shirley", "Jonathan", "Emma",
        "Stephen", "Brenda", "Larry", "Pamela", "Justin", "Nicole", "Scott", "Anna", "Brandon", "Samantha",
        "Benjamin", "Katherine", "Samuel", "Christine", "Gregory", "Debra", "Alexander", "Rachel", "Patrick", "Carolyn",
        "Frank", "Janet", "Raymond", "Maria", "Jack", "Olivia", "Dennis", "Heather", "Jerry", "Helen",
        "Tyler", "Catherine", "Aaron", "Diane", "Jose", "Julie", "Adam", "Victoria", "Nathan", "Joyce",
        "Henry", "Lauren", "Zachary", "Kelly", "Douglas", "Christina", "Peter", "Ruth", "Kyle", "Joan",
        "Noah", "Virginia", "Ethan", "Judith", "Jeremy", "Evelyn", "Christian", "Hannah", "Walter", "Andrea",
        "Keith", "Megan", "Austin", "Cheryl", "Roger", "Jacqueline", "Terry", "Madison", "Sean", "Sophia",
        "Gerald", "Abigail", "Carl", "Teresa", "Dylan", "Isabella", "Harold", "Sara", "Jordan", "Janice",
        "Jesse", "Martha", "Bryan", "Gloria", "Lawrence", "Kathryn", "Arthur", "Ann", "Gabriel", "Charlotte",
        "Bruce", "Judy", "Logan", "Amber", "Billy", "Julia", "Joe", "Grace", "Alan", "Denise",
        "Juan", "Danielle", "Elijah", "Marilyn", "Willie", "Beverly", "Albert", "Frances", "Wayne", "Natalie",
        "Randy", "Theresa", "Mason", "Diana", "Vincent", "Brittany", "Liam", "Doris", "Roy", "Kayla",
        "Bobby", "Alexis", "Caleb", "Lori", "Bradley", "Marie", "Russell", "Ava", "Lucas", "Mia",
    ];

    private static readonly string[] CommonLast =
    [
        "Smith", "Johnson", "Williams", "Brown", "Jones", "Garcia", "Miller", "Davis", "Rodriguez", "Martinez",
        "Hernandez", "Lopez", "Gonzalez", "Wilson", "Anderson", "Thomas", "Taylor", "Moore", "Jackson", "Martin",
        "Lee", "Perez", "Thompson", "White", "Harris", "Sanchez", "Clark", "Ramirez", "Lewis", "Robinson",
        "Walker", "Young", "Allen", "King", "Wright", "Scott", "Torres", "Nguyen", "Hill", "Flores",
        "Green", "Adams", "Nelson", "Baker", "Hall", "Rivera", "Campbell", "Mitchell", "Carter", "Roberts",
        "Gomez", "Phillips", "Evans", "Turner", "Diaz", "Parker", "Cruz", "Edwards", "Collins", "Reyes",
        "Stewart", "Morris", "Morales", "Murphy", "Cook", "Rogers", "Gutierrez", "Ortiz", "Morgan", "Cooper",
        "Peterson", "Bailey", "Reed", "Kelly", "Howard", "Ramos", "Kim", "Cox", "Ward", "Richardson",
        "Watson", "Brooks", "Chavez", "Wood", "James", "Bennett", "Gray", "Mendoza", "Ruiz", "Hughes",
        "Price", "Alvarez", "Castillo", "Sanders", "Patel", "Myers", "Long", "Ross", "Foster", "Jimenez",
        "Powell", "Jenkins", "Perry", "Russell", "Sullivan", "Bell", "Coleman", "Butler", "Henderson", "Barnes",
        "Gonzales", "Fisher", "Vasquez", "Simmons", "Romero", "Jordan", "Patterson", "Alexander", "Hamilton", "Graham",
        "Reynolds", "Griffin", "Wallace", "Moreno", "West", "Cole", "Hayes", "Bryant", "Herrera", "Gibson",
        "Ellis", "Tran", "Medina", "Aguilar", "Stevens", "Murray", "Ford", "Castro", "Marshall", "Owens",
        "Harrison", "Fernandez", "Mcdonald", "Woods", "Washington", "Kennedy", "Wells", "Vargas", "Henry", "Chen",
    ];

    /// <summary>The 50 states and DC with rough populations in millions, which weight where customers live.</summary>
    private static readonly (string Code, double Population)[] StateTable =
    [
        ("CA", 39.0), ("TX", 30.5), ("FL", 22.6), ("NY", 19.6), ("PA", 13.0), ("IL", 12.5), ("OH", 11.8),
        ("GA", 11.0), ("NC", 10.8), ("MI", 10.0), ("NJ", 9.3), ("VA", 8.7), ("WA", 7.8), ("AZ", 7.4),
        ("TN", 7.1), ("MA", 7.0), ("IN", 6.9), ("MO", 6.2), ("MD", 6.2), ("WI", 5.9), ("CO", 5.9),
        ("MN", 5.7), ("SC", 5.4), ("AL", 5.1), ("LA", 4.6), ("KY", 4.5), ("OR", 4.2), ("OK", 4.1),
        ("CT", 3.6), ("UT", 3.4), ("IA", 3.2), ("NV", 3.2), ("AR", 3.1), ("MS", 2.9), ("KS", 2.9),
        ("NM", 2.1), ("NE", 2.0), ("ID", 1.9), ("WV", 1.8), ("HI", 1.4), ("NH", 1.4), ("ME", 1.4),
        ("MT", 1.1), ("RI", 1.1), ("DE", 1.0), ("SD", 0.9), ("ND", 0.8), ("AK", 0.7), ("DC", 0.7),
        ("VT", 0.6), ("WY", 0.6),
    ];

    private static readonly Lazy<Pools> Instance = new(Build, LazyThreadSafetyMode.ExecutionAndPublication);

    /// <summary>First names: the common ones first, then the generated long tail.</summary>
    public static string[] FirstNames => Instance.Value.FirstNames;

    /// <summary>The same names lower-cased, for e-mail addresses without per-row allocations.</summary>
    public static string[] FirstNamesLower => Instance.Value.FirstNamesLower;

    public static string[] LastNames => Instance.Value.LastNames;

    public static string[] LastNamesLower => Instance.Value.LastNamesLower;

    public static string[] Cities => Instance.Value.Cities;

    /// <summary>Index into <see cref="States"/> of each city's state.</summary>
    public static byte[] CityStates => Instance.Value.CityStates;

    public static string[] States => Instance.Value.States;

    public static int StateCount => StateTable.Length;

    public static int NextFirstName(FastRandom random) =>
        NextName(random, CommonFirstNameShare, Instance.Value.CommonFirstCdf, CommonFirst.Length, FirstNameTail);

    public static int NextLastName(FastRandom random) =>
        NextName(random, CommonLastNameShare, Instance.Value.CommonLastCdf, CommonLast.Length, LastNameTail);

    public static int NextCity(FastRandom random) => random.NextFromCdf(Instance.Value.CityCdf);

    private static int NextName(FastRandom random, double commonShare, double[] commonCdf, int commonCount, int tail)
    {
        // Two draws always, so the number of draws never depends on the outcome.
        var common = random.Chance(commonShare);
        var tailIndex = random.NextInt(tail);
        return common ? random.NextFromCdf(commonCdf) : commonCount + tailIndex;
    }

    private static Pools Build()
    {
        var random = new FastRandom(0x4E6F76614D617274UL);
        var first = Generate(random, CommonFirst, FirstNameTail, FirstSyllables, FirstEndings);
        var last = Generate(random, CommonLast, LastNameTail, LastSyllables, LastEndings);

        var states = StateTable.Select(s => s.Code).ToArray();
        var stateCdf = FastRandom.Cdf(StateTable.Select(s => s.Population).ToArray());
        var (cities, cityStates) = GenerateCities(random, stateCdf);

        // Zipf-like city sizes: big cities dominate, yet the smallest still appears ~90 times among 2.1M customers.
        var cityWeights = new double[CityCount];
        for (var i = 0; i < CityCount; i++)
        {
            cityWeights[i] = Math.Pow(i + 10, -0.9);
        }

        return new Pools(
            first,
            first.Select(n => n.ToLowerInvariant()).ToArray(),
            last,
            last.Select(n => n.ToLowerInvariant()).ToArray(),
            cities,
            cityStates,
            states,
            FastRandom.Cdf(Zipf(CommonFirst.Length, 0.8)),
            FastRandom.Cdf(Zipf(CommonLast.Length, 0.7)),
            FastRandom.Cdf(cityWeights));
    }

    private static double[] Zipf(int count, double exponent)
    {
        var weights = new double[count];
        for (var i = 0; i < count; i++)
        {
            weights[i] = Math.Pow(i + 1, -exponent);
        }

        return weights;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static string[] Generate(FastRandom random, string[] common, int tailCount, string[] syllables, string[] endings)
    {
        var names = new string[common.Length + tailCount];
        common.CopyTo(names, 0);
        var seen = new HashSet<string>(common, StringComparer.Ordinal);
        var count = common.Length;
        var buffer = new System.Text.StringBuilder(16);
        while (count < names.Length)
        {
            buffer.Clear();
            var parts = 1 + random.NextInt(3);
            for (var p = 0; p < parts; p++)
            {
                buffer.Append(syllables[random.NextInt(syllables.Length)]);
            }

            buffer.Append(endings[random.NextInt(endings.Length)]);
            buffer[0] = char.ToUpperInvariant(buffer[0]);
            var name = buffer.ToString();
            if (name.Length >= 3 && seen.Add(name))
            {
                names[count++] = name;
            }
        }

        return names;
    }

    private static (string[] Cities, byte[] States) GenerateCities(FastRandom random, double[] stateCdf)
    {
        var cities = new string[CityCount];
        var cityStates = new byte[CityCount];
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var count = 0;
        while (count < CityCount)
        {
            var stem = CityStems[random.NextInt(CityStems.Length)] + CitySuffixes[random.NextInt(CitySuffixes.Length)];
            var name = random.NextInt(10) switch
            {
                0 => "New " + stem,
                1 => stem + " Falls",
                2 => "East " + stem,
                3 => stem + " Springs",
                4 => "Port " + stem,
                _ => stem,
            };
            if (seen.Add(name))
            {
                cities[count] = name;
                cityStates[count] = (byte)random.NextFromCdf(stateCdf);
                count++;
            }
        }

        return (cities, cityStates);
    }

    private static readonly string[] FirstSyllables =
    [
        "a", "ka", "la", "ma", "na", "ra", "sa", "ta", "va", "za", "al", "an", "bel", "cor", "da", "den", "el", "fa",
        "gi", "ha", "is", "jo", "ke", "li", "lo", "mi", "mo", "ne", "ni", "o", "pa", "ri", "ro", "se", "si", "te",
        "ti", "vi", "yu", "ze", "bri", "cla", "dre", "fle", "gra", "jul", "mar", "nor", "per", "quin", "sha", "tre",
    ];

    private static readonly string[] FirstEndings =
    [
        "", "a", "ah", "an", "el", "en", "er", "ia", "ie", "in", "is", "o", "on", "us", "y", "lyn", "ra", "ton", "ette", "ias",
    ];

    private static readonly string[] LastSyllables =
    [
        "ab", "bar", "bel", "ber", "bo", "car", "cas", "dal", "del", "dor", "el", "fal", "fer", "gal", "gar", "gor",
        "hal", "har", "kel", "kin", "lan", "lar", "lin", "mac", "mar", "mel", "mor", "nor", "pal", "par", "pe", "ral",
        "ren", "ros", "sal", "san", "sel", "tal", "tor", "val", "ver", "wal", "war", "win", "zan", "ash", "brook", "hart",
    ];

    private static readonly string[] LastEndings =
    [
        "son", "sen", "ez", "es", "er", "ski", "ova", "ov", "ton", "ley", "man", "berg", "stein", "ford", "well",
        "wood", "field", "ing", "ins", "ell", "etti", "ini", "az", "ado", "quist", "dahl", "strom", "lund", "rich", "ard",
    ];

    private static readonly string[] CityStems =
    [
        "Spring", "Oak", "Maple", "Cedar", "Pine", "Elm", "Willow", "River", "Lake", "Green", "Fair", "Clear", "Rock",
        "Stone", "Sun", "Silver", "Gold", "Red", "White", "Black", "Blue", "Mill", "Bridge", "Glen", "Ash", "Birch",
        "Brook", "Haven", "Harbor", "North", "South", "West", "Mount", "Pleasant", "Cherry", "Hazel", "Iron", "Copper",
        "Fox", "Deer", "Eagle", "Hawk", "Bay", "Mead", "Wood", "Crest", "Frank", "Madison", "Jackson", "Lincoln",
        "Clinton", "Marion", "Salem", "Dover", "Bristol", "Chester", "Milton", "Ashland", "Riverside", "Georgetown",
        "Hamilton", "Burling", "Kings", "Queens", "Sandy", "Prairie", "Summer", "Winter", "Autumn", "Bel", "Edge",
    ];

    private static readonly string[] CitySuffixes =
    [
        "field", "ville", "ton", "dale", "wood", "ford", "port", "view", "burg", "land", "mont", "haven", "brook",
        "ridge", "side", "vale", "crest", " City", " Park", " Hills", " Grove", " Heights", "", "", "",
    ];

    private sealed record Pools(
        string[] FirstNames,
        string[] FirstNamesLower,
        string[] LastNames,
        string[] LastNamesLower,
        string[] Cities,
        byte[] CityStates,
        string[] States,
        double[] CommonFirstCdf,
        double[] CommonLastCdf,
        double[] CityCdf);
}
