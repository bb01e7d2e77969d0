"""Any area hierarchy: the top level (the city total) and the levels shown come from the loaded
areas, not from Belgian level names. The real Lancashire wards and districts (read in place from
the shared folder) are a city of wards under districts; a rate whose population is not loaded is
unavailable with a reason, and the plan check refuses an objective on it."""

from __future__ import annotations

import csv
import datetime as dt
import json
from collections import Counter

import numpy as np
import pytest
import shapely
from click.testing import CliRunner

from core.warehouse import Warehouse
from etl.load import load_file
from indicators import (
    Hierarchy,
    area_comparison,
    check_plan,
    load_catalog,
    loaded_hierarchy,
    refresh_results,
    unavailable_indicators,
)
from indicators.plan import PlanFile
from indicators.refresh import objective_areas
from ivm.cli import main
from tests.conftest import open_data, query


def _features(path) -> list[dict]:
    return json.loads(path.read_text(encoding="utf-8"))["features"]


def _district_of_wards(tmp_path) -> object:
    """A code hierarchy file: every ward under the district holding its inner point (an
    independent point-in-polygon with shapely, not the loader's)."""
    districts = _features(open_data("uk-police-lancashire", "lancashire_districts_2022.geojson"))
    wards = _features(open_data("uk-police-lancashire", "lancashire_wards_2022.geojson"))
    shapes = [(d["properties"]["objectid"], shapely.from_geojson(json.dumps(d["geometry"])))
              for d in districts]
    path = tmp_path / "wards_in_districts.csv"
    with open(path, "w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["code", "level", "parent_id"])
        for ward in wards:
            inner = shapely.from_geojson(json.dumps(ward["geometry"])).point_on_surface()
            owner = next(code for code, shape in shapes if shape.contains(inner))
            w.writerow([ward["properties"]["ward_code"], "ward", owner])
    return path


def _asb_per_district() -> Counter:
    """Anti-social behaviour of 2022 per district, counted from the raw file."""
    districts = _features(open_data("uk-police-lancashire", "lancashire_districts_2022.geojson"))
    codes = [d["properties"]["objectid"] for d in districts]
    shapes = shapely.from_geojson([json.dumps(d["geometry"]) for d in districts])
    with open(open_data("uk-police-lancashire", "lancashire_asb_2022.tsv"),
              encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh, delimiter="\t"))
    points = shapely.points(np.array([float(r["longitude"]) for r in rows]),
                            np.array([float(r["latitude"]) for r in rows]))
    found: Counter = Counter()
    for i, shape in enumerate(shapes):
        found[codes[i]] = int(shapely.contains(shape, points).sum())
    return found


@pytest.fixture(scope="module")
def wards(tmp_path_factory) -> Warehouse:
    """Lancashire's districts, its wards under them, its anti-social behaviour of 2022 (as
    nuisance, and as one-type incidents), no population."""
    tmp = tmp_path_factory.mktemp("wards")
    wh = Warehouse(tmp / "ivm.duckdb")
    wh.init()
    for path, level in [
        (open_data("uk-police-lancashire", "lancashire_districts_2022.geojson"), "district"),
        (open_data("uk-police-lancashire", "lancashire_wards_2022.geojson"), "ward"),
    ]:
        result = load_file(wh, "areas", path, profile="police-uk-extract",
                           overrides={"level": level})
        assert result.counts.quarantined == 0
    links = load_file(wh, "areas", _district_of_wards(tmp))
    assert (links.counts.replaced, links.counts.quarantined) == (271, 0)
    asb = open_data("uk-police-lancashire", "lancashire_asb_2022.tsv")
    load_file(wh, "nuisance", asb, profile="police-uk-extract")
    load_file(wh, "incidents", asb, profile="police-uk-extract",
              overrides={"category": "public_order"})
    with wh.writing() as con:
        refresh_results(con)
    return wh


def test_the_top_level_and_the_levels_come_from_the_loaded_hierarchy(wards):
    con = wards.connect_read_only()
    try:
        h = loaded_hierarchy(con)
    finally:
        con.close()
    assert h.levels == ["district", "ward"]
    assert h.top == "district"
    assert h.neighbourhoods() == "ward"
    assert len(h.top_areas()) == 14
    assert all(h.top_of[a] for a, lv in h.level_of.items() if lv == "ward")


def test_belgian_levels_order_themselves_the_same_way():
    rows = [("41002", "gemeente", None), ("41002A", "deelgemeente", "41002"),
            ("41002B", "deelgemeente", "41002"), ("41002W01", "wijk", "41002"),
            ("41002W02", "wijk", "41002"), ("41002W03", "wijk", "41002"),
            ("41002P01", "project", "41002"), ("41002A00-", "sector", "41002W01")]
    h = Hierarchy.of(rows, [("41002A00-", "41002A"), ("41002A00-", "41002P01")])
    assert h.levels == ["gemeente", "deelgemeente", "wijk", "project", "sector"]
    assert (h.top, h.neighbourhoods()) == ("gemeente", "wijk")
    assert h.top_of["41002A00-"] == "41002"


