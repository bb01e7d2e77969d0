"""Dashboard benchmark: N concurrent simulated users replay the callbacks of every page against
``ivm serve`` (gunicorn) on 127.0.0.1, bounded in requests and seconds; plus the first render of
each page in headless Chromium.

The callbacks are not invented: each page is opened once in Chromium and every
``/_dash-update-component`` request it makes (the page render and the callbacks it fires) is
recorded, together with the pages opened with other filters in the URL (what a user changing a
filter produces). The load generator replays exactly those request bodies.

First render is read off the browser's own clock (:data:`RENDER_MARKS`): from navigation start
to the later of the page's last DOM change and the end of its last plotly.js drawing (not
counting dcc.Graph's unstyled "pending" class, which it clears 0.1 s after a graph is drawn).
Waiting for Playwright's "network idle" alone would count 0.5 s of silence after the last
request, and would miss the time plotly.js takes to run after it has arrived.

Targets (the dashboard issue): callback p95 at most 150 ms at city scale and 500 ms at national
scale, no errors; first render of every page under 1.5 s.
"""

from __future__ import annotations

import datetime as dt
import os
import random
import shutil
import statistics
import subprocess
import sys
import threading
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bench.load import REPO, RESULTS, format_markdown, format_text, git_commit, machine_facts

P95_TARGET_MS = {"city": 150.0, "national": 500.0}
FIRST_RENDER_TARGET_S = 1.5
#: How long the warm-up visit of a page may take (first computations on a national warehouse).
WARM_TIMEOUT_MS = 300_000
CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu",
                  "--disable-background-networking", "--disable-component-update",
                  "--disable-sync", "--no-first-run"]

#: Put into every page before its own scripts: the time (ms since navigation, the browser's own
#: clock) of the last change to the page's DOM and of the end of every plotly.js drawing.
RENDER_MARKS = """
window.__ivmRender = {mutation: 0, plots: 0};
new MutationObserver((records) => {
  for (const m of records) {
    // dcc.Graph's "dash-graph--pending" marker on a drawn graph: a class no style uses, set
    // and cleared around plotly.js's resize check (a 0.1 s debounce), nothing drawn by it
    if (m.type === 'attributes' && m.attributeName === 'class' && m.target.classList
        && m.target.classList.contains('js-plotly-plot')) continue;
    window.__ivmRender.mutation = performance.now();
    return;
  }
}).observe(document, {subtree: true, childList: true, attributes: true, characterData: true});
(function () {
  let plotly;
  Object.defineProperty(window, 'Plotly', {configurable: true, get() { return plotly; },
    set(value) {
      plotly = value;
      if (!value || typeof value.react !== 'function') return;  // a stand-in, not plotly.js
      for (const name of ['newPlot', 'react']) {
        const draw = value[name];
        value[name] = function () {
          const done = draw.apply(this, arguments);
          Promise.resolve(done).then(() => { window.__ivmRender.plots = performance.now(); });
          return done;
        };
      }
    }});
})();
"""
#: The first render of a page: the later of its last DOM change and its last graph drawn.
RENDERED = "() => Math.max(window.__ivmRender.mutation, window.__ivmRender.plots) / 1000"

#: The pages and the URLs a user would open (the first of each is timed for first render).
SCENARIOS: dict[str, list[str]] = {
    "overview": ["/", "/?phase=preventie", "/?status=at_risk", "/?lang=en"],
    "objective": ["/doelstelling/PREV-01", "/doelstelling/PREV-07", "/doelstelling/REA-01"],
    "areas": ["/wijken", "/wijken?indicator=residential_burglary_rate&level=wijk&period=2025",
              "/wijken?indicator=unsafe_feeling_share&level=wijk&period=2026",
              "/wijken?indicator=crime_count&level=sector&period=2025"],
    "chain": ["/keten", "/keten?by=partner"],
    "partners": ["/partners", "/partners?partner=GAS-ambtenaar"],
    "data": ["/gegevens"],
    "export": ["/export"],
}


@dataclass
class Recorded:
    """The callback requests of one page, and its first render time in Chromium."""

    page: str
    bodies: list[bytes] = field(default_factory=list)
    first_render_s: float = 0.0
    first_render_max_s: float = 0.0
    idle_s: float = 0.0


