-- Schema version 10: the plan in force is chosen explicitly (`ivm plan activate VERSION`); loading
-- a plan never changes which plan is in force by itself. Each activation is kept (who, when), the
-- latest is the plan in force. A warehouse with plans gets the one that was in force until now
-- (latest approval, then latest load) as its first activation.
CREATE TABLE plan_activation (
    activation_id  BIGINT PRIMARY KEY,
    plan_version   VARCHAR NOT NULL,
    activated_at   TIMESTAMP NOT NULL,
    activated_by   VARCHAR
);

INSERT INTO plan_activation
SELECT 1, plan_version, now()::TIMESTAMP, 'schema version 10'
FROM plan_version ORDER BY approved_on DESC NULLS LAST, load_id DESC LIMIT 1;
