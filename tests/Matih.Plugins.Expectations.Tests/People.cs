namespace Matih.Plugins.Expectations.Tests;

/// <summary>
/// A small table with nulls and duplicates whose answers are worked out by hand in the tests:
/// <code>
/// id    name  score  segment   region  signup
/// 1     ann   10     Gold      N       2024-01-01
/// 2     bob   20     Silver    S       2024-02-01
/// 2     NULL  NULL   Gold      S       2024-03-01
/// 3     cy    35.5   Platinum  N       2024-04-01
/// NULL  dee   50     NULL      N       NULL
/// 4     ed    60     Bronze    E       2024-06-01
/// 4     NULL  70     Gold      E       2024-07-01
/// 4     flo   80     Silver    W       2024-08-01
/// </code>
/// </summary>
internal static class People
{
    public const string Table = "analytics.test.people";

    public static void Create(QualityFixture fixture) => fixture.Sql("""
        CREATE SCHEMA IF NOT EXISTS analytics.test;
        CREATE OR REPLACE TABLE analytics.test.people (id INTEGER, name VARCHAR, score DOUBLE, segment VARCHAR, region VARCHAR, signup DATE);
        INSERT INTO analytics.test.people VALUES
            (1, 'ann', 10, 'Gold', 'N', DATE '2024-01-01'),
            (2, 'bob', 20, 'Silver', 'S', DATE '2024-02-01'),
            (2, NULL, NULL, 'Gold', 'S', DATE '2024-03-01'),
            (3, 'cy', 35.5, 'Platinum', 'N', DATE '2024-04-01'),
            (NULL, 'dee', 50, NULL, 'N', NULL),
            (4, 'ed', 60, 'Bronze', 'E', DATE '2024-06-01'),
            (4, NULL, 70, 'Gold', 'E', DATE '2024-07-01'),
            (4, 'flo', 80, 'Silver', 'W', DATE '2024-08-01');
        """);
}