def free_port() -> int:
    """A free TCP port on 127.0.0.1."""
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


#: The benchmark's session cookie per served URL (an ``analist`` account, signed in once).
SESSIONS: dict[str, str] = {}
BENCH_USER = "bench-analist"


def sign_in(url: str, db: Path) -> str:
    """Make (or renew) the benchmark's account in ``db``'s access store and sign in over HTTP;
    the session cookie, also kept in :data:`SESSIONS`."""
    import http.client
    from urllib.parse import urlencode

    from access.passwords import generate
    from access.store import AccessStore

    store = AccessStore.of_warehouse(db)
    password = generate()
    if store.user(BENCH_USER) is None:
        store.add_user(BENCH_USER, "analist", password)
    else:
        store.set_password(BENCH_USER, password)
    host, port = url.rsplit("/", 1)[-1].split(":")
    con = http.client.HTTPConnection(host, int(port), timeout=60)
    con.request("POST", "/login", urlencode({"name": BENCH_USER, "password": password}),
                {"Content-Type": "application/x-www-form-urlencoded"})
    res = con.getresponse()
    res.read()
    if res.status != 302:
        raise RuntimeError(f"the benchmark could not sign in: HTTP {res.status}")
    SESSIONS[url] = res.getheader("Set-Cookie").split(";", 1)[0]
    return SESSIONS[url]


def browser_context(browser: Any, url: str, **kw: Any) -> Any:
    """A Chromium context signed in as the benchmark's account."""
    context = browser.new_context(**kw)
    if url in SESSIONS:
        name, value = SESSIONS[url].split("=", 1)
        context.add_cookies([{"name": name, "value": value, "url": url}])
    return context


def start_server(db: Path, workers: int, temp: Path | None = None, log: Path | None = None
                 ) -> tuple[str, subprocess.Popen]:
    """``ivm serve`` for ``db`` on a free loopback port, signed in (see :func:`sign_in`);
    returns its URL and process. ``temp``: the server's temporary folder (where its processes
    share their rendered views), when it must start without the views of an earlier run;
    ``log``: a file for its request log (JSON lines)."""
    port = free_port()
    env = {**os.environ, **({"TMPDIR": str(temp)} if temp is not None else {}),
           **({"IVM_LOG_FORMAT": "json"} if log is not None else {})}
    proc = subprocess.Popen(
        [sys.executable, "-m", "ivm", "serve", "--port", str(port), "--workers", str(workers),
         "--db", str(db)],
        cwd=REPO, stderr=subprocess.DEVNULL, env=env,
        stdout=subprocess.DEVNULL if log is None else open(log, "ab"),  # noqa: SIM115
    )
    url = f"http://127.0.0.1:{port}"
    wait_until_served(url, proc, "/login")
    sign_in(url, db)
    return url, proc


def wait_until_served(url: str, proc: subprocess.Popen, path: str) -> None:
    """Wait (up to a minute) until the server ``proc`` answers ``url + path``; terminated and
    an error when it never does."""
    for _ in range(300):
        try:
            urllib.request.urlopen(url + path, timeout=2)
            return
        except OSError:
            if proc.poll() is not None:
                raise RuntimeError("ivm serve stopped") from None
            time.sleep(0.2)
    proc.terminate()
    raise RuntimeError("the dashboard did not come up")


def settled(page: Any, quiet_ms: int = 400, limit_s: float = 20.0) -> float:
    """The page's render time (:data:`RENDERED`, seconds) once it has not moved for
    ``quiet_ms`` (a graph may still be drawing when the network goes idle)."""
    last = float(page.evaluate(RENDERED))
    deadline = time.perf_counter() + limit_s
    while time.perf_counter() < deadline:
        page.wait_for_timeout(quiet_ms)
        now = float(page.evaluate(RENDERED))
        if now == last:
            break
        last = now
    return last


