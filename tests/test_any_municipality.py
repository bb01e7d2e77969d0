"""Any Flemish municipality in one command: ``ivm setup --municipality NAME_OR_NIS`` builds a
warehouse from the Flanders-wide open layers, read in place from the shared folder
(IVM_OPEN_DATA), never copied into the repository: the counts per level are the raw files', the
population is Statbel's, every real wijk code pattern loads (no code pattern decides a level),
and the dashboard serves each municipality with its map."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from core.warehouse import Warehouse
from ivm.cli import main
from tests.conftest import open_data, query, render, serve


def _raw(nis: str) -> dict[str, set[str]]:
    """The municipality's sectors, wijken and deelgemeenten in the raw sector table (without
    the publisher's 'unknown sector' codes)."""
    path = open_data("be-aalst-areas", "statsec_hierarchie_vlaanderen_brussel.csv")
    with open(path, encoding="utf-8", newline="") as fh:
        rows = [r for r in csv.DictReader(fh)
                if r["gemeente"] == nis and not r["statsec"].endswith("ZZZZ")]
    return {"sector": {r["statsec"] for r in rows}, "wijk": {r["wijk"] for r in rows},
            "deelgemeente": {r["deelgemeente"] for r in rows}}


def _statbel(*codes: str) -> int:
    path = open_data("be-statbel-bevolking", "bevolking_per_gemeente_2020.csv")
    with open(path, encoding="utf-8-sig", newline="") as fh:
        return sum(int(r["Totaal"]) for r in csv.DictReader(fh) if r["NIS code"] in codes)


def _setup(tmp: Path, municipality: str) -> tuple[Warehouse, str]:
    db = tmp / "ivm.duckdb"
    out = CliRunner().invoke(main, ["setup", "--municipality", municipality, "--out",
                                    str(tmp / "areas"), "--db", str(db)])
    assert out.exit_code == 0, out.output
    return Warehouse(db), out.output


@pytest.fixture(scope="module")
def cities(tmp_path_factory) -> dict[str, tuple[Warehouse, str]]:
    """Gent (by name), Mechelen (by NIS code) and Herstappe (79 inhabitants), set up."""
    return {name: _setup(tmp_path_factory.mktemp(name), arg)
            for name, arg in [("gent", "Gent"), ("mechelen", "12025"),
                              ("herstappe", "herstappe")]}


@pytest.mark.parametrize("name, nis, inhabitants", [
    ("gent", "44021", 263_927), ("mechelen", "12025", 86_921), ("herstappe", "73028", 79)])
def test_a_municipality_sets_up_with_every_level_of_the_raw_layers(cities, name, nis,
                                                                    inhabitants):
    wh, output = cities[name]
    raw = _raw(nis)
    levels = dict(query(wh, "SELECT level, count(*) FROM area GROUP BY level"))
    assert levels == {"gemeente": 1, "deelgemeente": len(raw["deelgemeente"]),
                      "wijk": len(raw["wijk"]), "sector": len(raw["sector"])}
    assert query(wh, "SELECT count(*) FROM quarantine") == [(0,)]
    assert query(wh, "SELECT area_id, inhabitants FROM population") == [
        (nis, _statbel(nis))] == [(nis, inhabitants)]
    # every sector under its wijk, its deelgemeente and the municipality
    links = set(query(wh, "SELECT area_id, parent_id FROM area_link"))
    assert len(links) == 3 * len(raw["sector"]) + len(raw["wijk"]) + len(raw["deelgemeente"])
    # polygons for the municipality, its deelgemeenten and its wijken (WGS84, in Belgium)
    assert query(wh, "SELECT level, count(*) FROM area WHERE geometry IS NOT NULL "
                     "AND min_lon > 2.5 AND max_lon < 6.5 AND min_lat > 49.4 "
                     "AND max_lat < 51.6 GROUP BY level ORDER BY level") == [
        ("deelgemeente", len(raw["deelgemeente"])), ("gemeente", 1),
        ("wijk", len(raw["wijk"]))]
    assert "inhabitants on 1 January 2020" in output


def test_gent_is_found_by_name_and_its_wijken_are_its_own(cities):
    wh, output = cities["gent"]
    assert output.startswith("Gent (44021): 14 deelgemeenten, 25 wijken, 254 sectors")
    assert query(wh, "SELECT count(*) FROM area WHERE level = 'wijk' AND parent_id = '44021'"
                 ) == [(25,)]


