"""The areas page ("Wijken"): an offline choropleth of the demo's wijken, a ranked table whose
verdicts are the exact tests' words, an area's profile, CompStat windows that grey out small
counts, and a URL that holds the whole view (over HTTP and in headless Chromium)."""

from __future__ import annotations

import json
import math
import urllib.parse

import pandas as pd
import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from dashboard import figures_areas as fa
from dashboard import figures_map as fm
from dashboard.data import DashboardData
from indicators import stats
from indicators.compare import compare, compare_frame
from tests.conftest import render

AALST_WIJKEN = ["Aalst Linkeroever Centrum - Binnenstad", "Baardegem", "Erembodegem",
                "Gijzegem", "Herdersem", "Hofstade", "Meldert", "Moorsel", "Nieuwerkerken"]
QUERY = "?indicator=residential_burglary_rate&level=wijk&period=2025"


@pytest.fixture(scope="module")
def data(demo_city) -> DashboardData:
    return DashboardData(demo_city[0])


def texts(component) -> str:
    """Every text in a Dash component tree (and its titles), joined."""
    out: list[str] = []

    def walk(node):
        if node is None:
            return
        if isinstance(node, str | int | float):
            out.append(str(node))
            return
        if isinstance(node, list | tuple):
            for n in node:
                walk(n)
            return
        title = getattr(node, "title", None)
        if isinstance(title, str):
            out.append(f"[{title}]")
        walk(getattr(node, "children", None))

    walk(component)
    return " ".join(out)


def cells(table) -> list[list]:
    """The body rows of a table built by the page, as lists of cell components."""
    body = table.children[1]
    return [tr.children for tr in body.children]


# -- pure functions -------------------------------------------------------------------------


def areas_of(fig) -> list:
    """The traces of a map that are areas (one per polygon drawn)."""
    return [tr for tr in fig.data if tr.meta]


def test_the_map_of_the_demo_wijken_is_16_svg_polygons_with_nothing_to_fetch(data):
    ind = data.indicator("residential_burglary_rate")
    geo = data.geojson("wijk")
    values = data.values(ind.id, "wijk", "2025")
    fig = fa.map_figure(geo, values, ind, "nl")
    shapes = areas_of(fig)
    assert len(shapes) == 16 and {tr.meta for tr in shapes} == set(values["area_id"])
    assert all(tr.type == "scatter" and tr.fill == "toself" and tr.hoveron == "fills"
               for tr in fig.data if tr.meta)
    assert {tr.type for tr in fig.data} == {"scatter"}  # the small plotly.js bundle draws it
    doc = fig.to_json()
    assert "http" not in doc and "tiles" not in doc and '"map"' not in doc  # nothing to fetch
    assert fig.layout.yaxis.scaleanchor == "x" and fig.layout.separators == ",."
    # the polygons lie where Aalst is (Web Mercator northing in degrees)
    west, south, east, north = fm.bounds(geo)
    xs = [x for tr in shapes for x in tr.x if x is not None]
    ys = [y for tr in shapes for y in tr.y if y is not None]
    assert west - 1e-3 <= min(xs) and max(xs) <= east + 1e-3
    assert fm.mercator_y(south) - 1e-3 <= min(ys) and max(ys) <= fm.mercator_y(north) + 1e-3
    # colours follow the values: the highest value gets the scale's top colour
    top = values.loc[values["value"].idxmax(), "area_id"]
    bottom = values.loc[values["value"].idxmin(), "area_id"]
    fill = {tr.meta: tr.fillcolor for tr in shapes}
    assert fill[top] == "rgb(253, 231, 37)" and fill[bottom] == "rgb(68, 1, 84)"
    bar = next(tr for tr in fig.data if tr.marker and tr.marker.showscale)
    assert bar.marker.colorbar.title.text == "per 1.000 huishoudens"
    # hover: name and the Belgian-formatted value
    first = values.set_index("area_id").loc[shapes[0].meta]
    assert shapes[0].name == (f"<b>{first['name']}</b><br>"
                              f"{ind.text(first['value'], 'nl')} per 1.000 huishoudens")
    assert "," in shapes[0].name
    # a click names a trace: area_ids says whose area it is
    assert fm.area_ids(fig)[:16] == [tr.meta for tr in shapes]
    assert fm.area_ids(fig.to_plotly_json()) == fm.area_ids(fig)


