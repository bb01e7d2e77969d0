"""The council workbook: reproducible, well formed, and every figure as `ivm status` shows it."""

from __future__ import annotations

import datetime as dt
import io
import json
import re
import zipfile
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner

from dashboard.export.council import write_council_workbook
from indicators.catalog import load_catalog
from indicators.method import status_rules
from indicators.results import series, values
from ivm.cli import main

SHEETS = ["Samenvatting", "Proactie", "Preparatie", "Preventie", "Reactie", "Nazorg", "Wijken",
          "Veiligheidsindex", "Methode", "Bronnen"]


@pytest.fixture(scope="module")
def book(demo_city, tmp_path_factory):
    """The internal workbook of the demo city, written by `ivm export council`."""
    out = tmp_path_factory.mktemp("council") / "raad.xlsx"
    result = CliRunner().invoke(main, ["export", "council", "--out", str(out), "--db",
                                       str(demo_city[0].path)])
    assert result.exit_code == 0, result.output
    assert "raad.xlsx" in result.output
    return out


def _cells(path: Path) -> dict:
    wb = openpyxl.load_workbook(path)
    return {(ws.title, c.coordinate): (c.value, c.number_format)
            for ws in wb.worksheets for row in ws.iter_rows() for c in row
            if c.value is not None}


def _rows(ws, first_header: str) -> list[dict]:
    header_row = next(r for r in range(1, 12) if first_header in [c.value for c in ws[r]])
    header = [c.value for c in ws[header_row] if c.value is not None]
    out = []
    for vals in ws.iter_rows(min_row=header_row + 1, max_col=len(header), values_only=True):
        if vals[0] is None:
            break
        out.append(dict(zip(header, vals, strict=True)))
    return out


def test_two_runs_give_the_same_workbook(book, demo_city, tmp_path):
    again = tmp_path / "again.xlsx"
    con = demo_city[0].connect_read_only()
    try:
        write_council_workbook(con, again)
        buf = io.BytesIO()  # a Dash dcc.send_bytes download writes into a buffer
        write_council_workbook(con, buf)
    finally:
        con.close()
    first, second = _cells(book), _cells(again)
    assert len(first) > 2000
    assert first == second  # cell by cell: value and number format
    assert book.read_bytes() == again.read_bytes() == buf.getvalue()


def test_sheets_and_their_layout(book):
    wb = openpyxl.load_workbook(book)
    assert wb.sheetnames == SHEETS
    for ws in wb.worksheets:
        assert ws.freeze_panes, ws.title
        assert ws.auto_filter.ref, ws.title
        assert ws.page_setup.orientation == "landscape", ws.title
        assert ws.page_setup.fitToWidth == 1 and ws.page_setup.fitToHeight == 0, ws.title
        assert ws.sheet_properties.pageSetUpPr.fitToPage, ws.title
        assert ws.print_title_rows, ws.title
        assert ws.column_dimensions["A"].width > 5, ws.title
    s = wb["Samenvatting"]
    assert s.freeze_panes == "C6"
    assert s.auto_filter.ref.startswith("A5:T")
    assert s.print_title_rows == "$5:$5"


def test_belgian_number_and_date_formats(book):
    wb = openpyxl.load_workbook(book)
    rows = {r["Id"]: r for r in _rows(wb["Samenvatting"], "Id")}
    ws = wb["Samenvatting"]
    row_of = {ws.cell(r, 2).value: r for r in range(6, ws.max_row + 1)}
    r = row_of["PREV-01"]
    deadline = ws.cell(r, 13)
    assert isinstance(deadline.value, dt.datetime) and deadline.number_format == "dd/mm/yyyy"
    assert ws.cell(r, 20).number_format == "dd/mm/yyyy"
    assert ws.cell(r, 18).number_format == "0%"  # the chance of reaching the target
    assert ws.cell(r, 14).number_format == "#,##0.0"  # a rate per 1,000 households
    assert ws.cell(row_of["PREV-06"], 14).number_format == "0.0%"  # a survey share
    assert ws.cell(row_of["PREV-02"], 14).number_format == "#,##0"  # a count
    assert ws.cell(row_of["PREV-11"], 10).number_format == "#,##0.0"  # a 3-year mean
    assert rows["PREV-01"]["Symbool"] == "✔" and rows["PREV-01"]["Status"] == "behaald"
    assert 0 <= rows["PREV-01"]["Kans om het doel te halen"] <= 1
    # Dutch text in the reasons is Belgian too: decimal comma
    assert "Meer dan toeval" in rows["PREV-01"]["Toelichting"]  # the test in plain words
    assert "21/09/2026" in ws["A2"].value  # the revision's approval by the council, dd/mm/yyyy


