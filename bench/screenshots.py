"""Screenshots of the dashboard for the README, made by code (``make screenshots``): the demo
served by ``ivm serve`` on 127.0.0.1, photographed in headless Chromium."""

from __future__ import annotations

import argparse
import shutil
from pathlib import Path

from bench.dashboard import CHROMIUM_FLAGS, browser_context, start_server
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


def main(argv: list[str] | None = None) -> int:
    """Photograph the pages of the warehouse ``--db`` into ``--out``."""
    parser = argparse.ArgumentParser(prog="python -m bench.screenshots", description=__doc__)
    parser.add_argument("--db", type=Path, default=REPO / "data" / "ivmonitor.duckdb")
    parser.add_argument("--out", type=Path, default=REPO / "docs" / "img")
    args = parser.parse_args(argv)
    from playwright.sync_api import sync_playwright

    args.out.mkdir(parents=True, exist_ok=True)
    url, proc = start_server(args.db, 2)
    try:
        with sync_playwright() as pw:
            chromium = shutil.which("chromium") or "/usr/bin/chromium"
            browser = pw.chromium.launch(executable_path=chromium, args=CHROMIUM_FLAGS)
            pages = {}
            for name, path, selector, screen in SHOTS:
                key = (screen["width"], screen["height"])
                if key not in pages:
                    pages[key] = browser_context(browser, url, viewport=screen).new_page()
                page = pages[key]
                page.goto(url + path)
                page.wait_for_selector(selector, timeout=60000)
                page.wait_for_load_state("networkidle")
                page.wait_for_timeout(500)
                page.screenshot(path=str(args.out / name))
                print(f"wrote {args.out / name}")
            browser.close()
    finally:
        proc.terminate()
        proc.wait(timeout=30)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
