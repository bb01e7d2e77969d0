"""The objective page (/doelstelling/<id>) shows one objective in one area: status and reason,
the indicator's definition, the series with its band, baseline, target, straight path and
projection (incomplete periods left out of the line), the numbers as stored, the method in plain
words and related objectives; Dutch by default, English on request, its state in the URL.

Three tiers: the figure builder as a pure function on the demo's points; the page over real HTTP
(gunicorn); the page in headless Chromium, ending with an empty console.
"""

from __future__ import annotations

import datetime as dt
import json
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from core.vocabulary import number, signed
from core.vocabulary import period as period_label
from dashboard.figures_objective import date_of_t, deadline_t, series_figure, trend_points
from indicators import results
from indicators.status import StatusFilter, status_records
from tests.conftest import page_content, serve, texts

ROOT = Path(__file__).resolve().parent.parent
BURGLARY = "residential_burglary_rate"


# -- helpers ----------------------------------------------------------------------------------


def _stored(demo_city, objective: str, indicator: str):
    """The stored status record, indicator and series of an objective (first area)."""
    con = demo_city[0].connect_read_only()
    try:
        rec = status_records(con, StatusFilter(objective=objective))[0]
        ind = results.stored_catalog(con)[indicator]
        return rec, ind, results.series(con, ind, rec["area"]["id"])
    finally:
        con.close()


def _traces(fig) -> dict[str, Any]:
    return {t.uid: t for t in fig.data}


_content = page_content
_texts = texts


def _find(node: Any, component_id: str) -> dict | None:
    """The component with ``component_id`` in a tree."""
    if isinstance(node, list):
        for x in node:
            found = _find(x, component_id)
            if found:
                return found
    elif isinstance(node, dict):
        props = node.get("props", {})
        if props.get("id") == component_id:
            return node
        return _find(props.get("children"), component_id)
    return None


def _rows(table: dict) -> list[list[str]]:
    """The body rows of a rendered ``components.table`` as lists of cell texts."""
    thead, tbody = table["props"]["children"]
    return [[_texts(td) for td in tr["props"]["children"]] for tr in tbody["props"]["children"]]


def _ivm_status(db: Path, objective: str) -> list[dict]:
    out = subprocess.run([sys.executable, "-m", "ivm", "status", "--objective", objective,
                          "--format", "json", "--db", str(db)], cwd=ROOT, capture_output=True,
                         text=True, check=True)
    return json.loads(out.stdout)


# -- the figure, a pure function ---------------------------------------------------------------


def test_the_figure_has_band_values_baseline_target_path_and_projection(demo_city):
    rec, ind, series = _stored(demo_city, "PREV-01", BURGLARY)
    fig = series_figure(series.windows, trend_points(series, False), rec, ind, "nl")
    traces = _traces(fig)
    assert set(traces) == {"band", "values", "baseline", "target", "path", "projection"}
    values = traces["values"]
    assert list(values.y) == pytest.approx([p.value for p in series.windows])
    assert "9,2" in values.text[-1] and "per 1.000 huishoudens" in values.text[-1]
    band = traces["band"]
    assert band.fill == "toself" and len(band.x) == 2 * len(series.windows)
    assert max(band.y) == pytest.approx(max(p.ci_high for p in series.windows))
    assert min(band.y) == pytest.approx(min(p.ci_low for p in series.windows))
    base, target = rec["baseline"]["value"], rec["target"]["value"]
    assert list(traces["baseline"].y) == pytest.approx([base] * 3)
    assert traces["baseline"].x[0] == "2017-01-01" and traces["baseline"].x[-1] == "2019-12-31"
    assert list(traces["target"].y) == pytest.approx([target])
    deadline = dt.date.fromisoformat(rec["target"]["deadline"])
    assert traces["target"].x[0] == date_of_t(deadline_t(deadline)).isoformat()
    assert list(traces["path"].y) == pytest.approx([base, target])
    assert traces["path"].line.dash == "dash" and traces["projection"].line.dash == "dot"
    # the projection ends where the status computation put it
    assert traces["projection"].y[-1] == pytest.approx(rec["projection"]["value"], rel=1e-6)
    assert traces["projection"].x[-1] == traces["target"].x[0]
    assert fig.layout.separators == ",."
    # never colour alone: every trace differs by marker or line style too
    assert traces["target"].marker.symbol == "star"
    assert traces["baseline"].marker.symbol == "diamond"


