"""The plan at a glance: the overview (objectives by phase of the safety chain, status tiles,
filters in the URL), the safety-chain matrix with its gaps, and the partner view.

Three tiers: pure functions on the demo's status records; the pages over real HTTP (gunicorn);
the pages in headless Chromium, each ending with an empty console.
"""

from __future__ import annotations

import json
import random

import pytest

from dashboard.components_chain import chain_table, gap_summary
from dashboard.components_overview import (
    clean_query,
    filter_records,
    format_period,
    format_value,
    group_by_phase,
    multi_area_ids,
    objective_href,
    query_string,
)
from dashboard.components_partners import default_partner, partner_records, partner_summary
from indicators.catalog import load_catalog
from indicators.chain import chain_matrix
from indicators.plan import PHASES
from indicators.status import status_records
from tests.conftest import render


@pytest.fixture(scope="module")
def records(demo_city) -> list[dict]:
    """The demo's status records, as the dashboard gets them."""
    con = demo_city[0].connect_read_only()
    try:
        return status_records(con)
    finally:
        con.close()


def content(url: str, path: str, search: str = "") -> str:
    """A page's content as readable JSON text (no \\u escapes)."""
    return json.dumps(json.loads(render(url, path, search)), ensure_ascii=False)


def element(url: str, path: str, search: str, element_id: str) -> str:
    """One element of a page's content (by its id) as readable JSON text."""
    def find(node):
        if isinstance(node, list):
            return next((f for f in map(find, node) if f is not None), None)
        if isinstance(node, dict):
            props = node.get("props") or {}
            if props.get("id") == element_id:
                return node
            return find(props.get("children"))
        return None

    tree = json.loads(render(url, path, search))["response"]["_pages_content"]["children"]
    return json.dumps(find(tree), ensure_ascii=False)


def ids(recs) -> set[str]:
    return {r["id"] for r in recs}


# -- pure functions ----------------------------------------------------------------------------

def test_objectives_are_grouped_in_the_order_of_the_safety_chain(records):
    shuffled = records[:]
    random.Random(1).shuffle(shuffled)
    groups = group_by_phase(shuffled)
    assert [ph for ph, _ in groups] == list(PHASES)
    assert all(r["phase"] == ph for ph, recs in groups for r in recs)
    assert sum(len(recs) for _, recs in groups) == len(records)
    later = [r for r in records if r["phase"] in ("reactie", "preventie")]
    assert [ph for ph, _ in group_by_phase(later)] == ["preventie", "reactie"]
    assert group_by_phase([]) == []


def test_each_filter_keeps_only_matching_objectives(records):
    assert filter_records(records) == records
    achieved = filter_records(records, status="achieved")
    assert achieved and all(r["status"] == "achieved" for r in achieved)
    assert len(achieved) == sum(r["status"] == "achieved" for r in records)
    nazorg = filter_records(records, phase="nazorg")
    assert nazorg and all(i.startswith("NAZ-") for i in ids(nazorg))
    police = filter_records(records, partner="politiezone")
    owned = {r["id"] for r in records if r["owner"] == "politiezone"}
    helped = {r["id"] for r in records if "politiezone" in r["partners"]}
    assert ids(police) == owned | helped and owned and helped - owned


def test_the_plan_filter_counts_shared_objectives_in_both_plans(records):
    zvp = filter_records(records, plan="ZVP")
    assert {r["plan"] for r in zvp} == {"ZVP", "both"}
    livp = filter_records(records, plan="LIVP")
    assert {r["plan"] for r in livp} == {"LIVP", "both"}
    both = filter_records(records, plan="both")
    assert both and {r["plan"] for r in both} == {"both"}
    assert ids(zvp) & ids(livp) == ids(both)


def test_the_text_search_reads_titles_in_both_languages_without_case_or_accents(records):
    dutch = filter_records(records, q="  INBRAAK ")
    assert dutch and all("inbraak" in r["title"]["nl"].lower() for r in dutch)
    assert ids(filter_records(records, q="burglar")) >= {"PREV-01"}
    assert filter_records(records, q="zzzz") == []
    assert ids(filter_records(records, q="prev-0")) == {f"PREV-0{i}" for i in range(1, 10)}
    cafe = dict(records[0], id="X-1", title={"nl": "Café-overlast", "en": "Cafe nuisance"})
    assert filter_records([cafe], q="CAFE-over") == [cafe]
    combined = filter_records(records, phase="preventie", status="at_risk",
                              partner="preventiedienst", plan="LIVP", q="onveilig")
    assert combined and all(r["phase"] == "preventie" and r["status"] == "at_risk"
                            and "onveilig" in r["title"]["nl"].lower() for r in combined)