def test_areas_without_a_value_are_grey_and_say_so_and_the_selected_one_is_outlined(data):
    ind = data.indicator("unsafe_feeling_share")
    values = data.values("residential_burglary_rate", "wijk", "2025")
    values = values.assign(value=[None] * 3 + list(values["value"][3:]))
    fig = fa.map_figure(data.geojson("wijk"), values, ind, "nl", selected="41002W05")
    shapes = areas_of(fig)
    grey = [tr for tr in shapes if tr.fillcolor == fm.NO_DATA_COLOUR]
    assert len(shapes) == 16 and len(grey) == 3
    assert all(tr.name.endswith("<br>geen gegevens") for tr in grey)
    legend = [tr for tr in fig.data if tr.showlegend]
    assert [tr.name for tr in legend] == ["geen gegevens"]
    outline = fig.data[-1]
    assert outline.meta is None and outline.hoverinfo == "skip" and outline.line.width == 3
    assert fm.area_ids(fig)[-1] is None
    selected = next(tr for tr in shapes if tr.meta == "41002W05")
    assert list(outline.x) == list(selected.x)
    bar = next(tr for tr in fig.data if tr.marker and tr.marker.showscale)
    assert bar.marker.colorbar.tickformat == ".0%"
    english = fa.map_figure(data.geojson("wijk"), values, ind, "en")
    assert [tr.name for tr in english.data if tr.showlegend] == ["no data"]
    assert english.layout.separators == ".,"


def test_a_level_without_polygons_gives_a_message_not_a_broken_map(data):
    ind = data.indicator("crime_count")
    fig = fa.map_figure(data.geojson("sector"), data.values(ind.id, "sector", "2025"), ind,
                        "nl")
    assert not fig.data and "Geen kaartvlakken" in fig.layout.annotations[0].text


def test_rings_of_a_multipolygon_are_one_shape_with_gaps():
    square = [[4.0, 50.0], [4.1, 50.0], [4.1, 50.1], [4.0, 50.1], [4.0, 50.0]]
    other = [[p[0] + 0.2, p[1]] for p in square]
    xs, ys = fm.outline({"type": "MultiPolygon", "coordinates": [[square], [other]]})
    assert xs.count(None) == 1 and ys.count(None) == 1 and len(xs) == 11
    # 50 degrees north is 6,446,275.84 m north in EPSG:3857 (earth radius 6,378,137 m)
    assert ys[0] == pytest.approx(math.degrees(6446275.84 / 6378137), abs=1e-6)


def test_lean_polygons_stay_closed_rings():
    ring = [[4.0 + i * 1e-6, 50.0] for i in range(50)] + [[4.01, 50.0], [4.01, 50.01],
                                                         [4.0, 50.01], [4.0, 50.0]]
    geo = {"features": [{"id": "a", "properties": {"name": "A"},
                         "geometry": {"type": "Polygon", "coordinates": [ring]}}]}
    lean = fm.lean_geojson(geo)
    out = lean["features"][0]["geometry"]["coordinates"][0]
    assert out[0] == out[-1] and 4 <= len(out) < len(ring)
    assert lean["features"][0]["properties"] == {}


def burglary_row(area_id: str, num: float, den: float, inhabitants: float = 0) -> dict:
    return {"area_id": area_id, "name": area_id, "numerator": num, "denominator": den,
            "value": num / den * 1000, "n": num, "n_eff": num, "inhabitants": inhabitants,
            "ci_low": None, "ci_high": None, "complete": True}


@pytest.mark.parametrize(("num", "word"), [(30, "hoger ▲"), (11, "niet te onderscheiden ≈"),
                                           (2, "lager ▼")])
def test_the_verdict_words_are_the_exact_poisson_test_against_the_rest_of_the_city(
        data, num, word):
    ind = data.indicator("residential_burglary_rate")  # a rate per 1,000 households
    area = burglary_row("A", num, 1000)
    city = burglary_row("C", 100, 10000)
    p = stats.poisson_rate_test(num, 1000, 100 - num, 9000)
    expected = ("higher" if num / 1000 > (100 - num) / 9000 else "lower") if p < 0.05 else "same"
    verdict = compare(area, city, ind)
    assert verdict.verdict == expected and verdict.p == pytest.approx(p)
    assert fa.verdict_words(verdict, "nl") == word
    ranked = compare_frame(pd.DataFrame([area]), {"C": city}, {"A": "C"}, ind)
    table = fa.ranked_table(ranked, ind, "nl", {k: k for k in (
        "area", "value", "numerator", "denominator", "interval", "city", "verdict")})
    row_text = texts(cells(table)[0])
    assert word in row_text and "Poisson" in row_text and "rest van de stad" in row_text


