"""``ivm backup`` and ``ivm restore``: the demo's warehouse and application store (accounts,
audit log, partner register, owners' updates, status history) backed up together and restored
into an empty installation, on SQLite and on PostgreSQL, come back the same; a damaged backup
or a target that is not empty is refused and leaves the target as it was."""

from __future__ import annotations

import io
import json
import os
import stat
from pathlib import Path

import pytest
from click.testing import CliRunner

from access.app_backup import dump
from access.passwords import verify
from access.store import AccessStore
from ivm.cli import main
from tests.conftest import ensure_user


def ivm(*args: str):
    return CliRunner().invoke(main, list(args))


def rows_of(store: AccessStore) -> list[dict]:
    out = io.StringIO()
    dump(store.engine, out)
    return [json.loads(line) for line in out.getvalue().splitlines()]


@pytest.fixture
def backed_up(demo_copy, tmp_path: Path, monkeypatch):
    """A backup of the demo (SQLite store) with one account more, and its rows."""
    monkeypatch.delenv("IVM_APP_DB", raising=False)
    password = ensure_user(demo_copy.path, "t-terug", "bestuur")
    source = AccessStore.of_warehouse(demo_copy.path)
    folder = tmp_path / "backup"
    done = ivm("backup", "--out", str(folder), "--db", str(demo_copy.path))
    assert done.exit_code == 0, done.output
    return {"folder": folder, "rows": rows_of(source), "password": password,
            "db": demo_copy.path}


def test_a_backup_restores_into_an_empty_installation_on_either_database(
        backed_up, app_db, tmp_path: Path):
    folder = backed_up["folder"]
    assert {p.name for p in folder.iterdir()} == {"warehouse.duckdb", "app-store.jsonl",
                                                 "MANIFEST.json"}
    assert all(stat.S_IMODE(p.stat().st_mode) == 0o600 for p in folder.iterdir())
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    manifest = json.loads((folder / "MANIFEST.json").read_text())
    rows = manifest["app_store"]["rows"]
    assert rows["app_user"] >= 1 and rows["audit_log"] >= 1
    assert rows["partner"] > 0 and rows["status_history"] > 0 and rows["owner_update"] > 0
    assert rows["council_pack_file"] == 4  # the demo's frozen pack: bytes, as base64

    target = tmp_path / "new" / "ivmonitor.duckdb"
    target.parent.mkdir()
    done = ivm("restore", str(folder), "--db", str(target))
    assert done.exit_code == 0, done.output
    assert target.read_bytes() == Path(backed_up["db"]).read_bytes()
    restored = AccessStore.of_warehouse(target)
    assert (restored.path is None) == bool(app_db)
    assert rows_of(restored) == backed_up["rows"]
    from access.steering.store import Steering

    [pack] = Steering(restored).packs.packs()  # its files, byte for byte
    source = Steering(AccessStore.of_warehouse(backed_up["db"])).packs
    assert Steering(restored).packs.content(pack.pack_id, "public", "pdf") == source.content(
        pack.pack_id, "public", "pdf")
    assert verify(backed_up["password"], restored.password_hash("t-terug"))
    restored.audit("login", "t-terug")  # the numbering goes on after the restored rows
    assert restored.audit_rows(1)[0]["audit_id"] == max(
        r["r"]["audit_id"] for r in backed_up["rows"] if r.get("t") == "audit_log") + 1
    status = ivm("status", "--format", "json", "--db", str(target))
    assert status.exit_code == 0 and json.loads(status.output) == json.loads(
        ivm("status", "--format", "json", "--db", str(backed_up["db"])).output)

    again = ivm("restore", str(folder), "--db", str(target))  # not empty any more
    assert again.exit_code == 1 and "not_empty" in again.output


def test_a_damaged_backup_or_a_store_with_records_is_refused_and_nothing_changes(
        backed_up, tmp_path: Path, monkeypatch):
    folder = backed_up["folder"]
    target = tmp_path / "other" / "ivmonitor.duckdb"
    target.parent.mkdir()
    lines = (folder / "app-store.jsonl").read_text().splitlines()
    os.chmod(folder / "app-store.jsonl", 0o600)
    (folder / "app-store.jsonl").write_text("\n".join(lines[:-1]) + "\n")
    done = ivm("restore", str(folder), "--db", str(target))
    assert done.exit_code == 1 and "checksum" in done.output and "Traceback" not in done.output
    assert not target.exists()
    (folder / "app-store.jsonl").write_text("\n".join(lines) + "\n")

    ensure_user(target, "t-al-daar", "analist")  # the target's store holds an account
    done = ivm("restore", str(folder), "--db", str(target))
    assert done.exit_code == 1 and "not_empty" in done.output
    assert not target.exists()
    assert [u.name for u in AccessStore.of_warehouse(target).users()] == ["t-al-daar"]
    assert ivm("backup", "--out", str(folder), "--db", str(backed_up["db"])).exit_code == 1
