"""The dashboard benchmark runs end to end at a tiny budget (no timing asserted: the figures
only mean something on a quiet machine, `make bench`)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_the_dashboard_benchmark_replays_recorded_callbacks(demo_city, browser):
    out = subprocess.run(
        [sys.executable, "-m", "bench", "dashboard", "--db", str(demo_city[0].path),
         "--users", "2", "--seconds", "3", "--max-requests", "40", "--workers", "2",
         "--no-results", "--renders", "2"],
        cwd=ROOT, capture_output=True, text=True, timeout=600,
    )
    assert out.returncode in (0, 1), out.stderr[-3000:]
    text = out.stdout
    assert text.startswith("nproc "), "machine facts come first"
    for page in ("overview", "objective", "areas", "chain", "partners", "data", "export"):
        row = next((ln for ln in text.splitlines() if ln.startswith(page)), None)
        assert row is not None, f"no row for {page}:\n{text}"
        # the render was read off the browser's clock: something was drawn, after navigation
        first_render, slowest, idle = (float(c) for c in row.split()[-3:])
        assert 0.05 < first_render <= slowest < idle + 20, row
    assert "callback p95 = " in text and "first render" in text
    assert "errors = 0 (target 0): met" in text


def test_the_profile_benchmark_clicks_areas_and_reports_both_phases(demo_city):
    out = subprocess.run(
        [sys.executable, "-m", "bench", "profile", "--db", str(demo_city[0].path),
         "--users", "2", "--areas", "3", "--seconds", "1", "--max-requests", "6",
         "--workers", "1", "--settle", "0", "--no-results"],
        cwd=ROOT, capture_output=True, text=True, timeout=600,
    )
    assert out.returncode in (0, 1), out.stderr[-3000:]
    text = out.stdout
    first = next(ln for ln in text.splitlines() if ln.startswith("first clicks "))
    assert first.split()[2] == "3"  # every area of the sample clicked once
    assert "first clicks: profile p95 = " in text and "mixed: profile p95 = " in text
    assert "errors = 0 (target 0): met" in text  # every answer carried the area's profile
    assert "in process: a cold click " in text and " ms of CPU at the median" in text
