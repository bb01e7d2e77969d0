"""The `ivm` command: exit codes (0 ok, 1 data/user error in one line, 2 usage), --db, json."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path


def ivm(*args: str, db: Path | None = None) -> subprocess.CompletedProcess:
    """Run the CLI as a user would (a separate process)."""
    cmd = [sys.executable, "-m", "ivm", *args]
    if db is not None:
        cmd += ["--db", str(db)]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=120)


def test_init_then_info_reports_schema_version_and_table_counts(tmp_path):
    db = tmp_path / "w.duckdb"
    assert ivm("init", db=db).returncode == 0
    out = ivm("info", "--format", "json", db=db)
    assert out.returncode == 0
    info = json.loads(out.stdout)
    assert info["schema_version"] >= 1
    assert info["tables"]["incident"] == 0


def test_load_prints_the_counts_and_loads_lists_it_as_json(tmp_path, write):
    db = tmp_path / "w.duckdb"
    ivm("init", db=db)
    areas = write("areas.csv", "code;name;level\n41002;Aalst;gemeente\n41002W01;Centrum;wijk\n")
    out = ivm("load", "areas", str(areas), db=db)
    assert out.returncode == 0, out.stderr
    assert "read 2, loaded 2, replaced 0, skipped 0, quarantined 0" in out.stdout
    loads = json.loads(ivm("loads", "--format", "json", db=db).stdout)
    assert [(r["kind"], r["outcome"], r["rows_loaded"]) for r in loads] == [("areas", "loaded", 2)]


def test_a_rejected_file_exits_1_with_one_line_naming_the_file_and_no_traceback(tmp_path, write):
    db = tmp_path / "w.duckdb"
    ivm("init", db=db)
    bad = write("incidents.csv", "id;when\n1;2024-01-01\n")
    out = ivm("load", "incidents", str(bad), db=db)
    assert out.returncode == 1
    lines = out.stderr.strip().splitlines()
    assert len(lines) == 1, out.stderr
    assert "incidents.csv" in lines[0] and "missing required column" in lines[0]
    assert "Traceback" not in out.stderr
    loads = json.loads(ivm("loads", "--format", "json", db=db).stdout)
    assert loads[-1]["outcome"] == "rejected", "every attempt is logged"


def test_wrong_usage_exits_2(tmp_path):
    assert ivm("load", "nonsense-kind", "x.csv").returncode == 2
    assert ivm("no-such-command").returncode == 2


def test_a_missing_warehouse_is_a_user_error(tmp_path):
    out = ivm("info", db=tmp_path / "missing.duckdb")
    assert out.returncode == 1
    assert "ivm init" in out.stderr


def test_quarantine_shows_rows_and_reasons(tmp_path, write):
    db = tmp_path / "w.duckdb"
    ivm("init", db=db)
    ivm("load", "areas", str(write("a.csv", "code,name,level\n41002W01,C,wijk\n")), db=db)
    inc = write("i.csv", "category,occurred_at,area_code\ndrugs,31/02/2024,41002W01\n")
    ivm("load", "incidents", str(inc), db=db)
    rows = json.loads(ivm("quarantine", "2", "--format", "json", db=db).stdout)
    assert rows[0]["row_number"] == 2
    assert rows[0]["reason_codes"] == "invalid_datetime"
    assert "31/02/2024" in rows[0]["reasons"]


def test_profiles_lists_the_built_in_profiles():
    out = ivm("profiles", "--format", "json")
    names = {p["name"] for p in json.loads(out.stdout)}
    assert {"canonical", "police-uk", "police-uk-extract"} <= names