def test_a_count_is_tested_per_inhabitant_and_a_share_with_its_effective_n(data):
    count = data.indicator("crime_count")
    area = burglary_row("A", 60, 1, inhabitants=2000) | {"value": 60}
    city = burglary_row("C", 400, 1, inhabitants=20000) | {"value": 400}
    v = compare(area, city, count)
    assert v.p == pytest.approx(stats.poisson_rate_test(60, 2000, 340, 18000))
    assert v.verdict == "higher"
    share = data.indicator("unsafe_feeling_share")
    a = {"area_id": "A", "numerator": 30.0, "denominator": 100.0, "value": 0.3, "n": 110,
         "n_eff": 80.0}
    c = {"area_id": "C", "numerator": 150.0, "denominator": 1000.0, "value": 0.15, "n": 1100,
         "n_eff": 800.0}
    sw2_rest = 1000.0 ** 2 / 800 - 100.0 ** 2 / 80
    n_rest = 900.0 ** 2 / sw2_rest
    v = compare(a, c, share)
    assert v.p == pytest.approx(stats.share_test(0.3, 80, 120 / 900, n_rest))
    assert v.verdict == "higher" and v.test == "share_z"
    assert fa.verdict_words(compare(a, c, data.indicator("patrol_hours")), "en") == "n/a"
    assert compare(c, c, share).verdict == "na"  # the city against itself


def compstat_rows() -> pd.DataFrame:
    day = pd.Timestamp("2026-10-31")
    rows = []
    for cat, now, before in (("drugs", 4, 2), ("fraud", 60, 30)):
        for w, start in (("28d", "2026-10-04"), ("ytd", "2026-01-01"), ("r12", "2025-11-01")):
            rows.append({"area_id": "41002", "kind": "incidents", "category": cat,
                         "window_type": w, "window_start": pd.Timestamp(start),
                         "window_end": day, "count_now": now, "count_before": before,
                         "change": now / before - 1,
                         "z": float(stats.compstat_z(now, before)),
                         "p_value": stats.poisson_rate_test(now, 1.0, before, 1.0),
                         "notable": stats.poisson_rate_test(now, 1.0, before, 1.0) < 0.05,
                         "small": now < 10 and before < 10})
    return pd.DataFrame(rows)


def test_compstat_greys_out_small_counts_and_marks_windows_notable_by_the_exact_test():
    table = fa.compstat_table(compstat_rows(), {"fraud": "Fraude", "drugs": "Drugs"}, "nl")
    rows = cells(table)
    assert [r[0].children for r in rows] == ["Fraude", "Drugs"]  # in the names' order
    fraud, drugs = rows
    small = [c for c in drugs if "areas-small" in getattr(c, "className", "")]
    assert len(small) == 3 and all("kleiner dan 10" in c.title for c in small)
    assert small[0].children == "+100 %"
    assert not [c for c in fraud if "areas-small" in getattr(c, "className", "")]
    p = stats.poisson_rate_test(60, 1.0, 30, 1.0)  # 0.0024: notable
    notable = [c for c in fraud if "areas-notable" in getattr(c, "className", "")]
    assert len(notable) == 3 and "▲ opvallend hoger" in texts(notable[0])
    assert notable[0].children[0] == "p = " + f"{p:.3f}".replace(".", ",")
    assert "exacte toets" in notable[0].title
    # 4 against 2 is +100 % but p = 0.69: not notable (the old z of 1.2 was not either)
    assert not [c for c in drugs if "areas-notable" in getattr(c, "className", "")]
    header = texts(table.children[0])
    assert "Laatste 28 dagen (04/10/2026 – 31/10/2026)" in header
    english = texts(fa.compstat_table(compstat_rows(), {}, "en"))
    assert "Both counts are below 10" in english and "▲ notably higher" in english


