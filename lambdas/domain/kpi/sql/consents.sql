-- consents: per purpose, who granted and who denied, and the marketable base per channel: granted, not restricted
-- (Art. 18/21), and reachable on that channel; and the grants no proof dates (a file's yes without a date of its own,
-- Art. 7(1)).
SELECT
  c.purpose,
  sum(CASE WHEN c.granted THEN 1 ELSE 0 END) AS granted,
  sum(CASE WHEN NOT c.granted THEN 1 ELSE 0 END) AS denied,
  sum(CASE WHEN c.granted AND NOT p.restricted AND p.has_email THEN 1 ELSE 0 END) AS marketable_email,
  sum(CASE WHEN c.granted AND NOT p.restricted AND p.has_phone THEN 1 ELSE 0 END) AS marketable_phone,
  sum(CASE WHEN c.granted AND p.restricted THEN 1 ELSE 0 END) AS restricted,
  sum(CASE WHEN c.granted AND c.undated THEN 1 ELSE 0 END) AS granted_undated
FROM consents c
JOIN profiles p ON p.profile_key = c.profile_key AND p.snapshot_date = {{snapshot}}
WHERE c.snapshot_date = {{snapshot}}
GROUP BY c.purpose
ORDER BY c.purpose
