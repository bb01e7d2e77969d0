"""The safety index per wijk (city = 100): each part is the wijk's value over the city's, the
index their weighted mean with an interval; recomputed here by hand from the stored values,
printed by ``ivm index`` and shown on the Wijken page (the public view hides small wijken)."""

from __future__ import annotations

import json

import duckdb
import pytest
from click.testing import CliRunner
from scipy import stats

from indicators.results import stored_catalog, values
from indicators.safety_index import parts, safety_index
from ivm.cli import main
from tests.conftest import page_content, texts


def test_each_part_is_the_wijk_against_the_city_and_the_index_their_mean(demo_city):
    con = duckdb.connect(str(demo_city[0].path), read_only=True)
    try:
        catalog = stored_catalog(con)
        rows, used = safety_index(con, catalog, 2025, "41002")
        assert used == {"crime": "2025", "nuisance": "2025", "unsafe": "2023"}
        crime = values(con, catalog["crime_rate"], "wijk", "2025").set_index("area_id")
        city = values(con, catalog["crime_rate"], "gemeente", "2025").set_index("area_id")
        c_rate = city.loc["41002", "numerator"] / city.loc["41002", "inhabitants"]
        share = values(con, catalog["unsafe_feeling_share"], "wijk", "2023").set_index("area_id")
        c_share = values(con, catalog["unsafe_feeling_share"], "gemeente", "2023").set_index(
            "area_id").loc["41002", "value"]
        for w in rows:
            n, inh = crime.loc[w.area_id, "numerator"], crime.loc[w.area_id, "inhabitants"]
            assert w.parts["crime"][0] == pytest.approx(100 * n / inh / c_rate)
            # the exact Poisson interval of the wijk's count
            assert w.parts["crime"][2] == pytest.approx(
                100 * stats.chi2.ppf(0.975, 2 * n + 2) / 2 / inh / c_rate)
            assert w.parts["unsafe"][0] == pytest.approx(
                100 * share.loc[w.area_id, "value"] / c_share)
            assert w.index == pytest.approx(sum(v[0] for v in w.parts.values()) / 3)
            assert w.low < w.index < w.high
    finally:
        con.close()
    assert [p.key for p in parts()] == ["crime", "nuisance", "unsafe"]


def test_ivm_index_prints_every_wijk(demo_city):
    out = CliRunner().invoke(main, ["index", "--db", str(demo_city[0].path), "--year", "2025",
                                    "--format", "json"])
    assert out.exit_code == 0, out.output
    data = json.loads(out.output)
    assert data["city"] == "41002" and len(data["wijken"]) == 16
    assert all(w["low"] <= w["index"] <= w["high"] for w in data["wijken"])
    bad = CliRunner().invoke(main, ["index", "--db", str(demo_city[0].path), "--year", "1990"])
    assert bad.exit_code == 1 and "no wijk" in bad.output


def test_the_wijken_page_shows_the_index_in_both_languages(demo_url):
    text = texts(page_content(demo_url, "/wijken"))
    assert "Veiligheidsindex per wijk" in text and "de stad is 100" in text
    english = texts(page_content(demo_url, "/wijken", "?lang=en"))
    assert "Safety index per neighbourhood" in english and "Veiligheidsindex" not in english


@pytest.mark.parametrize("audience", ["internal", "public"])
def test_the_council_workbook_has_the_index_sheet(demo_city, tmp_path, audience):
    import openpyxl

    db = str(demo_city[0].path)
    out = tmp_path / "raad.xlsx"
    result = CliRunner().invoke(main, ["export", "council", "--out", str(out), "--audience",
                                       audience, "--db", db])
    assert result.exit_code == 0, result.output
    ws = openpyxl.load_workbook(out)["Veiligheidsindex"]
    rows = {r[1]: r for r in ws.iter_rows(values_only=True) if r[1] and str(r[1])[:5] == "41002"
            and r[0] != "Wijkcode"}
    con = duckdb.connect(db, read_only=True)
    try:
        year = int(str(ws["A4"].value).split("Cijfers van ")[1][:4])
        wijken, _ = safety_index(con, stored_catalog(con), year, "41002")
    finally:
        con.close()
    assert set(rows) == {w.area_id for w in wijken} and len(rows) == 16
    for w in wijken:
        index_cell = rows[w.area_id][2 + len(parts())]
        if audience == "public" and w.too_small(5, 30):
            assert index_cell == "x"
        else:
            assert index_cell == (None if w.index is None else round(w.index))
