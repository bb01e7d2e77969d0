"""The plan in force, chosen explicitly: ``ivm plan activate VERSION`` records an activation
(who, when) after checking the version against the warehouse; the latest activation is the plan
in force (:func:`indicators.plan_store.in_force_version`). Loading a plan never activates it;
the versions themselves stay as they were loaded (:mod:`indicators.plan_store`)."""

from __future__ import annotations

import duckdb

from core.errors import IvmError
from indicators.catalog_store import effective_catalog
from indicators.plan_check import check_plan, errors
from indicators.plan_store import stored_plan


def activate_plan(con: duckdb.DuckDBPyConnection, version: str, by: str) -> None:
    """Put a loaded plan version in force (inside a write); IvmError when it is not loaded."""
    known = [v for (v,) in con.execute(
        "SELECT plan_version FROM plan_version ORDER BY approved_on, plan_version").fetchall()]
    if version not in known:
        raise IvmError("unknown_plan", f"no plan version '{version}' is loaded",
                       hint=("loaded: " + ", ".join(known)) if known else "`ivm load plan FILE`")
    doc = stored_plan(con, version)
    assert doc is not None  # listed just above
    refused = errors(check_plan(doc, effective_catalog(con), con, in_force=True))
    if refused:
        first = refused[0]
        raise IvmError("invalid_plan", f"plan {version} cannot be put in force: objective "
                       f"{first.objective_id}: [{first.code}] {first.message}"
                       + (f" (and {len(refused) - 1} more)" if len(refused) > 1 else ""),
                       hint="`ivm plan check` after loading what it needs, or load a "
                       "corrected plan")
    con.execute(
        "INSERT INTO plan_activation SELECT coalesce(max(activation_id), 0) + 1, ?, "
        "now()::TIMESTAMP, ? FROM plan_activation", [version, by])
