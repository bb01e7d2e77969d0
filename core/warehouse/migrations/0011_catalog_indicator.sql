-- Schema version 11: the catalogue travels with the warehouse. Indicator declarations that are not
-- the built-in ones (an analyst's catalogue folder used for a refresh, or `ivm indicators add`)
-- are recorded here, so every later refresh computes them too, whatever folder it is given.
CREATE TABLE catalog_indicator (
    indicator_id  VARCHAR PRIMARY KEY,
    yaml          VARCHAR NOT NULL,
    file          VARCHAR NOT NULL,
    sha256        VARCHAR NOT NULL,
    recorded_at   TIMESTAMP NOT NULL
);
