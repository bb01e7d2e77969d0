-- Schema version 14: every area's profile, stored. Per area, period type and indicator: the
-- period the areas page shows (the level's latest complete one, else its latest; the city's
-- periods when the level has none) and whether it is complete, the area's figures there and
-- its city's (zeros filled in as for the stored values). Replaced by every refresh
-- (indicators/area_profile.py), and filled by `ivm migrate` for results refreshed before it.
CREATE TABLE IF NOT EXISTS area_profile (
    area_id          VARCHAR NOT NULL,
    period_type      VARCHAR NOT NULL,
    indicator_id     VARCHAR NOT NULL,
    area_level       VARCHAR NOT NULL,
    period           VARCHAR NOT NULL,
    period_complete  BOOLEAN NOT NULL,
    found            BOOLEAN NOT NULL,
    n                BIGINT,
    numerator        DOUBLE,
    denominator      DOUBLE,
    value            DOUBLE,
    n_eff            DOUBLE,
    sd               DOUBLE,
    ci_low           DOUBLE,
    ci_high          DOUBLE,
    inhabitants      DOUBLE,
    city_id          VARCHAR,
    city_found       BOOLEAN NOT NULL,
    city_n           BIGINT,
    city_numerator   DOUBLE,
    city_denominator DOUBLE,
    city_value       DOUBLE,
    city_n_eff       DOUBLE,
    city_sd          DOUBLE,
    city_ci_low      DOUBLE,
    city_ci_high     DOUBLE,
    city_inhabitants DOUBLE
);