def test_wards_without_districts_are_their_own_top_level():
    h = Hierarchy.of([("E05000001", "ward", None), ("E05000002", "ward", None)])
    assert (h.levels, h.top, h.neighbourhoods()) == (["ward"], "ward", None)


def test_indicators_show_gives_the_district_totals_of_the_raw_file(wards):
    out = CliRunner().invoke(main, ["indicators", "show", "nuisance_report_count", "--period",
                                    "2022", "--format", "json", "--db", str(wards.path)])
    assert out.exit_code == 0, out.output
    rows = json.loads(out.output)
    assert len(rows) == 14
    expected = _asb_per_district()
    assert {r["area_id"]: int(r["numerator"]) for r in rows} == dict(expected)
    assert sum(expected.values()) == 56434


def test_every_ward_is_compared_with_its_district(wards):
    catalog = load_catalog()
    con = wards.connect_read_only()
    try:
        ranked = area_comparison(con, catalog["nuisance_report_count"], "ward", "2022")
    finally:
        con.close()
    assert len(ranked) == 271
    assert ranked["city_value"].notna().all()
    # counts are compared per inhabitant: without population no verdict, but never a wrong one
    assert set(ranked["verdict"]) == {"insufficient"}
    cli = CliRunner().invoke(main, ["indicators", "compare", "nuisance_report_count",
                                    "--format", "json", "--db", str(wards.path)])
    assert cli.exit_code == 0, cli.output
    assert len(json.loads(cli.output)) == 271


def test_a_rate_without_its_population_is_unavailable_with_a_reason(wards):
    catalog = load_catalog()
    con = wards.connect_read_only()
    try:
        missing = unavailable_indicators(con, catalog)
    finally:
        con.close()
    assert "crime_rate" in missing and "nuisance_report_count" not in missing
    assert "inhabitants" in missing["crime_rate"].en
    out = CliRunner().invoke(main, ["indicators", "show", "crime_rate", "--period", "2022",
                                    "--format", "json", "--db", str(wards.path)])
    assert out.exit_code == 0, out.output
    rows = json.loads(out.output)
    assert all(r["value"] is None for r in rows)
    # the count stays the count: never shown as 0 because the rate cannot be computed
    assert sum(int(r["numerator"]) for r in rows) == 56434
    listed = CliRunner().invoke(main, ["indicators", "list", "--format", "json", "--db",
                                       str(wards.path)])
    assert listed.exit_code == 0, listed.output
    by_id = {r["id"]: r for r in json.loads(listed.output)}
    assert "inhabitants" in by_id["crime_rate"]["unavailable"]
    assert by_id["nuisance_report_count"]["unavailable"] == ""


def _plan(*objectives: tuple[str, str]) -> PlanFile:
    """A plan of objectives (id, indicator) on the city, -10 % from 2022 by 2025."""
    return PlanFile.model_validate({
        "plan": {"version": "2023", "title": "Lancashire", "approved_on": "2022-12-01"},
        "objectives": [{"id": oid, "title": {"nl": f"Doel {oid}"}, "plan": "ZVP",
                        "phase": "preventie", "owner": "police", "indicator": indicator,
                        "direction": "lower", "baseline": {"period": "2022"},
                        "target": {"change": -0.1}, "deadline": "2025-12-31"}
                       for oid, indicator in objectives]})


def test_the_plan_check_refuses_an_objective_that_can_never_be_computed(wards):
    plan = _plan(("R1", "crime_rate"), ("C1", "nuisance_report_count"))
    con = wards.connect_read_only()
    try:
        findings = check_plan(plan, load_catalog(), con, today=dt.date(2023, 1, 1))
    finally:
        con.close()
    errors = [f for f in findings if f.severity == "error"]
    assert [(f.objective_id, f.code) for f in errors] == [("R1", "no_denominator")]
    assert "inhabitants" in errors[0].message


def test_a_plan_objective_without_areas_applies_to_the_districts(wards):
    obj = _plan(("C1", "nuisance_report_count")).objectives[0]
    con = wards.connect_read_only()
    try:
        assert len(objective_areas(con, obj)) == 14
    finally:
        con.close()
    assert query(wards, "SELECT count(*) FROM area WHERE level = 'district'") == [(14,)]


def test_the_areas_page_of_a_city_of_wards_shows_wards_against_their_district(wards):
    from dashboard.areas_content import area_content, main_content, options_of, resolve
    from dashboard.data import DashboardData

    data = DashboardData(wards)
    assert data.levels() == ["district", "ward"]
    view = resolve(data, {})
    # the default rate per household cannot be computed here: an indicator that can is shown
    assert view.level == "ward"
    assert view.indicator not in data.unavailable()
    assert view.period == "2022"
    content = main_content(data, view, "en")
    assert "None" not in str(content["table"])
    assert "Th('City')" in str(content["table"])  # each ward's own district, 14 of them
    profile, compstat = area_content(data, view, "en")
    assert "CompStat windows: None" not in str(compstat)
    assert "CompStat windows: " in str(compstat)
    labels = {o["value"]: o["label"] for o in options_of(data, view, "en")["indicator"]}
    assert labels["crime_rate"].endswith("(unavailable)")
    rate = main_content(data, view._replace(indicator="crime_rate"), "en")
    assert "no inhabitants loaded" in str(rate["notes"])
