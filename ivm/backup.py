"""``ivm backup`` and ``ivm restore``: the warehouse and its application store together.

A backup is a folder readable by its owner only (it holds the password hashes and the audit
log): ``warehouse.duckdb``, a copy of the published warehouse file; ``app-store.jsonl``, the
application store's rows (:mod:`access.app_backup`, the same from SQLite or PostgreSQL); and
``MANIFEST.json`` with both schema versions, row counts and SHA-256 checksums. It is taken
holding the warehouse's writers' lock, so no load publishes between the two parts.

A restore goes into an empty installation only (no warehouse file, an empty application store,
on either database): the checksums are checked first, then the store is restored in one
transaction and the warehouse published with one atomic rename; a failure leaves the target as
empty as it was.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

from access.app_backup import dump, restore
from access.app_db import shown
from access.store import AccessStore
from core.errors import IvmError, Where
from core.warehouse import SCHEMA_VERSION, Warehouse
from core.warehouse.files import create_private

WAREHOUSE_FILE = "warehouse.duckdb"
STORE_FILE = "app-store.jsonl"
MANIFEST = "MANIFEST.json"


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _private_copy(source: Path, target: Path) -> None:
    with open(source, "rb") as src, os.fdopen(create_private(target), "wb") as dst:
        shutil.copyfileobj(src, dst, 1 << 20)
        dst.flush()
        os.fsync(dst.fileno())


def backup(warehouse: Warehouse, out: Path, say: Callable[[str], None]) -> dict[str, Any]:
    """Back up the warehouse and its application store into the new folder ``out``; the
    manifest."""
    if not warehouse.exists():
        raise IvmError("no_warehouse", "no warehouse here", Where(str(warehouse.path)),
                       hint="pass --db")
    if out.exists() and any(out.iterdir()):
        raise IvmError("backup_exists", "the backup folder exists and is not empty",
                       Where(str(out)), hint="name a new folder")
    store = AccessStore.of_warehouse(warehouse.path)
    engine = store.engine
    out.mkdir(parents=True, exist_ok=True)
    os.chmod(out, 0o700)
    with warehouse.locked():  # no load publishes a new version meanwhile
        _private_copy(warehouse.path, out / WAREHOUSE_FILE)
        with os.fdopen(create_private(out / STORE_FILE), "w", encoding="utf-8") as fh:
            counts = dump(engine, fh)
    from access.app_schema import APP_SCHEMA_VERSION

    manifest = {
        "made_at": dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "warehouse": {"file": WAREHOUSE_FILE, "schema_version": SCHEMA_VERSION,
                      "sha256": _sha256(out / WAREHOUSE_FILE), "from": str(warehouse.path)},
        "app_store": {"file": STORE_FILE, "schema_version": APP_SCHEMA_VERSION,
                      "sha256": _sha256(out / STORE_FILE), "from": shown(store.url),
                      "rows": counts},
    }
    with os.fdopen(create_private(out / MANIFEST), "w", encoding="utf-8") as fh:
        json.dump(manifest, fh, indent=2)
    say(f"backed up {warehouse.path} and {shown(store.url)} ({sum(counts.values())} rows) "
        f"to {out}")
    return manifest


def restore_into(warehouse: Warehouse, source: Path, say: Callable[[str], None]) -> None:
    """Restore the backup folder ``source`` into an empty installation: no warehouse at
    ``warehouse``'s path, an empty application store (``IVM_APP_DB``)."""
    try:
        manifest = json.loads((source / MANIFEST).read_text(encoding="utf-8"))
        parts = (manifest["warehouse"], manifest["app_store"])
    except (OSError, ValueError, KeyError, TypeError):
        raise IvmError("bad_backup", "no backup here (MANIFEST.json missing or unreadable)",
                       Where(str(source))) from None
    for part in parts:
        path = source / Path(str(part.get("file", ""))).name
        if not path.is_file() or _sha256(path) != part.get("sha256"):
            raise IvmError("bad_backup", "a backup file is missing or differs from its "
                           "checksum", Where(str(path)))
    if warehouse.exists():
        raise IvmError("not_empty", "a warehouse exists here already",
                       Where(str(warehouse.path)), hint="restore into an empty installation")
    store = AccessStore.of_warehouse(warehouse.path)
    engine = store.engine  # a new store gets its tables here
    staged = warehouse.path.with_name(warehouse.path.name + ".restoring")
    with warehouse.locked():
        staged.unlink(missing_ok=True)
        try:
            _private_copy(source / WAREHOUSE_FILE, staged)
            counts = restore(engine, source / STORE_FILE)
            os.replace(staged, warehouse.path)
        finally:
            staged.unlink(missing_ok=True)
    if parts[0].get("schema_version", SCHEMA_VERSION) < SCHEMA_VERSION:
        say("the warehouse is of an older version: run `ivm migrate`")
    say(f"restored {warehouse.path} and {shown(store.url)} ({sum(counts.values())} rows) "
        f"from {source}")


__all__ = ["backup", "restore_into"]
