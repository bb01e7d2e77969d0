"""The council pack (raadsdossier): frozen once per council meeting with its data version, the
same bytes after any number of loads, a printable PDF read back (contents page, every objective,
page numbers, Belgian formats), and a public version that gives no small number away."""

from __future__ import annotations

import datetime as dt
import io
import re
import subprocess
import sys
from pathlib import Path

import openpyxl
import pypdf
import pytest
from click.testing import CliRunner

from access.steering.store import Steering
from core.vocabulary import period as period_words
from core.warehouse import Warehouse
from dashboard.export.suppress import MARK
from indicators import data_version
from indicators.catalog import load_catalog
from ivm.cli import main
from tests.conftest import copy_access_store

MEETING = "2026-12-21"  # the council meeting the demo's current period (2026-Q3) goes to
PREVIOUS = "21/09/2026"
CATALOG = load_catalog()
PERIOD = re.compile(r"^\d{4}(-\d{4})?$|^[a-z]{3} \d{4} – [a-z]{3} \d{4}$")


def _copy(demo_city, folder: Path) -> Warehouse:
    target = folder / "pack.duckdb"
    target.write_bytes(demo_city[0].path.read_bytes())
    copy_access_store(demo_city[0].path, target)
    return Warehouse(target)


@pytest.fixture(scope="module")
def frozen(demo_city, tmp_path_factory):
    """A copy of the demo city whose pack for the December meeting is frozen by `ivm export
    council --meeting`, with its four files downloaded by `ivm export pack`."""
    folder = tmp_path_factory.mktemp("pack")
    wh = _copy(demo_city, folder)
    run = CliRunner().invoke(main, ["export", "council", "--meeting", MEETING, "--db",
                                    str(wh.path)])
    assert run.exit_code == 0, run.output
    out = folder / "out"
    out.mkdir()
    run = CliRunner().invoke(main, ["export", "pack", MEETING, "--out", str(out), "--db",
                                    str(wh.path)])
    assert run.exit_code == 0, run.output
    return wh, {p.name: p.read_bytes() for p in out.iterdir()}


def _pdf(body: bytes) -> pypdf.PdfReader:
    return pypdf.PdfReader(io.BytesIO(body))


def _pages(body: bytes) -> list[str]:
    return [p.extract_text() for p in _pdf(body).pages]


def test_a_pack_is_frozen_with_its_data_version_and_both_audiences(frozen):
    wh, files = frozen
    assert sorted(files) == ["raadsdossier-2026-12-21-publiek.pdf",
                             "raadsdossier-2026-12-21-publiek.xlsx",
                             "raadsdossier-2026-12-21.pdf", "raadsdossier-2026-12-21.xlsx"]
    con = wh.connect_read_only()
    try:
        version = data_version(con)
    finally:
        con.close()
    steering = Steering.of_warehouse(wh.path)
    pack = steering.packs.of_meeting(dt.date(2026, 12, 21))
    assert pack.meeting.isoformat() == MEETING and pack.period == "2026-Q3"
    assert pack.data_version == version["label"] and pack.plan_version == "LIVP-2020-2027-v2"
    assert pack.as_of == version["as_of"]
    assert pack.audiences() == ["internal", "public"]
    audit = steering.store.audit_rows(event_name="pack_frozen")[0]
    assert MEETING in audit["detail"] and version["label"] in audit["detail"]
    listed = CliRunner().invoke(main, ["export", "packs", "--db", str(wh.path), "--format",
                                       "json"])
    assert listed.exit_code == 0 and '"meeting": "2026-12-21"' in listed.output


