using System.Runtime.CompilerServices;
using Matih.Plugins.SourceFaker.Generation;

namespace Matih.Plugins.SourceFaker.NovaMart;

/// <summary>
/// Simulates one customer at a time: who they are, a latent churn propensity, their orders (with items and
/// returns) and their clickstream. Each aspect has its own random sequence seeded from (seed, customer id), so
/// every stream re-derives exactly the same customer: orders reference existing customers, items existing
/// orders, and customers.last_order_date is the customer's latest order_date, whichever stream is read.
/// </summary>
/// <remarks>
/// One instance per worker thread; the arrays are reused from customer to customer. The churn model:
/// a hidden propensity plus thresholds and interactions on return proneness, spending volatility, order rate,
/// tenure, channel and engagement decides whether the last order is more than 90 days before as_of. The
/// same drivers shape what the churn SQL can see (returns, order value spread, clicks in the last 90 days,
/// segment), noisily, so tree ensembles learn more from them than a linear model does.
/// </remarks>
internal sealed class CustomerSimulator
{
    // Share of customers per bucket of days since the last order, from the seed's profile (sum of each side = 1).
    private const double ActiveRecent = 41.2 / 69.6;
    private const double ActiveMiddle = (41.2 + 16.3) / 69.6;
    private const double ChurnedRecently = 18.7 / 30.4;

    /// <summary>Chosen so ~30.4% of customers who ordered (and signed up over 90 days ago) churned.</summary>
    private const double ChurnIntercept = -1.5;

    private static readonly double[] ChannelCdf = [0.61, 0.89, 1.0];
    private static readonly double[] BaseBandCdf = FastRandom.Cdf([0.18, 0.30, 0.31, 0.17, 0.04, 0, 0, 0]);
    private static readonly double[] ChannelClickFactor = [1.0, 1.25, 0.3];

    private readonly NovaMartDataset _data;
    private readonly FastRandom _profile = new(0);
    private readonly FastRandom _orders = new(0);
    private readonly FastRandom _clicks = new(0);

    private int[] _orderDaysAgo = new int[64];
    private int[] _orderSecond = new int[64];
    private long[] _orderTotalCents = new long[64];
    private int[] _orderItemStart = new int[65];
    private byte[] _orderStatus = new byte[64];
    private byte[] _orderChannel = new byte[64];
    private long[] _orderUpdatedTicks = new long[64];
    private int[] _returnDaysAgo = new int[64];
    private long[] _refundCents = new long[64];
    private byte[] _returnReason = new byte[64];
    private int[] _itemProduct = new int[128];
    private int[] _itemQuantity = new int[128];
    private int[] _itemUnitCents = new int[128];
    private long[] _sessionStart = new long[32];
    private long[] _clickTicks = new long[128];
    private byte[] _clickType = new byte[128];
    private int[] _clickProduct = new int[128];
    private int[] _clickSession = new int[128];
    private byte[] _clickChannel = new byte[128];

    private double _segmentRoll;
    private double _staleRoll;
    private double _activeRoll;
    private double _profileEditRoll;
    private double _profileEditFraction;

    public CustomerSimulator(NovaMartDataset data)
    {
        _data = data;
    }

    public long CustomerId { get; private set; }

    public int TenureDays { get; private set; }

    public int SignupSecond { get; private set; }

    public byte Channel { get; private set; }

    public bool ChannelMissing { get; private set; }

    /// <summary>Index into <see cref="NamePools.FirstNames"/>, or -1 for NULL.</summary>
    public int FirstName { get; private set; }

    public int LastName { get; private set; }

    public bool EmailMissing { get; private set; }

    public int EmailDomain { get; private set; }

    public int City { get; private set; }

    public bool CityMissing { get; private set; }

    public bool StateMissing { get; private set; }

    public bool NeverOrdered { get; private set; }

    /// <summary>Whether the last order is more than 90 days before as_of: the churn SQL's label.</summary>
    public bool Churned { get; private set; }

    /// <summary>Days between the last order and as_of; -1 when the customer never ordered.</summary>
    public int DaysSinceLastOrder { get; private set; }

    public int OrderCount { get; private set; }

