-- rfm: buyers scored 1-5 on recency (days since the last order), frequency (orders) and monetary value (revenue),
-- by quintile (ties broken by profile number, so a refresh of the same data is repeatable), and named by their R and F scores.
-- A credit (a negative total: a credit note) takes its amount off the monetary value and is no order.
WITH b AS (
  SELECT profile_key,
    date_diff('day', max(CASE WHEN total < 0 THEN NULL ELSE placed_at END), {{as_of}} + INTERVAL '1' DAY) AS recency_days,
    sum(CASE WHEN total < 0 THEN 0 ELSE 1 END) AS frequency,
    sum(coalesce(total, 0)) AS monetary
  FROM orders
  WHERE placed_at < {{as_of}} + INTERVAL '1' DAY
    AND lower(coalesce(status, '')) NOT IN ({{void_statuses}})
    AND NOT coalesce(test, false)
  GROUP BY profile_key
  HAVING sum(CASE WHEN total < 0 THEN 0 ELSE 1 END) > 0
),
scored AS (
  SELECT b.*,
    ntile(5) OVER (ORDER BY recency_days DESC, profile_key) AS r,
    ntile(5) OVER (ORDER BY frequency, profile_key) AS f,
    ntile(5) OVER (ORDER BY monetary, profile_key) AS mo
  FROM b
),
named AS (
  SELECT scored.*,
    CASE
      WHEN r >= 4 AND f >= 4 THEN 'champions'
      WHEN r >= 3 AND f >= 3 THEN 'loyal'
      WHEN r >= 4 AND f <= 1 THEN 'new'
      WHEN r >= 3 THEN 'potential'
      WHEN f >= 4 THEN 'cannot_lose'
      WHEN f >= 2 THEN 'at_risk'
      ELSE 'hibernating'
    END AS segment
  FROM scored
)
SELECT segment,
  count(*) AS customers,
  round(avg(recency_days), 1) AS avg_recency_days,
  round(avg(frequency), 2) AS avg_frequency,
  round(avg(monetary), 2) AS avg_monetary,
  round(sum(monetary), 2) AS revenue
FROM named
GROUP BY segment
ORDER BY segment
