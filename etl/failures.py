"""Failed load attempts: every one is in ``load_log``, even when the warehouse cannot be written.

A load that fails for a reason of its own (a file that is not there, an unknown profile, a
database error) gets its ``load_log`` row with outcome ``failed`` in a small publish of its own.
When the warehouse cannot take that publish (a full disk, a read-only file system), the row
waits in a journal (:class:`core.journal.Journal`: next to the warehouse, else in the temporary
folder); the next load adds the waiting rows to ``load_log``, with their own times, and clears
the journal. ``ivm loads`` shows them meanwhile.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import json
from pathlib import Path
from typing import Any

import duckdb

from core.errors import IvmError
from core.journal import Journal
from core.warehouse import Warehouse
from etl.readers.sniff import open_input

#: Codes of failures that mean the warehouse cannot be written now: straight to the journal.
_UNWRITABLE = ("disk_full", "read_only", "no_permission", "out_of_memory")


def journal(warehouse: Warehouse) -> Journal:
    """Where the failed attempts of a warehouse wait."""
    return Journal(warehouse.path, ".pending-loads.jsonl")


def record_failure(warehouse: Warehouse, row: dict[str, Any], error: IvmError) -> str | None:
    """Record a failed attempt (``row``: the load_log columns it knows, ``started_at`` among
    them); returns a note when it could not be recorded anywhere."""
    row = {**row, "at": row.get("started_at"), "message": error.one_line()}
    if not warehouse.exists():
        return None  # nothing to log into: the error says to run `ivm init`
    if error.code not in _UNWRITABLE:
        try:
            with warehouse.writing() as con:
                consumed = add_pending(con, warehouse)
                _insert(con, row)
            clear_pending(warehouse, consumed)
            return None
        except (IvmError, OSError, duckdb.Error):
            pass
    try:
        with warehouse.locked():  # not while a load takes the journal in
            written = journal(warehouse).append(row)
    except OSError:  # no lock to be had (a read-only folder): the temporary folder still is
        written = journal(warehouse).append(row)
    return None if written else "not recorded in the load log: nowhere to write"


def pending(warehouse: Warehouse) -> list[dict[str, Any]]:
    """The failed attempts waiting in the journal, oldest first."""
    return journal(warehouse).read()[0]


def add_pending(con: duckdb.DuckDBPyConnection, warehouse: Warehouse) -> dict[Path, int]:
    """Add the waiting failed attempts to ``load_log`` (inside a write, which holds the
    writers' lock), and the attempt an earlier load left unfinished (killed, crashed: its
    marker is still there); returns what to clear once the write is published."""
    rows, consumed = journal(warehouse).read()
    marker = _marker(warehouse)
    with contextlib.suppress(OSError, ValueError):
        left = json.loads(marker.read_text(encoding="utf-8"))
        consumed[marker] = marker.stat().st_size
        published = con.execute("SELECT count(*) FROM load_log WHERE load_id = ?",
                                [left.get("load_id")]).fetchall()[0][0]
        if not published:
            if not left.get("sha256"):  # killed while the file was being hashed (etl.load)
                left["sha256"] = _sha256_of(left.get("file"))
            rows.append({**left, "message": "error [interrupted] the load was interrupted "
                         "(killed or crashed) before it was published; nothing of it was kept"})
    for row in rows:
        _insert(con, row)
    return consumed


def _sha256_of(file: Any) -> str:
    """The sha256 of the file an interrupted load read, as it is now ('' when it is gone)."""
    try:
        with open_input(Path(str(file))) as fh:
            return hashlib.file_digest(fh, "sha256").hexdigest()
    except (IvmError, OSError):
        return ""


def mark_attempt(warehouse: Warehouse, attempt: dict[str, Any]) -> None:
    """Mark a load as under way (inside its write, which holds the writers' lock): a marker
    the next load finds was left by a load that never finished (see :func:`add_pending`)."""
    with contextlib.suppress(OSError):
        _marker(warehouse).write_text(json.dumps(attempt, default=str), encoding="utf-8")


def unmark_attempt(warehouse: Warehouse, locked: bool = True) -> None:
    """Remove the marker of a load that finished (``locked``: the caller holds the writers'
    lock; else it is taken, so no other load takes the marker for a stale one meanwhile)."""
    with contextlib.suppress(OSError):
        if locked:
            _marker(warehouse).unlink(missing_ok=True)
        else:
            with warehouse.locked():
                _marker(warehouse).unlink(missing_ok=True)


def _marker(warehouse: Warehouse) -> Path:
    return warehouse.path.with_name(warehouse.path.name + ".loading.json")


def clear_pending(warehouse: Warehouse, consumed: dict[Path, int]) -> None:
    """Clear from the journal what a published write took in (lines added since stay)."""
    if consumed:
        with contextlib.suppress(OSError), warehouse.locked():
            journal(warehouse).clear(consumed)


def _insert(con: duckdb.DuckDBPyConnection, row: dict[str, Any]) -> None:
    load_id = con.execute("SELECT nextval('load_id_seq')").fetchall()[0][0]
    started = _time(row.get("started_at"))
    con.execute(
        "INSERT INTO load_log (load_id, kind, profile, source, file, sha256, started_at, "
        "finished_at, outcome, message) VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'failed', ?)",
        [load_id, *(str(row.get(c) or "") for c in ("kind", "profile", "source", "file",
                                                       "sha256")),
         started, _time(row.get("finished_at")) or started,
         str(row.get("message") or "")[:2000]],
    )


def _time(value: Any) -> dt.datetime:
    if isinstance(value, dt.datetime):
        return value
    try:
        return dt.datetime.fromisoformat(str(value))
    except ValueError:
        return dt.datetime.now()