def test_incomplete_calendar_years_stay_out_of_the_line_and_band(demo_city):
    rec, ind, series = _stored(demo_city, "PREV-01", BURGLARY)
    incomplete = [p for p in series.years if not p.complete]
    assert [p.period for p in incomplete] == ["2016", "2026"]  # data from Nov 2016 to Oct 2026
    fig = series_figure(series.years, trend_points(series, False), rec, ind, "en", "years")
    traces = _traces(fig)
    complete = [p for p in series.years if p.complete]
    assert list(traces["values"].y) == pytest.approx([p.value for p in complete])
    assert len(traces["band"].x) == 2 * len(complete)
    drawn = set(traces["values"].x) | set(traces["band"].x)
    assert not any(x.startswith(("2016", "2026")) for x in drawn)
    assert fig.layout.separators == ".,"
    assert traces["values"].name == "Value (calendar years)"


def test_a_survey_share_is_drawn_in_percent_on_its_waves(demo_city):
    rec, ind, series = _stored(demo_city, "PREV-06", "unsafe_feeling_share")
    assert series.windows == []
    fig = series_figure(series.years, trend_points(series, True), rec, ind, "nl", "waves")
    traces = _traces(fig)
    assert list(traces["values"].y) == pytest.approx([100 * p.value for p in series.years])
    assert fig.layout.yaxis.ticksuffix == " %"
    assert "%" in traces["values"].text[0] and "," in traces["values"].text[0]
    assert traces["projection"].y[-1] == pytest.approx(100 * rec["projection"]["value"])


def test_without_data_or_projection_the_figure_says_so(demo_city):
    rec, ind, series = _stored(demo_city, "PREV-01", BURGLARY)
    bare = {**rec, "projection": {"value": None, "gap": None}}
    fig = series_figure(series.windows, trend_points(series, False), bare, ind, "nl")
    assert "projection" not in _traces(fig)
    empty = series_figure([], [], {"baseline": {}, "target": {}}, ind, "en")
    assert len(empty.data) == 0
    assert empty.layout.annotations[0].text == "insufficient data"


def test_times_and_periods_as_the_progress_computation_uses_them():
    assert date_of_t(2019.5) == dt.date(2019, 7, 2)
    assert deadline_t(dt.date(2027, 12, 31)) == pytest.approx(2027.4993, abs=1e-4)
    assert period_label("2025-11/2026-10", "nl") == "nov 2025 – okt 2026"
    assert period_label("2025-11/2026-10", "en") == "Nov 2025 – Oct 2026"
    assert period_label("2017", "nl") == "2017"


# -- over HTTP ---------------------------------------------------------------------------------


def test_the_page_shows_title_status_reason_and_definition(demo_url, demo_city):
    rec = _ivm_status(demo_city[0].path, "PREV-01")[0]
    text = _texts(_content(demo_url, "/doelstelling/PREV-01"))
    assert "Minder woninginbraken per 1.000 huishoudens" in text
    assert rec["status_label"]["nl"] in text and rec["reason"]["nl"] in text
    assert "woninginbraken en pogingen" in text  # the numerator in words
    assert "private huishoudens op 1 januari" in text  # the denominator in words
    assert "Data tot en met 31/10/2026" in text and "politiezone" in text
    # the position: past the revised target (v2: -25 % instead of -35 %)
    assert "Open SDG" in text and "p < 0,001" in text and "151 %" in text
    assert "Kans dat de waarde op de deadline het doel haalt" in text  # the forecast


def test_the_page_in_english(demo_url, demo_city):
    rec = _ivm_status(demo_city[0].path, "PREV-01")[0]
    text = _texts(_content(demo_url, "/doelstelling/PREV-01", "?lang=en"))
    assert "Fewer residential burglaries per 1,000 households" in text
    assert rec["status_label"]["en"] in text and rec["reason"]["en"] in text
    assert "How is it computed?" in text and "behaald" not in text


