-- Schema version 15: a fact row's hash (what a re-delivery of the row is compared with) is
-- stored as the number DuckDB's hash() gives, not as its decimal text: writing ten million
-- distinct texts cost a fifth of a load's write. A hash that is not such a number (an md5 text
-- of an early warehouse) becomes 0: a re-delivery then counts that row as replaced, once, and
-- loses nothing.
ALTER TABLE incident ALTER row_hash TYPE UBIGINT USING coalesce(TRY_CAST(row_hash AS UBIGINT), 0);
ALTER TABLE nuisance ALTER row_hash TYPE UBIGINT USING coalesce(TRY_CAST(row_hash AS UBIGINT), 0);
ALTER TABLE survey_response ALTER row_hash TYPE UBIGINT USING coalesce(TRY_CAST(row_hash AS UBIGINT), 0);
ALTER TABLE activity ALTER row_hash TYPE UBIGINT USING coalesce(TRY_CAST(row_hash AS UBIGINT), 0);
ALTER TABLE population ALTER row_hash TYPE UBIGINT USING coalesce(TRY_CAST(row_hash AS UBIGINT), 0);
ALTER TABLE day_population ALTER row_hash TYPE UBIGINT USING coalesce(TRY_CAST(row_hash AS UBIGINT), 0);
