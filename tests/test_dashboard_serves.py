"""The dashboard serves the data page over real HTTP and in headless Chromium, in Dutch by
default and in English on request, with every asset from the app itself."""

from __future__ import annotations

import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--no-first-run"]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def served(toy_city, write):
    """`ivm serve` on a free loopback port, with a warehouse holding a few loads."""
    from etl.load import load_file

    load_file(toy_city, "incidents", write(
        "i.csv", "category;occurred_at;area_code\ndrugs;01/03/2024;41002W01\nx;01/03/2024;Q\n"
    ))
    port = _free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "ivm", "serve", "--port", str(port), "--db", str(toy_city.path)],
        cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )
    url = f"http://127.0.0.1:{port}"
    for _ in range(100):
        try:
            urllib.request.urlopen(url, timeout=1)
            break
        except OSError:
            time.sleep(0.2)
    yield url
    proc.terminate()
    proc.wait(timeout=10)


def test_the_page_and_its_scripts_are_served_by_the_app_itself(served):
    html = urllib.request.urlopen(served, timeout=10).read().decode()
    assert "ivmonitor" in html
    assert "cdn" not in html.lower() and "unpkg" not in html.lower()


@pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="Debian chromium not installed")
def test_the_data_page_renders_in_chromium_in_dutch_and_english(served):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        page = browser.new_page()
        errors: list[str] = []
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        page.goto(served)
        page.wait_for_selector("text=Data tot en met", timeout=20000)
        body = page.inner_text("main")
        assert "Gegevens" in body and "In quarantaine" in body
        assert "✔ geladen" in body and "incidenten" in body
        page.goto(served + "/?lang=en")
        page.wait_for_selector("text=Data up to", timeout=20000)
        assert "Quarantined" in page.inner_text("main")
        browser.close()
    assert errors == []
