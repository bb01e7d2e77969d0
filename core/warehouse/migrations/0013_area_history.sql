-- Schema version 13: boundaries that change. `area_link` holds today's links, each with the
-- first day it holds (`valid_from`, NULL: always); a link a new layer version ends moves to
-- `area_link_history` with its last day. Figures of a past period use the links of that
-- period; a recast uses today's.
ALTER TABLE area_link ADD COLUMN IF NOT EXISTS valid_from DATE;
CREATE TABLE IF NOT EXISTS area_link_history (
    area_id     VARCHAR NOT NULL,
    parent_id   VARCHAR NOT NULL,
    valid_from  DATE,
    valid_to    DATE NOT NULL,
    load_id     BIGINT NOT NULL,
    closed_by   BIGINT NOT NULL
);
