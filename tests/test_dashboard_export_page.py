"""The export page downloads the council workbook (the same as `ivm export council`) and safe
CSV tables, in a real browser; the workbook opens and holds the plan's objectives."""

from __future__ import annotations

import io

import openpyxl

from tests.conftest import render


def test_the_export_page_lists_the_tables_per_audience(demo_url):
    internal = render(demo_url, "/export")
    assert "Werkboek voor de gemeenteraad" in internal and "incident" in internal
    public = render(demo_url, "/export", "?audience=public")
    assert "Publiek (kleine aantallen afgeschermd)" in public
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


def test_a_table_downloads_as_csv(demo_url, page):
    page.goto(demo_url + "/export")
    page.wait_for_selector("#export-csv-button", timeout=30000)
    with page.expect_download(timeout=60000) as info:
        page.click("#export-csv-button")
    from pathlib import Path

    body = Path(info.value.path()).read_bytes()
    assert body.count(b"\n") >= 2
    assert page.console_errors == []
    assert io.BytesIO(body).readline().strip()
