"""Robustness: a load that cannot be done fails in one line, with exit 1, its attempt in the
load log and the audit log, and nothing stored changed; every input is bounded.

Each case runs ``ivm load`` as a person would, on a copy of the nasty base warehouse
(:mod:`tests.nasty.corpus`). The system cases (a full disk three ways, a read-only file system,
a load killed halfway) run the load on a small file system of its own (tmpfs, mounted in a
private mount namespace by ``unshare``); they are skipped where the machine cannot do that.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import signal
import subprocess
import sys
import textwrap
import time
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import pytest

from access.store import AccessStore
from core.warehouse import Warehouse
from core.warehouse.schema import DATA_TABLES
from etl.inspect import load_log_rows
from etl.load import load_file
from tests.nasty import corpus, implausible, packed, robustness

IVM = [sys.executable, "-m", "ivm"]


@pytest.fixture(scope="module")
def base(tmp_path_factory) -> Path:
    """Aalst, two deelgemeenten, two wijken with polygons and three good incidents."""
    d = tmp_path_factory.mktemp("robust_base")
    wh = Warehouse(d / "base.duckdb")
    wh.init()
    for kind, build in [("areas", corpus.base_areas_csv), ("areas", corpus.base_wijken_geojson),
                        ("incidents", corpus.base_incidents_csv)]:
        load_file(wh, kind, build(d))
    return wh.path


def checksum(db: Path) -> str:
    """A digest of every data table of the warehouse file (not the load log)."""
    digest = hashlib.sha256()
    con = duckdb.connect(str(db), read_only=True)
    try:
        for table in DATA_TABLES:
            if table == "quarantine":
                continue
            rows = sorted(repr(r) for r in con.execute(f'SELECT * FROM "{table}"').fetchall())
            digest.update(f"{table}:{rows}".encode())
    finally:
        con.close()
    return digest.hexdigest()


@dataclass(frozen=True)
class Case:
    """``ivm load KIND FILE ARGS`` must exit ``rc`` saying ``says`` (all of them, on stderr
    when it fails, stdout when it loads), and leave a load_log row with ``outcome``."""

    name: str
    kind: str
    build: object
    rc: int
    says: tuple[str, ...]
    outcome: str
    args: tuple[str, ...] = ()
    env: dict[str, str] = field(default_factory=dict)


CASES = [
    Case("priority_of_20_digits_quarantined", "incidents", implausible.priority_20_digits, 0,
         ("quarantined 1",), "loaded"),
    Case("priority_of_20_digits_strict", "incidents", implausible.priority_20_digits, 1,
         ("[strict]", "number_overflow", "12345678901234567890"), "rejected", ("--strict",)),
    Case("population_10_to_the_20_strict", "population", implausible.population_10_to_the_20,
         1, ("[strict]", "number_overflow", "row 3"), "rejected", ("--strict",)),
    Case("survey_wave_2026_voorjaar_strict", "survey", implausible.survey_waves_not_years, 1,
         ("[strict]", "invalid_wave", "row 3"), "rejected", ("--strict",)),
    Case("geojson_nested_200000_deep", "areas", robustness.geojson_nested_200000_deep, 1,
         ("[too_deep]", "nested 200,004 levels deep; at most 64"), "rejected"),
    Case("plan_with_a_nan_baseline", "plan", robustness.plan_with_nan_baseline, 1,
         ("[invalid_plan]", "finite number"), "rejected"),
    Case("survey_with_10000_question_columns", "survey", robustness.survey_10000_questions, 1,
         ("[too_many_columns]", "10,004 columns; at most 1,000"), "rejected"),
    Case("a_quote_never_closed_makes_one_long_line", "incidents", robustness.unclosed_quote, 1,
         ("[line_too_long]", "longer than the 0.01 MiB"), "rejected",
         env={"IVM_MAX_LINE_MB": "0.01"}),
    Case("geojson_larger_than_allowed", "areas", robustness.geojson_wijk, 1,
         ("[too_large]", "at most 0.0001 MiB"), "rejected", env={"IVM_MAX_JSON_MB": "0.0001"}),
    Case("category_given_is_no_category", "incidents", corpus.semicolon_delimited, 1,
         ("[unknown_category]", "'Burglary'", "residential_burglary"), "rejected",
         ("--category", "Burglary")),
    Case("unknown_profile", "incidents", corpus.semicolon_delimited, 1,
         ("[unknown_profile]", "no profile 'nottingham'"), "failed", ("--profile", "nottingham")),
    Case("gzip_bomb", "incidents", packed.gzip_bomb_csv, 1,
         ("[gzip_bomb]", "incidents_bomb.csv.gz:", "times its packed size"), "rejected"),
    Case("gzip_larger_than_allowed", "incidents", packed.gzip_bomb_csv, 1,
         ("[gzip_bomb]", "more than the 1 MiB allowed"), "rejected",
         env={"IVM_MAX_GUNZIP_MB": "1"}),
    Case("gzip_damaged", "incidents", packed.gzip_damaged_csv, 1,
         ("[corrupt_gzip]", "incidents_damaged.csv.gz:", "damaged"), "rejected"),
    Case("gzip_cut_short", "incidents", packed.gzip_cut_short_csv, 1,
         ("[corrupt_gzip]", "cut short"), "rejected"),
    Case("text_named_gz", "incidents", packed.text_named_gz, 1,
         ("[not_gzip]", "incidents_plain.csv.gz:"), "rejected"),
    Case("csv_named_gpkg", "areas", packed.csv_named_gpkg, 1,
         ("[not_geopackage]", "wijken.gpkg:", "not an SQLite database"), "rejected"),
    Case("sqlite_named_gpkg", "areas", packed.sqlite_named_gpkg, 1,
         ("[not_geopackage]", "wijken_sqlite.gpkg:"), "rejected"),
]


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_a_load_that_cannot_be_done_fails_in_one_line_logged_and_changes_nothing(
    case: Case, base: Path, tmp_path: Path
) -> None:
    db = tmp_path / "w.duckdb"
    shutil.copy(base, db)
    before = checksum(db)
    path = case.build(tmp_path)
    started = time.monotonic()

    done = subprocess.run([*IVM, "load", case.kind, str(path), "--db", str(db), *case.args],
                          capture_output=True, text=True, timeout=300,
                          env={**os.environ, **case.env})

    assert time.monotonic() - started < 120, "bounded in time"
    assert done.returncode == case.rc, done.stderr
    assert "Traceback" not in done.stderr
    out = done.stdout if case.rc == 0 else done.stderr
    if case.rc:
        assert len(done.stderr.strip().splitlines()) == 1, done.stderr
        assert checksum(db) == before
    for text in case.says:
        assert text in out, out
    log = load_log_rows(Warehouse(db))[-1]
    assert log["outcome"] == case.outcome
    assert log["file"] == str(path.resolve())
    audit = AccessStore.of_warehouse(db).audit_rows(1)[0]
    assert audit["event"] == ("load" if case.rc == 0 else "load_failed")
    assert path.name in audit["detail"]


def test_a_survey_as_wide_as_allowed_loads_in_bounded_memory(base: Path, tmp_path: Path) -> None:
    """999 columns, 500 respondents, half a million answers, within a quarter of a gigabyte."""
    db = tmp_path / "w.duckdb"
    shutil.copy(base, db)
    path = robustness.survey_995_questions(tmp_path)

    done = subprocess.run([*IVM, "load", "survey", str(path), "--db", str(db)],
                          capture_output=True, text=True, timeout=300,
                          env={**os.environ, "IVM_LOAD_MEMORY": "256MB"})

    assert done.returncode == 0, done.stderr
    assert "loaded 500" in done.stdout
    con = duckdb.connect(str(db), read_only=True)
    try:
        assert con.execute("SELECT count(*), count(answer) FROM survey_answer").fetchall() == [
            (500 * 995, 500 * 995)]
    finally:
        con.close()


def test_a_missing_file_fails_in_one_line_and_is_logged(base: Path, tmp_path: Path) -> None:
    db = tmp_path / "w.duckdb"
    shutil.copy(base, db)

    done = subprocess.run([*IVM, "load", "incidents", str(tmp_path / "nope.csv"), "--db",
                           str(db)], capture_output=True, text=True, timeout=120)

    assert done.returncode == 1 and "[no_file]" in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1
    log = load_log_rows(Warehouse(db))[-1]
    assert (log["outcome"], log["file"]) == ("failed", str(tmp_path / "nope.csv"))
    assert "[no_file]" in log["message"]


# --- the system: a full disk, a read-only file system, a load killed halfway -------------------

def _can_unshare() -> bool:
    try:
        return subprocess.run(["unshare", "-rm", "true"], capture_output=True,
                              timeout=30).returncode == 0
    except (OSError, subprocess.SubprocessError):
        return False


needs_unshare = pytest.mark.skipif(
    not _can_unshare(), reason="needs `unshare -rm` (user and mount namespaces) for a tmpfs"
)

#: Runs inside the private mount namespace: the steps of a scenario, a JSON report at the end.
_SCENARIO = textwrap.dedent('''
    import json, os, subprocess, sys
    from pathlib import Path
    steps = json.loads(sys.argv[1])
    report = []
    for step in steps:
        if step[0] == "sh":
            subprocess.run(step[1], shell=True, check=True)
            continue
        done = subprocess.run(step[1], capture_output=True, text=True, timeout=300)
        report.append({"rc": done.returncode, "out": done.stdout, "err": done.stderr,
                       "files": sorted(os.listdir(step[2]))})
    print(json.dumps(report))
''')


def _in_tmpfs(mount: Path, size: int, steps: list) -> list[dict]:
    """Mount a tmpfs of ``size`` bytes at ``mount`` in a private namespace and run ``steps``:
    ``["sh", command]`` or ``["ivm", argv, folder to list]``."""
    mount.mkdir(exist_ok=True)
    steps = [["sh", f"mount -t tmpfs -o size={size} tmpfs {mount}"], *steps]
    done = subprocess.run(["unshare", "-rm", sys.executable, "-c", _SCENARIO, json.dumps(steps)],
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def _big_incidents(d: Path, rows: int = 150_000) -> Path:
    """Many good incidents (a few MB), to fill what is left of a small disk."""
    lines = [f"BIG{i},bicycle_theft,03/03/2024 14:30,,,Kerkstraat {i},41002W01"
             for i in range(rows)]
    path = d / "incidents_big.csv"
    path.write_text("source_id,category,occurred_at,longitude,latitude,location,area_code\n"
                    + "\n".join(lines) + "\n")
    return path


def _copy_out(mount: Path, keep: Path) -> str:
    return f"cp {mount}/w.duckdb {keep}"


@needs_unshare
@pytest.mark.parametrize("scenario", ["no_room_for_the_copy", "no_room_for_the_load",
                                      "no_room_for_the_failure_record"])
def test_a_full_disk_fails_in_one_line_leaves_nothing_behind_and_is_logged_later(
    scenario: str, base: Path, tmp_path: Path
) -> None:
    """Three ways a disk fills: there is no room for the copy a load writes; the copy fits but
    the loaded rows do not; and (the same) with no room for the failure's record either, so it
    waits in the temporary folder until the next load."""
    mount, keep = tmp_path / "disk", tmp_path / "after.duckdb"
    size = base.stat().st_size
    page = 4096
    tmpfs = {"no_room_for_the_copy": size + size // 3,
             "no_room_for_the_load": 2 * size + 1_000_000,
             "no_room_for_the_failure_record": 2 * size + 1_000_000}[scenario]
    tmpfs = (tmpfs // page + 1) * page
    big = _big_incidents(tmp_path)
    small = corpus.semicolon_delimited(tmp_path)
    db = mount / "w.duckdb"
    fill = (f"dd if=/dev/zero of={mount}/filler bs=4096 count=1000000 2>/dev/null || true"
            if scenario == "no_room_for_the_failure_record" else "true")
    before = checksum(base)

    report = _in_tmpfs(mount, tmpfs, [
        ["sh", f"cp {base} {db}"],
        ["ivm", [*IVM, "load", "incidents", str(big), "--db", str(db)], str(mount)],
        ["sh", fill],
        ["sh", _copy_out(mount, keep)],
        ["sh", f"rm -f {mount}/filler; mount -o remount,size=200m {mount}"],
        ["ivm", [*IVM, "load", "incidents", str(small), "--db", str(db)], str(mount)],
        ["ivm", [*IVM, "loads", "--db", str(db), "--format", "json"], str(mount)],
        ["ivm", [*IVM, "audit", "--db", str(db), "--format", "json"], str(mount)],
    ])

    failed, later, loads, audit = report
    assert failed["rc"] == 1, failed
    assert "Traceback" not in failed["err"]
    assert len(failed["err"].strip().splitlines()) == 1, failed["err"]
    assert "[disk_full]" in failed["err"] and "no space left" in failed["err"]
    assert not [f for f in failed["files"] if f.endswith((".next", ".next.wal"))], failed
    assert checksum(keep) == before
    assert later["rc"] == 0, later["err"]
    rows = json.loads(loads["out"])
    logged = [r for r in rows if r["outcome"] == "failed"]
    assert len(logged) == 1 and "[disk_full]" in logged[0]["message"]
    assert logged[0]["file"] == str(big.resolve())
    events = json.loads(audit["out"])
    assert any(e["event"] == "load_failed" and "[disk_full]" in e["detail"] for e in events)


@needs_unshare
def test_a_read_only_file_system_fails_in_one_line_and_is_logged_later(
    base: Path, tmp_path: Path
) -> None:
    mount, keep = tmp_path / "disk", tmp_path / "after.duckdb"
    db = mount / "w.duckdb"
    small = corpus.semicolon_delimited(tmp_path)
    before = checksum(base)

    report = _in_tmpfs(mount, 64 << 20, [
        ["sh", f"cp {base} {db}"],
        ["sh", f"mount -o remount,ro {mount}"],
        ["ivm", [*IVM, "load", "incidents", str(small), "--db", str(db)], str(mount)],
        ["sh", _copy_out(mount, keep)],
        ["sh", f"mount -o remount,rw {mount}"],
        ["ivm", [*IVM, "load", "incidents", str(small), "--db", str(db)], str(mount)],
        ["ivm", [*IVM, "loads", "--db", str(db), "--format", "json"], str(mount)],
    ])

    failed, later, loads = report
    assert failed["rc"] == 1 and "Traceback" not in failed["err"], failed
    assert len(failed["err"].strip().splitlines()) == 1, failed["err"]
    assert "[read_only]" in failed["err"]
    assert checksum(keep) == before
    assert later["rc"] == 0, later["err"]
    logged = [r for r in json.loads(loads["out"]) if r["outcome"] == "failed"]
    assert len(logged) == 1 and "[read_only]" in logged[0]["message"]


def test_a_load_killed_halfway_is_in_the_load_log_after_the_next_load(
    base: Path, tmp_path: Path
) -> None:
    db = tmp_path / "w.duckdb"
    shutil.copy(base, db)
    big = _big_incidents(tmp_path, 400_000)
    before = checksum(db)

    proc = subprocess.Popen([*IVM, "load", "incidents", str(big), "--db", str(db)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    marker = db.with_name(db.name + ".loading.json")
    deadline = time.monotonic() + 120
    while not marker.exists() and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.05)
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=60)
    assert proc.returncode == -signal.SIGKILL, "the load finished before it could be killed"
    assert checksum(db) == before

    load_file(Warehouse(db), "incidents", corpus.semicolon_delimited(tmp_path))

    logged = [r for r in load_log_rows(Warehouse(db)) if r["outcome"] == "failed"]
    assert len(logged) == 1 and "[interrupted]" in logged[0]["message"]
    assert logged[0]["file"] == str(big.resolve())
    assert logged[0]["sha256"] == hashlib.sha256(big.read_bytes()).hexdigest()
    assert not marker.exists()
