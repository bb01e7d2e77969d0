-- Schema version 7: the early warning per wijk. Every refresh judges the last 13 weeks of
-- every area x category series (indicators/early_warning.py) and stores the weeks of the
-- series with an exceedance among them: the four-week count, what was expected, the threshold,
-- the upper-tail probability, whether the week exceeds it and whether an alert opens there.
CREATE TABLE IF NOT EXISTS early_warning (
    area_id     VARCHAR NOT NULL,
    area_level  VARCHAR NOT NULL,
    kind        VARCHAR NOT NULL,
    category    VARCHAR NOT NULL,
    week_start  DATE NOT NULL,
    week_end    DATE NOT NULL,
    count       DOUBLE,
    expected    DOUBLE,
    upper       DOUBLE,
    p_value     DOUBLE,
    exceeds     BOOLEAN NOT NULL,
    opens       BOOLEAN NOT NULL,
    phi         DOUBLE
);