@pytest.mark.parametrize("municipality, pattern", [
    ("Antwerpen", "11002P01"),  # district wijken: P, Q, R, ... Z, not W
    ("Essen", "11016A0W"),      # NIS7-based wijken
])
def test_every_code_pattern_of_the_real_wijken_loads(tmp_path, municipality, pattern):
    layer = json.loads(open_data("be-aalst-areas", "vlaanderen_brussel_wijken.geojson")
                       .read_text(encoding="utf-8"))
    assert pattern[:5] in {f["properties"]["code"][:5] for f in layer["features"]}
    wh, _ = _setup(tmp_path, municipality)
    nis = query(wh, "SELECT area_id FROM area WHERE level = 'gemeente'")[0][0]
    assert query(wh, "SELECT count(*) FROM area WHERE level = 'wijk'") == [
        (len(_raw(nis)["wijk"]),)]
    assert query(wh, "SELECT count(*) FROM quarantine") == [(0,)]


def test_a_municipality_merged_in_2025_counts_its_former_municipalities(tmp_path):
    wh, output = _setup(tmp_path, "Pajottegem")
    assert query(wh, "SELECT area_id, inhabitants FROM population") == [
        ("23106", _statbel("23023", "23024", "23032"))]
    assert "sum of 23023, 23024, 23032, merged in 2025" in output


def test_setting_up_again_changes_nothing(cities, tmp_path):
    wh, _ = cities["herstappe"]
    before = query(wh, "SELECT area_id, name, level, parent_id, geometry FROM area ORDER BY 1")
    out = CliRunner().invoke(main, ["setup", "--municipality", "73028", "--out",
                                    str(wh.path.parent / "areas"), "--db", str(wh.path)])
    assert out.exit_code == 0, out.output
    assert out.output.count("nothing to add") >= 5 or "identical" in out.output
    assert query(wh, "SELECT area_id, name, level, parent_id, geometry FROM area ORDER BY 1"
                 ) == before


def test_an_unknown_municipality_is_one_line_with_suggestions(tmp_path):
    out = CliRunner().invoke(main, ["setup", "--municipality", "Mechlen", "--db",
                                    str(tmp_path / "ivm.duckdb")])
    assert out.exit_code == 1
    assert "no municipality 'Mechlen'" in out.output and "Mechelen (12025)" in out.output
    assert "Traceback" not in out.output
    assert not (tmp_path / "ivm.duckdb").exists()


@pytest.mark.parametrize("name, wijk", [
    ("gent", "Binnenstad"), ("mechelen", "Nekkerspoel"), ("herstappe", "Herstappe")])
def test_the_dashboard_serves_each_municipality_with_its_map(cities, name, wijk):
    wh, _ = cities[name]
    url, proc = serve(wh.path)
    try:
        body = json.dumps(json.loads(render(url, "/wijken")), ensure_ascii=False)
    finally:
        proc.terminate()
        proc.wait(timeout=20)
    n = query(wh, "SELECT count(*) FROM area WHERE level = 'wijk'")[0][0]
    assert wijk in body
    assert body.count('"toself"') >= n  # one filled polygon per wijk, drawn offline


def test_demo_facts_for_the_smallest_municipality_on_its_real_areas(tmp_path):
    db = tmp_path / "ivm.duckdb"
    out = CliRunner().invoke(main, ["demo", "--municipality", "Herstappe", "--out",
                                    str(tmp_path / "demo"), "--db", str(db),
                                    "--as-of", "2026-12-04"])
    assert out.exit_code == 0, out.output
    assert "demo city: Herstappe (73028)" in out.output and "Traceback" not in out.output
    wh = Warehouse(db)
    assert query(wh, "SELECT count(*) FROM quarantine") == [(0,)]
    assert dict(query(wh, "SELECT level, count(*) FROM area GROUP BY level")) == {
        "gemeente": 1, "deelgemeente": 1, "wijk": 1, "sector": 2, "project": 1}
    assert query(wh, "SELECT count(*) FROM incident")[0][0] > 0
    # the demo plan names Herstappe's own places and is in force, every objective judged
    status = CliRunner().invoke(main, ["status", "--format", "json", "--db", str(db)])
    assert status.exit_code == 0, status.output
    records = json.loads(status.output)
    assert len(records) == 27
    assert {r["area"]["id"] for r in records} <= {"73028", "73028W01", "73028-PROJECT"}
    url, proc = serve(db)
    try:
        body = json.dumps(json.loads(render(url, "/wijken")), ensure_ascii=False)
    finally:
        proc.terminate()
        proc.wait(timeout=20)
    assert "Herstappe" in body and '"toself"' in body


def test_demo_for_a_municipality_is_a_city_scale_demo_on_real_areas(tmp_path):
    out = CliRunner().invoke(main, ["demo", "--municipality", "Gent", "--synthetic", "--db",
                                    str(tmp_path / "ivm.duckdb")])
    assert out.exit_code == 1
    assert "--municipality makes a city-scale demo on real areas" in out.output


def test_a_forecast_from_a_handful_of_counts_stays_finite():
    import math

    from indicators.forecast import count_probability

    for phi in (1.0, 2.0):
        for lower in (True, False):
            p = count_probability(2.0, 1e6, phi, 1.0, lower)
            assert math.isfinite(p) and 0.0 <= p <= 1.0
