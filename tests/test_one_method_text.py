"""One method text: the objective page and the council workbook's Methode sheet render the same
plain-words method (``indicators/method.py``), shipped in the package; nothing reads ``docs/``
at run time."""

from __future__ import annotations

import re
from pathlib import Path

import openpyxl
import pytest

from dashboard.app import create_app
from dashboard.export.council import write_council_workbook
from dashboard.registry import page_module
from indicators import method
from indicators.results import stored_catalog
from indicators.status import StatusFilter, status_records

ROOT = Path(__file__).resolve().parent.parent
PRODUCT = ("core", "etl", "indicators", "access", "dashboard", "ivm")


def _texts(node) -> list[str]:
    if isinstance(node, str):
        return [node]
    children = getattr(node, "children", None)
    if isinstance(children, list | tuple):
        return [x for c in children for x in _texts(c)]
    return _texts(children) if children is not None else []


def _workbook_method(path: Path, objective: str, area: str) -> str:
    ws = openpyxl.load_workbook(path)["Methode"]
    rows = list(ws.iter_rows(values_only=True))
    start = next(i for i, r in enumerate(rows) if r[:4] == ("Id", "Gebied", "Status", "Methode"))
    names = {r[0]: r for r in rows[start + 1:] if r[0]}
    hit = [r for r in rows[start + 1:] if r[0] == objective]
    assert hit, names.keys()
    return next(r[3] for r in hit if area in (r[1] or "") or len(hit) == 1)


@pytest.fixture(scope="module")
def demo(demo_city):
    wh = demo_city[0]
    create_app(wh)  # the pages register with the app
    con = wh.connect_read_only()
    try:
        rec = status_records(con, StatusFilter(objective="PREV-01"))[0]
        ind = stored_catalog(con)[rec["indicator"]]
    finally:
        con.close()
    return wh, rec, ind


def test_the_objective_page_and_the_workbook_say_the_same_method(demo, tmp_path):
    page = page_module("objective")
    wh, rec, ind = demo
    sentences = method.sentences(rec, ind, "nl")
    assert len(sentences) >= 4 and any("Poisson" in s for s in sentences)
    section = page._method(rec, ind, "nl")
    shown = next(c for c in section.children if getattr(c, "id", None) == "objective-method")
    assert [_texts(p)[0] for p in shown.children] == sentences
    con = wh.connect_read_only()
    try:
        write_council_workbook(con, tmp_path / "raad.xlsx")
    finally:
        con.close()
    assert _workbook_method(tmp_path / "raad.xlsx", "PREV-01", rec["area"]["name"]) == " ".join(
        sentences)


def test_a_new_sentence_appears_on_both_surfaces(demo, tmp_path, monkeypatch):
    page = page_module("objective")
    wh, rec, ind = demo
    monkeypatch.setattr(method, "SENTENCES", [*method.SENTENCES, lambda s: (
        "Een extra zin." if s.nl else "One more sentence.")])
    section = page._method(rec, ind, "en")
    shown = next(c for c in section.children if getattr(c, "id", None) == "objective-method")
    assert _texts(shown.children[-1]) == ["One more sentence."]
    con = wh.connect_read_only()
    try:
        write_council_workbook(con, tmp_path / "raad.xlsx")
    finally:
        con.close()
    assert _workbook_method(tmp_path / "raad.xlsx", "PREV-01", rec["area"]["name"]).endswith(
        "Een extra zin.")


def test_the_status_rules_come_in_both_languages_for_every_status():
    for lang in ("nl", "en"):
        rules = method.status_rules(lang)
        assert len(rules) == len(method.STATUS_RULES) and all(label and rule
                                                              for label, rule in rules)


def test_nothing_reads_docs_at_run_time():
    """No product module builds a path into ``docs/`` (a docstring may name a document)."""
    path_into_docs = re.compile(r"""/ ?["']docs["']|["']docs/[^"'\s]*\.md["']\s*\)""")
    found = [str(p.relative_to(ROOT)) for folder in PRODUCT
             for p in (ROOT / folder).rglob("*.py")
             if path_into_docs.search(p.read_text(encoding="utf-8"))
             and p.name not in ("catalog_doc.py", "formats_doc.py", "settings.py", "reasons.py")]
    assert found == []