    public double ReturnProneness { get; private set; }

    public double Volatility { get; private set; }

    public double OrderRate { get; private set; }

    public double Engagement { get; private set; }

    public int BaseBand { get; private set; }

    public bool WindowShopper { get; private set; }

    private int FirstOrderDaysAgo { get; set; }

    // Orders, valid after SimulateOrders.
    public ReadOnlySpan<int> OrderDaysAgo => _orderDaysAgo.AsSpan(0, OrderCount);

    public ReadOnlySpan<int> OrderSecond => _orderSecond.AsSpan(0, OrderCount);

    public ReadOnlySpan<long> OrderTotalCents => _orderTotalCents.AsSpan(0, OrderCount);

    /// <summary>Order k's items are [start[k], start[k + 1]).</summary>
    public ReadOnlySpan<int> OrderItemStart => _orderItemStart.AsSpan(0, OrderCount + 1);

    public ReadOnlySpan<byte> OrderStatus => _orderStatus.AsSpan(0, OrderCount);

    public ReadOnlySpan<byte> OrderChannel => _orderChannel.AsSpan(0, OrderCount);

    public ReadOnlySpan<long> OrderUpdatedTicks => _orderUpdatedTicks.AsSpan(0, OrderCount);

    /// <summary>Days before as_of of order k's return, or -1 when it was not returned.</summary>
    public ReadOnlySpan<int> ReturnDaysAgo => _returnDaysAgo.AsSpan(0, OrderCount);

    public ReadOnlySpan<long> RefundCents => _refundCents.AsSpan(0, OrderCount);

    public ReadOnlySpan<byte> ReturnReason => _returnReason.AsSpan(0, OrderCount);

    public ReadOnlySpan<int> ItemProduct => _itemProduct;

    public ReadOnlySpan<int> ItemQuantity => _itemQuantity;

    public ReadOnlySpan<int> ItemUnitCents => _itemUnitCents;

    /// <summary>Sum of non-cancelled order totals less refunds.</summary>
    public long LifetimeValueCents { get; private set; }

    public long LastOrderCreatedTicks { get; private set; }

    // Clicks, valid after SimulateClicks.
    public int ClickCount { get; private set; }

    public ReadOnlySpan<long> ClickTicks => _clickTicks.AsSpan(0, ClickCount);

    public ReadOnlySpan<byte> ClickType => _clickType.AsSpan(0, ClickCount);

    /// <summary>Product index, or -1 for events without a product.</summary>
    public ReadOnlySpan<int> ClickProduct => _clickProduct.AsSpan(0, ClickCount);

    /// <summary>Session number within the customer (1-based).</summary>
    public ReadOnlySpan<int> ClickSession => _clickSession.AsSpan(0, ClickCount);

    public ReadOnlySpan<byte> ClickChannel => _clickChannel.AsSpan(0, ClickCount);

