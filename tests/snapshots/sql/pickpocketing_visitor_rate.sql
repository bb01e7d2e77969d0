SELECT 'pickpocketing_visitor_rate' AS indicator_id, 'incidents' AS kind, incident.area_id AS area_id, CAST(date_trunc('month', CAST(incident.occurred_at AS DATE)) AS DATE) AS month, CAST(count(*) AS DOUBLE PRECISION) AS n, CAST(count(*) AS DOUBLE PRECISION) AS num, CAST(NULL AS DOUBLE PRECISION) AS den, CAST(count(*) AS DOUBLE PRECISION) AS sw2, CAST(NULL AS DOUBLE PRECISION) AS sx2 
FROM incident 
WHERE incident.category IN ('pickpocketing') AND CAST(incident.occurred_at AS DATE) <= CAST('2026-10-31' AS DATE) GROUP BY incident.area_id, date_trunc('month', CAST(incident.occurred_at AS DATE))
