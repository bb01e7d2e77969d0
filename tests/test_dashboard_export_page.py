"""The export page downloads the council workbook (the same as `ivm export council`) and safe
CSV tables, in a real browser; the workbook opens and holds the plan's objectives."""

from __future__ import annotations

import csv
import io

import openpyxl

from tests.conftest import render


def test_the_export_page_lists_the_tables_per_audience(demo_url):
    internal = render(demo_url, "/export")
    assert "Werkboek voor de gemeenteraad" in internal and "incident" in internal
    public = render(demo_url, "/export", "?audience=public")
    assert "Publiek: kleine aantallen afgeschermd, klaar om te publiceren" in public
    assert "Voor wie is de export?" in public
    # tables by their name in words, each with a line on what it holds
    assert "Voortgang van de doelstellingen" in public and '"objective_progress"' in public
    assert "Geregistreerde feiten (per feit)" in internal
    assert "Geregistreerde feiten" not in public
    english = render(demo_url, "/export", "?lang=en")
    assert "Council workbook" in english


def test_the_workbook_downloads_and_opens_with_every_objective(demo_url, page, tmp_path):
    page.goto(demo_url + "/export")
    page.wait_for_selector("#export-council-button", timeout=30000)
    with page.expect_download(timeout=60000) as info:
        page.click("#export-council-button")
    download = info.value
    assert download.suggested_filename.startswith("ivmonitor-gemeenteraad-2026-10-31")
    path = tmp_path / "council.xlsx"
    download.save_as(path)
    wb = openpyxl.load_workbook(path)
    assert "Samenvatting" in wb.sheetnames
    text = " ".join(str(c.value) for row in wb["Samenvatting"].iter_rows() for c in row)
    for oid in ("PRO-01", "PREV-01", "REA-01", "NAZ-05"):
        assert oid in text
    assert page.console_errors == []


def _download_csv(page) -> bytes:
    from pathlib import Path

    with page.expect_download(timeout=60000) as info:
        page.click("#export-csv-button")
    return Path(info.value.path()).read_bytes()


def test_a_table_downloads_as_csv_for_belgian_excel_or_for_scripts(demo_url, page):
    """Belgian Excel (semicolons, a decimal comma, UTF-8 with a byte-order mark) by default;
    plain comma CSV with a decimal point for scripts; the same rows either way."""
    page.goto(demo_url + "/export")
    page.wait_for_selector("#export-csv-button", timeout=30000)
    page.click("#export-table")
    page.click(".dash-dropdown-option:has-text('Inwoners en huishoudens per gebied')")
    page.wait_for_function("() => document.querySelector('#export-table-about').innerText"
                           ".includes('inwoners en huishoudens')", timeout=30000)
    excel = _download_csv(page)
    assert excel.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(excel.decode("utf-8-sig")), delimiter=";"))
    assert rows[0] == ["area_id", "year", "inhabitants", "households"] and len(rows) > 10
    page.click("#export-dialect label:has-text('scripts')")
    page.wait_for_timeout(300)
    plain = _download_csv(page)
    assert list(csv.reader(io.StringIO(plain.decode("utf-8-sig")))) == rows
    assert page.console_errors == []


def test_decimal_numbers_take_a_comma_in_the_belgian_excel_dialect(demo_city):
    from dashboard.export.tables import table_csv

    con = demo_city[0].connect_read_only()
    try:
        excel = table_csv(con, "indicator_value", "public", "publiek", "excel")
        plain = table_csv(con, "indicator_value", "public", "publiek", "comma")
    finally:
        con.close()
    excel_rows = list(csv.DictReader(io.StringIO(excel.decode("utf-8-sig")), delimiter=";"))
    plain_rows = list(csv.DictReader(io.StringIO(plain.decode("utf-8-sig"))))
    assert len(excel_rows) == len(plain_rows) > 0
    decimals = [(e["value"], p["value"]) for e, p in zip(excel_rows, plain_rows, strict=True)
                if "." in p["value"]]
    assert decimals and all(e == p.replace(".", ",") for e, p in decimals)
