"""The plan versions as stored in the warehouse: read one back whole (its declaration, its
objectives and their actions), list them, and write one.

A plan version is stored once and then kept as it is: :func:`stored_plan` gives back exactly
the plan file that was loaded (as the model, in canonical form), so a file that claims the same
version can be compared with it (:mod:`indicators.plan_diff`).
"""

from __future__ import annotations

import json
from typing import Any

import duckdb

from indicators.plan import Action, Objective, PlanFile


def canonical(model: Any) -> str:
    """A model as canonical JSON (sorted keys, ISO dates): equal content, equal text."""
    return json.dumps(model.model_dump(mode="json"), sort_keys=True, ensure_ascii=False)


def stored_plan(con: duckdb.DuckDBPyConnection, version: str) -> PlanFile | None:
    """The plan version ``version`` as it was loaded (None when there is none)."""
    rows = con.execute(
        "SELECT plan_version, title, approved_on, approved_by, spec FROM plan_version "
        "WHERE plan_version = ?", [version]).fetchall()
    if not rows:
        return None
    ident, title, approved_on, approved_by, spec = rows[0]
    info = json.loads(spec) if spec else {"version": ident, "title": title,
                                          "approved_on": approved_on,
                                          "approved_by": approved_by}
    objectives = [Objective.model_validate(json.loads(s)) for (s,) in con.execute(
        "SELECT spec FROM objective WHERE plan_version = ? ORDER BY objective_id",
        [version]).fetchall()]
    actions = [Action.model_validate(json.loads(s)) for (s,) in con.execute(
        "SELECT spec FROM plan_action WHERE plan_version = ? ORDER BY action_id",
        [version]).fetchall()]
    return PlanFile.model_validate({"plan": info,
                                    "objectives": [o.model_dump() for o in objectives],
                                    "actions": [a.model_dump() for a in actions]})


def in_force_version(con: duckdb.DuckDBPyConnection) -> str | None:
    """The plan version in force: the one activated last (``ivm plan activate``,
    :mod:`indicators.plan_activation`); None when no version has been put in force. Loading a
    version, whatever its approval date, never changes it."""
    row = con.execute(
        "SELECT a.plan_version FROM plan_activation a "
        "JOIN plan_version v ON v.plan_version = a.plan_version "
        "ORDER BY a.activation_id DESC LIMIT 1").fetchall()
    return row[0][0] if row else None


def plan_versions(con: duckdb.DuckDBPyConnection) -> list[dict[str, Any]]:
    """Every stored plan version, newest approval first: version, title, approved_on,
    approved_by, objectives, actions, load_id, in_force (whether it is the version in force)
    and last_activated (when it was last put in force, or None)."""
    rows = con.execute(
        "SELECT p.plan_version, p.title, p.approved_on, p.approved_by, p.load_id, "
        "(SELECT count(*) FROM objective o WHERE o.plan_version = p.plan_version), "
        "(SELECT count(*) FROM plan_action a WHERE a.plan_version = p.plan_version), "
        "(SELECT max(activated_at) FROM plan_activation a "
        "WHERE a.plan_version = p.plan_version) "
        "FROM plan_version p ORDER BY p.approved_on DESC NULLS LAST, p.load_id DESC").fetchall()
    keys = ("version", "title", "approved_on", "approved_by", "load_id", "objectives",
            "actions", "last_activated")
    in_force = in_force_version(con)
    return [{**dict(zip(keys, r, strict=True)), "in_force": r[0] == in_force} for r in rows]


def store_plan(con: duckdb.DuckDBPyConnection, plan: PlanFile, file: str, sha256: str,
               load_id: int) -> None:
    """Write ``plan`` as its version (replacing what that version held)."""
    info = plan.plan
    version = info.version
    con.execute("DELETE FROM plan_version WHERE plan_version = ?", [version])
    con.execute(
        "INSERT INTO plan_version (plan_version, title, approved_on, approved_by, file, sha256, "
        "load_id, spec) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        [version, info.title, info.approved_on, info.approved_by, file, sha256, load_id,
         canonical(info)])
    con.execute("DELETE FROM objective WHERE plan_version = ?", [version])
    for o in plan.objectives:
        con.execute(
            "INSERT INTO objective VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            [version, o.id, o.title.nl, o.phase, o.indicator, o.owner, canonical(o), load_id])
    con.execute("DELETE FROM plan_action WHERE plan_version = ?", [version])
    for a in plan.actions:
        con.execute("INSERT INTO plan_action VALUES (?, ?, ?, ?, ?, ?)",
                    [version, a.id, a.objective, a.owner, canonical(a), load_id])


__all__ = ["canonical", "in_force_version", "plan_versions", "store_plan", "stored_plan"]