def test_per_area_over_the_years_is_a_table_of_numbers_on_bars_of_one_scale(data):
    ind = data.indicator("residential_burglary_rate")
    rows = [{"name": f"W{i}", "period": str(y), "value": float(y - 2015 + i),
             "complete": y < 2026} for i in range(16) for y in range(2017, 2027)]
    rows[0]["value"] = None  # W0 in 2017: no value
    table = fa.multiples_table(pd.DataFrame(rows), ind, "nl")
    body = cells(table)
    assert len(body) == 16 and len(body[0]) == 11  # the area and ten years
    header = texts(table.children[0])
    assert "2026" in header and header.count("onvolledig") == 1
    assert body[0][1].children == "–"
    top = body[15][-1]  # W15 in 2026: 26, the largest value, a full bar
    assert top.children == "26,0" and "100.0%" in top.style["background"]
    assert "areas-bar-incomplete" in top.className and top.title == "W15, 2026: 26,0"
    half = body[0][-2]  # W0 in 2025: 10 of 26
    assert half.children == "10,0" and "38.5%" in half.style["background"]
    english = fa.multiples_table(pd.DataFrame(rows), ind, "en")
    assert "incomplete" in texts(english.children[0]) and cells(english)[15][-1].children == "26.0"


# -- over HTTP ------------------------------------------------------------------------------


def page_text(url: str, search: str) -> str:
    """The page's content as text (unicode kept) from the pages callback."""
    return json.dumps(json.loads(render(url, "/wijken", search)), ensure_ascii=False)


def test_the_page_shows_the_wijken_with_belgian_numbers(demo_url):
    body = page_text(demo_url, QUERY)
    for name in AALST_WIJKEN:
        assert name in body
    assert "Woninginbraken per 1.000 huishoudens" in body
    assert "Aalst (2025): 10,0 per 1.000 huishoudens" in body
    assert "2.871" in body  # Binnenstad's households, with a thousands point
    shown = [(word, sign) for word, sign in (("hoger", "▲"), ("lager", "▼"),
                                             ("niet te onderscheiden", "≈"))
             if f'"{word} {sign}"' in body]
    assert shown, "no verdict with its symbol"  # never by colour alone
    assert '"toself"' in body and '"choroplethmap"' not in body
    assert "CompStat-vensters: Aalst" in body and "Woninginbraak" in body
    assert "kleiner dan 10" in body  # small counts greyed out with their reason


def test_english_on_request(demo_url):
    body = page_text(demo_url, QUERY + "&lang=en")
    assert "Residential burglaries per 1,000 households" in body
    assert "Ranking (high to low)" in body and "Against the rest of the city" in body
    assert "Aalst (2025): 10.0 per 1,000 households" in body and "2,871" in body
    assert "indistinguishable ≈" in body and "Residential burglary" in body
    assert "Woninginbraken" not in body


def test_the_query_sets_level_period_indicator_and_area(demo_url):
    base = page_text(demo_url, QUERY)
    level = page_text(demo_url, QUERY.replace("level=wijk", "level=deelgemeente"))
    assert "Hofstade (Aalst)" in level and "Baardegem\"" not in level
    assert "Aalst (Dg.)" in level and "deelgemeente, 2025" in level
    period = page_text(demo_url, QUERY.replace("2025", "2022"))
    assert "wijk, 2022" in period and "Aalst (2022)" in period and period != base
    other = page_text(demo_url, QUERY.replace("residential_burglary_rate",
                                              "bicycle_theft_count"))
    assert "Fietsdiefstallen — wijk, 2025" in other
    area = page_text(demo_url, QUERY + "&area=41002W06")
    assert "Profiel: Aalst Rechteroever Centrum" in area
    assert "CompStat-vensters: Aalst Rechteroever Centrum" in area
    assert "Tevredenheid over het contact met de politie" in area  # every indicator
    survey = page_text(demo_url, "?indicator=unsafe_feeling_share&level=sector")
    assert "geen gegevens" in survey and "Geen kaartvlakken" in survey
    partial = page_text(demo_url, QUERY.replace("2025", "2026"))
    assert "Onvolledige periode: de gegevens lopen tot 31/10/2026" in partial
    assert "(onvolledig)" in partial  # every row of the incomplete year says so
    defaults = page_text(demo_url, "")
    assert "wijk, 2025" in defaults  # the latest complete year, at wijk level
    junk = page_text(demo_url, "?indicator=nope&level=nope&period=1900&period_type=x&area=x")
    assert "Woninginbraken per 1.000 huishoudens — wijk, 2025" in junk


