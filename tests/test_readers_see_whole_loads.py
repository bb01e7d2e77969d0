"""Readers keep working during loads: a second process reads in a loop while several loads
publish new versions; it never errors and never sees half a load. A killed load leaves the
warehouse as it was."""

from __future__ import annotations

import hashlib
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

from etl.load import load_file
from tests.conftest import count

READER = textwrap.dedent(
    """
    import json, sys, time
    from pathlib import Path
    from etl.warehouse import Warehouse, WarehouseReader
    reader = WarehouseReader(Warehouse(sys.argv[1]))
    stop, deadline = Path(sys.argv[2]), time.monotonic() + 90
    reads, errors, bad, versions = 0, [], [], set()
    while not stop.exists() and time.monotonic() < deadline:
        try:
            cur = reader.connection()
            logged, stored, loads = cur.execute(
                "SELECT (SELECT coalesce(sum(rows_loaded), 0) FROM load_log "
                "WHERE kind = 'incidents' AND outcome = 'loaded'), "
                "(SELECT count(*) FROM incident), (SELECT count(*) FROM load_log)"
            ).fetchall()[0]
            cur.close()
            reads += 1
            versions.add(loads)
            if logged != stored:
                bad.append([logged, stored])
        except Exception as exc:
            errors.append(repr(exc))
        time.sleep(0.005)
    print(json.dumps({"reads": reads, "errors": errors, "bad": bad,
                      "versions": len(versions)}))
    """
)


def _incidents(path: Path, start: int, n: int) -> Path:
    lines = ["source_id;category;occurred_at;area_code"]
    lines += [f"X{i};bicycle_theft;01/03/2024 12:00;41002W01" for i in range(start, start + n)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_a_reader_in_another_process_never_errors_and_never_sees_half_a_load(toy_city, tmp_path):
    import json

    stop = tmp_path / "stop"
    script = tmp_path / "reader.py"
    script.write_text(READER)
    proc = subprocess.Popen(
        [sys.executable, str(script), str(toy_city.path), str(stop)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        cwd=Path(__file__).resolve().parent.parent,
    )
    try:
        time.sleep(1.5)
        for k in range(6):
            load_file(toy_city, "incidents", _incidents(tmp_path / f"i{k}.csv", k * 3000, 3000))
    finally:
        stop.touch()
        out, err = proc.communicate(timeout=120)
    result = json.loads(out.strip().splitlines()[-1])
    assert result["errors"] == [], result["errors"][:3]
    assert result["bad"] == []
    assert result["reads"] > 20
    assert result["versions"] >= 3
    assert count(toy_city, "SELECT count(*) FROM incident") == 18000


LOADER = textwrap.dedent(
    """
    import sys
    from etl.load import load_file
    from etl.warehouse import Warehouse
    load_file(Warehouse(sys.argv[1]), "incidents", sys.argv[2])
    """
)


def test_a_load_killed_mid_way_leaves_the_warehouse_byte_identical(toy_city, tmp_path):
    big = _incidents(tmp_path / "big.csv", 0, 1_500_000)
    before = _sha(toy_city.path)
    script = tmp_path / "loader.py"
    script.write_text(LOADER)
    proc = subprocess.Popen(
        [sys.executable, str(script), str(toy_city.path), str(big)],
        cwd=Path(__file__).resolve().parent.parent,
    )
    nxt = toy_city.path.with_name(toy_city.path.name + ".next")
    deadline = time.monotonic() + 60
    while not nxt.exists() and time.monotonic() < deadline and proc.poll() is None:
        time.sleep(0.01)
    time.sleep(0.3)
    assert proc.poll() is None, "the load finished before it could be killed"
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()

    assert _sha(toy_city.path) == before
    result = load_file(toy_city, "incidents", _incidents(tmp_path / "small.csv", 0, 10))
    assert result.counts.loaded == 10
    assert not nxt.exists(), "the next writer removes the stale copy"


def test_two_loads_at_once_queue_and_both_land(toy_city, tmp_path):
    script = tmp_path / "loader.py"
    script.write_text(LOADER)
    procs = [
        subprocess.Popen(
            [sys.executable, str(script), str(toy_city.path),
             str(_incidents(tmp_path / f"c{k}.csv", k * 50_000, 50_000))],
            cwd=Path(__file__).resolve().parent.parent,
        )
        for k in range(2)
    ]
    assert [p.wait(timeout=120) for p in procs] == [0, 0]
    assert count(toy_city, "SELECT count(*) FROM incident") == 100_000
