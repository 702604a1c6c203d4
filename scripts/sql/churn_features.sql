-- Churn feature set: one row per customer with behavioral features
-- Federated query: PostgreSQL (orders, customers) + Snowflake (clickstream)
CREATE TABLE analytics.derived.churn_features AS
WITH order_features AS (
    SELECT
        c.customer_id,
        c.signup_date,
        c.segment,
        c.channel AS signup_channel,
        COUNT(DISTINCT o.order_id) AS total_orders,
        SUM(o.total_amount) AS total_revenue,
        AVG(o.total_amount) AS avg_order_value,
        MAX(o.order_date) AS last_order_date,
        DATE_DIFF('day', MAX(o.order_date), CURRENT_DATE) AS days_since_last_order,
        DATE_DIFF('day', c.signup_date, CURRENT_DATE) AS customer_age_days,
        COUNT(DISTINCT DATE_TRUNC('month', o.order_date)) AS active_months,
        STDDEV(o.total_amount) AS order_value_stddev
    FROM postgresql.novamart.customers c
    LEFT JOIN postgresql.novamart.orders o ON c.customer_id = o.customer_id
    WHERE c.signup_date < CURRENT_DATE - INTERVAL '90' DAY
    GROUP BY c.customer_id, c.signup_date, c.segment, c.channel
),
clickstream_features AS (
    SELECT
        customer_id,
        COUNT(*) AS total_sessions_90d,
        COUNT(DISTINCT DATE(event_timestamp)) AS active_days_90d,
        SUM(CASE WHEN event_type = 'product_view' THEN 1 ELSE 0 END) AS product_views_90d,
        SUM(CASE WHEN event_type = 'add_to_cart' THEN 1 ELSE 0 END) AS cart_adds_90d,
        SUM(CASE WHEN event_type = 'search' THEN 1 ELSE 0 END) AS searches_90d
    FROM snowflake.analytics.clickstream
    WHERE event_timestamp >= CURRENT_DATE - INTERVAL '90' DAY
    GROUP BY customer_id
),
return_features AS (
    SELECT
        o.customer_id,
        COUNT(r.return_id) AS total_returns,
        SUM(r.refund_amount) AS total_refund_amount,
        CAST(COUNT(r.return_id) AS DOUBLE) / NULLIF(COUNT(DISTINCT o.order_id), 0) AS return_rate
    FROM postgresql.novamart.orders o
    LEFT JOIN postgresql.novamart.returns r ON o.order_id = r.order_id
    GROUP BY o.customer_id
)
SELECT
    of.*,
    COALESCE(cf.total_sessions_90d, 0) AS total_sessions_90d,
    COALESCE(cf.active_days_90d, 0) AS active_days_90d,
    COALESCE(cf.product_views_90d, 0) AS product_views_90d,
    COALESCE(cf.cart_adds_90d, 0) AS cart_adds_90d,
    COALESCE(cf.searches_90d, 0) AS searches_90d,
    COALESCE(rf.total_returns, 0) AS total_returns,
    COALESCE(rf.return_rate, 0) AS return_rate,
    -- Label: churned if no order in 90 days
    CASE WHEN of.days_since_last_order > 90 THEN 1 ELSE 0 END AS is_churned
FROM order_features of
LEFT JOIN clickstream_features cf ON of.customer_id = cf.customer_id
LEFT JOIN return_features rf ON of.customer_id = rf.customer_id;
