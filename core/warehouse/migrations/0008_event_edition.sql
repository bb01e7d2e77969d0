-- Schema version 8: events as data. An event (the carnival, a festival, a match) is loaded as a
-- source: one row per edition with its first and last day, where it takes place and whether it
-- was cancelled. Event indicators count the days of the editions that were held; an edition is
-- complete once its last day lies before the source's cut-off.
CREATE TABLE IF NOT EXISTS event_edition (
    event_id   VARCHAR NOT NULL,
    edition    VARCHAR NOT NULL,
    name_nl    VARCHAR NOT NULL,
    name_en    VARCHAR NOT NULL,
    first_day  DATE NOT NULL,
    last_day   DATE NOT NULL,
    area_id    VARCHAR,
    cancelled  BOOLEAN NOT NULL,
    note       VARCHAR,
    load_id    BIGINT NOT NULL,
    PRIMARY KEY (event_id, edition)
);
