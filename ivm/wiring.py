"""Routes each command to the layer that owns it: ``load plan`` goes to indicators, and every
successful load refreshes the indicators' stored results in the same write.

The command line imports this module only for the commands that load or refresh (it pulls in
every layer, a few seconds of start-up the other commands do without)."""

from __future__ import annotations

import datetime as dt
import getpass
import logging
import time
from pathlib import Path
from typing import Any

import duckdb

from access.steering.store import Steering
from access.store import AccessStore, access_path
from core.errors import IvmError
from core.journal import Journal
from core.logs import event
from core.warehouse import Warehouse
from core.warehouse.publish import version_label
from core.warehouse.releases import record_release
from etl.load import LoadResult, load_file, register_after_load
from indicators import (
    data_version,
    forget_indicators,
    profiles_missing,
    put_plan_in_force,
    read_plan_file,
    record_indicator_files,
    refresh_results,
    register_plan_loader,
    status_records,
    store_area_profiles,
    stored_catalog,
)


def refresh_after_load(con: duckdb.DuckDBPyConnection) -> str:
    """The after-load hook: recompute the stored results. A catalogue problem (an indicator
    file that is not valid) refuses the load with it: nothing is published, the previous data
    and results stay, and the one-line error names the file."""
    return refresh_and_release(con)


def refresh_and_release(con: duckdb.DuckDBPyConnection, as_of: dt.date | None = None) -> str:
    """Recompute the stored results (inside a write) and record their public release: the
    figures the public audience sees from now on, decided knowing the release before
    (:func:`dashboard.export.figures.public_release`). The refresh's summary."""
    from dashboard.export.figures import public_release

    summary = refresh_results(con, as_of=as_of).summary()
    try:
        found = public_release(con)
    except ValueError as exc:  # the suppression found no safe pattern: the export will say so
        return f"{summary}\nwarning: the public release was not recorded: {exc}"
    if found is not None:
        record_release(con, *found)
    return summary


def change_catalog(warehouse: Warehouse, add: list | None = None,
                   remove: list[str] | None = None) -> str:
    """Record indicator files in the warehouse (or forget recorded ones) and recompute the
    results with them, in one publish."""
    with warehouse.writing() as con:
        done = record_indicator_files(con, add) if add else []
        if remove:
            forget_indicators(con, remove)
        summary = refresh_and_release(con)
    what = (f"recorded: {', '.join(done) or '(unchanged)'}" if add else
            f"forgotten: {', '.join(remove or [])}")
    return f"{what}; {summary}"


def activate_plan(warehouse: Warehouse, version: str, refresh: bool = True) -> str:
    """Put a loaded plan version in force (checked again, audited) and, unless ``refresh`` is
    False, recompute the results for it in the same publish and record the statuses in the
    status history. Returns the refresh's summary."""
    with warehouse.writing() as con:
        put_plan_in_force(con, version, getpass.getuser())
        summary = refresh_and_release(con) if refresh else ""
    audit_load(warehouse, "plan_activated", f"plan {version} in force")
    if not refresh:
        return "results not recomputed yet (`ivm refresh`)"
    note = record_history(warehouse)
    return f"{summary}\n{note}" if note else summary


def store_missing_profiles(warehouse: Warehouse) -> str | None:
    """Store every area's profile from the stored results when they were refreshed before
    profiles were stored (a warehouse migrated from schema 13 or older); what was done."""
    con = warehouse.connect_read_only()
    try:
        missing = profiles_missing(con)
    finally:
        con.close()
    if not missing:
        return None
    with warehouse.writing() as con:
        con.execute("BEGIN")
        rows = store_area_profiles(con, stored_catalog(con).values())
        con.execute("COMMIT")
    return f"area profiles stored from the stored results: {rows:,} rows"


def plan_version_of(path: str) -> str:
    """The plan version a plan file declares."""
    return read_plan_file(Path(path)).plan.version


def load_any(
    warehouse: Warehouse, kind: str, path: str, profile: str, strict: bool,
    overrides: dict[str, str], refresh: bool = True, **delivery: Any,
) -> LoadResult:
    """Load one file of any kind; the plan's meaning belongs to the indicators layer (which
    checks its partners against the register), the partner register to the application store.
    ``delivery``: the keyword options of :func:`etl.load.load_file` (period, re-apply, name).
    A load that refreshed the results records the statuses in the status history."""
    if kind == "plan":
        register_plan_loader(lambda: Steering.of_warehouse(warehouse.path).partners
                             .ids_and_names())
    register_after_load(refresh_after_load)
    started = time.perf_counter()
    try:
        result = load_file(warehouse, kind, path, profile, strict, overrides, after=refresh,
                           **delivery)
    except IvmError as exc:
        event("load_failed", logging.WARNING, kind=kind, code=exc.code,
              duration_ms=_ms(started))
        note = audit_load(warehouse, "load_failed", f"{kind} {path}: {exc.one_line()}")
        if note:
            exc.hint = f"{exc.hint}; {note}" if exc.hint else note
        raise
    event("load", kind=kind, load_id=result.load_id, outcome=result.outcome,
          rows_read=result.counts.read, rows_loaded=result.counts.loaded,
          rows_quarantined=result.counts.quarantined, duration_ms=_ms(started),
          data_version=published_label(warehouse))
    note = audit_load(warehouse, "load", f"{kind} {path}: {result.summary()}")
    if note:
        result.notes.append(f"warning: {note}")
    if result.outcome == "loaded" and refresh:
        note = record_history(warehouse)
        if note:
            result.notes.append(note)
    return result


def _ms(started: float) -> float:
    return round((time.perf_counter() - started) * 1000, 1)


def published_label(warehouse: Warehouse) -> str | None:
    """The data version label of the published warehouse (None: it cannot be read now)."""
    try:
        con = warehouse.connect_read_only()
    except IvmError:
        return None
    try:
        return version_label(con)
    finally:
        con.close()


def load_partners(warehouse: Warehouse, path: str) -> str:
    """``ivm load partners FILE``: the partner register, into the application store (all or
    nothing; a failure is in the audit log like a failed load); the summary line."""
    try:
        return Steering.of_warehouse(warehouse.path).partners.load_file(path, getpass.getuser())
    except IvmError as exc:
        note = audit_load(warehouse, "load_failed", f"partners {path}: {exc.one_line()}")
        if note:
            exc.hint = f"{exc.hint}; {note}" if exc.hint else note
        raise


def record_history(warehouse: Warehouse) -> str | None:
    """Store the statuses of the published results in the status history (once per refresh);
    a warning when the application store cannot take them (the results stay published)."""
    try:
        con = warehouse.connect_read_only()
        try:
            version = data_version(con)
            records = status_records(con) if version else []
        finally:
            con.close()
        if version and records:
            Steering.of_warehouse(warehouse.path).history.record(records, version)
        return None
    except Exception as exc:  # noqa: BLE001 (the history's storage failed: say so, go on)
        return f"warning: the status history could not be written ({type(exc).__name__}: " \
               f"{str(exc)[:200]})"


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
    """Recompute every stored result, publish them and record the statuses in the status
    history."""
    with warehouse.writing() as con:
        text = refresh_and_release(con, as_of)
    note = record_history(warehouse)
    return f"{text}\n{note}" if note else text
