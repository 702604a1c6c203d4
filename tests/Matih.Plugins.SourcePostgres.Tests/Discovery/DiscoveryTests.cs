using Matih.Plugins.SourcePostgres.Tests.Support;
using Matih.Sdk.Connectors;
using Matih.Sdk.Data;

namespace Matih.Plugins.SourcePostgres.Tests.Discovery;

public sealed class DiscoveryTests(PostgresFixture postgres) : IClassFixture<PostgresFixture>
{
    private const string Setup = """
        CREATE TABLE customers (
            customer_id bigint PRIMARY KEY,
            email varchar(255),
            first_name text NOT NULL,
            code char(3),
            segment_rank smallint,
            orders integer,
            lifetime_value numeric(12,2),
            score real,
            ratio double precision,
            raw_amount numeric,
            signup_date date NOT NULL,
            created_at timestamp,
            updated_at timestamptz,
            is_active boolean,
            external_id uuid,
            profile jsonb,
            settings json,
            avatar bytea,
            session_length interval,
            tags text[]
        );
        CREATE TABLE order_items (order_id int, line int, qty int, PRIMARY KEY (line, order_id));
        CREATE TABLE audit_log (message text);
        CREATE VIEW active_customers AS SELECT customer_id, email FROM customers WHERE is_active;
        CREATE SCHEMA archive;
        CREATE TABLE archive.customers (customer_id bigint PRIMARY KEY);
        INSERT INTO customers (customer_id, first_name, signup_date) SELECT g, 'n', DATE '2024-01-01' FROM generate_series(1, 500) g;
        ANALYZE customers;
        """;

    [Fact]
    public async Task Columns_are_mapped_to_logical_types_with_source_type_and_nullability()
    {
        var database = await postgres.CreateDatabaseAsync(Setup);

        var customers = (await postgres.Connector.DiscoverAsync(postgres.Config(database), default)).Single(s => s.Name == "customers");

        var expected = new (string Column, ColumnType Type, string SourceType)[]
        {
            ("customer_id", ColumnType.Int64, "bigint"),
            ("email", ColumnType.String, "character varying(255)"),
            ("first_name", ColumnType.String, "text"),
            ("code", ColumnType.String, "character(3)"),
            ("segment_rank", ColumnType.Int32, "smallint"),
            ("orders", ColumnType.Int32, "integer"),
            ("lifetime_value", ColumnType.Decimal, "numeric(12,2)"),
            ("score", ColumnType.Double, "real"),
            ("ratio", ColumnType.Double, "double precision"),
            ("raw_amount", ColumnType.Double, "numeric"),
            ("signup_date", ColumnType.Date, "date"),
            ("created_at", ColumnType.Timestamp, "timestamp without time zone"),
            ("updated_at", ColumnType.TimestampTz, "timestamp with time zone"),
            ("is_active", ColumnType.Boolean, "boolean"),
            ("external_id", ColumnType.Uuid, "uuid"),
            ("profile", ColumnType.Json, "jsonb"),
            ("settings", ColumnType.Json, "json"),
            ("avatar", ColumnType.Binary, "bytea"),
            ("session_length", ColumnType.String, "interval"),
            ("tags", ColumnType.String, "text[]"),
        };
        Assert.Equal(expected, customers.Schema.Columns.Select(c => (c.Name, c.Type, c.SourceType!)).ToArray());
        Assert.False(customers.Schema.Find("customer_id")!.Nullable);
        Assert.False(customers.Schema.Find("first_name")!.Nullable);
        Assert.True(customers.Schema.Find("email")!.Nullable);
        Assert.Equal((12, 2), (customers.Schema.Find("lifetime_value")!.Precision, customers.Schema.Find("lifetime_value")!.Scale));
        Assert.Equal("public", customers.Namespace);
    }

    [Fact]
    public async Task Streams_report_primary_keys_cursor_candidates_row_estimates_and_sync_modes()
    {
        var database = await postgres.CreateDatabaseAsync(Setup);

        var streams = await postgres.Connector.DiscoverAsync(postgres.Config(database), default);

        var customers = streams.Single(s => s.Name == "customers");
        Assert.Equal(["customer_id"], customers.Schema.PrimaryKey);
        Assert.Equal(["customer_id", "segment_rank", "orders", "signup_date", "created_at", "updated_at"], customers.CursorCandidates);
        Assert.Equal(500, customers.EstimatedRows);
        Assert.Equal([SyncMode.FullRefresh, SyncMode.Incremental], customers.SupportedSyncModes);
        Assert.Equal(["line", "order_id"], streams.Single(s => s.Name == "order_items").Schema.PrimaryKey);
        Assert.Empty(streams.Single(s => s.Name == "audit_log").Schema.PrimaryKey);
        Assert.Contains(streams, s => s.Name == "active_customers");
    }

    [Fact]
    public async Task A_table_name_shared_by_two_selected_schemas_is_qualified_by_its_schema()
    {
        var database = await postgres.CreateDatabaseAsync(Setup);

        var onlyPublic = await postgres.Connector.DiscoverAsync(postgres.Config(database), default);
        var both = await postgres.Connector.DiscoverAsync(postgres.Config(database, c => c["schemas"] = new System.Text.Json.Nodes.JsonArray("public", "archive")), default);

        Assert.Contains(onlyPublic, s => s.Name == "customers");
        Assert.Contains(both, s => s.Name == "public.customers" && s.Namespace == "public");
        Assert.Contains(both, s => s.Name == "archive.customers" && s.Namespace == "archive");
        Assert.Contains(both, s => s.Name == "order_items");
    }
}
