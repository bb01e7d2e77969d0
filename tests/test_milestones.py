"""Intermediate targets (streefwaarden): an objective may carry yearly target values; the year's
milestone is what the status judges, the latest past one is checked against its year, the path
on the objective page runs through them and the council workbook says so."""

from __future__ import annotations

import duckdb
import openpyxl
import pytest
from click.testing import CliRunner
from pydantic import ValidationError

from dashboard.figures_objective import series_figure
from indicators import results
from indicators.plan import Objective
from indicators.status import StatusFilter, status_records
from ivm.cli import main

BASE = {"id": "X-1", "title": {"nl": "x"}, "plan": "both", "phase": "preventie",
        "indicator": "vandalism_count", "areas": ["41002"],
        "baseline": {"period": "2017-2019"}, "target": {"change": -0.15},
        "deadline": "2027-12-31"}


@pytest.mark.parametrize(("milestones", "says"), [
    ([{"year": 2028, "change": -0.1}], "not before the deadline"),
    ([{"year": 2026, "change": -0.1}, {"year": 2024, "change": -0.05}], "in order of year"),
    ([{"year": 2024, "value": 280.0}], "all as a value or all as a change"),
])
def test_milestones_out_of_order_after_the_deadline_or_unlike_the_target_are_refused(
        milestones, says):
    with pytest.raises(ValidationError, match=says):
        Objective.model_validate({**BASE, "milestones": milestones})


def _record(demo_city, objective: str) -> dict:
    con = duckdb.connect(str(demo_city[0].path), read_only=True)
    try:
        return status_records(con, StatusFilter(objective=objective))[0]
    finally:
        con.close()


def test_the_year_milestone_is_judged_and_the_past_one_checked(demo_city):
    rec = _record(demo_city, "PREV-11")  # -5 % in 2024, -10 % in 2026, -15 % by 2027
    base = rec["baseline"]["value"]
    assert [m["year"] for m in rec["milestones"]] == [2024, 2026]
    assert rec["milestones"][1]["value"] == pytest.approx(base * 0.9)
    assert rec["milestone"] == {"year": 2026, "value": pytest.approx(base * 0.9)}
    assert rec["target"]["value"] == pytest.approx(base * 0.85)  # the final target stays
    assert "tussendoel -10 % in 2026" in rec["reason"]["nl"]
    assert "milestone -10 % in 2026" in rec["reason"]["en"]
    con = duckdb.connect(str(demo_city[0].path), read_only=True)
    try:
        ind = results.stored_catalog(con)["vandalism_count"]
        year_2024 = next(p for p in results.series(con, ind, "41002").years
                         if p.start.year == 2024)
    finally:
        con.close()
    met = year_2024.value <= base * 0.95
    assert rec["milestone_before"] == {"year": 2024, "met": met}
    assert ("Tussendoel 2024 gehaald" if met else "Tussendoel 2024 niet gehaald") in (
        rec["reason"]["nl"])


def test_the_path_runs_through_the_milestones(demo_city):
    rec = _record(demo_city, "PREV-11")
    con = duckdb.connect(str(demo_city[0].path), read_only=True)
    try:
        ind = results.stored_catalog(con)["vandalism_count"]
        data = results.series(con, ind, "41002")
    finally:
        con.close()
    fig = series_figure(data.windows, data.windows, rec, ind, "nl")
    traces = {t.uid: t for t in fig.data}
    path = [round(v, 3) for v in traces["path"].y]
    assert path[1:] == [round(m["value"], 3) for m in rec["milestones"]] + [
        round(rec["target"]["value"], 3)]
    assert list(traces["milestones"].text) == [
        f"Tussendoel {m['year']}: {ind.text(m['value'], 'nl')}" for m in rec["milestones"]]


def test_the_council_workbook_names_the_milestone(demo_city, tmp_path):
    out = tmp_path / "raad.xlsx"
    result = CliRunner().invoke(main, ["export", "council", "--out", str(out), "--db",
                                       str(demo_city[0].path)])
    assert result.exit_code == 0, result.output
    sheet = openpyxl.load_workbook(out)["Samenvatting"]
    row = next(r for r in sheet.iter_rows(values_only=True) if "PREV-11" in r)
    assert any(isinstance(c, str) and "tussendoel -10 % in 2026" in c for c in row)
