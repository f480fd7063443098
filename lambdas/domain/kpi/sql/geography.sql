-- geography: where the customer base lives (country, region, Italian province), with its customers and revenue.
SELECT
  coalesce(country, 'unknown') AS country,
  coalesce(region, 'unknown') AS region,
  coalesce(province, 'unknown') AS province,
  count(*) AS profiles,
  sum(CASE WHEN orders_count > 0 THEN 1 ELSE 0 END) AS customers,
  round(sum(revenue), 2) AS revenue
FROM profiles
WHERE snapshot_date = {{snapshot}}
GROUP BY 1, 2, 3
ORDER BY profiles DESC, country, region, province
