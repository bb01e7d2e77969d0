"""The warehouse: created by `ivm init`, versioned, migrated from older versions, and its
SQLAlchemy metadata agrees with the SQL migrations."""

from __future__ import annotations

import duckdb
import pytest
import sqlalchemy as sa

from core.errors import WarehouseError
from core.warehouse import SCHEMA_VERSION, Warehouse
from core.warehouse.migrate import current_version, upgrade
from core.warehouse.schema import metadata


def test_init_creates_every_table_at_the_current_version(warehouse):
    con = warehouse.connect_read_only()
    tables = {r[0] for r in con.execute("SELECT table_name FROM information_schema.tables")
              .fetchall()}
    assert current_version(con) == SCHEMA_VERSION
    con.close()
    assert {t.name for t in metadata.sorted_tables} <= tables


def test_sqlalchemy_metadata_matches_the_migrated_schema(warehouse):
    inspector = sa.inspect(warehouse.engine())
    for table in metadata.sorted_tables:
        found = {c["name"]: c for c in inspector.get_columns(table.name)}
        assert list(found) == [c.name for c in table.columns], table.name
        for column in table.columns:
            assert found[column.name]["nullable"] == column.nullable, (table.name, column.name)


def test_a_version_1_warehouse_is_migrated_and_keeps_its_data(tmp_path):
    path = tmp_path / "old.duckdb"
    con = duckdb.connect(str(path))
    upgrade(con, target=1)
    con.execute(
        "INSERT INTO load_log (load_id, kind, profile, source, file, sha256, started_at, outcome)"
        " VALUES (1, 'incidents', 'canonical', 'x', 'f.csv', 'abc', now(), 'loaded')"
    )
    con.execute(
        "INSERT INTO incident (source, source_id, category, occurred_at, area_id, row_hash, "
        "load_id) VALUES ('x', '1', 'drugs', TIMESTAMP '2024-03-05 10:00', 'A', 'h', 1)"
    )
    con.close()
    wh = Warehouse(path)
    with pytest.raises(WarehouseError, match="ivm migrate"):
        wh.connect_read_only()

    wh.init()

    con = wh.connect_read_only()
    assert current_version(con) == SCHEMA_VERSION
    assert con.execute("SELECT cutoff_date::VARCHAR FROM load_log").fetchall() == [
        ("2024-03-05",)
    ]
    assert con.execute("SELECT count(*) FROM incident").fetchall() == [(1,)]
    # an early warehouse's text hash that is no number reads 0: that row counts as replaced once
    assert con.execute("SELECT row_hash FROM incident").fetchall() == [(0,)]
    con.close()


def test_a_version_14_warehouse_keeps_its_row_hashes_as_numbers(toy_city, write):
    """Version 15 stores a row's hash as a number: the hashes a version-14 loader wrote as text
    are the same numbers, so a re-delivery of the same file still adds and replaces nothing."""
    from etl.load import load_file

    body = ("category,occurred_at,area_code\nbicycle_theft,2024-01-01,41002W01\n"
            "drugs,2024-01-02,41002W01\n")
    load_file(toy_city, "incidents", write("export.csv", body))
    con = duckdb.connect(str(toy_city.path))
    stored = con.execute("SELECT source_id, row_hash FROM incident ORDER BY 1").fetchall()
    for table in ("incident", "nuisance", "survey_response", "activity", "population",
                  "day_population"):
        con.execute(f"ALTER TABLE {table} ALTER row_hash TYPE VARCHAR")
    con.execute("DELETE FROM schema_version WHERE version >= 15")
    con.close()

    toy_city.init()
    again = load_file(toy_city, "incidents", write("export.csv", body + "\n"))

    assert (again.counts.loaded, again.counts.replaced, again.counts.skipped) == (0, 0, 2)
    con = toy_city.connect_read_only()
    assert con.execute("SELECT source_id, row_hash FROM incident ORDER BY 1").fetchall() == stored
    assert con.execute(
        "SELECT data_type FROM duckdb_columns() WHERE table_name = 'incident' "
        "AND column_name = 'row_hash'"
    ).fetchall() == [("UBIGINT",)]
    con.close()


def test_a_version_3_warehouse_gets_delivery_tagged_content_ids_and_wave_respondent_ids(
    toy_city, write
):
    """Version 4 tells deliveries apart: the rows a version-3 loader stored keep their place (a
    re-load of the same file adds nothing), and survey respondents are keyed by wave."""
    from etl.load import load_file

    body = "category,occurred_at,area_code\nbicycle_theft,2024-01-01,41002W01\n"
    survey = write("survey.csv", "respondent_id,wave,area_code,weight,q_unsafe\n"
                                 "R1,2017,41002W01,1.0,1\n")
    load_file(toy_city, "incidents", write("export.csv", body))
    load_file(toy_city, "survey", survey)
    con = duckdb.connect(str(toy_city.path))
    con.execute("UPDATE incident SET source_id = split_part(source_id, '#', 2)")
    con.execute("UPDATE survey_answer SET source_id = 'R1'")
    con.execute("UPDATE survey_response SET source_id = 'R1'")
    con.execute("DELETE FROM schema_version WHERE version >= 4")
    con.execute("DROP TABLE plan_activation")
    con.execute("DROP TABLE catalog_indicator")
    con.execute("ALTER TABLE load_log DROP COLUMN options")
    con.execute("ALTER TABLE load_log DROP COLUMN period_start")
    con.execute("ALTER TABLE load_log DROP COLUMN rows_removed")
    con.close()

    toy_city.init()
    again = load_file(toy_city, "incidents", write("export.csv", body + "\n"))

    assert (again.counts.loaded, again.counts.skipped) == (0, 1)
    con = toy_city.connect_read_only()
    assert con.execute("SELECT source_id FROM survey_response").fetchall() == [("2017:R1",)]
    assert con.execute("SELECT source_id FROM survey_answer").fetchall() == [("2017:R1",)]
    con.close()


def test_a_warehouse_from_a_newer_version_is_refused(warehouse):
    con = duckdb.connect(str(warehouse.path))
    con.execute("INSERT INTO schema_version (version, name) VALUES (99, '0099_future.sql')")
    con.close()
    with pytest.raises(WarehouseError, match="newer"), warehouse.writing():
        pass


def test_loading_into_a_missing_warehouse_says_run_init(tmp_path):
    with pytest.raises(WarehouseError, match="ivm init"), Warehouse(
        tmp_path / "none.duckdb"
    ).writing():
        pass
