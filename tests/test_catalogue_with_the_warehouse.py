"""The catalogue travels with the warehouse: an indicator an analyst adds (a catalogue folder
given once, or ``ivm indicators add``) is recorded in the warehouse and every later refresh
computes it; a broken indicator file refuses the load (exit 1) and keeps the previous results."""

from __future__ import annotations

import shutil

import duckdb
import pytest
from click.testing import CliRunner

from core.warehouse import Warehouse
from etl.inspect import data_checksum, load_log_rows
from indicators.catalog_store import builtin_folder
from ivm.cli import main

NEW = """spec: 1
id: night_drugs_count
title: {nl: Drugsfeiten, en: Drug offences}
unit: {nl: feiten, en: offences}
source: incidents
measure: count
numerator: {nl: drugsfeiten, en: drug offences}
filters:
  category: [drugs]
direction: lower
period: year
"""

INCIDENTS = ("category,occurred_at,area_code\n"
             + "".join(f"drugs,2024-{m:02d}-10,41002W01\n" for m in range(1, 13)))


def ivm(*args: str, env: dict | None = None):
    return CliRunner().invoke(main, list(args), env=env)


def values(wh: Warehouse, indicator: str) -> int:
    con = duckdb.connect(str(wh.path), read_only=True)
    try:
        return con.execute("SELECT count(*) FROM indicator_value WHERE indicator_id = ?",
                           [indicator]).fetchall()[0][0]
    finally:
        con.close()


@pytest.fixture
def folder(tmp_path):
    """An analyst's copy of the catalogue with one indicator added."""
    catalog = tmp_path / "catalog"
    shutil.copytree(builtin_folder(), catalog)
    (catalog / "night_drugs_count.yaml").write_text(NEW, encoding="utf-8")
    return catalog


def test_an_indicator_of_a_catalogue_folder_is_kept_by_every_later_refresh(
    toy_city, write, folder
):
    db = str(toy_city.path)
    loaded = ivm("load", "incidents", str(write("i.csv", INCIDENTS)), "--db", db,
                 env={"IVM_CATALOG": str(folder)})
    assert loaded.exit_code == 0, loaded.output
    computed = values(toy_city, "night_drugs_count")
    assert computed > 0

    again = ivm("refresh", "--db", db)

    assert again.exit_code == 0, again.output
    assert values(toy_city, "night_drugs_count") == computed, "not dropped without the folder"
    listed = ivm("indicators", "list", "--db", db, "--format", "csv").stdout
    assert "night_drugs_count,Drugsfeiten,incidents,count,feiten,lower,year,added" in listed


def test_indicators_add_records_a_file_and_computes_it(toy_city, write):
    db = str(toy_city.path)
    ivm("load", "incidents", str(write("i.csv", INCIDENTS)), "--db", db)
    path = write("night_drugs_count.yaml", NEW)

    added = ivm("indicators", "add", str(path), "--db", db)

    assert added.exit_code == 0, added.output
    assert "recorded: night_drugs_count" in added.stdout
    assert values(toy_city, "night_drugs_count") > 0
    shown = ivm("indicators", "show", "night_drugs_count", "--db", db, "--area", "41002W01",
                "--level", "wijk", "--format", "json")
    assert shown.exit_code == 0 and '"period": "2024"' in shown.stdout

    removed = ivm("indicators", "remove", "night_drugs_count", "--db", db)

    assert removed.exit_code == 0, removed.output
    assert values(toy_city, "night_drugs_count") == 0


def test_a_broken_indicator_file_is_not_recorded(toy_city, write):
    before = data_checksum(toy_city)
    path = write("night_drugs_count.yaml", NEW.replace("measure: count", "measure: tally"))

    result = ivm("indicators", "add", str(path), "--db", str(toy_city.path))

    assert result.exit_code == 1
    assert "[unknown_measure]" in result.stderr and "night_drugs_count.yaml" in result.stderr
    assert data_checksum(toy_city) == before


def test_a_broken_indicator_file_refuses_the_load_and_keeps_the_previous_results(
    toy_city, write, folder
):
    db = str(toy_city.path)
    assert ivm("load", "incidents", str(write("a.csv", INCIDENTS)), "--db", db).exit_code == 0
    before = data_checksum(toy_city), values(toy_city, "crime_count")
    (folder / "night_drugs_count.yaml").write_text(NEW.replace("source: incidents",
                                                               "source: incident"), "utf-8")
    more = write("b.csv", "category,occurred_at,area_code\nvandalism,2024-05-05,41002W02\n")

    result = ivm("load", "incidents", str(more), "--db", db, env={"IVM_CATALOG": str(folder)})

    assert result.exit_code == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "[unknown_source]" in lines[0], lines
    assert "night_drugs_count.yaml" in lines[0]
    assert (data_checksum(toy_city), values(toy_city, "crime_count")) == before
    assert load_log_rows(toy_city)[-1]["outcome"] == "failed"
