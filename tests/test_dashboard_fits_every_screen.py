"""The dashboard as a city publishes it, tried in headless Chromium: every page each role can
reach (and the public server's), in Dutch and in English, at a phone's, a laptop's and a
desktop's width.

One walk visits the matrix once and records what it finds; each test below asserts one rule
over the whole walk: no page scrolls sideways, sign-out stays on screen, the document declares
the page's language, the skip link comes first, axe-core finds no serious or critical violation
of WCAG 2.1 A/AA, and the browser's console stays empty.

axe-core is Deque's engine, its browser build (``axe.min.js``) as the PyPI package
``axe-playwright-python`` ships it; the test injects it into each page itself (never from a
CDN).
"""

from __future__ import annotations

import contextlib
import shutil
from collections import Counter
from dataclasses import dataclass, field
from importlib.resources import files
from pathlib import Path

import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from access.roles import ROLES
from tests.conftest import ensure_user, login, serve

#: A phone, a small laptop and a desktop (issue 18's matrix; 768 is a tablet).
WIDTHS = (390, 768, 1280, 1440)
#: The widths axe-core checks: one in each layout the style sheets make (their breakpoints are
#: 760, 1000 and 1100 px): the phone's stacked cards, the tablet's, and the desktop's tables
#: (a laptop's 1280 px lays out as 1440 does).
AXE_WIDTHS = (390, 768, 1440)
LANGS = ("nl", "en")
#: The partner of the ``dienst`` account, and an objective of each kind of viewer.
DIENST_PARTNER = "preventiedienst"
OBJECTIVE = {"dienst": "PREV-01"}
DEFAULT_OBJECTIVE = "REA-02"

#: Elements that stick out past the right edge, named for the failure message.
OVERFLOW_JS = """() => {
  const w = document.documentElement.clientWidth;
  const wide = document.documentElement.scrollWidth;
  const out = [];
  if (wide > w) {
    for (const el of document.querySelectorAll('body *')) {
      const r = el.getBoundingClientRect();
      if (r.right > w + 1 && r.width > 0) {
        out.push((el.id ? '#' + el.id : el.tagName.toLowerCase() + '.' + el.className)
                 + ' ' + Math.round(r.right));
        if (out.length >= 5) break;
      }
    }
  }
  return {width: w, scroll: wide, offenders: out};
}"""

CHARTS_FIT_JS = """() => [...document.querySelectorAll('.js-plotly-plot .main-svg')].every(
  s => s.getBoundingClientRect().right <= document.documentElement.clientWidth + 1)"""

#: axe-core's browser build and what it is asked: the WCAG 2.1 A and AA rules (and its best
#: practices, counted but only failing when serious or critical).
AXE_SOURCE = files("axe_playwright_python").joinpath("axe.min.js").read_text(encoding="utf-8")
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]
AXE_RUN_JS = """async (tags) => {
  const result = await axe.run(document, {runOnly: {type: 'tag', values: tags},
                                          resultTypes: ['violations']});
  return result.violations.map(v => ({id: v.id, impact: v.impact || 'minor', help: v.help,
    nodes: v.nodes.length, target: v.nodes.slice(0, 3).map(n => n.target.join(' ')).join(' | ')}));
}"""
FAILING_IMPACTS = ("serious", "critical")

LOGOUT_JS = """() => {
  const b = document.querySelector('#nav-logout');
  if (!b) return null;
  const r = b.getBoundingClientRect();
  const s = getComputedStyle(b);
  return r.width > 0 && r.left >= 0 && r.right <= document.documentElement.clientWidth
         && s.visibility !== 'hidden' && s.color !== s.backgroundColor;
}"""


@dataclass
class Walk:
    """What the walk found: one line per problem, per rule."""

    visited: list[str] = field(default_factory=list)
    overflow: list[str] = field(default_factory=list)
    logout: list[str] = field(default_factory=list)
    lang: list[str] = field(default_factory=list)
    skip: list[str] = field(default_factory=list)
    console: list[str] = field(default_factory=list)
    axe: list[str] = field(default_factory=list)
    axe_impacts: Counter = field(default_factory=Counter)


def _paths(page, role: str) -> list[str]:
    """The pages this viewer reaches from the header and footer, and an objective's page."""
    links = page.eval_on_selector_all(
        "header.top nav a, footer.foot a[id^='footer-']",
        "els => els.map(a => new URL(a.href).pathname)")
    paths = list(dict.fromkeys(links))
    paths.append(f"/doelstelling/{OBJECTIVE.get(role, DEFAULT_OBJECTIVE)}")
    return paths


def _visit(page, url: str, lang: str) -> None:
    page.goto(url + ("&" if "?" in url else "?") + f"lang={lang}")
    page.wait_for_selector("main#inhoud", timeout=60000)
    page.wait_for_load_state("networkidle", timeout=60000)


