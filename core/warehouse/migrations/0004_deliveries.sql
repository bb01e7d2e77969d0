-- Schema version 4: deliveries. Every load records the period it covers (period_start to
-- cutoff_date, declared or derived), the rows it removed (withdrawn by a corrected delivery or
-- replaced because the same file was loaded again through another profile) and what was said
-- beyond the file (options: the category or level given, the period declared, a re-apply).
ALTER TABLE load_log ADD COLUMN rows_removed BIGINT DEFAULT 0;
ALTER TABLE load_log ADD COLUMN period_start DATE;
ALTER TABLE load_log ADD COLUMN options VARCHAR;
UPDATE load_log SET rows_removed = 0;

UPDATE load_log SET period_start = (
    SELECT min(CAST(occurred_at AS DATE)) FROM incident WHERE incident.load_id = load_log.load_id
) WHERE kind = 'incidents';

UPDATE load_log SET period_start = (
    SELECT min(CAST(reported_at AS DATE)) FROM nuisance WHERE nuisance.load_id = load_log.load_id
) WHERE kind = 'nuisance';

UPDATE load_log SET period_start = (
    SELECT min(activity_date) FROM activity WHERE activity.load_id = load_log.load_id
) WHERE kind = 'activities';

-- A survey respondent is identified by wave and id (a new wave may reuse the ids of an earlier
-- one): the answers first, while the responses still carry the old ids.
UPDATE survey_answer SET source_id = r.wave || ':' || survey_answer.source_id
FROM survey_response r
WHERE r.source = survey_answer.source AND r.source_id = survey_answer.source_id;

UPDATE survey_response SET source_id = wave || ':' || source_id;

-- Content ids (rows without an id of their own: '<md5>-<n>') carry the tag of their delivery,
-- made of the file's name, as the loader makes it now ('<tag>#<md5>-<n>').
UPDATE incident SET source_id = left(sha256(regexp_replace(l.file, '^.*/', '') || chr(31)), 12)
    || '#' || incident.source_id
FROM load_log l
WHERE l.load_id = incident.load_id AND regexp_full_match(incident.source_id, '[0-9a-f]{32}-[0-9]+');

UPDATE nuisance SET source_id = left(sha256(regexp_replace(l.file, '^.*/', '') || chr(31)), 12)
    || '#' || nuisance.source_id
FROM load_log l
WHERE l.load_id = nuisance.load_id AND regexp_full_match(nuisance.source_id, '[0-9a-f]{32}-[0-9]+');

UPDATE activity SET source_id = left(sha256(regexp_replace(l.file, '^.*/', '') || chr(31)), 12)
    || '#' || activity.source_id
FROM load_log l
WHERE l.load_id = activity.load_id AND regexp_full_match(activity.source_id, '[0-9a-f]{32}-[0-9]+');