def test_an_unknown_objective_says_so_and_links_back(demo_url):
    content = _content(demo_url, "/doelstelling/NOPE-99")
    text = _texts(content)
    assert "Onbekende doelstelling" in text and "NOPE-99" in text
    assert _find(content, "objective-back")["props"]["href"] == "/"
    english = _content(demo_url, "/doelstelling/NOPE-99", "?lang=en")
    assert "Unknown objective" in _texts(english)
    assert _find(english, "objective-back")["props"]["href"] == "/?lang=en"


def test_the_numbers_in_the_table_are_the_stored_values(demo_url, demo_city):
    current = _ivm_status(demo_city[0].path, "PREV-01")[0]["current"]
    rows = _rows(_find(_content(demo_url, "/doelstelling/PREV-01"), "objective-table"))
    row = {r[0]: r for r in rows}[period_label(current["period"], "nl")]
    assert row[1] == number(current["value"], 1, "nl") == "9,2"
    assert row[2] == number(current["numerator"], 0, "nl")
    assert row[3] == number(current["denominator"], 0, "nl") == "41.347"
    assert row[5] == (f"{number(current['ci_low'], 1, 'nl')} – "
                      f"{number(current['ci_high'], 1, 'nl')}")
    assert row[6] == "ja"
    years = _rows(_find(_content(demo_url, "/doelstelling/PREV-01", "?series=years"),
                        "objective-table"))
    assert {r[0]: r[-1] for r in years}["2026"] == "nee"


def test_a_survey_objective_shows_the_effective_n(demo_url, demo_city):
    current = _ivm_status(demo_city[0].path, "PREV-06")[0]["current"]
    table = _find(_content(demo_url, "/doelstelling/PREV-06"), "objective-table")
    assert "Effectieve n" in _texts(table["props"]["children"][0])
    row = {r[0]: r for r in _rows(table)}[current["period"]]
    assert row[5] == number(current["n_eff"], 0, "nl")


def test_every_objective_of_the_demo_renders(demo_url, demo_city):
    for rec in _all(demo_city):
        text = _texts(_content(demo_url, f"/doelstelling/{rec['id']}"))
        assert rec["id"] in text and rec["reason"]["nl"] in text, rec["id"]


def _all(demo_city) -> list[dict]:
    con = demo_city[0].connect_read_only()
    try:
        return status_records(con)
    finally:
        con.close()


# -- in the browser ----------------------------------------------------------------------------


def test_the_graph_renders_and_the_series_toggle_lives_in_the_url(demo_url, page):
    page.goto(demo_url + "/doelstelling/PREV-01")
    page.wait_for_selector("#objective-graph .js-plotly-plot", timeout=30000)
    assert "behaald" in page.inner_text("#objective-status")
    assert page.locator("#objective-incomplete").count() == 0
    page.click("#objective-series label:has-text('kalenderjaren')")
    page.wait_for_selector("#objective-incomplete", timeout=30000)
    assert "2016, 2026" in page.inner_text("#objective-incomplete")
    assert "series=years" in page.url
    assert "Waarde (kalenderjaren)" in page.inner_text("#objective-graph")
    page.reload()
    page.wait_for_selector("#objective-incomplete", timeout=30000)
    assert page.is_checked("#objective-series input[value='years']")
    page.click("#objective-series label:has-text('12-maandperiodes')")
    page.wait_for_selector("#objective-incomplete", state="detached", timeout=30000)
    assert "series=" not in page.url
    assert page.console_errors == []


def test_the_language_switch_keeps_the_view_and_related_links_work(demo_url, page):
    page.goto(demo_url + "/doelstelling/PREV-01")
    page.wait_for_selector("#objective-graph .js-plotly-plot", timeout=30000)
    page.click("#objective-series label:has-text('kalenderjaren')")
    page.wait_for_selector("#objective-incomplete", timeout=30000)
    page.click("#lang-switch")
    page.wait_for_selector("text=How is it computed?", timeout=30000)
    assert "lang=en" in page.url and "series=years" in page.url
    assert page.is_checked("#objective-series input[value='years']")
    page.click("#objective-related a:has-text('PREV-06')")
    page.wait_for_url("**/doelstelling/PREV-06?lang=en", timeout=30000)
    page.wait_for_selector("#objective-title:has-text('PREV-06')", timeout=30000)
    page.wait_for_selector("#objective-graph .js-plotly-plot", timeout=30000)
    assert "Fewer residents often feeling unsafe" in page.inner_text("#objective-title")
    assert "Effective n" in page.inner_text("#objective-table")
    assert page.console_errors == []


