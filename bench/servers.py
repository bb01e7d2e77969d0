"""Several app servers benchmark: concurrent users over two ``ivm serve`` instances on
127.0.0.1 that share one PostgreSQL application store and one warehouse (the deployment of
docs/deployment.md), bounded in time and requests, loopback only.

1. The callbacks of every page are recorded once in Chromium on the first server (as in
   :mod:`bench.dashboard`), then ``--users`` threads replay them, user k on server k mod 2,
   all with the one session signed in on the first server (a session is valid on both).
   Target: the city's callback p95 (:data:`bench.dashboard.P95_TARGET_MS`) and no errors.
   The baseline in the same run: the same users replaying the same requests against one server
   with as many workers in all and the embedded SQLite store (the ratio says what the second
   server and PostgreSQL cost or gain on this machine).
2. Sign-in throughput: ``--sign-in-users`` threads sign in over and over (correct passwords,
   their own accounts, alternating servers) for ``--sign-in-seconds``; each sign-in checks one
   scrypt hash at the cost the product keeps (:data:`access.passwords.N`). The baseline in the
   same run: the scrypt checks per second of this machine, one thread per core, in this
   process. Target: every sign-in succeeds and the servers reach at least half the baseline
   (the rest is HTTP, sessions and the audit log in PostgreSQL, on a machine that also runs the
   load generator).

The PostgreSQL server is ``--app-db URL`` (an empty database), or a throwaway cluster started
for the run (tests/postgres.py: Debian's or any PostgreSQL binaries).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import http.client
import os
import shutil
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlencode

from bench.dashboard import (
    P95_TARGET_MS,
    SESSIONS,
    Stats,
    ensure_demo,
    hammer,
    record,
    sign_in,
    start_server,
)
from bench.load import REPO, RESULTS, format_markdown, format_text, git_commit, machine_facts

SERVERS = 2


@contextlib.contextmanager
def app_store(url: str | None) -> Iterator[str]:
    """The PostgreSQL URL to use: the one given, or a database of a throwaway cluster."""
    if url:
        yield url
        return
    import sys

    sys.path.insert(0, str(REPO))
    from tests.postgres import running_cluster

    with running_cluster() as cluster:
        if cluster is None:
            raise SystemExit("no PostgreSQL binaries: install postgresql or pass --app-db")
        yield cluster.database()


def scrypt_checks_per_second(seconds: float) -> float:
    """The baseline: password checks per second at the product's cost, one thread per core."""
    from access.passwords import hash_password, verify

    stored = hash_password("a benchmark password")
    count = [0]
    lock = threading.Lock()
    deadline = time.perf_counter() + seconds

    def work() -> None:
        while time.perf_counter() < deadline:
            verify("a benchmark password", stored)
            with lock:
                count[0] += 1

    threads = [threading.Thread(target=work) for _ in range(os.cpu_count() or 1)]
    start = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return count[0] / (time.perf_counter() - start)


def sign_ins(urls: list[str], db: Path, users: int, seconds: float) -> tuple[int, int, float]:
    """``users`` threads sign in repeatedly for ``seconds``; (successes, failures, elapsed)."""
    from access.passwords import generate
    from access.store import AccessStore

    store = AccessStore.of_warehouse(db)
    accounts = []
    for k in range(users):
        name, password = f"bench-sign-in-{k}", generate()
        if store.user(name) is None:
            store.add_user(name, "bestuur", password)
        else:
            store.set_password(name, password)
        accounts.append((name, password))
    done = [0, 0]
    lock = threading.Lock()
    deadline = time.perf_counter() + seconds

    def user(k: int) -> None:
        name, password = accounts[k]
        turn = k
        while time.perf_counter() < deadline:
            host, port = urls[turn % len(urls)].rsplit("/", 1)[-1].split(":")
            turn += 1
            con = http.client.HTTPConnection(host, int(port), timeout=60)
            try:
                con.request("POST", "/login", urlencode({"name": name, "password": password}),
                            {"Content-Type": "application/x-www-form-urlencoded"})
                res = con.getresponse()
                res.read()
                ok = res.status == 302
            except OSError:
                ok = False
            finally:
                con.close()
            with lock:
                done[0 if ok else 1] += 1

    threads = [threading.Thread(target=user, args=(k,)) for k in range(users)]
    start = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return done[0], done[1], time.perf_counter() - start


