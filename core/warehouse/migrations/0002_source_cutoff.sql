-- Schema version 2: every delivery records its cut-off date (the last day its data covers), so a
-- period after it is shown as incomplete, never as a drop. Backfilled from the loaded rows.
ALTER TABLE load_log ADD COLUMN cutoff_date DATE;

UPDATE load_log SET cutoff_date = (
    SELECT max(CAST(occurred_at AS DATE)) FROM incident WHERE incident.load_id = load_log.load_id
) WHERE kind = 'incidents';

UPDATE load_log SET cutoff_date = (
    SELECT max(CAST(reported_at AS DATE)) FROM nuisance WHERE nuisance.load_id = load_log.load_id
) WHERE kind = 'nuisance';

UPDATE load_log SET cutoff_date = (
    SELECT max(activity_date) FROM activity WHERE activity.load_id = load_log.load_id
) WHERE kind = 'activities';
