"""Plain words on every page, for every role and the public, in both languages: no command
name and no source path on any page; an indicator's id only for those who work with the
catalogue (beheerder, analist); and wherever a figure is hidden as ``x``, one line on the
same page says what the x means.

Each page is read as the server renders it for the browser (the pages callback over HTTP,
signed in as each role, or on the public server): its text, titles, labels and options.
"""

from __future__ import annotations

import json
import re
import shutil

import pytest

from access.roles import ANALYST_ROLES, ROLES
from dashboard.registry import PAGES
from indicators import load_catalog
from tests.conftest import ensure_user, login, render, serve

LANGS = ("nl", "en")
#: The objective each viewer opens (a dienst account follows its partner's objectives).
DIENST_PARTNER = "preventiedienst"
OBJECTIVE = {"dienst": "PREV-01"}
#: A command of the command-line tool, or a path into the source tree or the docs (a data
#: file's name, as the load log shows it, is not one).
COMMAND = re.compile(r"\bivm\s+[a-z]+|`ivm\b")
SOURCE_PATH = re.compile(r"\b(?:docs|etl|indicators|dashboard|core|access|ivm|tests)/"
                         r"|\b[\w-]+\.(?:py|sql|toml)\b")


def _strings(node, out: list[str]) -> list[str]:
    """Every text a page shows or says: children, titles, labels, placeholders, options."""
    if isinstance(node, str):
        out.append(node)
    elif isinstance(node, list):
        for n in node:
            _strings(n, out)
    elif isinstance(node, dict):
        props = node.get("props", node)
        for key in ("children", "title", "label", "placeholder", "aria-label", "options"):
            if key in props:
                _strings(props[key], out)
    return out


def _classes(node, out: set[str]) -> set[str]:
    """The class names of every element of a page."""
    if isinstance(node, list):
        for n in node:
            _classes(n, out)
    elif isinstance(node, dict):
        props = node.get("props", {})
        out.update(str(props.get("className") or "").split())
        _classes(props.get("children"), out)
    return out


@pytest.fixture(scope="module")
def pages_seen(demo_city, tmp_path_factory) -> dict[tuple[str, str, str], dict]:
    """Every page each role may open and every page of the public server, in both languages:
    (role, path, lang) -> the page's component tree."""
    db = tmp_path_factory.mktemp("plain") / "demo.duckdb"
    shutil.copyfile(demo_city[0].path, db)
    url, proc = serve(db)
    public_url, public_proc = serve(db, "--public")
    seen = {}
    try:
        for role in ROLES:
            if role == "publiek":
                base, cookie = public_url, ""
            else:
                password = ensure_user(db, f"p-{role}", role,
                                       DIENST_PARTNER if role == "dienst" else None)
                base, cookie = url, login(url, f"p-{role}", password)
            for page in PAGES.values():
                if role not in page.roles:
                    continue
                path = (page.base + OBJECTIVE.get(role, "REA-02") if page.template
                        else page.path)
                for lang in LANGS:
                    body = json.loads(render(base, path, f"?lang={lang}", cookie=cookie))
                    seen[role, path, lang] = body["response"]["_pages_content"]["children"]
    finally:
        for p in (proc, public_proc):
            p.terminate()
            p.wait(timeout=20)
    return seen


def test_every_role_and_the_public_were_read(pages_seen):
    assert {role for role, _, _ in pages_seen} == set(ROLES)
    assert ("publiek", "/", "en") in pages_seen and ("bestuur", "/doelstelling/REA-02",
                                                     "nl") in pages_seen


def test_no_page_names_a_command_or_a_source_path(pages_seen):
    found = {}
    for where, tree in pages_seen.items():
        for text in _strings(tree, []):
            hit = COMMAND.search(text) or SOURCE_PATH.search(text)
            if hit:
                found.setdefault(where, []).append(hit.group(0))
    assert found == {}


def test_indicator_ids_are_shown_to_analysts_only(pages_seen):
    ids = re.compile(r"\b(?:" + "|".join(re.escape(i.id) for i in load_catalog()) + r")\b")
    shown = {where for where, tree in pages_seen.items()
             if any(ids.search(text) for text in _strings(tree, []))}
    assert {w for w in shown if w[0] not in ANALYST_ROLES} == set()
    assert ("analist", "/doelstelling/REA-02", "nl") in shown  # the analyst keeps them


def test_wherever_a_figure_is_hidden_as_x_one_line_says_what_x_means(pages_seen):
    with_x = {where for where, tree in pages_seen.items() if "suppressed" in _classes(tree, set())}
    assert any(w[0] == "publiek" for w in with_x)  # the public view does hide figures
    unexplained = {w for w in with_x if "suppressed-note" not in _classes(pages_seen[w], set())}
    assert unexplained == set()


def test_the_line_that_explains_x_is_plain_and_in_the_pages_language(pages_seen):
    from core.vocabulary import SUPPRESSED_NOTE

    tree = pages_seen["publiek", "/wijken", "nl"]
    assert SUPPRESSED_NOTE["nl"] in _strings(tree, [])
    assert SUPPRESSED_NOTE["en"] in _strings(pages_seen["publiek", "/wijken", "en"], [])


def _graphs(node, out: dict[str, dict]) -> dict[str, dict]:
    """Every chart of a page by its id: its figure."""
    if isinstance(node, list):
        for n in node:
            _graphs(n, out)
    elif isinstance(node, dict):
        props = node.get("props", {})
        if node.get("type") == "Graph":
            out[props.get("id")] = props.get("figure") or {}
        _graphs(props.get("children"), out)
    return out


def test_the_public_and_a_city_service_see_a_chart_of_each_objectives_public_figures(
        pages_seen):
    for role, objective in (("publiek", "REA-02"), ("dienst", "PREV-01")):
        for lang in LANGS:
            graphs = _graphs(pages_seen[role, f"/doelstelling/{objective}", lang], {})
            figure = graphs.get("objective-public-graph")
            assert figure and figure["data"][0]["x"], (role, lang)
            assert "objective-graph" not in graphs  # never the internal chart


def test_the_method_page_is_plain_and_links_the_statistics(pages_seen):
    from indicators import status_rules

    for lang in LANGS:
        text = " ".join(_strings(pages_seen["publiek", "/methode", lang], []))
        assert all(label in text for label, _ in status_rules(lang))
        assert ("tussen 38 % en 51 %" if lang == "nl" else "between 38 % and 51 %") in text
        assert "p <" not in text and "Poisson" not in text  # the statistics: one click on
    export_link = [n for n in _strings(pages_seen["publiek", "/methode", "nl"], [])
                   if n == "Export"]
    assert export_link
