-- data_quality: how clean the database is.
-- completeness: share of profiles with the field (detail), row_count = profiles with it;
-- rejected_rows: rows quarantined per source and reason; rejection_rate: rejected / rows read per source;
-- stale_profiles: profiles with no record in {{stale_months}} months;
-- duplicate_candidates: pairs of records probabilistic matching found alike, per status (detail: open, dismissed,
-- merged), value = row_count = pairs. An open pair may have been joined since by other evidence; `cdp duplicates
-- list` shows the ones still apart.
WITH p AS (
  SELECT * FROM profiles WHERE snapshot_date = {{snapshot}}
),
filled AS (
  SELECT 'email' AS field, sum(CASE WHEN has_email THEN 1 ELSE 0 END) AS n, count(*) AS total FROM p
  UNION ALL SELECT 'phone', sum(CASE WHEN has_phone THEN 1 ELSE 0 END), count(*) FROM p
  UNION ALL SELECT 'tax_code', sum(CASE WHEN has_tax_code THEN 1 ELSE 0 END), count(*) FROM p
  UNION ALL SELECT 'first_name', count(src_first_name), count(*) FROM p
  UNION ALL SELECT 'last_name', count(src_last_name), count(*) FROM p
  UNION ALL SELECT 'birth_date', count(src_birth_date), count(*) FROM p
  UNION ALL SELECT 'gender', count(src_gender), count(*) FROM p
  UNION ALL SELECT 'address', count(src_address), count(*) FROM p
  UNION ALL SELECT 'postal_code', count(src_postal_code), count(*) FROM p
  UNION ALL SELECT 'city', count(src_city), count(*) FROM p
  UNION ALL SELECT 'province', count(src_province), count(*) FROM p
  UNION ALL SELECT 'country', count(src_country), count(*) FROM p
),
imp AS (
  SELECT * FROM imports WHERE snapshot_date = {{snapshot}}
)
SELECT metric, source, detail, value, row_count
FROM (
  SELECT 'completeness' AS metric, CAST(NULL AS varchar) AS source, field AS detail,
    round(CASE WHEN total = 0 THEN 0 ELSE CAST(n AS double) / total END, 4) AS value, CAST(n AS bigint) AS row_count
  FROM filled
  UNION ALL
  SELECT 'rejected_rows', source, reason, CAST(sum(row_count) AS double), CAST(sum(row_count) AS bigint)
  FROM imp WHERE reason IS NOT NULL GROUP BY source, reason
  UNION ALL
  SELECT 'rejection_rate', source, CAST(NULL AS varchar),
    round(CASE WHEN sum(rows_read) = 0 THEN 0 ELSE CAST(sum(rejected) AS double) / sum(rows_read) END, 4), CAST(sum(rejected) AS bigint)
  FROM imp WHERE reason IS NULL GROUP BY source
  UNION ALL
  SELECT 'stale_profiles', CAST(NULL AS varchar), CAST(NULL AS varchar), CAST(count(*) AS double), CAST(count(*) AS bigint)
  FROM p WHERE last_seen < {{as_of}} - INTERVAL '{{stale_months}}' MONTH
  UNION ALL
  SELECT 'duplicate_candidates', CAST(NULL AS varchar), status, CAST(count(*) AS double), CAST(count(*) AS bigint)
  FROM duplicates WHERE snapshot_date = {{snapshot}} GROUP BY status
) q
ORDER BY metric, source, detail
