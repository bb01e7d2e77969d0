"""One language at a time: every page, as the server renders it for the browser, and every cell
of the council workbook speak Dutch or English, never a mix. Each page's words (text, titles,
labels, options) and each cell's text are held against a word list of the other language; names
from the data (areas, partners, file names, load profiles and ids) are names, not words, and
are left out, and so is text a person wrote (an owner's update, a partner's name) where the page
marks it with its own language (``lang``, WCAG 3.1.2). The open-data credits are quoted as their
licences ask, in the publisher's words. Charts carry Plotly's own words in the page's language.
"""

from __future__ import annotations

import io
import json
import re

import duckdb
import openpyxl
import pytest

from dashboard.export.council import write_council_workbook
from dashboard.export.council_text import CREDITS
from tests.conftest import render


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


#: Words that are English and not Dutch (a Dutch page must not show one), and the reverse.
ENGLISH = _words(
    "the and with from objective objectives area areas target baseline current share year years "
    "loaded canonical source sources users enabled reset autoscale download select compare "
    "hover quarter since between within insufficient rows figures than more less chance about "
    "not yes sign approved by for each every which when question event counts none rule")
DUTCH = _words(
    "de het een en van voor niet doelstelling doelstellingen gebied gebieden wijk wijken "
    "gemeenteraad sinds tegen jaar kwartaal bevraging overlast feiten geladen inwoners "
    "huishoudens meldingen afgeschermd toelichting eigenaar nog geen ja nee dan goedgekeurd "
    "aangemeld afmelden bij voor elke welke wanneer vraag telt gebeurtenis regel bron")
OTHER = {"nl": ENGLISH, "en": DUTCH}
PATHS = ("/", "/keten", "/wijken", "/partners", "/gegevens", "/export", "/beheer",
         "/opvolging", "/signalen", "/methode", "/toegankelijkheid", "/doelstelling/REA-02",
         "/doelstelling/PREV-12", "/doelstelling/PRO-02")
#: A token that names something (an id, a file, an address, a quoted value from the data)
#: rather than saying something.
NAME_LIKE = re.compile(r'[_./@:\\"]|\d')


def _strings(node, out: list[str], lang: str) -> list[str]:
    """Every text a page shows or says: children, titles, labels, placeholders, options; a
    part marked as being in another language (``lang``, WCAG 3.1.2) is that language's."""
    if isinstance(node, str):
        out.append(node)
    elif isinstance(node, list):
        for n in node:
            _strings(n, out, lang)
    elif isinstance(node, dict):
        props = node.get("props", node)
        if props.get("lang") not in (None, lang):
            return out
        for key in ("children", "title", "label", "placeholder", "aria-label", "options"):
            if key in props:
                _strings(props[key], out, lang)
    return out


def _configs(node, out: list[dict]) -> list[dict]:
    """The configuration of every chart on a page."""
    if isinstance(node, list):
        for n in node:
            _configs(n, out)
    elif isinstance(node, dict):
        props = node.get("props", {})
        if node.get("type") == "Graph":
            out.append(props.get("config") or {})
        _configs(props.get("children"), out)
    return out


@pytest.fixture(scope="module")
def names(demo_city) -> list[str]:
    """The names in the data: areas, partners and load profiles, longest first; and the
    open-data credits, quoted in the publisher's words."""
    con = duckdb.connect(str(demo_city[0].path), read_only=True)
    try:
        found = {r[0] for r in con.execute("SELECT name FROM area").fetchall() if r[0]}
        for sql in ("SELECT DISTINCT owner FROM objective", "SELECT DISTINCT profile FROM "
                    "load_log WHERE profile <> 'canonical'"):
            found |= {r[0] for r in con.execute(sql).fetchall() if r[0]}
    finally:
        con.close()
    found |= {text for _, _, credit, licence in CREDITS for text in (credit, licence)}
    return sorted(found, key=len, reverse=True)


def leaks(strings: list[str], lang: str, names: list[str]) -> set[str]:
    """The other language's words among ``strings`` (names from the data left out)."""
    found = set()
    for text in strings:
        for name in names:
            text = text.replace(name, " ")
        for token in text.split():
            if NAME_LIKE.search(token):
                continue
            found |= {w for w in re.findall(r"[A-Za-zÀ-ÿ]+", token) if w.lower() in OTHER[lang]}
    return found


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_no_page_mixes_in_the_other_language(demo_url, names, lang):
    problems = {}
    for path in PATHS:
        body = json.loads(render(demo_url, path, f"?lang={lang}"))["response"]
        found = leaks(_strings(body["_pages_content"]["children"], [], lang), lang, names)
        if found:
            problems[path] = sorted(found)
    assert problems == {}


@pytest.fixture(scope="module")
def workbooks(demo_city) -> dict[tuple[str, str], openpyxl.Workbook]:
    """The council workbook of the demo city, internal and public, in Dutch and in English."""
    con = demo_city[0].connect_read_only()
    books = {}
    try:
        for lang in ("nl", "en"):
            for audience in ("internal", "public"):
                buf = io.BytesIO()
                write_council_workbook(con, buf, audience=audience, lang=lang)
                books[lang, audience] = openpyxl.load_workbook(io.BytesIO(buf.getvalue()))
    finally:
        con.close()
    return books


@pytest.mark.parametrize("lang", ["nl", "en"])
@pytest.mark.parametrize("audience", ["internal", "public"])
def test_no_workbook_cell_mixes_in_the_other_language(workbooks, names, lang, audience):
    book = workbooks[lang, audience]
    problems = {}
    for ws in book.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                if isinstance(cell.value, str):
                    found = leaks([cell.value], lang, names)
                    if found:
                        problems[f"{ws.title}!{cell.coordinate}"] = (sorted(found),
                                                                     cell.value[:80])
    assert [ws.title for ws in book.worksheets]  # the workbook was read
    assert problems == {}


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_the_browsers_title_and_the_charts_speak_the_pages_language(demo_url, lang):
    body = json.loads(render(demo_url, "/doelstelling/REA-02", f"?lang={lang}"))["response"]
    title = body["_pages_store"]["data"]["title"]
    assert title.startswith({"nl": "Doelstelling REA-02", "en": "Objective REA-02"}[lang])
    configs = _configs(body["_pages_content"]["children"], [])
    assert configs and all(c.get("locale") == lang for c in configs)
    if lang == "nl":
        toolbar = configs[0]["locales"]["nl"]
        assert toolbar["dictionary"]["Reset axes"] == "Assen herstellen"
        assert toolbar["format"]["decimal"] == "," and toolbar["format"]["shortMonths"][2] == "mrt"


def test_the_word_lists_catch_a_mixed_sentence():
    assert leaks(["Doel tegen 2027, approved by the council"], "nl", []) == {
        "approved", "by", "the"}
    assert leaks(["Target by 2027 (wijk Ten Rozen)"], "en", []) == {"wijk"}
    assert leaks(["Target by 2027 (Ten Rozen (wijkproject))"], "en",
                 ["Ten Rozen (wijkproject)"]) == set()
    assert leaks(["areas_sectors.csv avoid_places_share"], "nl", []) == set()
    assert leaks(['question q_vermijden, counts answer "ja"'], "nl", []) == {
        "question", "counts"}
