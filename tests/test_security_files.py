"""Security on the server's disk and terminal: the warehouse, the access store and the view
cache are their owner's alone when new and keep the mode and group an administrator gave them
across loads; a symbolic link, a folder or a pipe given as input is refused before anything is
read; text from data reaches a terminal with its control characters escaped."""

from __future__ import annotations

import json
import os
import sqlite3
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ensure_user


def store(db: Path):
    from access.store import AccessStore

    return AccessStore.of_warehouse(db)


def _a_group_to_keep() -> int:
    """A group this user may give files to, other than the one new files get."""
    groups = [g for g in os.getgroups() if g != os.getegid()]
    if os.geteuid() == 0:
        return 65534  # nogroup: root may give any group
    if not groups:
        pytest.skip("this user belongs to one group only")
    return groups[0]


def test_a_load_keeps_the_mode_and_group_of_the_warehouse_and_the_access_store(
        demo_copy, tmp_path):
    db = demo_copy.path
    access = store(db).path
    ensure_user(db, "t-files", "bestuur")  # the access store exists
    group = _a_group_to_keep()
    for path in (db, access):
        os.chown(path, -1, group)
        os.chmod(path, 0o640)
    source = tmp_path / "incidents.csv"
    source.write_text("source_id,category,occurred_at,longitude,latitude,location,area_code\n"
                      "F1,bicycle_theft,03/01/2026 08:15,4.04,50.94,Stationsplein,\n")
    before = os.stat(db).st_ino
    reader = sqlite3.connect(access)  # keeps the store's write-ahead log while the load runs
    reader.execute("SELECT count(*) FROM audit_log").fetchall()
    out = subprocess.run([sys.executable, "-m", "ivm", "load", "incidents", str(source),
                          "--db", str(db)], capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr
    assert os.stat(db).st_ino != before  # a new file was published ...
    for path in (db, access, Path(f"{access}-wal")):
        st = os.stat(path)
        # ... with the mode and group the administrator gave the one it replaced
        assert (stat.S_IMODE(st.st_mode), st.st_gid) == (0o640, group), path
    reader.close()


def test_new_data_files_are_their_owners_alone(tmp_path):
    from core.warehouse import Warehouse
    from dashboard.view_cache import SharedViews

    wh = Warehouse(tmp_path / "new.duckdb")
    wh.init()
    access = store(wh.path)
    access.audit("load", "someone")
    views = SharedViews(wh.path, wh.version_token)
    views.get(wh.version_token(), ("view",), lambda: {"figure": 1})
    files = [wh.path, access.path] + [p for p in views.root.rglob("*.json")]
    assert len(files) == 3
    for path in files:
        assert stat.S_IMODE(os.stat(path).st_mode) == 0o600, path
    for folder in (views.root, *[p for p in views.root.iterdir() if p.is_dir()]):
        assert stat.S_IMODE(os.stat(folder).st_mode) == 0o700, folder


def _ivm(*args: str, timeout: int = 120) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "ivm", *args], capture_output=True,
                          text=True, timeout=timeout)


def test_a_symbolic_link_or_a_pipe_given_as_input_is_refused(demo_copy, tmp_path):
    db = str(demo_copy.path)
    link = tmp_path / "incidents.csv"
    link.symlink_to("/etc/passwd")
    fifo = tmp_path / "pipe.csv"
    os.mkfifo(fifo)
    loads_before = json.loads(_ivm("loads", "--db", db, "--format", "json").stdout)
    for path, code in ((link, "symbolic_link"), (fifo, "not_a_file"),
                       (tmp_path, "not_a_file")):
        out = _ivm("load", "incidents", str(path), "--db", db, timeout=60)
        assert out.returncode == 1 and f"[{code}]" in out.stderr, out.stderr
        assert len(out.stderr.strip().splitlines()) == 1 and "Traceback" not in out.stderr
    # each refusal is in the load log (nothing loaded) and the audit log, and nothing of what
    # the link points to is anywhere
    loads = json.loads(_ivm("loads", "--db", db, "--format", "json").stdout)
    assert loads[:len(loads_before)] == loads_before
    attempts = loads[len(loads_before):]
    assert [a["outcome"] for a in attempts] == ["failed"] * 3 and all(
        a["rows_loaded"] in (None, 0) for a in attempts), attempts
    with sqlite3.connect(store(demo_copy.path).path) as con:
        logged = " ".join(d or "" for (d,) in con.execute("SELECT detail FROM audit_log"))
    everything = logged + json.dumps(loads)
    assert "[symbolic_link]" in logged and "root:" not in everything
    assert "/bin/" not in everything


ESCAPES = "\x1b]0;owned\x07\x1b[2J\x1b[31m\u202e\x9b"


def test_text_from_data_reaches_the_terminal_escaped(toy_city, tmp_path):
    import pty

    from core.errors import CONTROL
    from etl.inspect import quarantine_rows

    db = str(toy_city.path)
    source = tmp_path / "evil.csv"
    source.write_text(
        "source_id,category,occurred_at,longitude,latitude,location,area_code\n"
        "G1,bicycle_theft,03/01/2024 08:15,,,Stationsplein,41002W01\n"
        f"G2,{ESCAPES}theft,03/01/2024 08:15,,,{ESCAPES}plein,41002W01\n", encoding="utf-8")
    loaded = _ivm("load", "incidents", str(source), "--db", db)
    assert loaded.returncode == 0, loaded.stderr
    load_id = json.loads(_ivm("loads", "--db", db, "--format", "json").stdout)[-1]["load_id"]

    def on_terminal(*args: str) -> bytes:
        """What `ivm ARGS` writes to a real terminal (a pseudo-terminal)."""
        main, child = pty.openpty()
        proc = subprocess.Popen([sys.executable, "-m", "ivm", *args], stdout=child,
                                stderr=child, stdin=subprocess.DEVNULL)
        os.close(child)
        out = b""
        while True:
            try:
                chunk = os.read(main, 65536)
            except OSError:
                break
            if not chunk:
                break
            out += chunk
        proc.wait(timeout=60)
        os.close(main)
        return out

    for fmt in ("table", "csv"):
        shown = on_terminal("quarantine", str(load_id), "--db", db, "--format", fmt)
        assert b"G2" in shown and b"\\x1b]0;owned\\x07" in shown, shown[:500]
        assert b"\x1b" not in shown and "\u202e".encode() not in shown and b"\xc2\x9b" not in shown
    # piped: the table is escaped the same way; JSON keeps the data exactly, as escapes
    table = _ivm("quarantine", str(load_id), "--db", db).stdout
    assert "\x1b" not in table and "\\x1b]0;owned" in table
    raw = _ivm("quarantine", str(load_id), "--db", db, "--format", "json").stdout
    assert not CONTROL.search(raw.replace("\n", ""))
    stored = quarantine_rows(toy_city, load_id)
    assert any(ESCAPES in r["reasons"] for r in stored)  # the data itself is kept as it was
    assert json.loads(raw) == json.loads(json.dumps(stored, default=str))
    # an error line names the file without letting its name drive the terminal
    evil_name = tmp_path / "x\x1b[2Jy.csv"
    evil_name.write_text("nonsense")
    error = on_terminal("load", "incidents", str(evil_name), "--db", db)
    assert b"\x1b" not in error and b"x\\x1b[2Jy.csv" in error
