SELECT 'nuisance_close_days_median' AS indicator_id, 'nuisance' AS kind, nuisance.area_id AS area_id, CAST(date_trunc('month', CAST(nuisance.reported_at AS DATE)) AS DATE) AS month, CAST((epoch(nuisance.closed_at) - epoch(nuisance.reported_at)) / 86400.0 AS DOUBLE PRECISION) AS x 
FROM nuisance 
WHERE nuisance.reported_at IS NOT NULL AND nuisance.closed_at IS NOT NULL AND nuisance.closed_at >= nuisance.reported_at AND CAST(nuisance.reported_at AS DATE) <= CAST('2026-10-31' AS DATE)
