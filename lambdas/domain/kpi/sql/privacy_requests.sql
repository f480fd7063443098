-- privacy_requests: data-subject requests per type: received, completed, rejected or failed, still open, open past
-- the deadline (Art. 12(3)), and the median days to complete.
SELECT
  request_type,
  count(*) AS received,
  sum(CASE WHEN status = 'completed' THEN 1 ELSE 0 END) AS completed,
  sum(CASE WHEN status IN ('rejected', 'failed') THEN 1 ELSE 0 END) AS rejected_or_failed,
  sum(CASE WHEN status IN ('received', 'in_progress') THEN 1 ELSE 0 END) AS open,
  sum(CASE WHEN status IN ('received', 'in_progress') AND deadline < {{as_of}} THEN 1 ELSE 0 END) AS overdue,
  round(approx_percentile(CASE WHEN completed_at IS NOT NULL THEN date_diff('second', received_at, completed_at) / 86400.0 END, 0.5), 2) AS median_days_to_complete
FROM requests
WHERE snapshot_date = {{snapshot}} AND received_at < {{as_of}} + INTERVAL '1' DAY
GROUP BY request_type
ORDER BY request_type
