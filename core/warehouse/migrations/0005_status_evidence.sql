-- Schema version 5: an objective's status carries the chance of reaching its target, the
-- comparison it was judged against, the dispersion used, the forecast's interval, the rule
-- and qualifier that gave the status, and (as JSON) the test that decided it with the counts
-- and periods it compared.
ALTER TABLE objective_progress ADD COLUMN probability DOUBLE;
ALTER TABLE objective_progress ADD COLUMN change DOUBLE;
ALTER TABLE objective_progress ADD COLUMN comparison VARCHAR;
ALTER TABLE objective_progress ADD COLUMN comparison_change DOUBLE;
ALTER TABLE objective_progress ADD COLUMN dispersion DOUBLE;
ALTER TABLE objective_progress ADD COLUMN projection_low DOUBLE;
ALTER TABLE objective_progress ADD COLUMN projection_high DOUBLE;
ALTER TABLE objective_progress ADD COLUMN qualifier VARCHAR;
ALTER TABLE objective_progress ADD COLUMN rule VARCHAR;
ALTER TABLE objective_progress ADD COLUMN evidence VARCHAR;
ALTER TABLE compstat ADD COLUMN p_value DOUBLE;
ALTER TABLE compstat ADD COLUMN notable BOOLEAN;