def test_the_pdf_is_a4_with_a_contents_page_every_objective_and_page_numbers(frozen):
    wh, files = frozen
    body = files["raadsdossier-2026-12-21.pdf"]
    reader = _pdf(body)
    pages = _pages(body)
    assert len(pages) > 10
    for page in reader.pages:
        w, h = float(page.mediabox.width), float(page.mediabox.height)
        assert (round(w), round(h)) == (595, 842)  # A4 in points
    assert pages[0].startswith("Raadsdossier") and "Gemeenteraad van 21/12/2026" in pages[0]
    contents = pages[1]
    assert contents.startswith("Inhoud")
    for n, text in enumerate(pages[1:], start=2):
        assert f"Pagina {n} van {len(pages)}" in text, n
    state_ids = _objective_ids(wh)
    layout = reader.pages[1].extract_text(extraction_mode="layout")
    for oid in state_ids:  # in the contents, on the page it names, with its status in words
        m = re.search(rf"^\s*{re.escape(oid)} .*?(\d+)\s*$", layout, re.M)
        assert m, f"{oid} is not in the contents"
        page = pages[int(m.group(1)) - 1]
        assert re.search(rf"^{re.escape(oid)} ", page, re.M), (oid, m.group(1))
        status = page[page.index(oid):]
        assert re.search(r"Status: [✔▲◆✖?] (behaald|op koers|risico|niet op koers|"
                         r"onvoldoende gegevens)", status), oid
    for heading in ("Samenvatting", "Wat veranderde sinds de vorige gemeenteraad",
                    "Volledigheid van de updates", "Methode en bronnen"):
        assert heading in contents
    whole = "\n".join(pages)
    assert re.search(r"\b\d{1,3}(\.\d{3})+\b", whole)  # 1.269: a Belgian thousands point
    assert re.search(r"\b\d+,\d+\b", whole)  # 9,2: a decimal comma
    assert re.search(r"\b\d{2}/\d{2}/\d{4}\b", whole) and not re.search(
        r"\b20\d{2}-\d{2}-\d{2}\b", whole)  # dates the Belgian way, never ISO


def _objective_ids(wh: Warehouse) -> list[str]:
    from access.steering.state import PlanState

    con = wh.connect_read_only()
    try:
        return [o.id for o in PlanState.read(con).plan.objectives]
    finally:
        con.close()


def test_the_pdf_and_the_workbook_say_what_changed_and_what_the_owners_wrote(frozen):
    wh, files = frozen
    whole = "\n".join(_pages(files["raadsdossier-2026-12-21.pdf"]))
    changes = whole[whole.index("Wat veranderde sinds de vorige gemeenteraad\n"):]
    assert f"Sinds de gemeenteraad van {PREVIOUS}." in changes
    for part in ("Statussen die veranderden", "Herziene doelen en einddatums", "Nieuwe acties",
                 "Afgeronde acties"):
        assert part in changes
    assert re.search(r"PREV-01\n.*\n.*\nDoel\n-35 %\n-25 %", changes)  # the plan revision
    assert "op koers (wijkt af van de cijfers)" in whole  # a judgement that disagrees
    assert "geen update" in whole  # and a missing one
    book = openpyxl.load_workbook(io.BytesIO(files["raadsdossier-2026-12-21.xlsx"]))
    assert book.sheetnames[:4] == ["Samenvatting", "Wijzigingen", "Updates", "Acties"]
    assert "Methode" in book.sheetnames and "Bronnen" in book.sheetnames
    updates = list(book["Updates"].iter_rows(min_row=6, values_only=True))
    steering = Steering.of_warehouse(wh.path)
    written = steering.reports.latest("2026-Q3")
    by_id = {r[0]: r for r in updates}
    assert {oid for oid, r in by_id.items() if r[4] != "geen update"} == set(written)
    some = next(iter(written.values()))
    assert by_id[some.objective_id][4] == some.done
    actions = {r[0]: r for r in book["Acties"].iter_rows(min_row=6, values_only=True)}
    states = steering.reports.action_states(_state(wh))
    assert len(actions) == len(states)
    assert all(("afgerond" in actions[a][6]) == (s == "done") for a, s in states.items())


def _state(wh: Warehouse):
    from access.steering.state import PlanState

    con = wh.connect_read_only()
    try:
        return PlanState.read(con)
    finally:
        con.close()


