-- Schema version 12: the public releases. Every refresh decides the public release of the
-- figures it computed (dashboard/export/suppress.py) and records it here, with the true value of
-- every cell (never published), which were shown and which hidden, so the next release is
-- decided knowing this one: a figure hidden once stays hidden while unchanged, and no difference
-- between two releases gives a hidden figure away.
CREATE TABLE IF NOT EXISTS public_release (
    release_id   BIGINT PRIMARY KEY,
    label        VARCHAR NOT NULL,
    as_of        DATE NOT NULL,
    recorded_at  TIMESTAMP NOT NULL,
    payload      VARCHAR NOT NULL
);
