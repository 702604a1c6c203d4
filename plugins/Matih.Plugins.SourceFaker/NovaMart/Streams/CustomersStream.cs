using System.Runtime.CompilerServices;
using System.Globalization;
using Matih.Plugins.SourceFaker.Generation;
using Matih.Sdk.Data;

namespace Matih.Plugins.SourceFaker.NovaMart.Streams;

/// <summary><c>customers</c>: the seed profile's 14 columns, one row per customer.</summary>
internal sealed class CustomersStream : NovaMartStream
{
    public override string Name => "customers";

    public override TableSchema Schema { get; } = new(
        [
            Columns.Id("customer_id"),
            Columns.Text("email", nullable: true),
            Columns.Text("first_name", nullable: true),
            Columns.Text("last_name", nullable: true),
            Columns.Date("signup_date"),
            Columns.Date("last_order_date", nullable: true),
            Columns.Text("segment"),
            Columns.Money("lifetime_value"),
            Columns.Text("channel", nullable: true),
            Columns.Text("city", nullable: true),
            Columns.Text("state", nullable: true),
            Columns.Timestamp("created_at"),
            Columns.Timestamp("updated_at"),
            Columns.Flag("is_active"),
        ],
        ["customer_id"]);

    public override string CursorField => "updated_at";

    public override double RowsPerUnit => 1;

    public override IChunkGenerator CreateGenerator(NovaMartDataset data) => new Generator(data);

    private sealed class Generator(NovaMartDataset data) : IChunkGenerator
    {
        private readonly CustomerSimulator _customer = new(data);
        private RowBatch? _bound;
        private ColumnVector<long> _id = null!;
        private ColumnVector<string> _email = null!;
        private ColumnVector<string> _firstName = null!;
        private ColumnVector<string> _lastName = null!;
        private ColumnVector<DateOnly> _signupDate = null!;
        private ColumnVector<DateOnly> _lastOrderDate = null!;
        private ColumnVector<string> _segment = null!;
        private ColumnVector<decimal> _lifetimeValue = null!;
        private ColumnVector<string> _channel = null!;
        private ColumnVector<string> _city = null!;
        private ColumnVector<string> _state = null!;
        private ColumnVector<DateTime> _createdAt = null!;
        private ColumnVector<DateTime> _updatedAt = null!;
        private ColumnVector<bool> _isActive = null!;

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public void Generate(long first, long end, ChunkWriter writer)
        {
            var c = _customer;
            var firstNames = NamePools.FirstNames;
            var lastNames = NamePools.LastNames;
            var cities = NamePools.Cities;
            for (var unit = first; unit < end; unit++)
            {
                c.SimulateProfile(unit + 1);
                c.SimulateOrders();
                var updated = c.UpdatedTicks();
                if (!writer.Accept(updated))
                {
                    continue;
                }

                var row = writer.AddRow();
                Bind(writer.Batch);
                _id.Set(row, c.CustomerId);
                if (c.EmailMissing)
                {
                    _email.SetNull(row);
                }
                else
                {
                    _email.Set(row, Email(c));
                }

                SetText(_firstName, row, c.FirstName < 0 ? null : firstNames[c.FirstName]);
                SetText(_lastName, row, c.LastName < 0 ? null : lastNames[c.LastName]);
                _signupDate.Set(row, data.Date(c.TenureDays));
                if (c.DaysSinceLastOrder < 0)
                {
                    _lastOrderDate.SetNull(row);
                }
                else
                {
                    _lastOrderDate.Set(row, data.Date(c.DaysSinceLastOrder));
                }

                _segment.Set(row, Vocabulary.Segments[c.Segment()]);
                _lifetimeValue.Set(row, Values.Money(c.LifetimeValueCents));
                SetText(_channel, row, c.ChannelMissing ? null : Vocabulary.Channels[c.Channel]);
                SetText(_city, row, c.CityMissing ? null : cities[c.City]);
                SetText(_state, row, c.StateMissing ? null : NamePools.States[NamePools.CityStates[c.City]]);
                _createdAt.Set(row, Values.Timestamp(c.CreatedTicks));
                _updatedAt.Set(row, Values.Timestamp(updated));
                _isActive.Set(row, c.IsActive());
            }
        }

        private static void SetText(ColumnVector<string> column, int row, string? value)
        {
            if (value is null)
            {
                column.SetNull(row);
            }
            else
            {
                column.Set(row, value);
            }
        }

        /// <summary>first.last1042587@example.com: the customer id keeps every address unique.</summary>
        private static string Email(CustomerSimulator c)
        {
            Span<char> buffer = stackalloc char[128];
            var domain = Vocabulary.EmailDomains[c.EmailDomain];
            var position = 0;
            if (c.FirstName >= 0 && c.LastName >= 0)
            {
                var first = NamePools.FirstNamesLower[c.FirstName];
                var last = NamePools.LastNamesLower[c.LastName];
                if (first.Length + last.Length + domain.Length + 24 > buffer.Length)
                {
                    return string.Concat(first, ".", last, c.CustomerId.ToString(CultureInfo.InvariantCulture), "@", domain);
                }

                first.CopyTo(buffer);
                position = first.Length;
                buffer[position++] = '.';
                last.CopyTo(buffer[position..]);
                position += last.Length;
            }
            else
            {
                "customer".CopyTo(buffer);
                position = "customer".Length;
            }

            c.CustomerId.TryFormat(buffer[position..], out var written, provider: CultureInfo.InvariantCulture);
            position += written;
            buffer[position++] = '@';
            domain.CopyTo(buffer[position..]);
            position += domain.Length;
            return new string(buffer[..position]);
        }

        private void Bind(RowBatch batch)
        {
            if (ReferenceEquals(batch, _bound))
            {
                return;
            }

            _bound = batch;
            _id = batch.Column<long>(0);
            _email = batch.Column<string>(1);
            _firstName = batch.Column<string>(2);
            _lastName = batch.Column<string>(3);
            _signupDate = batch.Column<DateOnly>(4);
            _lastOrderDate = batch.Column<DateOnly>(5);
            _segment = batch.Column<string>(6);
            _lifetimeValue = batch.Column<decimal>(7);
            _channel = batch.Column<string>(8);
            _city = batch.Column<string>(9);
            _state = batch.Column<string>(10);
            _createdAt = batch.Column<DateTime>(11);
            _updatedAt = batch.Column<DateTime>(12);
            _isActive = batch.Column<bool>(13);
        }
    }
}
