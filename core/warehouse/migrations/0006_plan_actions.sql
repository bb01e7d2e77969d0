-- Schema version 6: a plan version keeps its whole declaration (title, approval and reporting
-- calendar, as JSON in `spec`), so an approved version can be compared with a file that claims
-- its name; the actions under the objectives are kept per plan version.
ALTER TABLE plan_version ADD COLUMN IF NOT EXISTS spec VARCHAR;
CREATE TABLE IF NOT EXISTS plan_action (
    plan_version   VARCHAR NOT NULL,
    action_id      VARCHAR NOT NULL,
    objective_id   VARCHAR NOT NULL,
    owner          VARCHAR,
    spec           VARCHAR NOT NULL,
    load_id        BIGINT NOT NULL,
    PRIMARY KEY (plan_version, action_id)
);
