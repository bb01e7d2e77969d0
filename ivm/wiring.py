"""Routes each command to the layer that owns it: ``load plan`` goes to indicators, and every
successful load refreshes the indicators' stored results in the same write."""

from __future__ import annotations

import datetime as dt
from typing import Any

import duckdb

from core.errors import IvmError
from core.warehouse import Warehouse
from etl.load import LoadResult, load_file, register_after_load


def refresh_results(con: duckdb.DuckDBPyConnection) -> str:
    """The after-load hook: recompute the stored results; a catalogue problem does not undo
    the load (the results stay as they were and the message says why)."""
    from indicators.refresh import refresh

    try:
        return refresh(con).summary()
    except IvmError as exc:
        return f"results not refreshed: {exc.one_line()} (fix it, then run `ivm refresh`)"


def load_any(
    warehouse: Warehouse, kind: str, path: str, profile: str, strict: bool,
    overrides: dict[str, str], refresh: bool = True, **delivery: Any,
) -> LoadResult:
    """Load one file of any kind; the plan's meaning belongs to the indicators layer.
    ``delivery``: the keyword options of :func:`etl.load.load_file` (period, re-apply, name)."""
    if kind == "plan":
        from indicators.plan_load import register

        register()
    register_after_load(refresh_results)
    try:
        result = load_file(warehouse, kind, path, profile, strict, overrides, after=refresh,
                           **delivery)
    except IvmError as exc:
        audit_load(warehouse, "load_failed", f"{kind} {path}: {exc.one_line()}")
        raise
    audit_load(warehouse, "load", f"{kind} {path}: {result.summary()}")
    return result


def audit_load(warehouse: Warehouse, event: str, detail: str) -> None:
    """Note a load (or a failed one) in the access store's audit log, as the system user."""
    import getpass

    from access.store import AccessStore

    AccessStore.of_warehouse(warehouse.path).audit(event, getpass.getuser(), "cli",
                                                   detail=detail[:2000])


def refresh_all(warehouse: Warehouse, as_of: dt.date | None = None) -> str:
    """Recompute every stored result and publish them."""
    from indicators.refresh import refresh

    with warehouse.writing() as con:
        return refresh(con, as_of=as_of).summary()