def test_a_url_with_unknown_values_still_shows_the_plan(records):
    f = clean_query({"phase": "nazorg", "status": "bogus", "partner": "nobody", "plan": "X",
                     "q": " fiets ", "other": "1"}, records)
    assert f == {"phase": "nazorg", "status": None, "partner": None, "plan": None, "q": "fiets"}
    assert query_string("nl", **f) == "?phase=nazorg&q=fiets"
    assert query_string("en", phase=None) == "?lang=en"
    assert query_string("nl") == ""


def test_values_are_formatted_as_the_indicator_reads_in_belgian_format():
    catalog = load_catalog()
    assert format_value(0.1226, catalog["unsafe_feeling_share"], "nl") == "12,3 %"
    assert format_value(0.8157, catalog["p1_within_15min_share"], "en") == "81.6 %"
    assert format_value(1234.56, catalog["residential_burglary_rate"], "nl") == "1.234,6"
    assert format_value(1234.56, catalog["residential_burglary_rate"], "en") == "1,234.6"
    assert format_value(3.968, catalog["police_satisfaction_mean"], "nl") == "3,97"
    assert format_value(1269.0, catalog["crime_count"], "nl") == "1.269"
    assert format_value(24.333, catalog["patrol_hours"], "nl") == "24,3"
    assert format_value(None, catalog["crime_count"], "nl") == "–"
    assert format_value(float("nan"), catalog["crime_rate"], "nl") == "–"
    assert format_value(9.55, None, "nl") == "9,6"
    assert format_period("2025-11/2026-10", "nl") == "nov 2025 – okt 2026"
    assert format_period("2025-11/2026-10", "en") == "Nov 2025 – Oct 2026"
    assert format_period("2017-2019", "nl") == "2017-2019"


def test_objective_links_keep_the_language_and_the_area_of_multi_area_objectives(records):
    rec = records[0]
    assert objective_href(rec, "nl") == f"/doelstelling/{rec['id']}"
    assert objective_href(rec, "en") == f"/doelstelling/{rec['id']}?lang=en"
    other = dict(rec, area={"id": "41002W01", "name": "Centrum", "level": "wijk"})
    multi = multi_area_ids([rec, other])
    assert multi == {rec["id"]}
    assert objective_href(other, "en", multi) == (
        f"/doelstelling/{rec['id']}?lang=en&area=41002W01")


def test_partners_own_or_contribute_and_the_busiest_comes_first(records):
    summary = partner_summary(records)
    assert summary[0]["partner"] == default_partner(records)
    totals = [s["total"] for s in summary]
    assert totals == sorted(totals, reverse=True)
    for s in summary:
        owns, helps = partner_records(records, s["partner"])
        assert s["owned"] == len(ids(owns)) and s["contributing"] == len(ids(helps))
        assert all(r["owner"] == s["partner"] for r in owns)
        assert all(s["partner"] in r["partners"] for r in helps)


def test_the_chain_matrix_shows_every_phase_and_marks_the_gaps(records):
    cells = chain_matrix(records, "dimension")
    tbl = chain_table(cells, "dimension", "nl")
    rows = tbl.children[1].children
    assert [r.id for r in rows] == [f"chain-row-{p}" for p in PHASES]
    gaps = [td for r in rows for td in r.children[1:] if "gap" in td.className.split()]
    assert len(gaps) == sum(1 for c in cells if not c["objectives"]) > 0
    n = str(len(gaps))
    assert gap_summary(cells, "nl").children.startswith(f"{n} van {len(cells)} cellen")


# -- over HTTP ---------------------------------------------------------------------------------

def test_the_overview_shows_the_plan_by_phase_in_dutch(demo_url, records):
    page = content(demo_url, "/")
    assert "Lokaal integraal veiligheidsplan" in page and "goedgekeurd op" in page
    assert "Data tot en met" in page and "31/10/2026" in page
    assert all(f'"{i}"' in page for i in ids(records))
    groups = [page.index(f"overview-group-{p}") for p in PHASES]
    assert groups == sorted(groups)
    assert "Nazorg" in page and "behaald" in page and "Basiswaarde" in page
    assert "/doelstelling/PRO-01" in page


def test_the_overview_speaks_english_on_request(demo_url):
    page = content(demo_url, "/", "?lang=en")
    assert "Follow-up" in page and "Data up to" in page and "Baseline" in page
    assert "achieved" in page and "approved on" in page
    assert "/doelstelling/PRO-01?lang=en" in page
    assert "Basiswaarde" not in page


