-- customer_base: the customer base month by month (the last 24 months up to the snapshot).
-- total_profiles / new_profiles: profiles known by the month's end / first seen in the month.
-- active: profiles with activity (records of the configured kinds) in the {{active_months}} months up to the month.
-- new_customers: first activity ever; lost: no activity for {{active_months}} months (churned this month);
-- reactivated: active again after a lost spell.
WITH activity AS (
  SELECT DISTINCT profile_key, {{month_of:occurred_at}} AS m
  FROM events
  WHERE kind IN ({{activity_kinds}}) AND occurred_at < {{as_of}} + INTERVAL '1' DAY
),
spells AS (
  SELECT profile_key, m,
    lag(m) OVER (PARTITION BY profile_key ORDER BY m) AS prev_m,
    lead(m) OVER (PARTITION BY profile_key ORDER BY m) AS next_m
  FROM activity
),
months AS (
  SELECT year({{as_of}}) * 12 + month({{as_of}}) - 1 - k AS m
  FROM (VALUES (0), (1), (2), (3), (4), (5), (6), (7), (8), (9), (10), (11), (12), (13), (14), (15), (16), (17), (18), (19), (20), (21), (22), (23)) AS t (k)
),
movement AS (
  SELECT months.m,
    sum(CASE WHEN months.m < least(coalesce(s.next_m, s.m + {{active_months}}), s.m + {{active_months}}) THEN 1 ELSE 0 END) AS active,
    sum(CASE WHEN s.m = months.m AND s.prev_m IS NULL THEN 1 ELSE 0 END) AS new_customers,
    sum(CASE WHEN s.m = months.m AND s.prev_m IS NOT NULL AND s.m - s.prev_m >= {{active_months}} THEN 1 ELSE 0 END) AS reactivated,
    sum(CASE WHEN s.m + {{active_months}} = months.m AND (s.next_m IS NULL OR s.next_m > months.m) THEN 1 ELSE 0 END) AS lost
  FROM months
  JOIN spells s ON s.m <= months.m AND s.m + {{active_months}} >= months.m
  GROUP BY months.m
),
first_seen AS (
  SELECT {{month_of:first_seen}} AS m, count(*) AS n
  FROM profiles
  WHERE snapshot_date = {{snapshot}}
  GROUP BY 1
),
totals AS (
  SELECT months.m,
    coalesce(sum(f.n), 0) AS total_profiles,
    coalesce(sum(CASE WHEN f.m = months.m THEN f.n ELSE 0 END), 0) AS new_profiles
  FROM months
  LEFT JOIN first_seen f ON f.m <= months.m
  GROUP BY months.m
)
SELECT
  concat(CAST(CAST((t.m - t.m % 12) / 12 AS integer) AS varchar), '-', lpad(CAST(t.m % 12 + 1 AS varchar), 2, '0')) AS month,
  CAST(t.total_profiles AS bigint) AS total_profiles,
  CAST(t.new_profiles AS bigint) AS new_profiles,
  CAST(coalesce(mv.active, 0) AS bigint) AS active,
  CAST(coalesce(mv.new_customers, 0) AS bigint) AS new_customers,
  CAST(coalesce(mv.lost, 0) AS bigint) AS lost,
  CAST(coalesce(mv.reactivated, 0) AS bigint) AS reactivated
FROM totals t
LEFT JOIN movement mv ON mv.m = t.m
ORDER BY month
