"""Readers keep working during loads, a killed load changes nothing, concurrent loads queue.

The warehouse is one DuckDB file published atomically (see ``core/warehouse/store.py``). These
tests run real processes against a real file:

* a reader in a second process queries in a loop while the test process runs several loads; in
  one query it reads what ``load_log`` says was loaded and what ``incident`` holds. The two must
  always agree, and the count must be a whole number of loads: every read sees a load entirely
  or not at all;
* a load killed with SIGKILL while it writes leaves the published file byte-identical, and the
  next load works and removes the stale ``<db>.next`` copy;
* two loads started at the same moment in two processes queue on the writer lock and both land;
* in one process, a reader sees a new version even while another connection still holds the
  old one (DuckDB caches open databases by path).
"""

from __future__ import annotations

import hashlib
import json
import os
import signal
import subprocess
import sys
import textwrap
import time
from itertools import accumulate
from pathlib import Path

import duckdb
import pytest

from core.sqltext import lit
from core.warehouse import Warehouse, WarehouseReader
from etl.load import load_file

HEADER = (
    "source_id;category;occurred_at;reported_at;priority;dispatched_at;arrived_at;"
    "area_code;location"
)
SECTORS = ["41002A00-", "41002A011", "41002A02-"]

#: The reader process: argv = db, stop file, ready file, result file, time limit (s).
READER = textwrap.dedent(
    """
    import json, sys, time
    from pathlib import Path
    from core.warehouse import Warehouse, WarehouseReader

    db, stop, ready, out, limit = sys.argv[1:6]
    reader = WarehouseReader(Warehouse(db))
    query = (
        "SELECT (SELECT coalesce(sum(rows_loaded), 0) FROM load_log "
        "        WHERE kind = 'incidents' AND outcome = 'loaded'), "
        "       (SELECT count(*) FROM incident), "
        "       (SELECT max(load_id) FROM load_log)"
    )
    reads, errors, seen = 0, [], []
    deadline = time.monotonic() + float(limit)
    while time.monotonic() < deadline:
        last = Path(stop).exists()  # one more read after the stop signal: sees the last load
        try:
            cur = reader.connection()
            try:
                logged, stored, version = cur.execute(query).fetchall()[0]
            finally:
                cur.close()
            reads += 1
            if not seen or seen[-1][:3] != [logged, stored, version]:
                seen.append([logged, stored, version, reads])
            if reads == 1:
                Path(ready).write_text("ready")
        except Exception as exc:
            errors.append(f"{type(exc).__name__}: {exc}")
        if last:
            break
        time.sleep(0.002)
    reader.close()
    Path(out).write_text(json.dumps({"reads": reads, "errors": errors[:20],
                                     "n_errors": len(errors), "seen": seen}))
    """
)

#: A loader process: argv = db, csv, go file (wait for it; '-' for none), result file.
LOADER = textwrap.dedent(
    """
    import json, sys, time
    from pathlib import Path
    from etl.load import load_file
    from core.warehouse import Warehouse

    db, csv, go, out = sys.argv[1:5]
    if go != "-":
        Path(out + ".ready").write_text("ready")
        deadline = time.monotonic() + 60
        while not Path(go).exists() and time.monotonic() < deadline:
            time.sleep(0.002)
    called = time.time()
    result = load_file(Warehouse(db), "incidents", csv)
    Path(out).write_text(json.dumps({"called": called, "returned": time.time(),
                                     "load_id": result.load_id, "outcome": result.outcome,
                                     "loaded": result.counts.loaded}))
    """
)


def _python(*args: str) -> list[str]:
    return [sys.executable, "-c", *args]


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        while chunk := fh.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def _scalar(wh: Warehouse, sql: str) -> int:
    con = wh.connect_read_only()
    try:
        return con.execute(sql).fetchall()[0][0]
    finally:
        con.close()


def incidents_csv(path: Path, first: int, n: int) -> Path:
    """A canonical incident export (Windows-1252, ';', day-first dates) of ``n`` rows with the
    distinct ids ``T<first>`` ... ``T<first + n - 1>``."""
    lines = [HEADER]
    for i in range(first, first + n):
        day, minute = 1 + i % 28, i % 60
        dispatched = f"{day:02d}/03/2024 13:{minute:02d}" if i % 3 else ""
        arrived = f"{day:02d}/03/2024 14:{minute:02d}" if i % 3 else ""
        lines.append(
            f"T{i};bicycle_theft;{day:02d}/03/2024 12:{minute:02d};{day:02d}/03/2024 12:59;"
            f"{1 + i % 5};{dispatched};{arrived};{SECTORS[i % 3]};"
            f"Frédéric Van Gheluwestraat {i % 90}"
        )
    path.write_bytes(("\r\n".join(lines) + "\r\n").encode("cp1252"))
    return path


