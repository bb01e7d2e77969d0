"""Benchmark of the early warning (every wijk x category series of incidents and nuisance,
its last 13 weeks judged; :func:`indicators.alerts.compute_alerts`) against its floor: the bare
DuckDB GROUP BY of the same weekly counts, in the same run on the same warehouse.

Target (the places issue): the early warning over every wijk and category at national scale
within 30 s on this machine kind. The warehouse is the demo's (``--scale``; the national one is
built once in the work folder) or ``--db``, opened read only; the computation's temp tables
are the refresh's own (``indicators.compute.prepare``).
"""

from __future__ import annotations

import datetime as dt
import statistics
import tempfile
import time
from pathlib import Path

from bench import dashboard
from bench.indicators import warehouse_facts
from bench.load import RESULTS, format_markdown, format_text, git_commit, machine_facts

SCALES = ("city", "national")
TARGET_SECONDS = 30.0
AS_OF = dt.date(2026, 11, 24)


def _early_warning(db: Path) -> tuple[float, int, int]:
    """One early warning over ``db``: seconds, series judged, series with an exceedance."""
    from core.warehouse import Warehouse
    from indicators.alerts import compute_alerts, weekly_counts
    from indicators.compute import prepare

    con = Warehouse(db).connect_read_only()
    try:
        cov = prepare(con, AS_OF)
        con.execute("CREATE OR REPLACE TEMP TABLE early_warning AS "
                    "SELECT * FROM main.early_warning WHERE false")
        t0 = time.perf_counter()
        found = compute_alerts(con, cov)
        seconds = time.perf_counter() - t0
        series = sum(len(weekly_counts(con, k, cov[k], 1)[0]) for k in cov
                     if k in ("incidents", "nuisance"))
    finally:
        con.close()
    return seconds, series, found


def _floor(db: Path) -> tuple[float, int]:
    """The bare weekly GROUP BY per wijk, category and week over the same weeks."""
    from core.warehouse import Warehouse
    from indicators.alerts import JUDGED_WEEKS
    from indicators.compstat import FACT_COLUMNS
    from indicators.compute import prepare
    from indicators.early_warning import history_weeks

    con = Warehouse(db).connect_read_only()
    try:
        cov = prepare(con, AS_OF)
        weeks = history_weeks(JUDGED_WEEKS)
        t0 = time.perf_counter()
        cells = 0
        for kind, (table, col, cat) in FACT_COLUMNS.items():
            if kind not in cov:
                continue
            cutoff = cov[kind].cutoff
            first = cutoff - dt.timedelta(days=7 * weeks - 1)
            cells += con.execute(
                f"SELECT count(*) FROM (SELECT c.ancestor_id, f.{cat}, "
                f"(DATE '{cutoff}' - CAST(f.{col} AS DATE)) // 7, count(*) FROM {table} f "
                "JOIN ivm_closure c ON c.area_id = f.area_id AND c.ancestor_level = 'wijk' "
                f"WHERE f.{col} >= CAST(? AS TIMESTAMP) GROUP BY ALL)", [first]).fetchall()[0][0]
        return time.perf_counter() - t0, cells
    finally:
        con.close()


def run_benchmark(*, scale: str, db: Path | None, repeat: int, workdir: Path | None,
                  results: Path | None) -> int:
    """Time the early warning and its floor; print, record; 1 when the target is missed."""
    facts = machine_facts()
    folder = Path(workdir) if workdir else Path(tempfile.mkdtemp(prefix="ivm-bench-ew-"))
    folder.mkdir(parents=True, exist_ok=True)
    print(f"nproc {facts['nproc']} ({facts['cpu']}), memory {facts['memory']}, "
          f"{facts['versions']}; {facts['load']}", flush=True)
    source = db.resolve() if db else dashboard.ensure_demo(scale, folder)
    described, scale = warehouse_facts(source)
    print(f"warehouse: {source}: {described}", flush=True)
    runs, floors, series, found, cells = [], [], 0, 0, 0
    for _ in range(repeat):
        seconds, series, found = _early_warning(source)
        runs.append(seconds)
        print(f"  early warning: {seconds:.1f} s ({series:,} series, {found} with an "
              "exceedance)", flush=True)
        f_seconds, cells = _floor(source)
        floors.append(f_seconds)
        print(f"  weekly GROUP BY alone: {f_seconds:.1f} s ({cells:,} cells)", flush=True)
    median = statistics.median(runs)
    ratio = median / statistics.median(floors)
    table = [["variant", "seconds median (min-max)", "note"],
             ["early warning (counts, judgement of 13 weeks, rows for the alerts)",
              f"{median:.1f} ({min(runs):.1f}-{max(runs):.1f})",
              f"{series:,} series; {found} with an exceedance"],
             ["bare weekly GROUP BY (wijk x category x week)",
              f"{statistics.median(floors):.1f} ({min(floors):.1f}-{max(floors):.1f})",
              f"{cells:,} non-empty cells"]]
    verdict = (f"**early warning {median:.1f} s (target <= {TARGET_SECONDS:.0f} s): "
               f"{'met' if median <= TARGET_SECONDS else 'NOT met'}; {ratio:.2f} x the bare "
               "GROUP BY**")
    print()
    print(format_text(table))
    print(verdict)
    if results is not None:
        stamp = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
        with open(results, "a", encoding="utf-8") as fh:
            fh.write(f"\n## {stamp}: early warning, {scale} scale, {repeat} repeat(s)\n\n"
                     f"- commit: {git_commit()}\n"
                     f"- machine: nproc {facts['nproc']} ({facts['cpu']}), memory "
                     f"{facts['memory']}, {facts['os']}, Python {facts['python']}, "
                     f"{facts['versions']}; {facts['load']}\n"
                     f"- warehouse: {described}\n\n"
                     + format_markdown(table) + f"\n{verdict}\n")
        print(f"appended to {results}")
    return 0 if median <= TARGET_SECONDS else 1


__all__ = ["RESULTS", "SCALES", "run_benchmark"]