@pytest.mark.parametrize("search, keep", [
    ("?phase=nazorg", lambda r: r["phase"] == "nazorg"),
    ("?status=achieved", lambda r: r["status"] == "achieved"),
    ("?partner=CAW", lambda r: "CAW" in [r["owner"], *r["partners"]]),
    ("?plan=ZVP", lambda r: r["plan"] in ("ZVP", "both")),
    ("?q=inbraak", lambda r: "inbraak" in r["title"]["nl"].lower()),
    ("?phase=preventie&status=at_risk&lang=en",
     lambda r: r["phase"] == "preventie" and r["status"] == "at_risk"),
])
def test_filters_in_the_url_change_the_objectives_shown(demo_url, records, search, keep):
    # the objectives by phase (the bestuur's and beheerder's attention list above them links
    # to objectives of its own)
    page = element(demo_url, "/", search, "overview-content")
    shown = {i for i in ids(records) if f"/doelstelling/{i}" in page}
    assert shown == ids(r for r in records if keep(r)) and shown


def test_the_chain_page_shows_phases_dimensions_and_gaps(demo_url):
    page = content(demo_url, "/keten")
    assert all(p in page for p in ("Proactie", "Preparatie", "Preventie", "Reactie", "Nazorg"))
    assert "Criminaliteit" in page and "Onveiligheidsgevoel" in page
    assert "leemte" in page and "/doelstelling/PRO-01" in page and "/?phase=proactie" in page
    en = content(demo_url, "/keten", "?lang=en")
    assert "Follow-up" in en and "gap" in en and "Crime" in en and "/?lang=en&phase=proactie" in en
    by = content(demo_url, "/keten", "?by=partner")
    assert "by-partner" in by and "/?phase=nazorg&partner=CAW" in by and "GAS-ambtenaar" in by


def test_the_partner_page_defaults_to_the_busiest_partner_and_follows_the_url(demo_url, records):
    busiest = default_partner(records)
    page = content(demo_url, "/partners")
    assert f'"{busiest}"' in page and "Eigenaar van" in page and "Draagt bij aan" in page
    caw = content(demo_url, "/partners", "?partner=CAW")
    owns, helps = partner_records(records, "CAW")
    shown = {i for i in ids(records) if f"/doelstelling/{i}" in caw}
    assert shown == ids(owns + helps) and shown
    en = content(demo_url, "/partners", "?partner=CAW&lang=en")
    assert "Owner of" in en and "Contributes to" in en and "/doelstelling/NAZ-05?lang=en" in en


# -- in the browser ----------------------------------------------------------------------------

def rows_shown(page) -> list[str]:
    return page.locator("#overview-content tbody tr td:first-child").all_inner_texts()


def wait_search(page, text: str) -> None:
    page.wait_for_function(f"() => location.search.includes({json.dumps(text)})", timeout=30000)


def test_a_status_tile_filters_the_overview_and_the_url_restores_it(demo_url, page, records):
    page.goto(demo_url + "/")
    page.wait_for_selector("#overview-content tbody tr", timeout=30000)
    assert len(rows_shown(page)) == len(records)
    page.click("#overview-tiles button:has(.status-achieved)")
    wait_search(page, "status=achieved")
    page.wait_for_selector("#overview-tiles .tile-active:has(.status-achieved)", timeout=30000)
    achieved = sorted(r["id"] for r in records if r["status"] == "achieved")
    assert sorted(rows_shown(page)) == achieved
    page.reload()
    page.wait_for_selector("#overview-tiles .tile-active:has(.status-achieved)", timeout=30000)
    assert sorted(rows_shown(page)) == achieved
    assert "behaald" in page.inner_text("#overview-status-value")
    page.click("#lang-switch")
    page.wait_for_selector("text=Data up to", timeout=30000)
    assert "lang=en" in page.url and "status=achieved" in page.url
    assert sorted(rows_shown(page)) == achieved
    page.click("#overview-tiles button:has(.status-all)")
    wait_search(page, "lang=en")
    page.wait_for_function("() => !location.search.includes('status')", timeout=30000)
    page.wait_for_selector("#overview-tiles .tile-active:has(.status-all)", timeout=30000)
    assert len(rows_shown(page)) == len(records)
    assert page.console_errors == []


