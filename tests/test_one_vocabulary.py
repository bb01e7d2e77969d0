"""One vocabulary: the same figure reads the same on every surface, and every word of the domain
has one definition.

For one objective of each measure kind of the demo plan, the current value is read off every
surface that shows it (the overview's table, the objective page, the areas page's ranked table,
the council workbook's cell and its number format, the CSV export, ``ivm status`` as a table and
as CSV) and must show the same number with the same decimals.
"""

from __future__ import annotations

import csv
import io
import math
import re

import openpyxl
import pytest
from click.testing import CliRunner

from core import vocabulary
from core.vocabulary import STYLES, excel_format, rounded, value_text
from dashboard.app import create_app
from dashboard.components_overview import objective_row
from dashboard.export.council import write_council_workbook
from dashboard.export.tables import table_csv
from dashboard.figures_areas import ranked_table
from dashboard.i18n import t
from dashboard.registry import page_module
from indicators.compare import area_comparison
from indicators.measures import MEASURES
from indicators.results import stored_catalog
from indicators.status import status_records
from ivm.cli import main

#: One objective of the demo plan per measure kind.
BY_KIND = {"rate": "PREV-01", "count": "PREV-02", "sum": "PREV-03", "share": "PREV-06",
           "within_norm": "REA-01", "median": "REA-02", "mean": "NAZ-03"}


def shown(text: str, lang: str = "nl") -> tuple[float, int]:
    """A value as a surface wrote it: (number, decimals), a percentage as its percent."""
    body = text.strip().removesuffix("%").strip()
    thousands, decimal = (".", ",") if lang == "nl" else (",", ".")
    body = body.replace(thousands, "").replace(decimal, ".")
    decimals = len(body.split(".", 1)[1]) if "." in body else 0
    return float(body), decimals


def excel_shown(value: float, number_format: str) -> tuple[float, int]:
    """What Excel shows for ``value`` in ``number_format`` (as (number, decimals))."""
    fmt = number_format.split(";")[0].lstrip("+")
    percent = fmt.endswith("%")
    decimals = len(fmt.removesuffix("%").split(".", 1)[1]) if "." in fmt else 0
    x = value * 100 if percent else value
    return round(x, decimals), decimals


def csv_shown(text: str, percent: bool) -> float:
    return float(text) * (100 if percent else 1)


def _texts(node) -> list[str]:
    if isinstance(node, str):
        return [node]
    if isinstance(node, list | tuple):
        return [x for n in node for x in _texts(n)]
    return _texts(getattr(node, "children", None) or [])


@pytest.fixture(scope="module")
def surfaces(demo_city, tmp_path_factory):
    """The demo's records, indicators, workbook and CSV, read once."""
    wh = demo_city[0]
    create_app(wh)  # the pages register with the app
    con = wh.connect_read_only()
    try:
        records = status_records(con)
        catalog = stored_catalog(con)
        book = tmp_path_factory.mktemp("vocab") / "raad.xlsx"
        write_council_workbook(con, book)
        progress = list(csv.DictReader(io.StringIO(
            table_csv(con, "objective_progress").decode("utf-8-sig"))))
        areas = {}
        for oid in BY_KIND.values():
            rec = next(r for r in records if r["id"] == oid)
            ranked = area_comparison(con, catalog[rec["indicator"]], rec["area"]["level"],
                                     rec["current"]["period"])
            areas[oid] = ranked
    finally:
        con.close()
    return {"records": records, "catalog": catalog, "book": openpyxl.load_workbook(book),
            "csv": progress, "areas": areas, "db": str(wh.path)}