def test_document_properties(book):
    wb = openpyxl.load_workbook(book)
    p = wb.properties
    assert p.title == "Veiligheidsplan: stand van zaken voor de gemeenteraad"
    assert p.creator == "ivmonitor" and p.language == "nl-BE"
    assert p.subject == "Lokaal integraal veiligheidsplan 2020-2027 (herziening)"
    assert p.created == dt.datetime(2026, 10, 31)  # the as-of date: reproducible
    props = {c.name: c.value for c in wb.custom_doc_props}
    assert props["ivm.audience"] == "internal"
    assert props["ivm.as_of"] == "2026-10-31"
    assert props["ivm.plan_version"] == "LIVP-2020-2027-v2"


def test_native_charts_with_series_baseline_and_target(book):
    with zipfile.ZipFile(book) as z:
        charts = [n for n in z.namelist() if n.startswith("xl/charts/chart")]
        xml = z.read(charts[0]).decode()
    assert len(charts) >= 20  # one per objective with at least two values
    assert len(re.findall(r"<(?:c:)?ser>", xml)) == 3 and "lineChart" in xml
    assert re.search(r'plotVisOnly val="0"', xml)  # the hidden chart columns are plotted
    wb = openpyxl.load_workbook(book)
    assert wb["Preventie"]._charts
    ws = wb["Preventie"]
    header = [c.value for c in ws[5]]
    chart_cols = [i + 1 for i, v in enumerate(header) if v and v.startswith("grafiek")]
    assert all(ws.column_dimensions[openpyxl.utils.get_column_letter(c)].hidden
               for c in chart_cols)


def _status_json(db: Path, *extra: str) -> list[dict]:
    out = CliRunner().invoke(main, ["status", "--db", str(db), "--format", "json", *extra])
    assert out.exit_code == 0, out.output
    return json.loads(out.stdout)


def _xlsx(x):
    """A number as an .xlsx holds it (openpyxl writes 16 significant digits)."""
    return None if x is None else float(f"{x:.16g}")


def _same(x, y, exact: bool) -> bool:
    """Equal as stored in the .xlsx; a recomputation for another as-of date sums doubles in
    parallel, so there the last bits may differ between two computations."""
    if x is None or y is None or exact:
        return _xlsx(x) == _xlsx(y)
    return x == pytest.approx(y, rel=1e-12, abs=1e-15)


def _check_summary(path: Path, records: list[dict], lang: str = "nl",
                   exact: bool = True) -> None:
    wb = openpyxl.load_workbook(path)
    ws = wb.worksheets[0]
    rows = _rows(ws, "Id")
    assert len(rows) == len(records)
    for row, rec in zip(rows, records, strict=True):
        values_ = list(row.values())
        (phase, oid, title, owner, partners, _ind, unit, area, code, base, base_period, target,
         deadline, current, period, symbol, status, chance, reason, cutoff) = values_
        assert (oid, code) == (rec["id"], rec["area"]["id"])
        assert title == rec["title"][lang] and area == rec["area"]["name"]
        assert owner == rec["owner"] and partners == (", ".join(rec["partners"]) or None)
        assert unit == rec["unit"][lang]
        assert _same(base, rec["baseline"]["value"], exact)
        assert base_period == rec["baseline"]["period"]
        assert _same(target, rec["target"]["value"], exact)
        assert _same(current, rec["current"]["value"], exact)
        assert period == rec["current"]["period"]
        assert deadline.date().isoformat() == rec["target"]["deadline"]
        assert cutoff.date().isoformat() == rec["cutoff"]
        assert (symbol, status) == (rec["symbol"], rec["status_label"][lang])
        assert _same(chance, rec["probability"], exact)
        assert reason == rec["reason"][lang]
        assert phase


