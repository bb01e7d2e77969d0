"""Area profile benchmark: N concurrent users click areas on the Wijken page's map, and the
server answers with each area's profile (every indicator in the area and its city) and its
CompStat windows, the callback a click on the map or on a table row fires. The server is given
``--settle`` seconds after it comes up for its warm-up (the rendered pages, and in every process
the reads a profile starts from), as a server that has been running meets its users.

The request is the page's own callback (``areas-profile`` and ``areas-compstat`` from the
selected area), sent over real HTTP to ``ivm serve`` (gunicorn) on 127.0.0.1, signed in as an
analyst. Two phases, both with ``--users`` threads:

1. **first clicks**: every area of the sample once, in a shuffled order (no answer is in the
   server's view cache yet: this is what the first users after a load see);
2. **mixed**: random areas of the sample until the time or request budget ends (what a busy
   morning looks like: most areas asked before, some not).

Target (issue 18): the profile answers within 500 ms at p95 with 20 users, at city and at
national scale; reported for each phase, and for the whole run. Before the server starts, the
CPU time of a cold answer is measured in the benchmark's own process (no HTTP), which says what
a click costs even on a machine busy with other work.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import random
import tempfile
import threading
import time
import urllib.error
import urllib.request
from collections import Counter
from pathlib import Path

import duckdb

from bench.dashboard import SESSIONS, Stats, ensure_demo, start_server
from bench.load import RESULTS, format_markdown, format_text, git_commit, machine_facts

P95_TARGET_MS = 500.0
#: The indicator the page shows while the area is clicked (any; the profile shows them all).
INDICATOR = "residential_burglary_rate"
#: The level a user clicks on: the map's default.
LEVELS = ("wijk",)


def body(area: str, level: str, lang: str = "nl") -> bytes:
    """The callback request a click on ``area`` makes (the Wijken page, calendar years)."""
    return json.dumps({
        "output": "..areas-profile.children...areas-compstat.children..",
        "outputs": [{"id": "areas-profile", "property": "children"},
                    {"id": "areas-compstat", "property": "children"}],
        "inputs": [{"id": "areas-area", "property": "data", "value": area},
                   {"id": "areas-period-type", "property": "value", "value": "year"}],
        "state": [{"id": "areas-level", "property": "value", "value": level},
                  {"id": "areas-indicator", "property": "value", "value": INDICATOR},
                  {"id": "areas-lang", "property": "data", "value": lang}],
        "changedPropIds": ["areas-area.data"],
    }).encode()


def sample(db: Path, size: int, seed: int) -> list[tuple[str, str]]:
    """Up to ``size`` areas (id, level) of the clickable levels, drawn with ``seed``."""
    con = duckdb.connect(str(db), read_only=True)
    try:
        rows = con.execute("SELECT area_id, level FROM area WHERE level IN (SELECT unnest(?)) "
                           "ORDER BY area_id", [list(LEVELS)]).fetchall()
    finally:
        con.close()
    rng = random.Random(seed)
    return rng.sample(rows, min(size, len(rows)))


def cpu_per_click(db: Path, areas: list[tuple[str, str]], limit: int = 40
                  ) -> tuple[float, list[float]]:
    """In this process, without HTTP: the CPU seconds (``time.process_time``, every thread of
    the process) of the Wijken page's warm-up reads, and of each cold answer to a click (the
    callback's body and its JSON) for up to ``limit`` areas, each asked once. CPU time, not
    wall time: what a click costs, whatever else the machine is doing."""
    from core.warehouse import Warehouse
    from dashboard.app import create_app
    from dashboard.areas_content import area_content, resolve, warm_profile_reads
    from dashboard.sites import current_site
    from dashboard.view_cache import plain

    app = create_app(Warehouse(db))
    costs = []
    with app.server.test_request_context("/"):
        data = current_site().data
        t0 = time.process_time()
        warm_profile_reads(data)
        warm = time.process_time() - t0
        for area, level in areas[:limit]:
            t0 = time.process_time()
            view = resolve(data, {"indicator": INDICATOR, "level": level, "period_type": "year",
                                  "area": area})
            plain(area_content(data, view, "nl"))
            costs.append(time.process_time() - t0)
    return warm, sorted(costs)


#: What went wrong with the answers that did not carry a profile: HTTP status or error.
FAILURES: Counter = Counter()


def click(url: str, area: str, level: str) -> tuple[float, bool]:
    """One click's answer time (ms) and whether it carried the area's profile (else the
    reason is counted in :data:`FAILURES`)."""
    req = urllib.request.Request(url + "/_dash-update-component", data=body(area, level),
                                 headers={"Content-Type": "application/json",
                                          "Cookie": SESSIONS.get(url, "")})
    t0 = time.perf_counter()
    try:
        with urllib.request.urlopen(req, timeout=60) as resp:
            payload = resp.read()
            ok = resp.status == 200 and b"areas-profile-title" in payload
            if not ok:
                FAILURES[f"HTTP {resp.status} without a profile"] += 1
    except urllib.error.HTTPError as e:
        ok = False
        FAILURES[f"HTTP {e.code}: {e.read()[:120]!r}"] += 1
    except OSError as e:
        ok = False
        FAILURES[type(e).__name__] += 1
    return (time.perf_counter() - t0) * 1000, ok


def run_users(url: str, users: int, next_area, stats: Stats) -> None:
    """``users`` threads clicking the areas ``next_area()`` gives until it gives None."""
    lock = threading.Lock()

    def user() -> None:
        while True:
            with lock:
                item = next_area()
            if item is None:
                return
            ms, ok = click(url, *item)
            with lock:
                stats.latencies.append(ms)
                stats.errors += 0 if ok else 1

    threads = [threading.Thread(target=user) for _ in range(users)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()


def run_benchmark(*, scale: str, db: Path | None, users: int, seconds: float,
                  max_requests: int, workers: int, areas: int, workdir: Path | None,
                  results: Path | None, settle: float = 30.0, seed: int = 11) -> int:
    """Both phases, reported; returns 0 when every target is met, else 1."""
    facts = machine_facts()
    print(" ".join(f"{k} {v};" for k, v in facts.items()), flush=True)
    if db is None:
        folder = workdir or Path(os.environ.get("TMPDIR", "/tmp")) / "ivm-bench-dashboard"
        folder.mkdir(parents=True, exist_ok=True)
        db = ensure_demo(scale, folder)
    chosen = sample(db, areas, seed)
    warm, costs = cpu_per_click(db, chosen)
    cpu = (f"in process: a cold click {1000 * costs[len(costs) // 2]:.0f} ms of CPU at the "
           f"median, {1000 * costs[min(len(costs) - 1, int(len(costs) * 0.95))]:.0f} ms at "
           f"p95 ({len(costs)} areas, each once); the page's warm-up {1000 * warm:.0f} ms of "
           f"CPU per server process")
    print(cpu, flush=True)
    # a temporary folder of its own: no view rendered by an earlier run (the same areas of
    # the same warehouse) is in the server's shared view cache
    views = tempfile.TemporaryDirectory(prefix="ivm-bench-profile-")
    url, proc = start_server(db, workers, Path(views.name))
    first, mixed = Stats("first clicks"), Stats("mixed")
    try:
        time.sleep(settle)
        queue = list(chosen)
        random.Random(seed).shuffle(queue)
        run_users(url, users, lambda: queue.pop() if queue else None, first)
        rng = random.Random(seed + 1)
        deadline = time.perf_counter() + seconds
        budget = [max_requests]

        def next_mixed():
            if budget[0] <= 0 or time.perf_counter() > deadline:
                return None
            budget[0] -= 1
            return rng.choice(chosen)

        run_users(url, users, next_mixed, mixed)
    finally:
        proc.terminate()
        proc.wait(timeout=30)
        views.cleanup()
    everything = Stats("all")
    everything.latencies = first.latencies + mixed.latencies
    everything.errors = first.errors + mixed.errors
    rows = [["phase", "requests", "errors", "p50 ms", "p95 ms", "p99 ms", "max ms"]]
    for s in (first, mixed, everything):
        rows.append([s.page, f"{len(s.latencies):,}", str(s.errors), f"{s.pct(50):.0f}",
                     f"{s.pct(95):.0f}", f"{s.pct(99):.0f}", f"{max(s.latencies):.0f}"])
    print(format_text(rows))
    verdicts = [f"{s.page}: profile p95 = {s.pct(95):.0f} ms with {users} users (target <= "
                f"{P95_TARGET_MS:.0f} ms): " + ("met" if s.pct(95) <= P95_TARGET_MS else "NOT met")
                for s in (first, mixed, everything)]
    verdicts.append(f"errors = {everything.errors} (target 0): "
                    + ("met" if everything.errors == 0 else "NOT met"))
    if FAILURES:
        print("failures: " + "; ".join(f"{k} x{n}" for k, n in FAILURES.most_common()))
    for v in verdicts:
        print(v)
    if results is not None:
        _append(results, scale, users, seconds, max_requests, workers, len(chosen), settle,
                facts, rows, verdicts, db, cpu)
    return 0 if all(v.endswith(": met") for v in verdicts) else 1


def _append(path: Path, scale: str, users: int, seconds: float, max_requests: int,
            workers: int, areas: int, settle: float, facts: dict[str, str],
            rows: list[list[str]],
            verdicts: list[str], db: Path, cpu: str) -> None:
    when = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    lines = [
        "",
        f"## {when}: area profile, {scale} scale, {users} concurrent users",
        "",
        f"- commit: {git_commit()}",
        f"- machine: nproc {facts['nproc']} ({facts['cpu']}), memory {facts['memory']}, "
        f"{facts['os']}, Python {facts['python']}; {facts['load']}",
        f"- `ivm serve --workers {workers}` on 127.0.0.1, signed in as an analyst, "
        f"{settle:.0f} s after it came up (its warm-up); the load "
        f"generator on the same machine: {users} threads sending the Wijken page's profile "
        f"callback (a click on an area) for {areas:,} areas of levels {', '.join(LEVELS)}; "
        f"first clicks: each area once, shuffled (nothing cached yet); mixed: random areas "
        f"for at most {seconds:.0f} s or {max_requests:,} requests; warehouse {db.name} "
        f"({db.stat().st_size / 1e6:,.0f} MB)",
        f"- {cpu}",
        "",
        format_markdown(rows),
        "",
        *[f"**{v}**  " for v in verdicts],
        *([f"- failures: {'; '.join(f'{k} x{n}' for k, n in FAILURES.most_common())}"]
          if FAILURES else []),
        "",
    ]
    with open(path, "a", encoding="utf-8") as fh:
        fh.write("\n".join(lines))


def add_parser(sub) -> None:
    """The ``profile`` subcommand of ``python -m bench``."""
    p = sub.add_parser("profile", help="area profile: concurrent users clicking areas")
    p.add_argument("--scale", choices=("city", "national"), default="city")
    p.add_argument("--db", type=Path, default=None, help="an existing demo warehouse")
    p.add_argument("--users", type=int, default=20)
    p.add_argument("--areas", type=int, default=200,
                   help="areas drawn from the clickable levels (each clicked first once)")
    p.add_argument("--seconds", type=float, default=30.0)
    p.add_argument("--max-requests", type=int, default=2000)
    p.add_argument("--workers", type=int, default=4)
    p.add_argument("--settle", type=float, default=30.0,
                   help="seconds between the server coming up and the first click (warm-up)")
    p.add_argument("--workdir", type=Path, default=None)
    p.add_argument("--results", type=Path, default=RESULTS)
    p.add_argument("--no-results", action="store_true")


def run(args) -> int:
    """Run the subcommand from parsed arguments."""
    return run_benchmark(scale=args.scale, db=args.db, users=args.users, seconds=args.seconds,
                         max_requests=args.max_requests, workers=args.workers,
                         areas=args.areas, workdir=args.workdir, settle=args.settle,
                         results=None if args.no_results else args.results)


__all__ = ["add_parser", "run", "run_benchmark"]