def server_side(logs: list[Path], marks: list[int]) -> Stats:
    """The callbacks' durations as the servers logged them after ``marks`` (byte offsets)."""
    import json

    stats = Stats("server side")
    for log, mark in zip(logs, marks, strict=True):
        with open(log, "rb") as fh:
            fh.seek(mark)
            for line in fh:
                try:
                    e = json.loads(line)
                except ValueError:
                    continue
                if e.get("event") == "request" and e.get("callback") and e.get("duration_ms"):
                    stats.latencies.append(float(e["duration_ms"]))
    return stats


def run_benchmark(*, db: Path | None, app_db: str | None, users: int, seconds: float,
                  max_requests: int, workers: int, sign_in_users: int, sign_in_seconds: float,
                  workdir: Path | None, results: Path | None, renders: int = 1) -> int:
    """Two servers, one PostgreSQL store: callbacks under load and sign-ins; 0 when every
    target is met."""
    facts = machine_facts()
    print(" ".join(f"{k} {v};" for k, v in facts.items()), flush=True)
    folder = workdir or Path(os.environ.get("TMPDIR", "/tmp")) / "ivm-bench-servers"
    folder.mkdir(parents=True, exist_ok=True)
    source = db or ensure_demo("city", folder)
    served = folder / "servers.duckdb"  # the servers' own copy: their view cache beside it
    shutil.copyfile(source, served)
    with app_store(app_db) as url:
        os.environ["IVM_APP_DB"] = url
        procs = []
        logs = [folder / f"server-{k}.log" for k in range(SERVERS)]
        for log in logs:
            log.unlink(missing_ok=True)
        try:
            urls = []
            for log in logs:
                u, proc = start_server(served, workers, log=log)
                urls.append(u)
                procs.append(proc)
            cookie = sign_in(urls[0], served)  # one session, valid on every server
            for u in urls[1:]:
                SESSIONS[u] = cookie
            recorded = record(urls[0], renders)
            marks = [log.stat().st_size for log in logs]
            stats = hammer(urls, recorded, users, seconds, max_requests, seed=7)
            inside = server_side(logs, marks)
            baseline = scrypt_checks_per_second(min(sign_in_seconds, 10.0))
            ok, failed, elapsed = sign_ins(urls, served, sign_in_users, sign_in_seconds)
        finally:
            for proc in procs:
                proc.terminate()
                proc.wait(timeout=30)
            os.environ.pop("IVM_APP_DB", None)
    # the baseline: one server, as many workers, the embedded SQLite store, the same requests
    single_db = folder / "single.duckdb"
    shutil.copyfile(source, single_db)
    for stale in folder.glob("single.access.sqlite*"):
        stale.unlink()
    single, proc = start_server(single_db, workers * SERVERS)
    try:
        single_stats = hammer(single, recorded, users, seconds, max_requests, seed=7)
    finally:
        proc.terminate()
        proc.wait(timeout=30)
    one = Stats("one server")
    for s in single_stats.values():
        one.add(s)
    everything = Stats("all")
    rows = [["page", "requests", "errors", "p50 ms", "p95 ms", "p99 ms"]]
    for rec in recorded:
        s = stats[rec.page]
        everything.add(s)
        rows.append([rec.page, f"{len(s.latencies):,}", str(s.errors), f"{s.pct(50):.0f}",
                     f"{s.pct(95):.0f}", f"{s.pct(99):.0f}"])
    rows.append(["all pages", f"{len(everything.latencies):,}", str(everything.errors),
                 f"{everything.pct(50):.0f}", f"{everything.pct(95):.0f}",
                 f"{everything.pct(99):.0f}"])
    rows.append([f"baseline: 1 server, {workers * SERVERS} workers, SQLite",
                 f"{len(one.latencies):,}", str(one.errors), f"{one.pct(50):.0f}",
                 f"{one.pct(95):.0f}", f"{one.pct(99):.0f}"])
    print(format_text(rows))
    from access.passwords import N

    note = (f"the servers' own request log (JSON lines) for the same {len(inside.latencies):,} "
            f"callbacks: p50 {inside.pct(50):.0f} ms, p95 {inside.pct(95):.0f} ms, from the "
            "request's first to its last line of the app (the client's time less this is "
            "waiting: for a worker thread, a core, the network)")
    print(note)
    failures = [f"two servers: {f}" for f in everything.failures[:5]] + [
        f"one server: {f}" for f in one.failures[:5]]
    for failure in failures:
        print(f"failed request: {failure}")

    target = P95_TARGET_MS["city"]
    p95 = everything.pct(95)
    rate = ok / elapsed if elapsed else 0.0
    verdicts = [
        f"callback p95 = {p95:.0f} ms with {users} users over {SERVERS} servers "
        f"({p95 / one.pct(95):.2f} x one server's {one.pct(95):.0f} ms in this run; target <= "
        f"{target:.0f} ms): " + ("met" if p95 <= target else "NOT met"),
        f"errors = {everything.errors} (target 0): "
        + ("met" if everything.errors == 0 else "NOT met"),
        f"sign-ins = {rate:.1f}/s over {SERVERS} servers, {failed} failed, scrypt N = {N} "
        f"(baseline: {baseline:.1f} scrypt checks/s in one process; ratio "
        f"{rate / baseline:.2f} x, target >= 0.5 x and 0 failed): "
        + ("met" if failed == 0 and rate >= 0.5 * baseline else "NOT met"),
    ]
    for v in verdicts:
        print(v)
    if results is not None:
        when = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
        lines = [
            "", f"## {when}: several app servers, city scale, {users} concurrent users", "",
            f"- commit: {git_commit()}",
            f"- machine: nproc {facts['nproc']} ({facts['cpu']}), memory {facts['memory']}, "
            f"{facts['os']}, Python {facts['python']}; {facts['load']}",
            f"- {SERVERS} x `ivm serve --workers {workers}` on 127.0.0.1, one PostgreSQL "
            f"application store ({'given' if app_db else 'throwaway cluster'}), one warehouse; "
            f"load generator on the same machine: {users} threads (user k on server k mod "
            f"{SERVERS}, one shared session) replaying the recorded callbacks for at most "
            f"{seconds:.0f} s or {max_requests:,} requests; then {sign_in_users} threads "
            f"signing in for {sign_in_seconds:.0f} s, alternating servers",
            "", format_markdown(rows), "", f"- {note}",
            *[f"- failed request: {f}" for f in failures], "",
            *[f"**{v}**  " for v in verdicts], "",
        ]
        with open(results, "a", encoding="utf-8") as fh:
            fh.write("\n".join(lines))
    return 0 if all(v.endswith(": met") for v in verdicts) else 1


