-- Schema version 9: other denominators. A day population (the people present in an area during
-- the day) and visitors (visits a year) per area and year, as delivered (neither is summed over
-- areas: one visitor visits several wijken, and a centre's day population is not its
-- sectors'); an indicator may count per 1,000 of either (`population: day_population`).
CREATE TABLE IF NOT EXISTS day_population (
    area_id         VARCHAR NOT NULL,
    year            INTEGER NOT NULL,
    day_population  DOUBLE,
    visitors        DOUBLE,
    source          VARCHAR NOT NULL,
    source_id       VARCHAR NOT NULL,
    row_hash        VARCHAR NOT NULL,
    load_id         BIGINT NOT NULL
);
ALTER TABLE area_population ADD COLUMN IF NOT EXISTS day_population DOUBLE;
ALTER TABLE area_population ADD COLUMN IF NOT EXISTS visitors DOUBLE;
