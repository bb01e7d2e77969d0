"""Screenshots of the dashboard for the README, made by code (``make screenshots``): the demo
served by ``ivm serve`` on 127.0.0.1 (signed in, and the public server of ``--public``),
photographed in headless Chromium."""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
from pathlib import Path

from bench.dashboard import (
    CHROMIUM_FLAGS,
    browser_context,
    free_port,
    start_server,
    wait_until_served,
)
from bench.load import REPO

#: The screens: a laptop, and a phone (390 x 844).
LAPTOP = {"width": 1360, "height": 900}
PHONE = {"width": 390, "height": 844}
#: (file name, URL path, element to wait for, screen)
SHOTS = [
    ("overzicht.png", "/", ".page", LAPTOP),
    ("doelstelling.png", "/doelstelling/PREV-01", ".js-plotly-plot", LAPTOP),
    ("wijken.png", "/wijken?indicator=residential_burglary_rate&level=wijk&period=2025",
     ".js-plotly-plot", LAPTOP),
    ("overzicht-telefoon.png", "/", ".page", PHONE),
    ("doelstelling-telefoon.png", "/doelstelling/PREV-01", ".js-plotly-plot", PHONE),
]
#: The same for the public server (no sign-in): an objective's chart of its public figures on
#: a phone (an element named by its id is scrolled to the top of the screen).
PUBLIC_SHOTS = [
    ("publiek-doelstelling-telefoon.png", "/doelstelling/PREV-01", "#objective-public-graph",
     PHONE),
]


def start_public(db: Path) -> tuple[str, subprocess.Popen]:
    """``ivm serve --public`` for ``db`` on a free loopback port; its URL and process."""
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "ivm", "serve", "--public", "--port", str(port), "--db", str(db)],
        cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    wait_until_served(url, proc, "/")
    return url, proc


def main(argv: list[str] | None = None) -> int:
    """Photograph the pages of the warehouse ``--db`` into ``--out``."""
    parser = argparse.ArgumentParser(prog="python -m bench.screenshots", description=__doc__)
    parser.add_argument("--db", type=Path, default=REPO / "data" / "ivmonitor.duckdb")
    parser.add_argument("--out", type=Path, default=REPO / "docs" / "img")
    args = parser.parse_args(argv)
    from playwright.sync_api import sync_playwright

    args.out.mkdir(parents=True, exist_ok=True)
    url, proc = start_server(args.db, 2)
    public_url, public_proc = start_public(args.db)
    try:
        with sync_playwright() as pw:
            chromium = shutil.which("chromium") or "/usr/bin/chromium"
            browser = pw.chromium.launch(executable_path=chromium, args=CHROMIUM_FLAGS)
            pages = {}
            shots = [(url, *s) for s in SHOTS] + [(public_url, *s) for s in PUBLIC_SHOTS]
            for base, name, path, selector, screen in shots:
                key = (base, screen["width"], screen["height"])
                if key not in pages:
                    pages[key] = browser_context(browser, base, viewport=screen).new_page()
                page = pages[key]
                page.goto(base + path)
                page.wait_for_selector(selector, timeout=60000)
                page.wait_for_load_state("networkidle")
                if selector.startswith("#"):
                    page.evaluate("(s) => { const e = document.querySelector(s); window.scrollTo("
                                  "0, e.getBoundingClientRect().top + window.scrollY - 190); }",
                                  selector)
                page.wait_for_timeout(500)
                page.screenshot(path=str(args.out / name))
                print(f"wrote {args.out / name}")
            browser.close()
    finally:
        for p in (proc, public_proc):
            p.terminate()
            p.wait(timeout=30)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
