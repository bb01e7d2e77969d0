"""``ivm load plan``: store a validated plan file as a plan version and its objectives."""

from __future__ import annotations

import json
from pathlib import Path

import duckdb

from core.errors import DeclarationError, FileRejected, IvmError, Where
from etl.delivery import Delivery
from etl.facts import Counts
from etl.load import register_loader
from etl.profile import Profile
from etl.readers import FileFacts
from indicators.plan import PlanFile, parse_plan
from indicators.plan_xlsx_read import read_plan_xlsx


def read_plan_file(path: Path) -> PlanFile:
    """A plan file, YAML or the Excel plan template, validated into the plan model."""
    if path.suffix.lower() == ".xlsx":
        return read_plan_xlsx(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise IvmError("no_file", "no such file", Where(str(path))) from None
    except UnicodeDecodeError as exc:
        raise IvmError("wrong_encoding", f"a plan file must be UTF-8 ({exc.reason})",
                       Where(str(path))) from None
    return parse_plan(text, str(path))


def load_plan(
    con: duckdb.DuckDBPyConnection,
    facts: FileFacts,
    kind: str,
    profile: Profile,
    load_id: int,
    delivery: Delivery,
) -> Counts:
    """Validate the plan file (YAML, or an Excel workbook ``.xlsx``) and store it: one plan
    version, its objectives replaced whole."""
    is_xlsx = facts.path.suffix.casefold() == ".xlsx"
    text = ""
    if not is_xlsx:
        try:
            text = facts.path.read_text(encoding="utf-8")
        except UnicodeDecodeError as exc:
            raise FileRejected(
                "wrong_encoding", f"a plan file must be UTF-8 ({exc.reason} at byte {exc.start})"
            ) from None
    try:
        plan = read_plan_xlsx(facts.path) if is_xlsx else parse_plan(text, str(facts.path))
    except DeclarationError as exc:
        first = exc.problems[0]
        more = f" (and {len(exc.problems) - 1} more)" if len(exc.problems) > 1 else ""
        raise FileRejected(first.code, first.message + more, first.where) from None
    info = plan.plan
    existing = {
        oid: spec
        for oid, spec in con.execute(
            "SELECT objective_id, spec FROM objective WHERE plan_version = ?", [info.version]
        ).fetchall()
    }
    counts = Counts(read=len(plan.objectives))
    con.execute(
        "INSERT OR REPLACE INTO plan_version VALUES (?, ?, ?, ?, ?, ?, ?)",
        [info.version, info.title, info.approved_on, info.approved_by, str(facts.path),
         facts.sha256, load_id],
    )
    con.execute("DELETE FROM objective WHERE plan_version = ?", [info.version])
    for o in plan.objectives:
        spec = json.dumps(o.model_dump(mode="json"), sort_keys=True, ensure_ascii=False)
        if o.id not in existing:
            counts.loaded += 1
        elif existing[o.id] != spec:
            counts.replaced += 1
        else:
            counts.skipped += 1
        con.execute(
            "INSERT INTO objective VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            [info.version, o.id, o.title.nl, o.phase, o.indicator, o.owner, spec, load_id],
        )
    dropped = set(existing) - {o.id for o in plan.objectives}
    if dropped:
        names = ", ".join(sorted(dropped))
        counts.message = f"{len(dropped)} objective(s) no longer in this plan version: {names}"
    return counts


def register() -> None:
    """Make ``ivm load plan`` use this loader."""
    register_loader("plan", load_plan)