def test_every_summary_figure_equals_ivm_status_json(book, demo_city):
    _check_summary(book, _status_json(demo_city[0].path))


def test_another_as_of_date_and_english(demo_city, tmp_path):
    db = demo_city[0].path
    out = tmp_path / "council-en.xlsx"
    result = CliRunner().invoke(main, ["export", "council", "--out", str(out), "--db", str(db),
                                       "--as-of", "2025-12-31", "--lang", "en"])
    assert result.exit_code == 0, result.output
    records = _status_json(db, "--as-of", "2025-12-31")
    assert records[0]["as_of"] == "2025-12-31"
    _check_summary(out, records, "en", exact=False)
    wb = openpyxl.load_workbook(out)
    assert wb.sheetnames[0] == "Summary" and "Neighbourhoods" in wb.sheetnames
    periods = {r["Period"] for r in _rows(wb["Prevention"], "Id")}
    assert "2025" in periods and "2026" not in periods  # nothing after the as-of date
    assert wb.properties.created == dt.datetime(2025, 12, 31)


def test_wijken_and_detail_figures_equal_the_indicators_layer(book, demo_city):
    """The dashboard reads indicators.results.values/series: the workbook shows the same."""
    wb = openpyxl.load_workbook(book)
    catalog = load_catalog()
    con = demo_city[0].connect_read_only()
    try:
        checked = 0
        frames: dict = {}
        for r in _rows(wb["Wijken"], "Indicator"):
            if r["Niveau"] not in ("wijk", "stad"):
                continue
            ind = catalog[r["Indicator-id"]]
            level = "wijk" if r["Niveau"] == "wijk" else "gemeente"
            for year in ("2019", "2024"):
                if r.get(year) is None:
                    continue
                if (ind.id, level, year) not in frames:
                    frames[ind.id, level, year] = values(con, ind, level, year)
                df = frames[ind.id, level, year]
                expected = df.loc[df["area_id"] == r["Gebiedscode"], "value"].iloc[0]
                assert _xlsx(r[year]) == _xlsx(float(expected)), (ind.id, r["Gebiedscode"], year)
                checked += 1
        assert checked > 300
        detail = _rows(wb["Preventie"], "Id")
        for row in detail:
            if row["Soort"] != "kalenderjaar":
                continue
            rec = next(x for x in _rows(wb["Samenvatting"], "Id") if x["Id"] == row["Id"])
            ind = next(i for i in catalog if i.title.nl == rec["Indicator"])
            point = next(p for p in series(con, ind, row["Gebiedscode"]).years
                         if p.period == row["Periode"])
            assert _xlsx(row["Waarde"]) == _xlsx(point.value)
            assert _xlsx(row["Ondergrens 95 %"]) == _xlsx(point.ci_low)
    finally:
        con.close()


def test_wijken_counts_add_up_to_the_city(book):
    wb = openpyxl.load_workbook(book)
    rows = [r for r in _rows(wb["Wijken"], "Indicator")
            if r["Indicator-id"] == "residential_burglary_count"]
    city = next(r for r in rows if r["Niveau"] == "stad")
    parts = [r for r in rows if r["Niveau"] != "stad"]
    assert len(parts) == 16
    for year in map(str, range(2017, 2026)):
        assert sum(r[year] for r in parts) == city[year]
    assert city["Totaal"] == sum(city[str(y)] for y in range(2017, 2026))
    assert city["Jaren in totaal"] == "2017-2025"


