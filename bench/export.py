"""The council-workbook benchmark: how long ``ivm export council`` takes on the city demo.

The demo city (Aalst, ten years, ``ivm demo``'s code, seed 2011, as of 24/11/2026) is built in
the work folder once, or an existing warehouse is given with ``--db``. Each run is a fresh
Python process (as a CLI call is) that opens the warehouse read only and writes the workbook
with :func:`dashboard.export.council.write_council_workbook`; the clock covers that call only:
reading the stored results and the catalogue, the public audience's suppression, building and
saving the workbook. The imports are timed apart and shown in the note. Both audiences are
measured; the target is the internal (council) workbook in under 3 seconds.

``python -m bench export [--db FILE] [--repeat N]``
"""

from __future__ import annotations

import datetime as dt
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.load import REPO, RESULTS, format_markdown, format_text, git_commit, machine_facts

#: The target: the council workbook of the city demo in under this many seconds.
TARGET_SECONDS = 3.0
AUDIENCES = ("internal", "public")
DEMO_AS_OF = dt.date(2026, 11, 24)


def run_variant_here(db: Path, out: Path, audience: str) -> None:
    """Write one workbook in this process; print seconds, import seconds and size as JSON."""
    t0 = time.perf_counter()
    from core.warehouse import Warehouse
    from dashboard.export.council import write_council_workbook

    imports = time.perf_counter() - t0
    con = Warehouse(db).connect_read_only()
    t0 = time.perf_counter()
    write_council_workbook(con, out, audience=audience)
    seconds = time.perf_counter() - t0
    con.close()
    print(json.dumps({"seconds": seconds, "imports": imports, "bytes": out.stat().st_size}),
          flush=True)


def _child(db: Path, out: Path, audience: str) -> dict:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO), env.get("PYTHONPATH")]))
    cmd = [sys.executable, "-m", "bench", "_export_variant", str(db), str(out), audience]
    with tempfile.TemporaryFile() as so, tempfile.TemporaryFile() as se:
        proc = subprocess.Popen(cmd, cwd=REPO, env=env, stdout=so, stderr=se)
        _, status, usage = os.wait4(proc.pid, 0)
        so.seek(0)
        se.seek(0)
        if os.waitstatus_to_exitcode(status) != 0:
            raise RuntimeError(f"export run failed:\n{se.read().decode()[-4000:]}")
        result = json.loads(so.read().decode().strip().splitlines()[-1])
    result["rss_mb"] = usage.ru_maxrss / 1024
    return result


def demo_warehouse(folder: Path) -> Path:
    """The city demo's warehouse in ``folder`` (built once, reused afterwards), by `ivm demo`
    in its own process: a child forked from a large parent would report the parent's peak
    memory as its own (Linux keeps the high-water mark across fork and exec)."""
    db = folder / "demo.duckdb"
    if not db.exists():
        t0 = time.perf_counter()
        env = dict(os.environ)
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO), env.get("PYTHONPATH")]))
        subprocess.run([sys.executable, "-m", "ivm", "demo", "--seed", "2011", "--out",
                        str(folder / "src"), "--as-of", DEMO_AS_OF.isoformat(), "--db",
                        str(db)], cwd=REPO, env=env, check=True, stdout=subprocess.DEVNULL)
        print(f"demo city built in {time.perf_counter() - t0:.0f} s: {db}", flush=True)
    return db