def test_freezing_the_meeting_again_is_refused_unless_replaced_and_audited(frozen, tmp_path,
                                                                          demo_city):
    wh = _copy(demo_city, tmp_path)
    copy_access_store(frozen[0].path, wh.path)
    steering = Steering.of_warehouse(wh.path)
    first = steering.packs.of_meeting(dt.date(2026, 12, 21))
    every = steering.packs.packs(in_force_only=False)
    again = CliRunner().invoke(main, ["export", "council", "--meeting", MEETING, "--db",
                                      str(wh.path)])
    assert again.exit_code == 1
    assert "error [pack_frozen]" in again.output and "--replace" in again.output
    assert steering.packs.packs(in_force_only=False) == every
    dated = CliRunner().invoke(main, ["export", "council", "--meeting", MEETING, "--as-of",
                                      "2026-06-30", "--db", str(wh.path)])
    assert dated.exit_code == 1 and "--as-of does not apply" in dated.output
    unknown = CliRunner().invoke(main, ["export", "council", "--meeting", "2026-12-20",
                                        "--db", str(wh.path)])
    assert unknown.exit_code == 1 and "no council meeting on 20/12/2026" in unknown.output
    assert "21/12/2026" in unknown.output
    replaced = CliRunner().invoke(main, ["export", "council", "--meeting", MEETING,
                                         "--replace", "--because", "correctie PREV-01",
                                         "--db", str(wh.path)])
    assert replaced.exit_code == 0, replaced.output
    now = steering.packs.of_meeting(dt.date(2026, 12, 21))
    old = steering.packs.pack(first.pack_id)
    assert now.pack_id != first.pack_id and old.replaced_by == now.pack_id
    assert steering.packs.content(old.pack_id, "internal", "pdf")[1] == frozen[1][
        "raadsdossier-2026-12-21.pdf"]  # the replaced pack stays readable, unchanged
    [audit] = steering.store.audit_rows(event_name="pack_replaced")
    assert "correctie PREV-01" in audit["detail"] and str(first.pack_id) in audit["detail"]