def record(url: str, repeat: int = 5) -> list[Recorded]:
    """Open every scenario URL in Chromium and record its callback requests; open each page's
    first URL ``repeat`` times in all for its first render (median and slowest)."""
    from playwright.sync_api import sync_playwright

    chromium = shutil.which("chromium") or "/usr/bin/chromium"
    out = []
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=chromium, args=CHROMIUM_FLAGS)
        # warm every worker and cache once, so first render measures a served page
        context = browser_context(browser, url, viewport={"width": 1400, "height": 1000})
        warm = context.new_page()
        for paths in SCENARIOS.values():
            for path in paths:
                warm.goto(url + path)
                # a first, uncached view may take longer than Playwright's default 30 s
                warm.wait_for_load_state("networkidle", timeout=WARM_TIMEOUT_MS)
        warm.close()
        for name, paths in SCENARIOS.items():
            rec = Recorded(name)
            renders: list[float] = []
            idles: list[float] = []
            visits = [(path, True) for path in paths] + [(paths[0], False)] * (repeat - 1)
            for k, (path, recorded) in enumerate(visits):
                # a fresh context per visit: no cache carried over
                page = browser_context(browser, url, viewport={"width": 1400, "height": 1000}
                                       ).new_page()
                page.add_init_script(RENDER_MARKS)
                bodies: list[bytes] = []
                page.on("request", lambda r, b=bodies: b.append(r.post_data_buffer)
                        if r.method == "POST" and "_dash-update-component" in r.url
                        and r.post_data_buffer else None)
                start = time.perf_counter()
                page.goto(url + path)
                page.wait_for_selector(".page", timeout=60000)
                page.wait_for_load_state("networkidle")
                if path == paths[0] and (k == 0 or not recorded):
                    # network idle comes 0.5 s after the last request, and may come before a
                    # graph is drawn: the render is read off the browser's own clock
                    idles.append(time.perf_counter() - start)
                    renders.append(settled(page))
                if recorded:
                    rec.bodies.extend(bodies)
                page.context.close()
            rec.first_render_s = statistics.median(renders)
            rec.first_render_max_s = max(renders)
            rec.idle_s = statistics.median(idles)
            out.append(rec)
        browser.close()
    return out


@dataclass
class Stats:
    """Latencies (ms) and errors of one page's callbacks under load."""

    page: str
    latencies: list[float] = field(default_factory=list)
    errors: int = 0
    #: What the failed requests got (status and the start of the answer, or the exception),
    #: the first few, for the report.
    failures: list[str] = field(default_factory=list)

    def add(self, other: Stats) -> None:
        """Count ``other``'s requests in these (its failures named by its page)."""
        self.latencies += other.latencies
        self.errors += other.errors
        self.failures += [f"{other.page}, {f}" for f in other.failures]

    def pct(self, q: float) -> float:
        """The q-th percentile of the latencies (nearest rank)."""
        if not self.latencies:
            return float("nan")
        s = sorted(self.latencies)
        return s[min(len(s) - 1, max(0, round(q / 100 * len(s)) - 1))]