    /// <summary>Draws the customer's profile and latent behaviour. Always the same number of draws in the same order.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void SimulateProfile(long customerId)
    {
        var r = _profile;
        r.Reset(FastRandom.SeedFor(_data.Seed, customerId, Salts.Profile));
        CustomerId = customerId;

        // Signups spread evenly from ~7 years to one month before as_of.
        TenureDays = r.NextInt(NovaMartShape.MinTenureDays, NovaMartShape.MaxTenureDays);
        SignupSecond = r.NextInt(86_400);
        Channel = (byte)r.NextFromCdf(ChannelCdf);
        ChannelMissing = r.Chance(0.001);
        var firstName = NamePools.NextFirstName(r);
        FirstName = r.Chance(0.002) ? -1 : firstName;
        var lastName = NamePools.NextLastName(r);
        LastName = r.Chance(0.003) ? -1 : lastName;
        EmailMissing = r.Chance(0.121);
        EmailDomain = r.NextInt(Vocabulary.EmailDomains.Length);
        City = NamePools.NextCity(r);
        CityMissing = r.Chance(0.023);
        StateMissing = r.Chance(0.018);

        var hidden = r.NextGaussian();
        var u = r.NextDouble();
        ReturnProneness = 0.006 + (0.22 * u * u * u * u);
        u = r.NextDouble();
        Volatility = 0.2 + (1.3 * u * u);
        var band = r.NextFromCdf(BaseBandCdf);
        var rateZ = r.NextGaussian();
        OrderRate = Math.Clamp(0.19 * Math.Exp(0.6 * rateZ), 0.02, 1.5);

        // Frequent buyers fill their baskets with cheaper things, which keeps lifetime values in the seed's range.
        BaseBand = Math.Max(0, band - (OrderRate > 0.6 ? 2 : OrderRate > 0.3 ? 1 : 0));
        Engagement = Math.Exp((0.8 * r.NextGaussian()) - 0.32);
        WindowShopper = r.Chance(0.35);
        NeverOrdered = r.Chance(0.047);
        var churnRoll = r.NextDouble();
        var bucketRoll = r.NextDouble();
        var bucketNoise = r.NextGaussian();
        var withinRoll = r.NextDouble();
        var longGap = r.NextExponential(200);
        var firstDelay = r.NextExponential(20);
        _segmentRoll = r.NextDouble();
        _staleRoll = r.NextDouble();
        _activeRoll = r.NextDouble();
        _profileEditRoll = r.NextDouble();
        _profileEditFraction = r.NextDouble();

        var tenure = TenureDays;
        var logit = ChurnIntercept
            + (1.3 * hidden)
            + (ReturnProneness > 0.10 ? 1.2 : 0)
            + (Volatility > 1.0 ? (tenure < 900 ? 1.2 : 0.2) : 0)
            + (OrderRate < 0.10 ? 0.9 : 0)
            + (tenure < 365 ? 0.5 : tenure > 1_800 ? -0.4 : 0)
            + (Channel == Vocabulary.Store ? 0.4 : 0)
            - (Engagement > 1.6 ? 0.6 : 0);
        Churned = !NeverOrdered && tenure >= 92 && churnRoll < 1 / (1 + Math.Exp(-logit));

        if (NeverOrdered)
        {
            DaysSinceLastOrder = -1;
            FirstOrderDaysAgo = -1;
            OrderCount = 0;
            return;
        }

        var latest = tenure - 1;
        int days;
        if (Churned)
        {
            var longest = Math.Min(NovaMartShape.MaxDaysSinceLastOrder, latest);
            if (bucketRoll < ChurnedRecently || longest < 181)
            {
                days = 91 + (int)(withinRoll * (Math.Min(180, latest) - 90));
            }
            else
            {
                days = 181 + (int)longGap;
                if (days > longest)
                {
                    days = 181 + (int)(withinRoll * (longest - 180));
                }
            }
        }
        else
        {
            // Frequent buyers tend to have ordered recently: a Gaussian copula keeps the bucket shares exact.
            var p = NormalCdf((-0.35 * rateZ) + (0.9367 * bucketNoise));
            var (low, high) = p < ActiveRecent ? (0, 30) : p < ActiveMiddle ? (31, 60) : (61, 90);
            days = Math.Min(latest, low + (int)(withinRoll * (high - low + 1)));
        }

        DaysSinceLastOrder = days;
        FirstOrderDaysAgo = tenure - Math.Min((int)firstDelay, tenure - days);
        var window = FirstOrderDaysAgo - days;
        OrderCount = Math.Min(NovaMartShape.MaxOrdersPerCustomer, 1 + r.NextPoisson(OrderRate * window / 30.0));
    }

