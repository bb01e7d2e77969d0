-- Schema version 3: the stored results of the indicators layer. After every load (and on
-- `ivm refresh`) indicator values, objective progress and CompStat windows are recomputed and
-- replaced whole, with the as-of date and each source's coverage, so the dashboard, the CLI and
-- the council export read the same precomputed figures.
CREATE TABLE refresh_log (
    refresh_id     BIGINT PRIMARY KEY,
    as_of          DATE NOT NULL,
    started_at     TIMESTAMP NOT NULL,
    finished_at    TIMESTAMP NOT NULL,
    catalog_sha    VARCHAR NOT NULL,
    plan_version   VARCHAR,
    indicators     INTEGER NOT NULL,
    value_rows     BIGINT NOT NULL,
    objectives     INTEGER NOT NULL,
    message        VARCHAR
);

CREATE TABLE source_coverage (
    kind        VARCHAR PRIMARY KEY,
    data_start  DATE NOT NULL,
    cutoff      DATE NOT NULL,
    anchor      DATE NOT NULL,
    rows        BIGINT NOT NULL
);

CREATE TABLE indicator (
    indicator_id  VARCHAR PRIMARY KEY,
    title_nl      VARCHAR NOT NULL,
    title_en      VARCHAR NOT NULL,
    unit_nl       VARCHAR NOT NULL,
    unit_en       VARCHAR NOT NULL,
    source        VARCHAR NOT NULL,
    measure       VARCHAR NOT NULL,
    direction     VARCHAR NOT NULL,
    period_type   VARCHAR NOT NULL,
    min_n         INTEGER NOT NULL,
    spec          VARCHAR NOT NULL,
    sql           VARCHAR NOT NULL
);

CREATE TABLE area_population (
    area_id      VARCHAR NOT NULL,
    year         INTEGER NOT NULL,
    inhabitants  BIGINT,
    households   BIGINT,
    PRIMARY KEY (area_id, year)
);

CREATE TABLE indicator_value (
    indicator_id  VARCHAR NOT NULL,
    area_id       VARCHAR NOT NULL,
    area_level    VARCHAR NOT NULL,
    period_type   VARCHAR NOT NULL,
    period        VARCHAR NOT NULL,
    period_start  DATE NOT NULL,
    period_end    DATE NOT NULL,
    complete      BOOLEAN NOT NULL,
    n             BIGINT NOT NULL,
    numerator     DOUBLE,
    denominator   DOUBLE,
    value         DOUBLE,
    n_eff         DOUBLE,
    sd            DOUBLE,
    ci_low        DOUBLE,
    ci_high       DOUBLE
);

CREATE TABLE objective_progress (
    plan_version       VARCHAR NOT NULL,
    objective_id       VARCHAR NOT NULL,
    area_id            VARCHAR NOT NULL,
    indicator_id       VARCHAR,
    direction          VARCHAR,
    period_type        VARCHAR,
    baseline_period    VARCHAR,
    baseline_value     DOUBLE,
    target_value       DOUBLE,
    deadline           DATE,
    current_period     VARCHAR,
    current_value      DOUBLE,
    numerator          DOUBLE,
    denominator        DOUBLE,
    n                  BIGINT,
    n_eff              DOUBLE,
    ci_low             DOUBLE,
    ci_high            DOUBLE,
    test               VARCHAR,
    p_value            DOUBLE,
    position           DOUBLE,
    sdg_ratio          DOUBLE,
    sdg_category       VARCHAR,
    observed_per_year  DOUBLE,
    required_per_year  DOUBLE,
    projection         DOUBLE,
    gap                DOUBLE,
    status             VARCHAR NOT NULL,
    reason_nl          VARCHAR NOT NULL,
    reason_en          VARCHAR NOT NULL,
    as_of              DATE NOT NULL,
    cutoff             DATE,
    PRIMARY KEY (plan_version, objective_id, area_id)
);

CREATE TABLE compstat (
    area_id        VARCHAR NOT NULL,
    area_level     VARCHAR NOT NULL,
    kind           VARCHAR NOT NULL,
    category       VARCHAR NOT NULL,
    window_type    VARCHAR NOT NULL,
    window_start   DATE NOT NULL,
    window_end     DATE NOT NULL,
    count_now      BIGINT NOT NULL,
    count_before   BIGINT NOT NULL,
    change         DOUBLE,
    z              DOUBLE NOT NULL,
    small          BOOLEAN NOT NULL
);