def big_incidents_csv(path: Path, n: int) -> Path:
    """A large canonical incident file (UTF-8), written by DuckDB in a second or two."""
    con = duckdb.connect()
    try:
        con.execute(
            f"""
            COPY (
                SELECT 'BIG' || i AS source_id, 'vandalism' AS category,
                       strftime(TIMESTAMP '2023-01-01' + to_minutes(i % 500000),
                                '%d/%m/%Y %H:%M') AS occurred_at,
                       strftime(TIMESTAMP '2023-01-01' + to_minutes(i % 500000 + 30),
                                '%d/%m/%Y %H:%M') AS reported_at,
                       1 + i % 5 AS priority, NULL AS dispatched_at, NULL AS arrived_at,
                       {lit(SECTORS[1])} AS area_code, 'Molenstraat ' || (i % 200) AS location
                FROM range({int(n)}) r(i)
            ) TO {lit(str(path))} (HEADER, DELIMITER ';')
            """
        )
    finally:
        con.close()
    return path


@pytest.fixture
def city(tmp_path: Path) -> Warehouse:
    """A warehouse with Aalst: gemeente, deelgemeente, one wijk and three sectors in it."""
    wh = Warehouse(tmp_path / "ivm.duckdb")
    wh.init()
    levels = tmp_path / "levels.csv"
    levels.write_text(
        "code,name,level\n41002,Aalst,gemeente\n41002A,Aalst,deelgemeente\n"
        "41002W01,Centrum,wijk\n",
        encoding="utf-8",
    )
    load_file(wh, "areas", levels)
    sectors = tmp_path / "sectors.csv"
    sectors.write_text(
        "code,name,parent_id\n"
        + "".join(f"{code},Sector {code},41002W01\n" for code in SECTORS),
        encoding="utf-8",
    )
    load_file(wh, "areas", sectors)
    return wh