    /// <summary>Generates the orders, their items and returns. Needs <see cref="SimulateProfile"/> first.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void SimulateOrders()
    {
        var n = OrderCount;
        LifetimeValueCents = 0;
        LastOrderCreatedTicks = 0;
        if (n == 0)
        {
            _orderItemStart[0] = 0;
            return;
        }

        EnsureOrderCapacity(n);
        var r = _orders;
        r.Reset(FastRandom.SeedFor(_data.Seed, CustomerId, Salts.Orders));

        // The first order shortly after signup, the last exactly DaysSinceLastOrder ago, the rest in between.
        var last = DaysSinceLastOrder;
        var first = FirstOrderDaysAgo;
        _orderDaysAgo[0] = last;
        if (n > 1)
        {
            _orderDaysAgo[1] = first;
            for (var k = 2; k < n; k++)
            {
                _orderDaysAgo[k] = r.NextInt(last, first);
            }
        }

        // Oldest first, so order ids grow with time.
        Array.Sort(_orderDaysAgo, 0, n);
        Array.Reverse(_orderDaysAgo, 0, n);

        var products = _data.Products;
        var itemCount = 0;
        long lifetime = 0;
        for (var k = 0; k < n; k++)
        {
            var daysAgo = _orderDaysAgo[k];
            var second = r.NextInt(86_400);
            _orderSecond[k] = second;
            var cancelled = r.Chance(0.02);
            var otherChannel = (byte)r.NextInt(3);
            _orderChannel[k] = r.Chance(0.85) ? Channel : otherChannel;

            var items = 1;
            while (items < NovaMartShape.MaxItemsPerOrder && r.Chance(0.375))
            {
                items++;
            }

            EnsureItemCapacity(itemCount + items);
            _orderItemStart[k] = itemCount;
            long total = 0;
            long firstLine = 0;
            for (var j = 0; j < items; j++)
            {
                var band = Math.Clamp(BaseBand + (int)Math.Round(r.NextGaussian() * Volatility), 0, ProductCatalog.BandCount - 1);
                var product = products.Pick(band, r.NextDouble());
                var quantity = 1;
                while (quantity < 5 && r.Chance(quantity == 1 ? 0.22 : 0.3) && band < 5)
                {
                    quantity++;
                }

                var price = products.PriceCents[product];
                var unit = r.Chance(0.12) && price >= 1_000 ? price - (price / 10) : price;

                // Keep every order within the seed's largest order value.
                if (total + ((long)quantity * unit) > NovaMartShape.MaxOrderCents)
                {
                    quantity = (int)((NovaMartShape.MaxOrderCents - total) / unit);
                    if (quantity == 0)
                    {
                        continue;
                    }
                }

                var line = (long)quantity * unit;
                firstLine = firstLine == 0 ? line : firstLine;
                total += line;
                _itemProduct[itemCount] = product;
                _itemQuantity[itemCount] = quantity;
                _itemUnitCents[itemCount] = unit;
                itemCount++;
            }

            _orderTotalCents[k] = total;

            var returnRoll = r.NextDouble();
            var returnLag = r.NextInt(2, 32);
            var fullRefund = r.Chance(0.7);
            _returnReason[k] = (byte)r.NextInt(Vocabulary.ReturnReasons.Length);
            var returnSecond = r.NextInt(86_400);
            var updateDelay = r.NextDouble();

            var created = _data.Ticks(daysAgo, second);
            var returned = !cancelled && daysAgo >= 2 && returnRoll < ReturnProneness;
            long updated;
            if (returned)
            {
                var returnDaysAgo = Math.Max(0, daysAgo - returnLag);
                _returnDaysAgo[k] = returnDaysAgo;
                _refundCents[k] = fullRefund ? total : firstLine;
                _orderStatus[k] = Vocabulary.Returned;
                updated = _data.Ticks(returnDaysAgo, returnSecond);
            }
            else
            {
                _returnDaysAgo[k] = -1;
                _refundCents[k] = 0;
                (_orderStatus[k], updated) = cancelled
                    ? (Vocabulary.Cancelled, created + (long)(updateDelay * TimeSpan.TicksPerHour))
                    : daysAgo <= 1
                        ? (Vocabulary.Processing, created + (long)(updateDelay * 4 * TimeSpan.TicksPerHour))
                        : daysAgo <= 5
                            ? (Vocabulary.Shipped, created + (long)((1 + updateDelay) * TimeSpan.TicksPerDay))
                            : (Vocabulary.Delivered, created + (long)((2 + (4 * updateDelay)) * TimeSpan.TicksPerDay));
            }

            _orderUpdatedTicks[k] = Math.Clamp(updated, created, Math.Max(created, _data.LastTick));
            if (!cancelled)
            {
                lifetime += total - _refundCents[k];
            }
        }

        _orderItemStart[n] = itemCount;
        LifetimeValueCents = Math.Max(0, lifetime);
        LastOrderCreatedTicks = _data.Ticks(_orderDaysAgo[n - 1], _orderSecond[n - 1]);
    }

