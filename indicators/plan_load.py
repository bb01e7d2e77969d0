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
from indicators.catalog_store import effective_catalog
from indicators.plan import PlanFile, parse_plan
from indicators.plan_check import check_plan, errors
from indicators.plan_xlsx_read import read_plan_xlsx
from indicators.refresh import current_plan


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
    """Validate the plan file (YAML, or an Excel workbook ``.xlsx``), check it (``ivm plan
    check``: an error refuses it, what is missing and the warnings are told) and store it: one
    plan version, its objectives replaced whole. Loading never changes which plan is in force
    (``ivm plan activate``)."""
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
    findings = check_plan(plan, effective_catalog(con), con)
    refused = errors(findings)
    if refused:
        first = refused[0]
        more = f" (and {len(refused) - 1} more error(s))" if len(refused) > 1 else ""
        raise FileRejected(
            "invalid_plan", f"objective {first.objective_id}: [{first.code}] {first.message}"
            + more, Where(str(facts.path)), hint=f"`ivm plan check {facts.path.name}` lists "
            "every problem")
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
    notes = []
    if dropped:
        names = ", ".join(sorted(dropped))
        notes.append(f"{len(dropped)} objective(s) no longer in this plan version: {names}")
    in_force, _ = current_plan(con)
    if in_force != info.version:
        now = f"plan {in_force} stays in force" if in_force else "no plan is in force yet"
        notes.append(f"{now}: `ivm plan activate {info.version}` puts this one in force")
    counts.message = "; ".join(notes)
    missing = [f for f in findings if f.severity == "missing"]
    warnings = [f for f in findings if f.severity == "warning"]
    if missing or warnings:
        counts.warnings.append(
            f"warning: the plan check finds {len(missing)} missing part(s) and "
            f"{len(warnings)} warning(s) (`ivm plan check {facts.path.name}` lists them); "
            "first: " + "; ".join(f"{f.objective_id} [{f.code}] {f.message}"
                                  for f in (missing + warnings)[:3]))
    return counts


def register() -> None:
    """Make ``ivm load plan`` use this loader."""
    register_loader("plan", load_plan)