def _wait_for(path: Path, proc: subprocess.Popen, what: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while not path.exists():
        if proc.poll() is not None:
            raise AssertionError(f"{what}: the process ended early ({proc.returncode})")
        if time.monotonic() > deadline:
            raise AssertionError(f"{what}: not ready after {timeout} s")
        time.sleep(0.01)


def test_a_reader_in_another_process_sees_whole_loads_only(city: Warehouse, tmp_path: Path):
    sizes = [2000 + 500 * k for k in range(6)]  # distinct sizes: a count names its loads
    firsts = [0, *accumulate(sizes)]
    files = [
        incidents_csv(tmp_path / f"incidents_{k}.csv", firsts[k], n) for k, n in enumerate(sizes)
    ]
    stop, ready, out = tmp_path / "stop", tmp_path / "ready", tmp_path / "reader.json"
    proc = subprocess.Popen(
        _python(READER, str(city.path), str(stop), str(ready), str(out), "60"),
        stderr=subprocess.PIPE, text=True,
    )
    try:
        _wait_for(ready, proc, "reader")
        for path in files:
            result = load_file(city, "incidents", path)
            assert result.outcome == "loaded"
            time.sleep(0.05)  # let the reader see this version before the next one
    finally:
        stop.touch()
        _, err = proc.communicate(timeout=90)
    assert proc.returncode == 0, err[-3000:]
    report = json.loads(out.read_text())

    assert report["n_errors"] == 0, report["errors"]
    assert report["reads"] > 20
    seen = report["seen"]
    assert all(logged == stored for logged, stored, _, _ in seen), seen
    whole_loads = set(accumulate(sizes, initial=0))
    assert {stored for _, stored, _, _ in seen} <= whole_loads, seen
    assert len({version for _, _, version, _ in seen}) >= 3, seen
    stored = [s for _, s, _, _ in seen]
    assert stored == sorted(stored), "a reader never goes back to an older version"
    assert stored[-1] == sum(sizes), "the last read (after the stop signal) sees every load"


def test_a_load_killed_while_writing_leaves_the_warehouse_byte_identical(
    city: Warehouse, tmp_path: Path
):
    load_file(city, "incidents", incidents_csv(tmp_path / "first.csv", 0, 1000))
    big = big_incidents_csv(tmp_path / "big.csv", 2_000_000)
    before = _sha256(city.path)
    nxt = city.path.with_name(city.path.name + ".next")
    proc = subprocess.Popen(
        _python(LOADER, str(city.path), str(big), "-", str(tmp_path / "killed.json")),
        stderr=subprocess.PIPE,
    )
    try:
        _wait_for(nxt, proc, "the load's .next copy")
        time.sleep(0.5)  # well into the load: copied, staging and checking 2 million rows
        assert proc.poll() is None, "the load finished before it could be killed"
        os.kill(proc.pid, signal.SIGKILL)
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.communicate(timeout=60)
    assert proc.returncode == -signal.SIGKILL
    assert nxt.exists(), "the kill hit the load while it was writing its copy"

    assert _sha256(city.path) == before
    assert _scalar(city, "SELECT count(*) FROM incident") == 1000
    assert _scalar(city, "SELECT count(*) FROM load_log WHERE kind = 'incidents'") == 1

    result = load_file(city, "incidents", incidents_csv(tmp_path / "after.csv", 5000, 700))
    assert result.outcome == "loaded" and result.counts.loaded == 700
    assert not nxt.exists(), "the next writer removed the stale copy"
    assert not nxt.with_name(nxt.name + ".wal").exists()
    assert _scalar(city, "SELECT count(*) FROM incident") == 1700


def test_two_loads_started_together_queue_and_both_land(city: Warehouse, tmp_path: Path):
    go = tmp_path / "go"
    sizes = [60_000, 40_000]
    procs, outs = [], []
    for k, n in enumerate(sizes):
        csv = incidents_csv(tmp_path / f"concurrent_{k}.csv", 1_000_000 * (k + 1), n)
        out = tmp_path / f"loader_{k}.json"
        outs.append(out)
        procs.append(subprocess.Popen(
            _python(LOADER, str(city.path), str(csv), str(go), str(out)),
            stderr=subprocess.PIPE, text=True,
        ))
    try:
        for proc, out in zip(procs, outs, strict=True):
            _wait_for(Path(str(out) + ".ready"), proc, "loader")
        go.touch()
        errs = [proc.communicate(timeout=180)[1] for proc in procs]
    finally:
        for proc in procs:
            if proc.poll() is None:
                proc.kill()
    assert [p.returncode for p in procs] == [0, 0], [e[-2000:] for e in errs]
    results = [json.loads(out.read_text()) for out in outs]

    assert [r["outcome"] for r in results] == ["loaded", "loaded"]
    assert [r["loaded"] for r in results] == sizes
    assert len({r["load_id"] for r in results}) == 2
    # Both were inside load_file at the same time: one waited for the other's lock.
    assert max(r["called"] for r in results) < min(r["returned"] for r in results)
    assert _scalar(city, "SELECT count(*) FROM incident") == sum(sizes)
    assert _scalar(
        city, "SELECT count(*) FROM load_log WHERE kind = 'incidents' AND outcome = 'loaded'"
    ) == 2
    assert not city.path.with_name(city.path.name + ".next").exists()


def test_a_reader_sees_a_new_version_while_another_connection_holds_the_old_one(
    city: Warehouse, tmp_path: Path
):
    load_file(city, "incidents", incidents_csv(tmp_path / "one.csv", 0, 300))
    held = city.connect_read_only()  # e.g. a query of another part of the same process
    reader = WarehouseReader(city)
    try:
        cur = reader.connection()
        assert cur.execute("SELECT count(*) FROM incident").fetchall()[0][0] == 300
        cur.close()
        load_file(city, "incidents", incidents_csv(tmp_path / "two.csv", 1000, 200))
        cur = reader.connection()
        assert cur.execute("SELECT count(*) FROM incident").fetchall()[0][0] == 500
        cur.close()
        assert held.execute("SELECT count(*) FROM incident").fetchall()[0][0] == 300
    finally:
        reader.close()
        held.close()


def test_a_cursor_in_use_survives_the_reader_moving_to_a_new_version(
    city: Warehouse, tmp_path: Path
):
    reader = WarehouseReader(city)
    try:
        old = reader.connection()  # e.g. another thread's query, still running
        load_file(city, "incidents", incidents_csv(tmp_path / "one.csv", 0, 250))
        new = reader.connection()
        assert new.execute("SELECT count(*) FROM incident").fetchall()[0][0] == 250
        assert old.execute("SELECT count(*) FROM incident").fetchall()[0][0] == 0
        old.close()
        new.close()
    finally:
        reader.close()
