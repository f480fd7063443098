-- revenue: orders, revenue, buyers and average order value per month (the last 24 months), and an 'all' row with the
-- repeat-purchase rate (share of buyers with two orders or more) and the customer lifetime value (revenue per buyer).
-- Cancelled, refunded and test orders do not count. An order whose amount could not be read (null) counts as an
-- order and adds nothing to revenue; the average order value is over the orders whose amount is known. A credit (a
-- negative total: a credit note) takes its amount off the revenue and is no order: it makes nobody a buyer.
WITH o AS (
  SELECT profile_key, total, CASE WHEN total < 0 THEN 0 ELSE 1 END AS sale, {{month_of:placed_at}} AS m
  FROM orders
  WHERE placed_at < {{as_of}} + INTERVAL '1' DAY
    AND lower(coalesce(status, '')) NOT IN ({{void_statuses}})
    AND NOT coalesce(test, false)
),
buyers AS (
  SELECT profile_key, sum(sale) AS n, sum(CASE WHEN sale = 1 AND total IS NOT NULL THEN 1 ELSE 0 END) AS priced,
    coalesce(sum(total), 0) AS spent
  FROM o GROUP BY profile_key
)
SELECT period, orders, revenue, buyers, aov, repeat_rate, clv
FROM (
  SELECT
    concat(CAST(CAST((m - m % 12) / 12 AS integer) AS varchar), '-', lpad(CAST(m % 12 + 1 AS varchar), 2, '0')) AS period,
    sum(sale) AS orders, round(coalesce(sum(total), 0), 2) AS revenue, count(DISTINCT CASE WHEN sale = 1 THEN profile_key END) AS buyers,
    round(sum(total) / nullif(sum(CASE WHEN sale = 1 AND total IS NOT NULL THEN 1 ELSE 0 END), 0), 2) AS aov,
    CAST(NULL AS double) AS repeat_rate, CAST(NULL AS double) AS clv
  FROM o
  WHERE m > year({{as_of}}) * 12 + month({{as_of}}) - 1 - 24
  GROUP BY m
  UNION ALL
  SELECT 'all', sum(n), round(sum(spent), 2), sum(CASE WHEN n > 0 THEN 1 ELSE 0 END),
    round(sum(spent) / nullif(sum(priced), 0), 2),
    round(CAST(sum(CASE WHEN n >= 2 THEN 1 ELSE 0 END) AS double) / nullif(sum(CASE WHEN n > 0 THEN 1 ELSE 0 END), 0), 4),
    round(sum(spent) / nullif(sum(CASE WHEN n > 0 THEN 1 ELSE 0 END), 0), 2)
  FROM buyers
  HAVING count(*) > 0
) r
ORDER BY period