@pytest.mark.parametrize(("kind", "objective"), sorted(BY_KIND.items()))
def test_one_value_of_each_measure_kind_reads_the_same_on_every_surface(surfaces, kind,
                                                                         objective):
    rec = next(r for r in surfaces["records"] if r["id"] == objective)
    ind = surfaces["catalog"][rec["indicator"]]
    assert ind.measure == kind
    value = rec["current"]["value"]
    assert value is not None and math.isfinite(value)
    style = STYLES[ind.style]
    expected = value_text(value, ind.style, "nl")
    number, decimals = shown(expected)
    seen: dict[str, str] = {}

    # the overview: the objective's row, column "Huidig"
    seen["overview"] = objective_row(rec, surfaces["catalog"], "nl")[6][0].children
    # the objective page: the header's current value ("9,6 (dec 2025 – nov 2026)")
    objective_page = page_module("objective")
    header = objective_page._header(rec, ind, "nl")
    meta = next(dl for dl in _walk(header) if getattr(dl, "id", None) == "objective-meta")
    items = meta.children
    at = next(i for i, x in enumerate(items) if _texts(x) == [t("current", "nl")])
    seen["objective"] = _texts(items[at + 1])[0].rsplit(" (", 1)[0]
    # the areas page: the ranked table's value cell for the objective's area
    ranked = surfaces["areas"][objective]
    table = ranked_table(ranked, ind, "nl", {k: k for k in (
        "area", "value", "numerator", "denominator", "interval", "city", "verdict")})
    rows = table.children[1].children
    row = next(r for r in rows if r.id == f"areas-tr-{rec['area']['id']}")
    seen["areas"] = _texts(row.children[2])[0]
    # ivm status, as a table and as CSV
    runner = CliRunner()
    out = runner.invoke(main, ["status", "--db", surfaces["db"], "--objective", objective,
                               "--area", rec["area"]["id"]])
    assert out.exit_code == 0, out.output
    lines = out.stdout.splitlines()
    start = lines[0].index("current")
    seen["cli table"] = lines[1][start:].split("  ")[0].strip()
    for surface, text in seen.items():
        assert text == expected, (surface, text, expected)
        assert shown(text) == (number, decimals), surface

    out = runner.invoke(main, ["status", "--db", surfaces["db"], "--objective", objective,
                               "--area", rec["area"]["id"], "--format", "csv"])
    cli_csv = next(csv.DictReader(io.StringIO(out.stdout)))["current"]
    csv_row = next(r for r in surfaces["csv"] if r["objective_id"] == objective
                   and r["area_id"] == rec["area"]["id"])
    for surface, text in (("cli csv", cli_csv), ("csv export", csv_row["current_value"])):
        assert csv_shown(text, style.percent) == pytest.approx(number, abs=1e-9), surface
    # the council workbook: the Samenvatting's cell and its number format
    ws = surfaces["book"]["Samenvatting"]
    r = next(i for i in range(6, ws.max_row + 1) if ws.cell(i, 2).value == objective
             and ws.cell(i, 9).value == rec["area"]["id"])
    cell = ws.cell(r, 14)
    assert cell.number_format == excel_format(ind.style, value)
    assert excel_shown(cell.value, cell.number_format) == (pytest.approx(number), decimals)


def _walk(node):
    yield node
    children = getattr(node, "children", None)
    if isinstance(children, list | tuple):
        for c in children:
            yield from _walk(c)
    elif children is not None and not isinstance(children, str):
        yield from _walk(children)


VALUES = (0.23456, 0.005, 123.456, 3.4567, 1269.0, 24.333, 0.0, 1234567.891)


@pytest.mark.parametrize("kind", sorted(MEASURES))
def test_every_measure_kind_has_one_rule_for_text_excel_and_csv(kind):
    """Every registered kind (also those no demo objective uses) names a style, and the style's
    text, Excel format and rounded CSV value agree, in both languages."""
    m = MEASURES[kind]
    style = STYLES[m.style]
    for value in VALUES:
        for lang in ("nl", "en"):
            number, decimals = shown(m.text(value, lang), lang)
            assert excel_shown(value, style.excel(value)) == (pytest.approx(number), decimals)
            assert csv_shown(repr(rounded(value, m.style)), style.percent) == pytest.approx(
                number)
        assert m.title("nl") and m.title("en") and m.description("nl") and m.doc


def test_the_issue_examples_now_read_alike():
    """The three values that read differently on four surfaces before."""
    assert MEASURES["share"].text(0.23456) == "23,5 %"
    assert excel_format(MEASURES["share"].style) == "0.0%"
    assert MEASURES["rate"].text(123.456) == "123,5"
    assert excel_format(MEASURES["rate"].style) == "#,##0.0"
    assert MEASURES["mean"].text(3.4567) == "3,46" and MEASURES["mean"].text(3.4567, "en") == (
        "3.46")
    assert excel_format(MEASURES["mean"].style) == "#,##0.00"


def test_every_domain_label_is_defined_once_in_both_languages():
    tables = {name: getattr(vocabulary, name) for name in (
        "PHASES", "DIMENSIONS", "STATUSES", "QUALIFIERS", "PLANS", "PLANS_LONG", "LEVELS",
        "SOURCE_KINDS", "LOAD_OUTCOMES", "PERIOD_TYPES", "SERIES_KINDS", "DIRECTIONS",
        "POPULATIONS", "TESTS", "PROGRESS_CATEGORIES", "COMPARISONS", "AGAINST",
        "PARTNER_ROLES", "FIELDS")}
    for name, table in tables.items():
        for key, text in table.items():
            assert set(text) == {"nl", "en"} and all(text.values()), (name, key)
    assert vocabulary.pick(vocabulary.PHASES, "nazorg", "en") == "Follow-up"
    assert set(vocabulary.STATUS_SYMBOLS) == set(vocabulary.STATUSES)


def test_no_surface_keeps_its_own_copy_of_a_domain_label():
    """The words of the phases and statuses appear in the product's code only in the
    vocabulary (and in the method text, which names the statuses in its rules)."""
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent
    words = [re.escape(x) for x in ('"Follow-up"', '"Aftercare"', '"Proaction"',
                                    '"niet op koers"', '"op koers"', '"insufficient data"')]
    found = []
    for folder in ("core", "etl", "indicators", "access", "dashboard", "ivm"):
        for path in (root / folder).rglob("*.py"):
            if path.name == "vocabulary.py":
                continue
            text = path.read_text(encoding="utf-8")
            found += [f"{path.relative_to(root)}: {w}" for w in words if re.search(w, text)]
    assert found == []
