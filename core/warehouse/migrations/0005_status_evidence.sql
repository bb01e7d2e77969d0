-- Schema version 5: an objective's status carries the chance of reaching its target, the
-- comparison it was judged against, the dispersion used, the forecast's interval, the rule
-- and qualifier that gave the status, and (as JSON) the test that decided it with the counts
-- and periods it compared.
ALTER TABLE objective_progress ADD COLUMN IF NOT EXISTS probability DOUBLE;
ALTER TABLE objective_progress ADD COLUMN IF NOT EXISTS change DOUBLE;
ALTER TABLE objective_progress ADD COLUMN IF NOT EXISTS comparison VARCHAR;
ALTER TABLE objective_progress ADD COLUMN IF NOT EXISTS comparison_change DOUBLE;
ALTER TABLE objective_progress ADD COLUMN IF NOT EXISTS dispersion DOUBLE;
ALTER TABLE objective_progress ADD COLUMN IF NOT EXISTS projection_low DOUBLE;
ALTER TABLE objective_progress ADD COLUMN IF NOT EXISTS projection_high DOUBLE;
ALTER TABLE objective_progress ADD COLUMN IF NOT EXISTS qualifier VARCHAR;
ALTER TABLE objective_progress ADD COLUMN IF NOT EXISTS rule VARCHAR;
ALTER TABLE objective_progress ADD COLUMN IF NOT EXISTS evidence VARCHAR;
ALTER TABLE compstat ADD COLUMN IF NOT EXISTS p_value DOUBLE;
ALTER TABLE compstat ADD COLUMN IF NOT EXISTS notable BOOLEAN;
