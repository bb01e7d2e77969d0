"""The dashboard is served by gunicorn over real HTTP and in headless Chromium: Dutch by default,
English on request, every asset from the app itself, new loads shown without a restart."""

from __future__ import annotations

import urllib.request

from tests.conftest import admin_cookie, render, serve


def get(base: str, path: str) -> urllib.request.Request:
    """A signed-in request (the test administrator)."""
    return urllib.request.Request(base + path, headers={"Cookie": admin_cookie(base)})


def test_pages_and_scripts_come_from_the_app_itself(demo_url):
    html = urllib.request.urlopen(get(demo_url, "/gegevens"), timeout=20).read().decode()
    assert "ivmonitor" in html
    assert "cdn" not in html.lower() and "unpkg" not in html.lower()
    # of Dash's @babel/polyfill only the regenerator runtime is served (every browser test
    # checks that no page then logs an error)
    assert "polyfill@" not in html and "/assets/vendor/regenerator-runtime-" in html
    scripts = [s.split('"')[0] for s in html.split('src="')[1:]]
    assert scripts and all(s.startswith("/") for s in scripts), scripts
    for s in scripts[:3]:
        assert urllib.request.urlopen(get(demo_url, s), timeout=20).status == 200


def test_graphs_load_the_small_plotly_bundle_of_the_installed_plotly_only_when_needed(
        demo_url):
    from plotly.offline import get_plotlyjs_version

    version = get_plotlyjs_version()
    bundle = f"/assets/vendor/plotly-basic-{version}.min.js"
    html = urllib.request.urlopen(get(demo_url, "/gegevens"), timeout=20).read().decode()
    assert "plotly-bundle.js" in html  # the loader, in every page
    assert "plotly-basic" not in html and "plotly.min.js" not in html  # not the bundle
    body = urllib.request.urlopen(get(demo_url, bundle), timeout=20).read()
    assert body.startswith(f"/**\n* plotly.js (basic - minified) v{version}\n".encode())
    loader = urllib.request.urlopen(get(demo_url, "/assets/plotly-bundle.js"), timeout=20)
    assert bundle.rsplit("/", 1)[1] in loader.read().decode()


def test_the_data_page_renders_in_chromium_in_dutch_and_english(demo_url, page):
    page.goto(demo_url + "/gegevens")
    page.wait_for_selector("#sources-table", timeout=30000)
    body = page.inner_text("#page-data")
    assert "Data tot en met" in body and "In quarantaine" in body
    assert "✔ geladen" in body and "incidenten" in body and "31/10/2026" in body
    page.click("#lang-switch")
    page.wait_for_selector("text=Data up to", timeout=20000)
    assert "Quarantined" in page.inner_text("#page-data")
    assert "lang=en" in page.url
    assert page.console_errors == []


def test_a_load_while_serving_shows_up_without_a_restart(demo_copy, tmp_path):
    from ivm.wiring import load_any

    url, proc = serve(demo_copy.path, "--workers", "2")
    try:
        before = render(url, "/gegevens")
        extra = tmp_path / "late.csv"
        extra.write_text("source_id,category,occurred_at,area_code\n"
                         "LATE-1,drugs,2026-10-31 23:00,41002A00-\n", encoding="utf-8")
        load_any(demo_copy, "incidents", str(extra), "canonical", False, {})
        after = [render(url, "/gegevens") for _ in range(8)]  # every worker, every thread
        assert "late.csv" not in before
        assert all("late.csv" in page for page in after)
    finally:
        proc.terminate()
        proc.wait(timeout=20)