    /// <summary>
    /// The customer's segment as NovaMart's CRM last assigned it: New for the first year, Inactive for lapsed
    /// customers (only partly: the CRM lags), otherwise Gold/Silver/Bronze by lifetime value.
    /// </summary>
    public byte Segment()
    {
        if (TenureDays < 365)
        {
            return Vocabulary.New;
        }

        if (NeverOrdered || (DaysSinceLastOrder > 120 && _segmentRoll < 0.4) || _staleRoll < 0.03)
        {
            return Vocabulary.Inactive;
        }

        return LifetimeValueCents >= 150_000 ? Vocabulary.Gold
            : LifetimeValueCents >= 40_000 ? Vocabulary.Silver
            : Vocabulary.Bronze;
    }

    /// <summary>The account flag: false for most long-lapsed and never-ordering customers, and a few others.</summary>
    public bool IsActive()
    {
        if (DaysSinceLastOrder > 180 || NeverOrdered)
        {
            return _activeRoll >= 0.92;
        }

        return _activeRoll >= 0.054;
    }

    /// <summary>The customer row's created_at.</summary>
    public long CreatedTicks => _data.Ticks(TenureDays, SignupSecond);

    /// <summary>The customer row's updated_at: its last order or a later profile edit, never after as_of.</summary>
    public long UpdatedTicks()
    {
        var created = CreatedTicks;
        var updated = Math.Max(created, LastOrderCreatedTicks);
        if (_profileEditRoll < 0.25)
        {
            var edit = created + (long)((_data.LastTick - created) * _profileEditFraction);
            updated = Math.Max(updated, edit);
        }

        return Math.Min(updated, Math.Max(created, _data.LastTick));
    }

    /// <summary>
    /// Generates the last <see cref="NovaMartShape.ClickWindowDays"/> days of clickstream. Active customers browse
    /// at their engagement rate; after a churned customer's last order only window shoppers keep browsing much;
    /// store customers browse little either way.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void SimulateClicks()
    {
        var r = _clicks;
        r.Reset(FastRandom.SeedFor(_data.Seed, CustomerId, Salts.Clicks));
        var window = Math.Min(NovaMartShape.ClickWindowDays, TenureDays + 1);
        var factor = Engagement * ChannelClickFactor[Channel];
        var activeRate = 0.040 * factor;
        double lapsedRate;
        int lapsedDays;
        if (NeverOrdered)
        {
            lapsedRate = 0.012 * factor;
            lapsedDays = window;
        }
        else if (Churned)
        {
            lapsedRate = (WindowShopper ? 0.02 : 0.006) * factor;
            lapsedDays = Math.Min(window, DaysSinceLastOrder);
        }
        else
        {
            lapsedRate = 0;
            lapsedDays = 0;
        }

        var lapsedSessions = r.NextPoisson(lapsedRate * lapsedDays);
        var activeSessions = r.NextPoisson(activeRate * (window - lapsedDays));
        var sessions = Math.Min(NovaMartShape.MaxSessionsPerCustomer, lapsedSessions + activeSessions);
        if (_sessionStart.Length < sessions)
        {
            _sessionStart = new long[Math.Max(sessions, _sessionStart.Length * 2)];
        }

        for (var s = 0; s < sessions; s++)
        {
            var daysAgo = s < lapsedSessions
                ? r.NextInt(lapsedDays)
                : lapsedDays + r.NextInt(window - lapsedDays);
            _sessionStart[s] = _data.Ticks(daysAgo, r.NextInt(86_400));
        }

        Array.Sort(_sessionStart, 0, sessions);

        var lapsedFrom = lapsedDays > 0 ? _data.Ticks(lapsedDays - 1, 0) : long.MaxValue;
        var count = 0;
        for (var s = 0; s < sessions && count < NovaMartShape.MaxEventsPerCustomer; s++)
        {
            var events = Math.Min(1 + r.NextPoisson(1.6), NovaMartShape.MaxEventsPerCustomer - count);
            EnsureClickCapacity(count + events);
            var channel = Channel switch
            {
                Vocabulary.Web => r.Chance(0.85) ? Vocabulary.Web : Vocabulary.Mobile,
                Vocabulary.Mobile => r.Chance(0.85) ? Vocabulary.Mobile : Vocabulary.Web,
                _ => r.Chance(0.6) ? Vocabulary.Web : Vocabulary.Mobile,
            };
            var cartChance = _sessionStart[s] >= lapsedFrom ? 0.08 : 0.18;
            var ticks = _sessionStart[s];
            var hasCart = false;
            for (var e = 0; e < events; e++)
            {
                byte type;
                if (e == 0)
                {
                    type = r.Chance(0.35) ? Vocabulary.Search : Vocabulary.PageView;
                }
                else
                {
                    var roll = r.NextDouble();
                    type = roll < cartChance ? Vocabulary.AddToCart
                        : roll < cartChance + 0.10 ? (hasCart ? Vocabulary.Checkout : Vocabulary.ProductView)
                        : roll < cartChance + 0.25 ? Vocabulary.Search
                        : roll < cartChance + 0.37 ? Vocabulary.PageView
                        : Vocabulary.ProductView;
                }

                hasCart |= type == Vocabulary.AddToCart;
                var band = Math.Clamp(BaseBand + (int)Math.Round((r.NextDouble() - 0.5) * 2 * Volatility), 0, ProductCatalog.BandCount - 1);
                var product = _data.Products.Pick(band, r.NextDouble());
                _clickProduct[count] = type is Vocabulary.ProductView or Vocabulary.AddToCart ? product : -1;
                _clickTicks[count] = ticks;
                _clickType[count] = type;
                _clickSession[count] = s + 1;
                _clickChannel[count] = channel;
                count++;
                ticks += (5 + r.NextInt(175)) * TimeSpan.TicksPerSecond;
                if (ticks > _data.LastTick)
                {
                    // A session that runs past as_of ends there: no event lies in the future.
                    break;
                }
            }
        }

        ClickCount = count;
    }

