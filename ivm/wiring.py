"""Routes each command to the layer that owns it: ``load plan`` goes to indicators, and every
successful load refreshes the indicators' stored results in the same write.

The command line imports this module only for the commands that load or refresh (it pulls in
every layer, a few seconds of start-up the other commands do without)."""

from __future__ import annotations

import datetime as dt
import getpass
from typing import Any

import duckdb

from access.store import AccessStore, access_path
from core.errors import IvmError
from core.journal import Journal
from core.warehouse import Warehouse
from etl.load import LoadResult, load_file, register_after_load
from indicators import (
    forget_indicators,
    put_plan_in_force,
    record_indicator_files,
    refresh_results,
    register_plan_loader,
)


def refresh_after_load(con: duckdb.DuckDBPyConnection) -> str:
    """The after-load hook: recompute the stored results. A catalogue problem (an indicator
    file that is not valid) refuses the load with it: nothing is published, the previous data
    and results stay, and the one-line error names the file."""
    return refresh_results(con).summary()


def change_catalog(warehouse: Warehouse, add: list | None = None,
                   remove: list[str] | None = None) -> str:
    """Record indicator files in the warehouse (or forget recorded ones) and recompute the
    results with them, in one publish."""
    with warehouse.writing() as con:
        done = record_indicator_files(con, add) if add else []
        if remove:
            forget_indicators(con, remove)
        summary = refresh_results(con).summary()
    what = (f"recorded: {', '.join(done) or '(unchanged)'}" if add else
            f"forgotten: {', '.join(remove or [])}")
    return f"{what}; {summary}"


def activate_plan(warehouse: Warehouse, version: str) -> str:
    """Put a loaded plan version in force and recompute the results for it, in one publish;
    audited. Returns the refresh's summary."""
    with warehouse.writing() as con:
        put_plan_in_force(con, version, getpass.getuser())
        summary = refresh_results(con).summary()
    audit_load(warehouse, "plan_activated", f"plan {version} in force")
    return summary


def loaded_plan_version(warehouse: Warehouse, load_id: int) -> str | None:
    """The plan version a load stored."""
    con = warehouse.connect_read_only()
    try:
        row = con.execute("SELECT plan_version FROM plan_version WHERE load_id = ?",
                          [load_id]).fetchall()
    finally:
        con.close()
    return row[0][0] if row else None


def load_any(
    warehouse: Warehouse, kind: str, path: str, profile: str, strict: bool,
    overrides: dict[str, str], refresh: bool = True, **delivery: Any,
) -> LoadResult:
    """Load one file of any kind; the plan's meaning belongs to the indicators layer.
    ``delivery``: the keyword options of :func:`etl.load.load_file` (period, re-apply, name)."""
    if kind == "plan":
        register_plan_loader()
    register_after_load(refresh_after_load)
    try:
        result = load_file(warehouse, kind, path, profile, strict, overrides, after=refresh,
                           **delivery)
    except IvmError as exc:
        note = audit_load(warehouse, "load_failed", f"{kind} {path}: {exc.one_line()}")
        if note:
            exc.hint = f"{exc.hint}; {note}" if exc.hint else note
        raise
    note = audit_load(warehouse, "load", f"{kind} {path}: {result.summary()}")
    if note:
        result.notes.append(f"warning: {note}")
    return result


def audit_load(warehouse: Warehouse, event: str, detail: str) -> str | None:
    """Note a load (or a failed one) in the access store's audit log, as the system user.

    When the audit log cannot be written (a full disk, a read-only file system), the entry
    waits in a journal and is added, with its own time, before the next entry that can be
    written; returns a note when it could not even wait."""
    entry = {"at": dt.datetime.now().isoformat(timespec="seconds"), "event": event,
             "user": getpass.getuser(), "detail": detail[:2000]}
    waiting = Journal(access_path(warehouse.path), ".pending-audit.jsonl")
    try:
        store = AccessStore.of_warehouse(warehouse.path)
        earlier, consumed = waiting.read()
        for e in earlier:
            store.audit(e["event"], e["user"], "cli",
                        detail=f"(at {e['at']}, written late) {e['detail']}"[:2000])
        store.audit(event, entry["user"], "cli", detail=entry["detail"])
        waiting.clear(consumed)
        return None
    except Exception:  # noqa: BLE001 (the audit log's own storage failed: keep the entry)
        if waiting.append(entry):
            return "the audit entry waits to be written (the audit log cannot be written now)"
        return "no audit entry could be written"


def refresh_all(warehouse: Warehouse, as_of: dt.date | None = None) -> str:
    """Recompute every stored result and publish them."""
    with warehouse.writing() as con:
        return refresh_results(con, as_of=as_of).summary()
