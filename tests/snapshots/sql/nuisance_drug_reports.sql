SELECT 'nuisance_drug_reports' AS indicator_id, 'nuisance' AS kind, nuisance.area_id AS area_id, CAST(date_trunc('month', CAST(nuisance.reported_at AS DATE)) AS DATE) AS month, CAST(count(*) AS DOUBLE PRECISION) AS n, CAST(count(*) AS DOUBLE PRECISION) AS num, CAST(NULL AS DOUBLE PRECISION) AS den, CAST(count(*) AS DOUBLE PRECISION) AS sw2, CAST(NULL AS DOUBLE PRECISION) AS sx2 
FROM nuisance 
WHERE nuisance.type IN ('drug_nuisance') AND CAST(nuisance.reported_at AS DATE) <= CAST('2026-10-31' AS DATE) GROUP BY nuisance.area_id, date_trunc('month', CAST(nuisance.reported_at AS DATE))
