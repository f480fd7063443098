-- identity_health: how records become people. merge_rate: share of records that joined an existing profile;
-- merged_profiles: profiles later found to be one person with another; cluster_size: profiles by records merged in;
-- blocked_links: links the resolver refused (role addresses, households, too many people), per reason.
WITH p AS (
  SELECT record_count FROM profiles WHERE snapshot_date = {{snapshot}}
)
SELECT metric, bucket, value
FROM (
  SELECT 'profiles' AS metric, CAST(NULL AS varchar) AS bucket, CAST(count(*) AS double) AS value FROM p
  UNION ALL
  SELECT 'records', NULL, CAST(coalesce(sum(record_count), 0) AS double) FROM p
  UNION ALL
  SELECT 'merge_rate', NULL,
    round(CASE WHEN coalesce(sum(record_count), 0) = 0 THEN 0 ELSE CAST(sum(record_count) - count(*) AS double) / sum(record_count) END, 4)
  FROM p
  UNION ALL
  SELECT 'merged_profiles', NULL, CAST(count(*) AS double) FROM merges WHERE snapshot_date = {{snapshot}}
  UNION ALL
  SELECT 'cluster_size', bucket, CAST(count(*) AS double)
  FROM (
    SELECT CASE WHEN record_count >= 10 THEN '10+' WHEN record_count >= 5 THEN '5-9' ELSE CAST(record_count AS varchar) END AS bucket
    FROM p
  ) s
  GROUP BY bucket
  UNION ALL
  SELECT 'blocked_links', blocked_reason, CAST(sum(blocked_links) AS double)
  FROM events WHERE blocked_links > 0 GROUP BY blocked_reason
) h
ORDER BY metric, bucket
