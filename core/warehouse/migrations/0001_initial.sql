-- ivmonitor warehouse, schema version 1: dimensions, facts, load log and quarantine.
-- Fact tables carry no PRIMARY KEY index (bulk loads stay fast); the loader guarantees that
-- (source, source_id) is unique, and a test checks it.
CREATE SEQUENCE IF NOT EXISTS load_id_seq START 1;

CREATE TABLE load_log (
    load_id           BIGINT PRIMARY KEY,
    kind              VARCHAR NOT NULL,
    profile           VARCHAR NOT NULL,
    source            VARCHAR NOT NULL,
    file              VARCHAR NOT NULL,
    sha256            VARCHAR NOT NULL,
    rows_read         BIGINT NOT NULL DEFAULT 0,
    rows_loaded       BIGINT NOT NULL DEFAULT 0,
    rows_replaced     BIGINT NOT NULL DEFAULT 0,
    rows_skipped      BIGINT NOT NULL DEFAULT 0,
    rows_quarantined  BIGINT NOT NULL DEFAULT 0,
    started_at        TIMESTAMP NOT NULL,
    finished_at       TIMESTAMP,
    outcome           VARCHAR NOT NULL,
    message           VARCHAR
);

CREATE TABLE quarantine (
    load_id      BIGINT NOT NULL,
    row_number   BIGINT NOT NULL,
    raw          VARCHAR NOT NULL,
    reason_codes VARCHAR NOT NULL,
    reasons      VARCHAR NOT NULL
);

CREATE TABLE area (
    area_id    VARCHAR PRIMARY KEY,
    name       VARCHAR NOT NULL,
    level      VARCHAR NOT NULL,
    parent_id  VARCHAR,
    geometry   VARCHAR,
    min_lon    DOUBLE,
    min_lat    DOUBLE,
    max_lon    DOUBLE,
    max_lat    DOUBLE,
    load_id    BIGINT NOT NULL
);

-- Every parent of an area (a sector belongs to a wijk and to a deelgemeente).
CREATE TABLE area_link (
    area_id    VARCHAR NOT NULL,
    parent_id  VARCHAR NOT NULL,
    load_id    BIGINT NOT NULL,
    PRIMARY KEY (area_id, parent_id)
);

CREATE TABLE population (
    area_id      VARCHAR NOT NULL,
    year         INTEGER NOT NULL,
    inhabitants  BIGINT NOT NULL,
    households   BIGINT,
    source       VARCHAR NOT NULL,
    source_id    VARCHAR NOT NULL,
    row_hash     VARCHAR NOT NULL,
    load_id      BIGINT NOT NULL
);

CREATE TABLE incident (
    source         VARCHAR NOT NULL,
    source_id      VARCHAR NOT NULL,
    category       VARCHAR NOT NULL,
    occurred_at    TIMESTAMP NOT NULL,
    reported_at    TIMESTAMP,
    priority       INTEGER,
    dispatched_at  TIMESTAMP,
    arrived_at     TIMESTAMP,
    area_id        VARCHAR NOT NULL,
    longitude      DOUBLE,
    latitude       DOUBLE,
    location       VARCHAR,
    row_hash       VARCHAR NOT NULL,
    load_id        BIGINT NOT NULL
);

CREATE TABLE nuisance (
    source       VARCHAR NOT NULL,
    source_id    VARCHAR NOT NULL,
    type         VARCHAR NOT NULL,
    reported_at  TIMESTAMP NOT NULL,
    closed_at    TIMESTAMP,
    channel      VARCHAR,
    gas_fine     BOOLEAN,
    area_id      VARCHAR NOT NULL,
    longitude    DOUBLE,
    latitude     DOUBLE,
    location     VARCHAR,
    row_hash     VARCHAR NOT NULL,
    load_id      BIGINT NOT NULL
);

CREATE TABLE survey_response (
    source         VARCHAR NOT NULL,
    source_id      VARCHAR NOT NULL,
    wave           VARCHAR NOT NULL,
    area_id        VARCHAR NOT NULL,
    weight         DOUBLE NOT NULL,
    age_group      VARCHAR,
    row_hash       VARCHAR NOT NULL,
    load_id        BIGINT NOT NULL
);

CREATE TABLE survey_answer (
    source       VARCHAR NOT NULL,
    source_id    VARCHAR NOT NULL,
    question_id  VARCHAR NOT NULL,
    answer       VARCHAR
);

CREATE TABLE survey_question (
    question_id  VARCHAR PRIMARY KEY,
    text_nl      VARCHAR,
    text_en      VARCHAR,
    load_id      BIGINT NOT NULL
);

CREATE TABLE activity (
    source         VARCHAR NOT NULL,
    source_id      VARCHAR NOT NULL,
    partner        VARCHAR NOT NULL,
    activity_type  VARCHAR NOT NULL,
    activity_date  DATE NOT NULL,
    area_id        VARCHAR NOT NULL,
    quantity       DOUBLE NOT NULL,
    unit           VARCHAR,
    row_hash       VARCHAR NOT NULL,
    load_id        BIGINT NOT NULL
);

CREATE TABLE category_map (
    profile         VARCHAR NOT NULL,
    kind            VARCHAR NOT NULL,
    source_value    VARCHAR NOT NULL,
    canonical       VARCHAR NOT NULL,
    PRIMARY KEY (profile, kind, source_value)
);

CREATE TABLE plan_version (
    plan_version   VARCHAR PRIMARY KEY,
    title          VARCHAR NOT NULL,
    approved_on    DATE,
    approved_by    VARCHAR,
    file           VARCHAR NOT NULL,
    sha256         VARCHAR NOT NULL,
    load_id        BIGINT NOT NULL
);

CREATE TABLE objective (
    plan_version   VARCHAR NOT NULL,
    objective_id   VARCHAR NOT NULL,
    title_nl       VARCHAR NOT NULL,
    phase          VARCHAR,
    indicator      VARCHAR,
    owner          VARCHAR,
    spec           VARCHAR NOT NULL,
    load_id        BIGINT NOT NULL,
    PRIMARY KEY (plan_version, objective_id)
);
