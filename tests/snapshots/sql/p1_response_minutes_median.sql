SELECT 'p1_response_minutes_median' AS indicator_id, 'incidents' AS kind, incident.area_id AS area_id, CAST(date_trunc('month', CAST(incident.occurred_at AS DATE)) AS DATE) AS month, CAST((epoch(incident.arrived_at) - epoch(incident.reported_at)) / 60.0 AS DOUBLE PRECISION) AS x 
FROM incident 
WHERE incident.priority IN (1) AND incident.reported_at IS NOT NULL AND incident.arrived_at IS NOT NULL AND incident.arrived_at >= incident.reported_at AND CAST(incident.occurred_at AS DATE) <= CAST('2026-10-31' AS DATE)