# -- an objective with several areas (the demo plan has none: a copy with one) ------------------


@pytest.fixture(scope="module")
def multi_area(demo_city, tmp_path_factory):
    """The demo with PREV-01 set for the city and two wijken, served by gunicorn."""
    folder = tmp_path_factory.mktemp("multi")
    db = folder / "multi.duckdb"
    shutil.copyfile(demo_city[0].path, db)
    plan = yaml.safe_load((demo_city[1] / "src" / "veiligheidsplan-v2.yaml").read_text(
        "utf-8"))
    for obj in plan["objectives"]:
        if obj["id"] == "PREV-01":
            obj["areas"] = ["41002", "41002W01", "41002W07"]
    # a version of its own, approved after the one in force (an approved version never changes)
    plan["plan"]["version"] += "-wijken"
    plan["plan"]["approved_on"] = "2026-10-19"
    (folder / "plan.yaml").write_text(yaml.safe_dump(plan, allow_unicode=True), "utf-8")
    subprocess.run([sys.executable, "-m", "ivm", "load", "plan", str(folder / "plan.yaml"),
                    "--db", str(db), "--activate"], cwd=ROOT, check=True, capture_output=True)
    url, proc = serve(db)
    yield url, db
    proc.terminate()
    proc.wait(timeout=20)


def test_the_area_picker_changes_the_content_and_the_url(multi_area, page):
    url, db = multi_area
    wijk = {r["area"]["id"]: r for r in _ivm_status(db, "PREV-01")}["41002W07"]
    page.goto(url + "/doelstelling/PREV-01")
    page.wait_for_selector("#objective-graph .js-plotly-plot", timeout=30000)
    assert "Aalst (gemeente)" in page.inner_text("#objective-meta")
    page.click("#objective-area")
    page.click(".dash-dropdown-option:has(input[value='41002W07'])")
    page.wait_for_selector(f"#objective-status:has-text(\"{wijk['reason']['nl']}\")",
                           timeout=30000)
    assert "area=41002W07" in page.url
    assert wijk["area"]["name"] in page.inner_text("#objective-meta")
    page.reload()
    page.wait_for_selector("#objective-graph .js-plotly-plot", timeout=30000)
    assert wijk["area"]["name"] in page.inner_text("#objective-meta")
    assert wijk["reason"]["nl"] in page.inner_text("#objective-status")
    assert page.console_errors == []


def test_an_area_outside_the_objective_falls_back_with_a_note(multi_area):
    url, _ = multi_area
    content = _content(url, "/doelstelling/PREV-01", "?area=41002W04")
    assert "hoort niet bij deze doelstelling" in _texts(_find(content, "objective-note"))
    assert "Aalst (gemeente)" in _texts(_find(content, "objective-meta"))


def test_a_project_objective_shows_whether_the_drop_moved_next_door(demo_url, demo_city):
    rec = _ivm_status(demo_city[0].path, "PRO-02")[0]
    check = rec["displacement"]
    content = _content(demo_url, "/doelstelling/PRO-02")
    words = _texts(_find(content, "objective-around-words"))
    assert words == check["words"]["nl"]
    rows = _rows(_find(content, "objective-around-table"))
    assert [r[0].split(" (")[0] for r in rows] == [
        "Projectgebied", "Omliggende straten", "Vergelijking", "Project en omgeving samen"]
    assert rows[0][1] == number(check["treated"]["before"], 0, "nl")
    assert rows[3][4] == signed(number(check["total"]["value"], 0, "nl"), check["total"]["value"])
    english = _texts(_find(_content(demo_url, "/doelstelling/PRO-02", "?lang=en"),
                           "objective-around"))
    assert check["words"]["en"] in english and "Omliggende" not in english
    # an objective on an ordinary area has no such section
    assert _find(_content(demo_url, "/doelstelling/PREV-01"), "objective-around") is None