    /// <summary>Standard normal CDF (Abramowitz and Stegun 7.1.26, error below 1.5e-7).</summary>
    internal static double NormalCdf(double x)
    {
        var z = Math.Abs(x) / Math.Sqrt(2);
        var t = 1 / (1 + (0.3275911 * z));
        var poly = t * (0.254829592 + (t * (-0.284496736 + (t * (1.421413741 + (t * (-1.453152027 + (t * 1.061405429))))))));
        var erf = 1 - (poly * Math.Exp(-z * z));
        return x >= 0 ? 0.5 * (1 + erf) : 0.5 * (1 - erf);
    }

    private void EnsureOrderCapacity(int n)
    {
        if (_orderDaysAgo.Length >= n)
        {
            return;
        }

        var size = Math.Max(n, _orderDaysAgo.Length * 2);
        _orderDaysAgo = new int[size];
        _orderSecond = new int[size];
        _orderTotalCents = new long[size];
        _orderItemStart = new int[size + 1];
        _orderStatus = new byte[size];
        _orderChannel = new byte[size];
        _orderUpdatedTicks = new long[size];
        _returnDaysAgo = new int[size];
        _refundCents = new long[size];
        _returnReason = new byte[size];
    }

    private void EnsureItemCapacity(int n)
    {
        if (_itemProduct.Length >= n)
        {
            return;
        }

        var size = Math.Max(n, _itemProduct.Length * 2);
        Array.Resize(ref _itemProduct, size);
        Array.Resize(ref _itemQuantity, size);
        Array.Resize(ref _itemUnitCents, size);
    }

    private void EnsureClickCapacity(int n)
    {
        if (_clickTicks.Length >= n)
        {
            return;
        }

        var size = Math.Max(n, _clickTicks.Length * 2);
        Array.Resize(ref _clickTicks, size);
        Array.Resize(ref _clickType, size);
        Array.Resize(ref _clickProduct, size);
        Array.Resize(ref _clickSession, size);
        Array.Resize(ref _clickChannel, size);
    }
}