# -- in the browser -------------------------------------------------------------------------

MAP = "#areas-map .js-plotly-plot"
MAP_READY = """() => { const g = document.querySelector('#areas-map .js-plotly-plot');
  return !!(g && g.querySelectorAll('.scatterlayer .trace path.js-fill').length); }"""
DRAWN = """() => { const g = document.querySelector('#areas-map .js-plotly-plot');
  const fills = [...g.querySelectorAll('.scatterlayer .trace path.js-fill')]
    .filter(p => (p.getAttribute('d') || '').length > 10);
  return {areas: g._fullData.filter(t => t.meta).length,
          types: [...new Set(g._fullData.map(t => t.type))],
          fills: fills.length, canvases: g.querySelectorAll('canvas').length,
          plotly: Object.keys(window.Plotly.PlotSchema.get().traces).sort()}; }"""


def open_menu(page, control: str) -> None:
    """Open a dropdown's list (a click while the page redraws may not open it: click again)."""
    for _ in range(3):
        page.click(f"#{control}")
        try:
            page.wait_for_selector(f"#{control} [role=listbox], [role=listbox]", timeout=5000)
            return
        except PlaywrightTimeout:
            continue
    raise AssertionError(f"the list of #{control} did not open")


def choose(page, control: str, option: str, typed: str = "") -> None:
    """Pick ``option`` in a dropdown, typing ``typed`` first to narrow the list."""
    open_menu(page, control)
    if typed:
        page.keyboard.type(typed)
    page.get_by_role("option", name=option, exact=True).click()


def query_of(page) -> dict[str, str]:
    return dict(urllib.parse.parse_qsl(urllib.parse.urlparse(page.url).query))


def test_the_map_draws_the_aalst_polygons_offline_as_svg(demo_url, page):
    outside: list[str] = []
    page.on("request", lambda r: outside.append(r.url)
            if not r.url.startswith(("http://127.0.0.1", "data:", "blob:")) else None)
    page.goto(demo_url + "/wijken" + QUERY)
    page.wait_for_selector(MAP, timeout=30000)
    page.wait_for_function(MAP_READY, timeout=30000)
    drawn = page.evaluate(DRAWN)
    assert drawn["areas"] == 16 and drawn["types"] == ["scatter"]
    assert drawn["fills"] >= 16 and drawn["canvases"] == 0  # SVG polygons, no WebGL
    # the small plotly.js bundle is the one loaded, not the full one
    assert drawn["plotly"] == ["bar", "pie", "scatter"]
    assert outside == []
    assert page.console_errors == []


def test_controls_change_the_table_and_the_url_and_a_reload_restores_the_view(demo_url, page):
    page.goto(demo_url + "/wijken" + QUERY)
    page.wait_for_selector("#areas-ranked", timeout=30000)
    choose(page, "areas-level", "deelgemeente")
    page.wait_for_function("() => document.querySelector('#areas-ranked').innerText"
                           ".includes('Hofstade (Aalst)')", timeout=30000)
    assert query_of(page)["level"] == "deelgemeente"
    choose(page, "areas-period", "2022")
    page.wait_for_function("() => location.search.includes('period=2022')", timeout=30000)
    page.wait_for_selector("#areas-heading:has-text('deelgemeente, 2022')", timeout=30000)
    choose(page, "areas-indicator", "Fietsdiefstallen", typed="Fietsdiefst")
    page.wait_for_function("() => location.search.includes('bicycle_theft_count')",
                           timeout=30000)
    page.wait_for_selector("#areas-heading:has-text('Fietsdiefstallen')", timeout=30000)
    table = page.inner_text("#areas-ranked")
    assert query_of(page) == {"indicator": "bicycle_theft_count", "level": "deelgemeente",
                              "period_type": "year", "period": "2022"}
    page.reload()
    page.wait_for_selector("#areas-ranked", timeout=30000)
    assert "Fietsdiefstallen — deelgemeente, 2022" in page.inner_text("#areas-heading")
    assert page.inner_text("#areas-ranked") == table
    assert "Fietsdiefstallen" in page.inner_text("#areas-indicator")
    # another period type: its latest complete period (2022 has no 12-month window)
    choose(page, "areas-period-type", "12 maanden (voortschrijdend)")
    page.wait_for_function("() => location.search.includes('period_type=r12')", timeout=30000)
    page.wait_for_selector("#areas-heading:has-text('2025-11/2026-10')", timeout=30000)
    assert query_of(page)["period"] == "2025-11/2026-10"
    assert page.console_errors == []