def run_benchmark(*, db: Path | None, repeat: int, workdir: Path | None, keep: bool,
                  results: Path | None) -> dict[str, list[dict]]:
    """Measure both audiences ``repeat`` times, print and (optionally) record the table."""
    made = workdir is None
    folder = Path(tempfile.mkdtemp(prefix="ivm-bench-export-")) if made else Path(workdir)
    folder.mkdir(parents=True, exist_ok=True)
    facts = machine_facts()
    print(f"nproc {facts['nproc']} ({facts['cpu']}), memory {facts['memory']}, {facts['os']}, "
          f"Python {facts['python']}, {facts['versions']}; {facts['load']}", flush=True)
    try:
        source = db or demo_warehouse(folder)
        runs: dict[str, list[dict]] = {a: [] for a in AUDIENCES}
        for i in range(repeat):
            for audience in AUDIENCES:
                out = folder / f"council-{audience}.xlsx"
                r = _child(source, out, audience)
                runs[audience].append(r)
                print(f"  run {i + 1}/{repeat} {audience}: {r['seconds']:.2f} s "
                      f"(imports {r['imports']:.2f} s untimed), {r['bytes'] / 1024:.0f} KiB, "
                      f"peak RSS {r['rss_mb']:.0f} MB", flush=True)
        counts = _warehouse_note(source)
    finally:
        if made and not keep:
            import shutil

            shutil.rmtree(folder, ignore_errors=True)
    table = _table(runs)
    line = verdict(runs)
    print()
    print(format_text(table))
    print()
    print(line)
    if results is not None:
        _append(results, repeat, facts, counts, table, line, db is not None)
        print(f"appended to {results}")
    return runs


def _warehouse_note(db: Path) -> str:
    import duckdb

    con = duckdb.connect(str(db), read_only=True)
    try:
        n = dict(con.execute(
            "SELECT 'incidents', count(*) FROM incident UNION ALL "
            "SELECT 'nuisance', count(*) FROM nuisance UNION ALL "
            "SELECT 'values', count(*) FROM indicator_value UNION ALL "
            "SELECT 'objectives', count(*) FROM objective_progress UNION ALL "
            "SELECT 'wijken', count(*) FROM area WHERE level = 'wijk'").fetchall())
    finally:
        con.close()
    return (f"{n['incidents']:,} incidents, {n['nuisance']:,} nuisance reports, "
            f"{n['values']:,} stored indicator values, {n['objectives']} objective rows, "
            f"{n['wijken']} wijken")


def _median(rs: list[dict]) -> float:
    return statistics.median(r["seconds"] for r in rs)


def _table(runs: dict[str, list[dict]]) -> list[list[str]]:
    rows = [["audience", "seconds median (min-max)", "size KiB", "peak RSS MB", "note"]]
    for audience, rs in runs.items():
        secs = [r["seconds"] for r in rs]
        rows.append([
            audience, f"{_median(rs):.2f} ({min(secs):.2f}-{max(secs):.2f})",
            f"{rs[0]['bytes'] / 1024:,.0f}", f"{max(r['rss_mb'] for r in rs):,.0f}",
            f"imports {statistics.median(r['imports'] for r in rs):.2f} s untimed",
        ])
    return rows


def verdict(runs: dict[str, list[dict]]) -> str:
    """The council (internal) workbook's median against the target."""
    med = _median(runs["internal"])
    met = "met" if med < TARGET_SECONDS else "NOT met"
    return (f"council workbook (internal) median {med:.2f} s, public {_median(runs['public']):.2f}"
            f" s (target < {TARGET_SECONDS:.0f} s): {met}")


def _append(path: Path, repeat: int, facts: dict[str, str], counts: str,
            table: list[list[str]], line: str, given_db: bool) -> None:
    when = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    source = "given warehouse" if given_db else (
        f"city demo (seed 2011, as of {DEMO_AS_OF:%d/%m/%Y}) built by `ivm demo`'s code")
    lines = [
        "",
        f"## {when}: council workbook, city scale, {repeat} repeat(s)",
        "",
        f"- commit: {git_commit()}",
        f"- machine: nproc {facts['nproc']} ({facts['cpu']}), memory {facts['memory']}, "
        f"{facts['os']}, Python {facts['python']}, {facts['versions']}; {facts['load']}",
        f"- warehouse: {source}; {counts}",
        "- each run a fresh process: `write_council_workbook` timed (results, catalogue, "
        "suppression, sheets, charts, reproducible save); imports apart",
        "",
        format_markdown(table),
        "",
        f"**{line}**",
        "",
    ]
    with open(path, "a", encoding="utf-8") as fh:
        fh.write("\n".join(lines))


__all__ = ["RESULTS", "TARGET_SECONDS", "run_benchmark", "run_variant_here", "verdict"]
