SELECT 'carnival_violence_count' AS indicator_id, 'incidents' AS kind, incident.area_id AS area_id, CAST(date_trunc('month', CAST(incident.occurred_at AS DATE)) AS DATE) AS month, CAST(count(*) AS DOUBLE PRECISION) AS n, CAST(count(*) AS DOUBLE PRECISION) AS num, CAST(NULL AS DOUBLE PRECISION) AS den, CAST(count(*) AS DOUBLE PRECISION) AS sw2, CAST(NULL AS DOUBLE PRECISION) AS sx2 
FROM incident 
WHERE incident.category IN ('violence_public_space') AND CAST(incident.occurred_at AS DATE) <= CAST('2026-10-31' AS DATE) AND CAST(CAST(incident.occurred_at AS DATE) AS DATE) IN (SELECT CAST(unnest(generate_series(CAST(event_edition.first_day AS TIMESTAMP WITHOUT TIME ZONE), CAST(event_edition.last_day AS TIMESTAMP WITHOUT TIME ZONE), INTERVAL 1 DAY)) AS DATE) AS unnest_1 
FROM event_edition 
WHERE event_edition.event_id = 'aalst_carnival' AND event_edition.cancelled IS false) GROUP BY incident.area_id, date_trunc('month', CAST(incident.occurred_at AS DATE))