def test_a_frozen_pack_is_the_same_bytes_after_new_loads(frozen, demo_city, tmp_path, write):
    wh = _copy(demo_city, tmp_path)
    copy_access_store(frozen[0].path, wh.path)
    incidents = write("extra.csv", "category,occurred_at,area_code\n"
                                   "bicycle_theft,2026-10-30,41002\n")
    done = subprocess.run([sys.executable, "-m", "ivm", "load", "incidents", str(incidents),
                           "--db", str(wh.path)], capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    con = wh.connect_read_only()
    try:
        assert data_version(con)["label"] != Steering.of_warehouse(wh.path).packs.of_meeting(
            dt.date(2026, 12, 21)).data_version  # new data since the freeze
    finally:
        con.close()
    out = tmp_path / "again"
    out.mkdir()
    got = subprocess.run([sys.executable, "-m", "ivm", "export", "pack", MEETING, "--out",
                          str(out), "--db", str(wh.path)], capture_output=True, text=True,
                         timeout=600)
    assert got.returncode == 0, got.stderr
    assert {p.name: p.read_bytes() for p in out.iterdir()} == frozen[1]


# -- the public pack ------------------------------------------------------------------------


def _number(text: str) -> float:
    body = text.strip()
    percent = body.endswith("%")
    value = float(body.removesuffix("%").strip().replace(".", "").replace(",", "."))
    return value / 100 if percent else value


def _step(text: str) -> float:
    """The last digit's step of a shown number (``3,9`` -> 0.1; ``12 %`` -> 0.01)."""
    body = text.strip().removesuffix("%").strip()
    decimals = len(body.split(",", 1)[1]) if "," in body else 0
    return 10.0 ** -decimals / (100 if text.strip().endswith("%") else 1)


def _pdf_values(pages: list[str]) -> dict[str, list[tuple[str, str]]]:
    """Per objective, the (period, value) rows of its tables of values, in order."""
    out: dict[str, list[tuple[str, str]]] = {}
    current = None
    lines = [line for page in pages for line in page.splitlines()
             if not line.startswith(("Raadsdossier · ", "Pagina "))]
    reading = False
    i = 0
    while i < len(lines):
        line = lines[i]
        m = re.match(r"^([A-Z]{2,4}-\d{2}) ", line)
        if m and any(x.startswith("Status: ") for x in lines[i + 1:i + 3]):
            current, reading = m.group(1), False
        elif line == "Waarden per jaar":
            reading = True
            i += 5  # the heading and the table's four column names
            continue
        elif reading and PERIOD.match(line) and current:
            out.setdefault(current, []).append((line, lines[i + 1]))
            i += 4
            continue
        elif reading and line == "Periode":  # the column names again on a new page
            i += 4
            continue
        elif reading:
            reading = False
        i += 1
    return out


def _book_values(book) -> dict[str, list[tuple[str, object]]]:
    out: dict[str, list[tuple[str, object]]] = {}
    for name in ("Proactie", "Preparatie", "Preventie", "Reactie", "Nazorg"):
        ws = book[name]
        header = next(r for r in range(1, 12) if ws.cell(row=r, column=1).value == "Id")
        for row in ws.iter_rows(min_row=header + 1, max_col=7, values_only=True):
            if row[0] is None:
                break
            out.setdefault(row[0], []).append((str(row[4]), row[6]))
    return out


def test_the_public_pdf_shows_a_figure_only_where_the_public_workbook_does(frozen):
    _, files = frozen
    book = openpyxl.load_workbook(io.BytesIO(files["raadsdossier-2026-12-21-publiek.xlsx"]))
    pdf = _pdf_values(_pages(files["raadsdossier-2026-12-21-publiek.pdf"]))
    wb = _book_values(book)
    assert set(pdf) == set(wb)
    hidden = 0
    for oid, rows in wb.items():
        assert [p for p, _ in pdf[oid]] == [period_words(p) for p, _ in rows], oid
        for (period, shown), (_, value) in zip(pdf[oid], rows, strict=True):
            if value == MARK:
                assert shown == MARK, (oid, period, shown)
                hidden += 1
            else:
                assert shown != MARK, (oid, period)
                assert abs(_number(shown) - float(value)) <= _step(shown) / 2 + 1e-9, (oid, period)
    assert hidden > 5, "the demo has small numbers the public pack hides"
    internal = _pdf_values(_pages(files["raadsdossier-2026-12-21.pdf"]))
    assert all(v != MARK for rows in internal.values() for _, v in rows)


def test_no_small_count_can_be_recovered_from_the_public_pack(frozen, demo_city):
    from tests.test_public_suppression import Reader, _solve

    _, files = frozen
    book = openpyxl.load_workbook(io.BytesIO(files["raadsdossier-2026-12-21-publiek.xlsx"]))
    con = demo_city[0].connect_read_only()
    try:
        reader = Reader(book, con)
        assert len(reader.unknown) > 100 and not reader.unknown & reader.known.keys()
        by_rank, by_lp = _solve(reader)
    finally:
        con.close()
    assert not by_rank and not by_lp
    pdf = "\n".join(_pages(files["raadsdossier-2026-12-21-publiek.pdf"]))
    assert "Publieke versie" in pdf
    account = Steering.of_warehouse(frozen[0].path).packs.of_meeting(
        dt.date(2026, 12, 21)).frozen_by  # who froze it: named inside only
    assert f"door {account}" not in pdf and f"door {account}" in "\n".join(
        _pages(files["raadsdossier-2026-12-21.pdf"]))
    for oid, rows in _pdf_values(_pages(files["raadsdossier-2026-12-21-publiek.pdf"])).items():
        ind = CATALOG.indicators.get(_indicator_of(book, oid))
        if ind is None or ind.kind.noise != "poisson" or ind.kind.value_rule != "num" \
                or ind.min_n == 0:
            continue
        for period, shown in rows:  # a count is shown only when it is 0 or at least 5
            assert shown == MARK or _number(shown) == 0 or _number(shown) >= 5, (oid, period)


def _indicator_of(book, oid: str) -> str | None:
    ws = book["Samenvatting"]
    header = next(r for r in range(1, 12) if ws.cell(row=r, column=2).value == "Id")
    names = [c.value for c in ws[header]]
    for row in ws.iter_rows(min_row=header + 1, values_only=True):
        if row[1] == oid:
            title = row[names.index("Indicator")]
            return next((i.id for i in CATALOG if i.title.nl == title), None)
    return None


def test_the_demo_ships_the_pack_of_its_last_council_meeting(demo_city):
    """Frozen a week before the September meeting from the figures of then (the second
    quarter's), it stays what the council got while the demo loaded more since."""
    steering = Steering.of_warehouse(demo_city[0].path)
    pack = steering.packs.of_meeting(dt.date(2026, 9, 21))
    assert pack is not None and pack.frozen_by == "demo-bestuur"
    assert (pack.period, pack.as_of.isoformat(), pack.plan_version) == (
        "2026-Q2", "2026-06-30", "LIVP-2020-2027-v1")
    con = demo_city[0].connect_read_only()
    try:
        assert data_version(con)["label"] != pack.data_version
    finally:
        con.close()
    pages = _pages(steering.packs.content(pack.pack_id, "internal", "pdf")[1])
    whole = "\n".join(pages)
    assert "Gemeenteraad van 21/09/2026" in pages[0] and "2e kwartaal 2026" in pages[0]
    assert "Sinds de gemeenteraad van 15/06/2026." in whole
    changed = whole.split("Statussen die veranderden\n", 1)[1]
    assert not changed.startswith("Geen.")  # statuses changed since June
    assert "Update van de eigenaar" in whole and "Wat werd gedaan" in whole
    assert pack.audiences() == ["internal", "public"]