def hammer(url: str | list[str], recorded: list[Recorded], users: int, seconds: float,
           max_requests: int, seed: int) -> dict[str, Stats]:
    """``users`` threads replay the recorded callbacks until the time or request budget ends
    (given several servers' URLs, user k asks server k mod their number)."""
    urls = [url] if isinstance(url, str) else url
    work = [(r.page, b) for r in recorded for b in r.bodies]
    stats = {r.page: Stats(r.page) for r in recorded}
    lock = threading.Lock()
    budget = [max_requests]
    start = time.perf_counter()
    deadline = start + seconds

    def user(k: int) -> None:
        rng = random.Random(seed + k)
        while time.perf_counter() < deadline:
            with lock:
                if budget[0] <= 0:
                    return
                budget[0] -= 1
            page, body = rng.choice(work)
            target = urls[k % len(urls)]
            req = urllib.request.Request(target + "/_dash-update-component", data=body,
                                         headers={"Content-Type": "application/json",
                                                  "Cookie": SESSIONS.get(target, "")})
            t0 = time.perf_counter()
            failure = None
            try:
                with urllib.request.urlopen(req, timeout=30) as resp:
                    payload = resp.read()
                    if resp.status not in (200, 204) or b'"error"' in payload[:200]:
                        failure = f"HTTP {resp.status}: {payload[:160]!r}"
            except OSError as exc:  # HTTPError (a 4xx/5xx answer) included
                failure = f"{type(exc).__name__}: {str(exc)[:160]}"
            ms = (time.perf_counter() - t0) * 1000
            with lock:
                stats[page].latencies.append(ms)
                if failure is not None:
                    stats[page].errors += 1
                    if len(stats[page].failures) < 3:
                        stats[page].failures.append(f"after {time.perf_counter() - start:.1f} s, "
                                                    f"{ms:.0f} ms: {failure}")

    threads = [threading.Thread(target=user, args=(k,)) for k in range(users)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return stats


def ensure_demo(scale: str, workdir: Path) -> Path:
    """A demo warehouse of ``scale`` in ``workdir`` (built once, then reused)."""
    from core.warehouse import Warehouse
    from ivm.demo import run_demo

    db = workdir / f"demo_{scale}.duckdb"
    run_demo(Warehouse(db), workdir / f"src_{scale}", 2011, dt.date(2026, 11, 24), False, False,
             lambda line: print(line, flush=True), scale)
    if scale == "national":
        with_city_plan(Warehouse(db), workdir / "src_city_plan")
    return db


def with_city_plan(warehouse: Any, folder: Path) -> None:
    """The national demo has facts but no plan: load the city demo's plan into it, with what
    the plan refers to that the national demo lacks (Aalst is one of its municipalities, under
    the same area codes): the partners, the project areas (in the city's sector list, which
    names each sector's project), the events and the partner activities. The plan is put in
    force, as ``ivm demo`` does, so the overview, objective and partner pages have their
    content. Skipped when a plan is in force; otherwise every step runs (a file loaded before
    is found unchanged), so a warehouse given the plan by an earlier version of this function,
    or by a run that stopped half-way, is completed."""
    from etl.demo import generate
    from indicators import plan_versions
    from ivm.wiring import activate_plan, load_any, load_partners, plan_version_of, refresh_all

    con = warehouse.connect_read_only()
    try:
        in_force = any(v["in_force"] for v in plan_versions(con))
    finally:
        con.close()
    if in_force:
        return
    _city, loads = generate(folder, seed=2011, as_of=dt.date(2026, 11, 24), scale="city")
    plan = None
    for item in loads:
        if item.kind == "partners":
            print(load_partners(warehouse, str(item.path)), flush=True)
        elif (item.kind in ("events", "activities") or (item.kind == "plan" and not item.revision)
              or (item.kind == "areas" and item.path.name == "areas_sectors.csv")):
            result = load_any(warehouse, item.kind, str(item.path), item.profile, False, {},
                              refresh=False)
            print(result.summary(), flush=True)
            if item.kind == "plan":
                plan = plan_version_of(str(item.path))
    if plan is not None:
        activate_plan(warehouse, plan, refresh=False)
    print(refresh_all(warehouse), flush=True)


def run_benchmark(*, scale: str, db: Path | None, users: int, seconds: float,
                  max_requests: int, workers: int, workdir: Path | None,
                  results: Path | None, seed: int = 7, renders: int = 5) -> int:
    """Record, hammer, report; returns 0 when every target is met, else 1."""
    facts = machine_facts()
    print(" ".join(f"{k} {v};" for k, v in facts.items()), flush=True)
    if db is None:
        folder = workdir or Path(os.environ.get("TMPDIR", "/tmp")) / "ivm-bench-dashboard"
        folder.mkdir(parents=True, exist_ok=True)
        db = ensure_demo(scale, folder)
    url, proc = start_server(db, workers)
    try:
        recorded = record(url, renders)
        stats = hammer(url, recorded, users, seconds, max_requests, seed)
    finally:
        proc.terminate()
        proc.wait(timeout=30)
    target = P95_TARGET_MS[scale]
    rows = [["page", "callbacks recorded", "requests", "errors", "p50 ms", "p95 ms", "p99 ms",
             "first render s (median)", "slowest s", "network idle s"]]
    everything = Stats("all")
    for rec in recorded:
        s = stats[rec.page]
        everything.add(s)
        rows.append([rec.page, str(len(rec.bodies)), f"{len(s.latencies):,}", str(s.errors),
                     f"{s.pct(50):.0f}", f"{s.pct(95):.0f}", f"{s.pct(99):.0f}",
                     f"{rec.first_render_s:.2f}", f"{rec.first_render_max_s:.2f}",
                     f"{rec.idle_s:.2f}"])
    rows.append(["all pages", str(sum(len(r.bodies) for r in recorded)),
                 f"{len(everything.latencies):,}", str(everything.errors),
                 f"{everything.pct(50):.0f}", f"{everything.pct(95):.0f}",
                 f"{everything.pct(99):.0f}",
                 f"{max(r.first_render_s for r in recorded):.2f} (max)",
                 f"{max(r.first_render_max_s for r in recorded):.2f} (max)",
                 f"{max(r.idle_s for r in recorded):.2f} (max)"])
    print(format_text(rows))
    for failure in everything.failures[:5]:
        print(f"failed request: {failure}")
    p95 = everything.pct(95)
    slowest = max(r.first_render_s for r in recorded)
    verdicts = [
        f"callback p95 = {p95:.0f} ms with {users} users (target <= {target:.0f} ms): "
        + ("met" if p95 <= target else "NOT met"),
        f"errors = {everything.errors} (target 0): "
        + ("met" if everything.errors == 0 else "NOT met"),
        f"slowest page's first render = {slowest:.2f} s, median of {renders} visits "
        f"(target < {FIRST_RENDER_TARGET_S} s): "
        + ("met" if slowest < FIRST_RENDER_TARGET_S else "NOT met"),
    ]
    for v in verdicts:
        print(v)
    if results is not None:
        _append(results, scale, users, seconds, max_requests, workers, facts, rows, verdicts,
                db, renders)
    return 0 if all(v.endswith(": met") for v in verdicts) else 1


def _append(path: Path, scale: str, users: int, seconds: float, max_requests: int,
            workers: int, facts: dict[str, str], rows: list[list[str]], verdicts: list[str],
            db: Path, renders: int) -> None:
    when = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    lines = [
        "",
        f"## {when}: dashboard, {scale} scale, {users} concurrent users",
        "",
        f"- commit: {git_commit()}",
        f"- machine: nproc {facts['nproc']} ({facts['cpu']}), memory {facts['memory']}, "
        f"{facts['os']}, Python {facts['python']}; {facts['load']}",
        f"- `ivm serve --workers {workers}` (gunicorn gthread, 4 threads) on 127.0.0.1; load "
        f"generator in the same machine: {users} threads replaying the recorded callbacks for "
        f"at most {seconds:.0f} s or {max_requests:,} requests; warehouse {db.name} "
        f"({db.stat().st_size / 1e6:,.0f} MB)",
        f"- first render: Chromium headless, median of {renders} visits of each page's first URL, "
        "each in a fresh browser context (empty cache), after one warm-up visit of every page: "
        "from navigation start to the later of the page's last DOM change (not counting "
        "dcc.Graph's unstyled pending class) and its last graph drawn, on the browser's own "
        "clock, read once the network is idle and the page has not "
        "changed for 0.4 s; slowest: the slowest of those visits; network idle: median wall "
        "time from navigation to Playwright's network idle (no request for 0.5 s), the measure "
        "of earlier sections",
        "",
        format_markdown(rows),
        "",
        *[f"**{v}**  " for v in verdicts],
        "",
    ]
    with open(path, "a", encoding="utf-8") as fh:
        fh.write("\n".join(lines))


def add_parser(sub) -> None:
    """The ``dashboard`` subcommand of ``python -m bench``."""
    p = sub.add_parser("dashboard", help="dashboard: concurrent users replaying callbacks")
    p.add_argument("--scale", choices=sorted(P95_TARGET_MS), default="city")
    p.add_argument("--db", type=Path, default=None, help="an existing demo warehouse")
    p.add_argument("--users", type=int, default=20)
    p.add_argument("--seconds", type=float, default=30.0)
    p.add_argument("--max-requests", type=int, default=5000)
    p.add_argument("--workers", type=int, default=4)
    p.add_argument("--workdir", type=Path, default=None)
    p.add_argument("--results", type=Path, default=RESULTS)
    p.add_argument("--no-results", action="store_true")
    p.add_argument("--renders", type=int, default=5,
                   help="visits of each page's first URL timed for first render (median)")


def run(args) -> int:
    """Run the subcommand from parsed arguments."""
    return run_benchmark(scale=args.scale, db=args.db, users=args.users, seconds=args.seconds,
                         max_requests=args.max_requests, workers=args.workers,
                         workdir=args.workdir, results=None if args.no_results else args.results,
                         renders=args.renders)


__all__ = ["add_parser", "run", "run_benchmark"]