def test_method_and_sources_sheets(book):
    wb = openpyxl.load_workbook(book)
    method = _rows(wb["Methode"], "Id")
    catalog = load_catalog()
    assert {r["Id"] for r in method} == {i.id for i in catalog}
    burglary = next(r for r in method if r["Id"] == "residential_burglary_rate")
    assert "huishoudens" in burglary["Noemer"] and "Poisson" in burglary["Toets (ruismodel)"]
    assert "1-4" in burglary["Onderdrukking (publiek)"]
    text = " ".join(str(c) for row in wb["Methode"].iter_rows(values_only=True) for c in row
                    if c)
    for label, rule in status_rules("nl"):
        assert label in text and rule in text  # the status rules of the one method text
    loads = _rows(wb["Bronnen"], "Lading")
    assert [r["Soort"] for r in loads][:3] == ["gebieden", "gebieden", "gebieden"]
    assert {r["Uitkomst"] for r in loads} == {"✔ geladen"}
    police = next(r for r in loads if r["Soort"] == "incidenten")
    assert police["Bestand"] == "politie_export.csv" and police["Afsluitdatum"].year == 2026
    assert police["Rijen gelezen"] == police["Geladen"] > 40_000
    sources = " ".join(str(c) for row in wb["Bronnen"].iter_rows(values_only=True) for c in row
                       if c)
    assert "LIVP-2020-2027-v2" in sources and "gemeenteraad" in sources
    assert "Wijken voor omgevingsanalyse" in sources and "Statbel" in sources


def test_cli_errors_are_one_line(tmp_path, demo_city):
    runner = CliRunner()
    out = runner.invoke(main, ["export", "council", "--out", str(tmp_path / "no" / "x.xlsx"),
                               "--db", str(demo_city[0].path)])
    assert out.exit_code == 1 and out.output.startswith("error [no_folder]")
    out = runner.invoke(main, ["export", "council", "--out", str(tmp_path / "x.xlsx"),
                               "--audience", "everyone"])
    assert out.exit_code == 2
    out = runner.invoke(main, ["export", "csv", "nope", "--out", str(tmp_path / "x.csv"),
                               "--db", str(demo_city[0].path)])
    assert out.exit_code == 1 and "error [unknown_table]" in out.output
    out = runner.invoke(main, ["export", "csv", "incident", "--out", str(tmp_path / "x.csv"),
                               "--audience", "public", "--db", str(demo_city[0].path)])
    assert out.exit_code == 1 and "error [not_public]" in out.output


def test_empty_warehouse_has_nothing_to_export(warehouse, tmp_path):
    out = CliRunner().invoke(main, ["export", "council", "--out", str(tmp_path / "x.xlsx"),
                                    "--db", str(warehouse.path)])
    assert out.exit_code == 1 and "error [no_results]" in out.output


def test_csv_of_the_stored_tables(demo_city, tmp_path):
    from dashboard.export.tables import table_csv, table_names

    con = demo_city[0].connect_read_only()
    try:
        internal = table_names("internal", con)
        public = table_names("public", con)
        assert {"incident", "nuisance", "survey_response", "quarantine"} <= set(internal)
        assert not {"incident", "nuisance", "survey_response", "survey_answer", "activity",
                    "quarantine", "load_log"} & set(public)
        raw = table_csv(con, "incident")
        assert raw.startswith(b"\xef\xbb\xbfsource,source_id,category,occurred_at")
        assert raw.count(b"\n") == con.execute("SELECT count(*) + 1 FROM incident").fetchall()[0][0]
        progress = table_csv(con, "objective_progress", "public").decode("utf-8-sig")
        assert progress.count("\n") == 1 + len(_status_json(demo_city[0].path))
    finally:
        con.close()
    out = CliRunner().invoke(main, ["export", "csv", "indicator_value", "--audience", "public",
                                    "--out", str(tmp_path / "v.csv"), "--db",
                                    str(demo_city[0].path)])
    assert out.exit_code == 0, out.output
    text = (tmp_path / "v.csv").read_text(encoding="utf-8-sig")
    assert text.startswith("indicator_id,area_id,area_level,period_type,period,value")
    assert ",true\n" in text  # suppressed rows are flagged
