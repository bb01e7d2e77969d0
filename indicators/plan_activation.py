"""The plan in force, chosen explicitly: ``ivm plan activate VERSION`` records an activation
(who, when) after checking the version against the warehouse; the latest activation is the plan
in force (:func:`indicators.refresh.current_plan`). Loading a plan never activates it."""

from __future__ import annotations

import duckdb

from core.errors import IvmError
from indicators.catalog_store import effective_catalog
from indicators.plan_check import check_plan, errors
from indicators.refresh import current_plan, plan_file


def activate_plan(con: duckdb.DuckDBPyConnection, version: str, by: str) -> None:
    """Put a loaded plan version in force (inside a write); IvmError when it is not loaded."""
    known = [v for (v,) in con.execute(
        "SELECT plan_version FROM plan_version ORDER BY approved_on, plan_version").fetchall()]
    if version not in known:
        raise IvmError("unknown_plan", f"no plan version '{version}' is loaded",
                       hint=("loaded: " + ", ".join(known)) if known else "`ivm load plan FILE`")
    doc = plan_file(con, version)
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


def plan_versions(con: duckdb.DuckDBPyConnection) -> list[dict]:
    """Every loaded plan version: title, approval, objectives, whether it is in force."""
    in_force, _ = current_plan(con)
    rows = con.execute(
        "SELECT v.plan_version, v.title, v.approved_on, count(o.objective_id), v.load_id, "
        "(SELECT max(activated_at) FROM plan_activation a WHERE a.plan_version = v.plan_version) "
        "FROM plan_version v LEFT JOIN objective o ON o.plan_version = v.plan_version "
        "GROUP BY ALL ORDER BY v.approved_on NULLS LAST, v.plan_version").fetchall()
    return [{"version": v, "title": t, "approved_on": a, "objectives": n, "load_id": lid,
             "last_activated": act, "in_force": v == in_force}
            for v, t, a, n, lid, act in rows]