def test_a_row_click_or_the_url_shows_an_areas_profile(demo_url, page):
    page.goto(demo_url + "/wijken" + QUERY)
    page.wait_for_selector("#areas-ranked", timeout=30000)
    assert "Klik op een gebied" in page.inner_text("#areas-profile")
    page.click("#areas-ranked button:has-text('Meldert')")
    page.wait_for_selector("#areas-profile-title:has-text('Meldert')", timeout=30000)
    page.wait_for_selector("#areas-compstat-title:has-text('Meldert')", timeout=30000)
    assert query_of(page)["area"] == "41002W14"
    profile = page.inner_text("#areas-profile")
    assert "Woninginbraken per 1.000 huishoudens" in profile and "Drugsfeiten" in profile
    assert "areas-selected" in page.get_attribute("#areas-tr-41002W14", "class")
    page.click("#lang-switch")  # the language switch keeps the view
    page.wait_for_selector("#areas-profile-title:has-text('Profile: Meldert')", timeout=30000)
    assert query_of(page)["lang"] == "en" and query_of(page)["area"] == "41002W14"
    page.goto(demo_url + "/wijken?area=41002W09")
    page.wait_for_selector("#areas-profile-title:has-text('Baardegem')", timeout=30000)
    page.click("#areas-clear")
    page.wait_for_selector("#areas-compstat-title:has-text('Aalst')", timeout=30000)
    assert "area" not in query_of(page)
    assert page.console_errors == []


#: Whether the loading message was ever on the page (recorded by the browser itself).
SEES_LOADING = """
window.__sawLoading = false;
new MutationObserver(() => {
  const m = document.querySelector('.profile-loading');
  if (m && m.offsetParent !== null) window.__sawLoading = m.getAttribute('role');
}).observe(document, {childList: true, subtree: true});
"""
IN_VIEW = """(sel) => { const r = document.querySelector(sel).getBoundingClientRect();
                        return r.top >= 0 && r.top < window.innerHeight; }"""


def test_while_a_profile_is_computed_a_message_says_so_and_the_profile_comes_into_view(
        demo_url, page):
    """On a phone the profile appears far below the map: the click brings its place into view
    with a message until it arrives (the answer held back a second here, as a first
    computation on a busy server takes)."""
    import time

    def slow(route):
        if b"areas-profile" in (route.request.post_data_buffer or b""):
            time.sleep(1.0)
        route.continue_()

    page.set_viewport_size({"width": 390, "height": 844})
    page.add_init_script(SEES_LOADING)
    page.route("**/_dash-update-component", slow)
    page.goto(demo_url + "/wijken" + QUERY)
    page.wait_for_selector("#areas-ranked", timeout=30000)
    assert page.evaluate("() => window.scrollY") == 0
    page.click("#areas-ranked button:has-text('Meldert')")
    page.wait_for_selector("#areas-profile-title:has-text('Meldert')", timeout=30000)
    assert page.evaluate("() => window.__sawLoading") == "status"  # announced, not only seen
    page.wait_for_function(IN_VIEW, arg="#areas-profile-title", timeout=5000)
    assert page.console_errors == []


def test_a_click_on_the_map_selects_that_area(demo_url, page):
    page.goto(demo_url + "/wijken" + QUERY)
    page.wait_for_selector(MAP, timeout=30000)
    page.wait_for_function(MAP_READY, timeout=30000)
    box = page.locator(MAP).bounding_box()
    page.mouse.click(box["x"] + box["width"] * 0.5, box["y"] + box["height"] * 0.5)
    page.wait_for_selector("#areas-profile-title", timeout=30000)
    assert query_of(page).get("area", "").startswith("41002W")
    assert page.console_errors == []
