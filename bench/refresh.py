"""Benchmark of ``ivm refresh`` (every indicator value, the CompStat windows and the plan's
statuses, recomputed and published as a new warehouse version) against the hand-written DuckDB
GROUP BY of the indicators benchmark (the same values, nothing else), in the same run on the
same warehouse.

Target (the status issue): ``ivm refresh`` at national scale within 2 x the hand-written query.
The warehouse is the demo's (``--scale``, the national one with the city demo's plan loaded, as
the dashboard benchmark does) or ``--db``; the refresh runs on a copy, as a whole ``ivm``
process, so its time includes starting Python, reading the catalogue and publishing.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench import dashboard
from bench.indicators import run_in_child, warehouse_facts
from bench.load import REPO, RESULTS, format_markdown, format_text, git_commit, machine_facts

SCALES = ("city", "national")
TARGET = 2.0


def _refresh_once(db: Path, memory: str | None) -> tuple[float, float, str]:
    """One ``ivm refresh`` on ``db``: seconds, peak RSS (MB) of the process, its summary."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO), env.get("PYTHONPATH")]))
    if memory:
        env["IVM_REFRESH_MEMORY"] = memory
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    t0 = time.perf_counter()
    out = subprocess.run([sys.executable, "-m", "ivm", "refresh", "--db", str(db),
                          "--as-of", "2026-11-24"], capture_output=True, text=True, env=env)
    seconds = time.perf_counter() - t0
    if out.returncode != 0:
        raise SystemExit(f"ivm refresh failed: {out.stderr.strip()[-500:]}")
    rss = max(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, before) / 1024
    return seconds, rss, out.stdout.strip().splitlines()[-1]


def _status_seconds(db: Path) -> tuple[float, int]:
    """The plan's statuses alone (dispersion, evidence, forecast per objective and area),
    computed from the stored values: seconds and rows."""
    code = (
        "import json, time, datetime as dt\n"
        "from core.warehouse import Warehouse\n"
        "from indicators.catalog import load_catalog\n"
        "from indicators.refresh import assess_plan, current_plan\n"
        "from indicators.results import Tables\n"
        "from indicators.compute import coverage\n"
        f"con = Warehouse({str(db)!r}).connect_read_only()\n"
        "cat = load_catalog(); _, objs = current_plan(con); cov = coverage(con)\n"
        "t0 = time.perf_counter()\n"
        "rows = assess_plan(con, cat, objs, dt.date(2026, 11, 24), Tables(), cov)\n"
        "print(json.dumps({'seconds': time.perf_counter() - t0, 'rows': len(rows)}))\n")
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO), env.get("PYTHONPATH")]))
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env)
    if out.returncode != 0:
        raise SystemExit(f"status timing failed: {out.stderr.strip()[-500:]}")
    got = json.loads(out.stdout.strip().splitlines()[-1])
    return float(got["seconds"]), int(got["rows"])


def run_benchmark(*, scale: str, db: Path | None, repeat: int, workdir: Path | None,
                  memory: str | None, results: Path | None) -> int:
    """Time the refresh and the hand-written query; print, record; 1 when the target is missed."""
    facts = machine_facts()
    folder = Path(workdir) if workdir else Path(tempfile.mkdtemp(prefix="ivm-bench-refresh-"))
    folder.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    print(f"nproc {facts['nproc']} ({facts['cpu']}), memory {facts['memory']}, "
          f"{facts['versions']}; {facts['load']}", flush=True)
    source = db.resolve() if db else dashboard.ensure_demo(scale, folder)
    described, scale = warehouse_facts(source)
    print(f"warehouse: {source}: {described}", flush=True)
    copy = folder / "refresh.duckdb"
    refresh_runs, rss, summary = [], 0.0, ""
    for _ in range(repeat):
        shutil.copyfile(source, copy)
        seconds, peak, summary = _refresh_once(copy, memory)
        refresh_runs.append(seconds)
        rss = max(rss, peak)
        print(f"  ivm refresh: {seconds:.1f} s ({summary})", flush=True)
    status_s, status_rows = _status_seconds(copy)
    print(f"  statuses alone: {status_s:.2f} s for {status_rows} objective rows", flush=True)
    hand = []
    for _ in range(repeat):
        run = run_in_child("duckdb", source, memory_limit=memory)
        hand.append(run.seconds)
        print(f"  hand-written GROUP BY: {run.seconds:.1f} s ({run.values:,} values)",
              flush=True)
    ratio = statistics.median(refresh_runs) / statistics.median(hand)
    table = [["variant", "seconds median (min-max)", "note"],
             ["ivm refresh (whole process, publish included)",
              f"{statistics.median(refresh_runs):.1f} ({min(refresh_runs):.1f}-"
              f"{max(refresh_runs):.1f})", f"peak RSS {rss:,.0f} MB; {summary}"],
             ["  of which the plan's statuses", f"{status_s:.2f}",
              f"{status_rows} objective rows"],
             ["hand-written DuckDB GROUP BY", f"{statistics.median(hand):.1f} ({min(hand):.1f}-"
              f"{max(hand):.1f})", "the indicator values only"]]
    verdict = (f"**ivm refresh / hand-written = {ratio:.2f} x (target <= {TARGET:.0f} x): "
               f"{'met' if ratio <= TARGET else 'NOT met'}**")
    print()
    print(format_text(table))
    print(verdict)
    wall = time.perf_counter() - started
    if results is not None:
        stamp = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
        with open(results, "a", encoding="utf-8") as fh:
            fh.write(f"\n## {stamp}: refresh, {scale} scale, {repeat} repeat(s)\n\n"
                     f"- commit: {git_commit()}\n"
                     f"- machine: nproc {facts['nproc']} ({facts['cpu']}), memory "
                     f"{facts['memory']}, {facts['os']}, Python {facts['python']}, "
                     f"{facts['versions']}; {facts['load']}\n"
                     f"- warehouse: {described}\n"
                     f"- refresh memory limit: {memory or 'the default (IVM_REFRESH_MEMORY)'}; "
                     f"whole run {wall / 60:.1f} min\n\n"
                     + format_markdown(table) + f"\n{verdict}\n")
        print(f"appended to {results}")
    if not workdir:
        shutil.rmtree(folder, ignore_errors=True)
    return 0 if ratio <= TARGET else 1


__all__ = ["RESULTS", "SCALES", "run_benchmark"]
