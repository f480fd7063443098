-- sources: what each data source contributes. Per source and touchpoint: records, profiles reached, and profiles it
-- created (their first record came from it). The source's '(all)' row adds enriched_fields: surviving profile values
-- that came from it.
WITH ev AS (
  SELECT profile_key, source, coalesce(touchpoint, channel, 'unknown') AS touchpoint, occurred_at FROM events
),
firsts AS (
  SELECT profile_key, source, touchpoint
  FROM (SELECT profile_key, source, touchpoint, row_number() OVER (PARTITION BY profile_key ORDER BY occurred_at, source, touchpoint) AS rn FROM ev) r
  WHERE rn = 1
),
created AS (
  SELECT source, touchpoint, count(*) AS n FROM firsts GROUP BY source, touchpoint
),
created_per_source AS (
  SELECT source, sum(n) AS n FROM created GROUP BY source
),
fields AS (
  SELECT src_first_name AS source FROM profiles WHERE snapshot_date = {{snapshot}} AND src_first_name IS NOT NULL
  UNION ALL SELECT src_last_name FROM profiles WHERE snapshot_date = {{snapshot}} AND src_last_name IS NOT NULL
  UNION ALL SELECT src_birth_date FROM profiles WHERE snapshot_date = {{snapshot}} AND src_birth_date IS NOT NULL
  UNION ALL SELECT src_gender FROM profiles WHERE snapshot_date = {{snapshot}} AND src_gender IS NOT NULL
  UNION ALL SELECT src_address FROM profiles WHERE snapshot_date = {{snapshot}} AND src_address IS NOT NULL
  UNION ALL SELECT src_postal_code FROM profiles WHERE snapshot_date = {{snapshot}} AND src_postal_code IS NOT NULL
  UNION ALL SELECT src_city FROM profiles WHERE snapshot_date = {{snapshot}} AND src_city IS NOT NULL
  UNION ALL SELECT src_province FROM profiles WHERE snapshot_date = {{snapshot}} AND src_province IS NOT NULL
  UNION ALL SELECT src_country FROM profiles WHERE snapshot_date = {{snapshot}} AND src_country IS NOT NULL
  UNION ALL SELECT src_company_name FROM profiles WHERE snapshot_date = {{snapshot}} AND src_company_name IS NOT NULL
  UNION ALL SELECT src_vat_number FROM profiles WHERE snapshot_date = {{snapshot}} AND src_vat_number IS NOT NULL
),
enriched AS (
  SELECT source, count(*) AS n FROM fields GROUP BY source
),
per_touchpoint AS (
  SELECT ev.source, ev.touchpoint, count(*) AS records, count(DISTINCT ev.profile_key) AS profiles
  FROM ev GROUP BY ev.source, ev.touchpoint
),
per_source AS (
  SELECT source, count(*) AS records, count(DISTINCT profile_key) AS profiles FROM ev GROUP BY source
)
SELECT source, touchpoint, records, profiles, new_profiles, enriched_fields
FROM (
  SELECT p.source, p.touchpoint, CAST(p.records AS bigint) AS records, CAST(p.profiles AS bigint) AS profiles,
    CAST(coalesce(c.n, 0) AS bigint) AS new_profiles, CAST(NULL AS bigint) AS enriched_fields
  FROM per_touchpoint p LEFT JOIN created c ON c.source = p.source AND c.touchpoint = p.touchpoint
  UNION ALL
  SELECT s.source, '(all)', CAST(s.records AS bigint), CAST(s.profiles AS bigint),
    CAST(coalesce(cs.n, 0) AS bigint), CAST(coalesce(e.n, 0) AS bigint)
  FROM per_source s
  LEFT JOIN created_per_source cs ON cs.source = s.source
  LEFT JOIN enriched e ON e.source = s.source
) x
ORDER BY source, touchpoint