def add_parser(sub) -> None:
    """The ``servers`` subcommand of ``python -m bench``."""
    p = sub.add_parser("servers", help="two app servers, one PostgreSQL store: callbacks under "
                       "load and sign-in throughput")
    p.add_argument("--db", type=Path, default=None, help="an existing city demo warehouse")
    p.add_argument("--app-db", default=None,
                   help="postgresql+psycopg://... of an empty database (default: a throwaway "
                        "cluster)")
    p.add_argument("--users", type=int, default=40)
    p.add_argument("--seconds", type=float, default=30.0)
    p.add_argument("--max-requests", type=int, default=5000)
    p.add_argument("--workers", type=int, default=2, help="gunicorn workers per server")
    p.add_argument("--sign-in-users", type=int, default=8)
    p.add_argument("--sign-in-seconds", type=float, default=15.0)
    p.add_argument("--workdir", type=Path, default=None)
    p.add_argument("--results", type=Path, default=RESULTS)
    p.add_argument("--no-results", action="store_true")


def run(args) -> int:
    """Run the subcommand from parsed arguments."""
    return run_benchmark(db=args.db, app_db=args.app_db, users=args.users,
                         seconds=args.seconds, max_requests=args.max_requests,
                         workers=args.workers, sign_in_users=args.sign_in_users,
                         sign_in_seconds=args.sign_in_seconds, workdir=args.workdir,
                         results=None if args.no_results else args.results)


__all__ = ["add_parser", "run", "run_benchmark"]
