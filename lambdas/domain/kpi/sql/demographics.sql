-- demographics: who the customers are. People by age band and gender; companies (B2B) by size and sector.
SELECT dimension, value, profiles, customers
FROM (
  SELECT 'age_band' AS dimension, coalesce(age_band, 'unknown') AS value, count(*) AS profiles,
    sum(CASE WHEN orders_count > 0 THEN 1 ELSE 0 END) AS customers
  FROM profiles WHERE snapshot_date = {{snapshot}} AND NOT is_company GROUP BY 2
  UNION ALL
  SELECT 'gender', coalesce(gender, 'unknown'), count(*), sum(CASE WHEN orders_count > 0 THEN 1 ELSE 0 END)
  FROM profiles WHERE snapshot_date = {{snapshot}} AND NOT is_company GROUP BY 2
  UNION ALL
  SELECT 'company_size', coalesce(company_size, 'unknown'), count(*), sum(CASE WHEN orders_count > 0 THEN 1 ELSE 0 END)
  FROM profiles WHERE snapshot_date = {{snapshot}} AND is_company GROUP BY 2
  UNION ALL
  SELECT 'company_sector', coalesce(company_sector, 'unknown'), count(*), sum(CASE WHEN orders_count > 0 THEN 1 ELSE 0 END)
  FROM profiles WHERE snapshot_date = {{snapshot}} AND is_company GROUP BY 2
) d
ORDER BY dimension, value