def _axe(page, walk: Walk, where: str) -> None:
    for v in page.evaluate(AXE_RUN_JS, AXE_TAGS):
        walk.axe_impacts[v["impact"]] += v["nodes"]
        if v["impact"] in FAILING_IMPACTS:
            walk.axe.append(f"{where}: {v['impact']} {v['id']} ({v['help']}) x{v['nodes']}: "
                            f"{v['target']}")


def _check(page, walk: Walk, where: str, role: str, lang: str) -> None:
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 844 if width < 700 else 900})
        with contextlib.suppress(PlaywrightTimeout):  # the charts follow the new width
            page.wait_for_function(CHARTS_FIT_JS, timeout=3000)
        found = page.evaluate(OVERFLOW_JS)
        if found["scroll"] > found["width"]:
            walk.overflow.append(f"{where} @{width}px: {found['scroll']} px wide "
                                 f"({', '.join(found['offenders'])})")
        if role != "publiek" and page.evaluate(LOGOUT_JS) is not True:
            walk.logout.append(f"{where} @{width}px")
        if width in AXE_WIDTHS:
            _axe(page, walk, f"{where} @{width}px")
    declared = page.evaluate("() => document.documentElement.lang")
    if declared != lang:
        walk.lang.append(f"{where}: <html lang={declared!r}>")
    page.evaluate("() => { if (document.activeElement) document.activeElement.blur(); "
                  "window.scrollTo(0, 0); }")
    page.keyboard.press("Tab")
    first = page.evaluate("() => document.activeElement && document.activeElement.id")
    if first != "skip-link":
        walk.skip.append(f"{where}: first Tab reaches {first!r}")


@pytest.fixture(scope="module")
def walk(demo_city, tmp_path_factory, browser) -> Walk:
    """Every page of every role and of the public server, both languages, every width."""
    db = tmp_path_factory.mktemp("screens") / "demo.duckdb"
    shutil.copyfile(demo_city[0].path, db)
    return walk_matrix(db, browser)


def walk_matrix(db: Path, browser) -> Walk:
    """Serve ``db`` (signed in and public) and walk the matrix in ``browser``."""
    url, proc = serve(db)
    public_url, public_proc = serve(db, "--public")
    found = Walk()
    try:
        viewers: list[tuple[str, str, str | None]] = [("publiek", public_url, None)]
        for role in ROLES:
            if role == "publiek":
                continue
            password = ensure_user(db, f"s-{role}", role,
                                   DIENST_PARTNER if role == "dienst" else None)
            viewers.append((role, url, login(url, f"s-{role}", password)))
        for role, base, cookie in viewers:
            for lang in LANGS:
                context = browser.new_context(viewport={"width": 1440, "height": 900})
                # axe-core enters every document as the browser makes it (the page's own
                # Content-Security-Policy allows no injected inline script)
                context.add_init_script(script=AXE_SOURCE)
                if cookie:
                    name, value = cookie.split("=", 1)
                    context.add_cookies([{"name": name, "value": value, "url": base}])
                page = context.new_page()
                page.on("console", lambda m, r=role, lg=lang: found.console.append(
                    f"{r}/{lg} {m.text}") if m.type == "error" else None)
                page.on("pageerror", lambda e, r=role, lg=lang: found.console.append(
                    f"{r}/{lg} {e}"))
                _visit(page, base + "/", lang)
                for path in _paths(page, role):
                    where = f"{role} {path}?lang={lang}"
                    _visit(page, base + path, lang)
                    found.visited.append(where)
                    _check(page, found, where, role, lang)
                context.close()
    finally:
        for p in (proc, public_proc):
            p.terminate()
            p.wait(timeout=20)
    return found


def test_the_walk_reaches_every_page_of_every_role(walk):
    roles = {v.split(" ", 1)[0] for v in walk.visited}
    assert roles == set(ROLES)
    assert any(v.startswith("beheerder /beheer?") for v in walk.visited)
    assert any(v.startswith("dienst /doelstelling/PREV-01") for v in walk.visited)
    assert any(v.startswith("publiek /wijken?lang=en") for v in walk.visited)
    assert any(v.startswith("publiek /doelstelling/REA-02") for v in walk.visited)
    assert any(v.startswith("publiek /methode?") for v in walk.visited)


def test_no_page_scrolls_sideways_on_a_phone_a_tablet_or_a_laptop(walk):
    assert walk.overflow == []


def test_sign_out_stays_on_screen_at_every_width(walk):
    assert walk.logout == []


def test_every_page_declares_the_language_it_speaks(walk):
    assert walk.lang == []


def test_the_first_tab_reaches_the_skip_link(walk):
    assert walk.skip == []


def test_axe_core_finds_no_serious_or_critical_violation(walk):
    print("axe-core violations by impact (elements):",
          ", ".join(f"{k} {walk.axe_impacts[k]}" for k in ("critical", "serious", "moderate",
                                                           "minor")))
    assert walk.axe == []


def test_the_console_stays_empty(walk):
    assert walk.console == []