def test_the_dropdowns_and_search_write_the_url(demo_url, page, records):
    page.goto(demo_url + "/")
    page.wait_for_selector("#overview-phase", timeout=30000)
    page.click("#overview-phase")
    page.click(".dash-dropdown-option:has-text('Nazorg')")
    wait_search(page, "phase=nazorg")
    page.wait_for_function(
        "() => [...document.querySelectorAll('#overview-content tbody tr td:first-child')]"
        ".every(td => td.innerText.startsWith('NAZ-'))", timeout=30000)
    nazorg = sorted(r["id"] for r in records if r["phase"] == "nazorg")
    assert sorted(rows_shown(page)) == nazorg
    page.fill("#overview-q", "slachtoffer")
    page.press("#overview-q", "Enter")
    wait_search(page, "q=slachtoffer")
    wanted = sorted(r["id"] for r in records
                    if r["phase"] == "nazorg" and "slachtoffer" in r["title"]["nl"].lower())
    page.wait_for_function(
        f"() => document.querySelectorAll('#overview-content tr.objective-row').length == "
        f"{len(wanted)}",
        timeout=30000)
    assert sorted(rows_shown(page)) == wanted
    assert "phase=nazorg" in page.url
    page.reload()
    page.wait_for_selector("#overview-content tbody tr", timeout=30000)
    assert sorted(rows_shown(page)) == wanted
    assert page.input_value("#overview-q") == "slachtoffer"
    assert page.console_errors == []


def test_an_objective_id_leads_to_its_detail_page(demo_url, page):
    page.goto(demo_url + "/?lang=en&phase=reactie")
    page.wait_for_selector("#overview-content a.obj-link", timeout=30000)
    page.click("#overview-content a.obj-link >> text=REA-02")
    page.wait_for_function("() => location.pathname == '/doelstelling/REA-02'", timeout=30000)
    assert "lang=en" in page.url


def test_the_chain_page_shows_five_phases_gaps_and_switches_columns(demo_url, page):
    page.goto(demo_url + "/keten")
    page.wait_for_selector("#chain-table", timeout=30000)
    assert page.locator("#chain-table tbody tr").count() == 5
    phases = page.locator("#chain-table tbody th").all_inner_texts()
    assert phases == ["Proactie", "Preparatie", "Preventie", "Reactie", "Nazorg"]
    assert page.locator("#chain-table td.gap").count() > 0
    assert "leemte" in page.inner_text("#chain-table td.gap >> nth=0")
    page.click("#chain-by label:has-text('partner')")
    wait_search(page, "by=partner")
    page.wait_for_selector("#chain-table.by-partner", timeout=30000)
    page.reload()
    page.wait_for_selector("#chain-table.by-partner", timeout=30000)
    page.click("#lang-switch")
    page.wait_for_selector("text=Safety chain", timeout=30000)
    assert "by=partner" in page.url and "lang=en" in page.url
    page.wait_for_selector("#chain-table.by-partner td.gap", timeout=30000)
    assert "gap" in page.inner_text("#chain-table td.gap >> nth=0")
    page.click("#chain-row-nazorg a.cell-link >> nth=0")
    page.wait_for_selector("#overview-content", timeout=30000)
    assert "phase=nazorg" in page.url and "partner=" in page.url and "lang=en" in page.url
    assert page.console_errors == []


def test_the_partner_page_switches_by_url_and_by_its_list(demo_url, page, records):
    page.goto(demo_url + "/partners?partner=CAW")
    page.wait_for_selector("#partners-name", timeout=30000)
    assert page.inner_text("#partners-name") == "CAW"
    page.click("#partners-partner label:has-text('GAS-ambtenaar')")
    wait_search(page, "partner=GAS-ambtenaar")
    page.wait_for_function(
        "() => document.querySelector('#partners-name').innerText == 'GAS-ambtenaar'",
        timeout=30000)
    owns, _ = partner_records(records, "GAS-ambtenaar")
    shown = page.locator("#partners-owned tbody tr td:first-child").all_inner_texts()
    assert sorted(shown) == sorted(ids(owns))
    page.reload()
    page.wait_for_selector("#partners-name", timeout=30000)
    assert page.inner_text("#partners-name") == "GAS-ambtenaar"
    page.click("#lang-switch")
    page.wait_for_selector("text=Owner of", timeout=30000)
    assert "lang=en" in page.url and "partner=GAS-ambtenaar" in page.url
    assert page.inner_text("#partners-name") == "GAS-ambtenaar"
    assert page.console_errors == []


def test_a_city_service_sees_its_own_objectives_first():
    from dashboard.components_overview import own_first

    records = [{"id": "A", "owner": "politiezone", "partners": []},
               {"id": "B", "owner": "politiezone", "partners": ["preventiedienst"]},
               {"id": "C", "owner": "preventiedienst", "partners": []},
               {"id": "D", "owner": "jeugdwerk", "partners": []}]
    assert [r["id"] for r in own_first(records, "preventiedienst")] == ["B", "C", "A", "D"]
    assert [r["id"] for r in own_first(records, None)] == ["A", "B", "C", "D"]
