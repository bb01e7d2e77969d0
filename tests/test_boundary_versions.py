"""Boundaries that change: a new layer version (``--period-start``) ends the links it changes
instead of overwriting them, so past figures keep the areas of their time; a recast counts
every period in today's areas, labelled as such; an objective keeps the areas it was set on;
a version with a gap or an overlap is refused and nothing is stored."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from click.testing import CliRunner
from conftest import square

from core.errors import IvmError
from etl.load import load_file
from indicators import load_catalog
from indicators.compute import compute_values
from ivm.cli import main
from ivm.wiring import activate_plan, load_any

SECTORS = "statsec,statsec_naam,wijk,deelgemeente,gemeente\n"
#: From 2025 the sector Begijnhof belongs to wijk 02.
REDRAWN = SECTORS + "41002A011,Begijnhof,41002W02,41002A,41002\n"
#: Vandalism per sector and year.
FACTS = {("41002A00-", 2024): 3, ("41002A011", 2024): 10, ("41002A100", 2024): 4,
         ("41002A00-", 2025): 2, ("41002A011", 2025): 6, ("41002A100", 2025): 5}


@pytest.fixture
def city(toy_city, write):
    rows = "category,occurred_at,area_code\n" + "".join(
        f"vandalism,{year}-0{1 + k % 9}-1{k % 9} 12:00:00,{sector}\n"
        for (sector, year), n in FACTS.items() for k in range(n))
    load_any(toy_city, "incidents", write("facts.csv", rows), "canonical", True, {},
             period_start=dt.date(2024, 1, 1), period_end=dt.date(2025, 12, 31))
    return toy_city


def _counts(wh, table: str = "indicator_value") -> dict[tuple[str, str], float]:
    con = wh.connect_read_only()
    try:
        return _read(con, table)
    finally:
        con.close()


def _read(con, table: str) -> dict[tuple[str, str], float]:
    return {(a, p): n for a, p, n in con.execute(
        f"SELECT area_id, period, numerator FROM {table} WHERE indicator_id = 'vandalism_count' "
        "AND period_type = 'year' AND area_level = 'wijk'").fetchall()}


def _redraw(wh, write, **delivery):
    return load_any(wh, "areas", write("redrawn.csv", REDRAWN), "canonical", True, {},
                    **delivery)


def test_a_new_layer_version_keeps_past_figures_in_the_areas_of_their_time(city, write):
    before = _counts(city)
    assert before[("41002W01", "2024")] == 13 and before[("41002W02", "2024")] == 4
    _redraw(city, write, period_start=dt.date(2025, 1, 1))
    after = _counts(city)
    assert after[("41002W01", "2024")] == 13 and after[("41002W02", "2024")] == 4  # unchanged
    assert after[("41002W01", "2025")] == 2 and after[("41002W02", "2025")] == 11  # moved
    con = city.connect_read_only()
    try:
        assert con.execute("SELECT area_id, parent_id, valid_from, valid_to FROM "
                           "area_link_history").fetchall() == [
            ("41002A011", "41002W01", None, dt.date(2024, 12, 31))]
        assert con.execute("SELECT valid_from FROM area_link WHERE area_id = '41002A011' AND "
                           "parent_id = '41002W02'").fetchall() == [(dt.date(2025, 1, 1),)]
        assert con.execute("SELECT parent_id FROM area WHERE area_id = '41002A011'"
                           ).fetchall() == [("41002W02",)]
    finally:
        con.close()


def test_the_city_total_is_the_same_in_either_boundaries(city, write):
    _redraw(city, write, period_start=dt.date(2025, 1, 1))
    con = city.connect_read_only()
    try:
        total = dict(con.execute(
            "SELECT period, numerator FROM indicator_value WHERE indicator_id = "
            "'vandalism_count' AND period_type = 'year' AND area_id = '41002'").fetchall())
    finally:
        con.close()
    assert total == {"2024": 17.0, "2025": 13.0}


def test_a_recast_counts_every_period_in_today_s_areas_and_says_so(city, write):
    _redraw(city, write, period_start=dt.date(2025, 1, 1))
    con = city.connect_read_only()
    try:
        compute_values(con, load_catalog(), dt.date(2025, 12, 31), only=["vandalism_count"],
                       table="recast", boundaries=dt.date.today())
        recast = _read(con, "recast")
    finally:
        con.close()
    assert recast[("41002W01", "2024")] == 3 and recast[("41002W02", "2024")] == 14
    out = CliRunner().invoke(main, ["indicators", "show", "vandalism_count", "--area",
                                    "41002W02", "--recast", "--db", str(city.path)])
    assert out.exit_code == 0, out.output
    assert "recast onto the boundaries of" in out.output
    assert "14" in out.output.split("2024", 1)[1].splitlines()[0]


def test_a_load_without_a_version_date_corrects_the_past_and_warns(city, write):
    result = _redraw(city, write)
    assert any("correction of the past" in n for n in result.notes)
    assert _counts(city)[("41002W01", "2024")] == 3  # the old behaviour, now said out loud


def test_an_objective_keeps_the_areas_it_was_set_on(city, write):
    plan = write("plan.yaml", json.dumps({
        "spec": 1, "plan": {"version": "P-1", "title": "p", "approved_on": "2024-06-01"},
        "objectives": [{"id": "O-1", "title": {"nl": "Minder vandalisme in wijk 1"},
                        "plan": "both", "phase": "preventie", "dimension": "overlast",
                        "owner": "politiezone", "indicator": "vandalism_count",
                        "areas": ["41002W01"], "baseline": {"period": "2024"},
                        "target": {"change": -0.2}, "deadline": "2027-12-31"}]}))
    load_any(city, "plan", plan, "canonical", True, {})
    activate_plan(city, "P-1")
    _redraw(city, write, period_start=dt.date(2025, 1, 1))
    out = CliRunner().invoke(main, ["status", "--format", "json", "--db", str(city.path)])
    assert out.exit_code == 0, out.output
    rec = json.loads(out.output)[0]
    assert rec["boundaries"] == "2024-06-01"
    assert rec["baseline"]["value"] == 13  # wijk 1 as drawn when the plan was approved
    assert rec["current"]["numerator"] == 8  # 2025 in the old wijk 1 (today's: 2)
    con = city.connect_read_only()
    try:
        stored = con.execute("SELECT baseline_value FROM objective_progress").fetchall()
    finally:
        con.close()
    assert stored == [(13.0,)]


@pytest.mark.parametrize(("text", "says"), [
    (SECTORS + "41002A011,Begijnhof,,41002A,41002\n", "would lie in no wijk from 2025-01-01"),
    ("statsec,statsec_naam,wijk,parent_id,deelgemeente,gemeente\n"
     "41002A011,Begijnhof,41002W02,41002W03,41002A,41002\n", "two areas of level wijk"),
])
def test_a_version_with_a_gap_or_an_overlap_is_refused(city, write, text, says):
    before = _counts(city)
    with pytest.raises(IvmError, match=says):
        load_file(city, "areas", write("v.csv", text), period_start=dt.date(2025, 1, 1))
    assert _counts(city) == before


def test_overlapping_polygons_in_a_version_are_refused(city, write):
    features = [{"type": "Feature", "properties": {"code": c, "gemeente": "41002"},
                 "geometry": square(lon, 50.90)}
                for c, lon in (("41002W01", 4.00), ("41002W02", 4.005))]
    layer = write("w.geojson", json.dumps({"type": "FeatureCollection", "features": features}))
    with pytest.raises(IvmError, match="'41002W01' and '41002W02' overlap"):
        load_file(city, "areas", layer, period_start=dt.date(2025, 1, 1))


def test_a_version_starts_on_the_first_day_of_a_month(city, write):
    with pytest.raises(IvmError, match="first day of a month"):
        load_file(city, "areas", write("v.csv", REDRAWN), period_start=dt.date(2025, 1, 15))
