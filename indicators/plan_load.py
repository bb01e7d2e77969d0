"""``ivm load plan``: store a validated plan file as a plan version and its objectives."""

from __future__ import annotations

import functools
from collections.abc import Callable
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
from indicators.plan_diff import diff_plans, summary
from indicators.plan_refs import Register, partners_unchecked, reference_problems
from indicators.plan_store import in_force_version, store_plan, stored_plan
from indicators.plan_xlsx_read import read_plan_xlsx
from indicators.project import plan_problems


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
    register: Callable[[], Register] | None = None,
) -> Counts:
    """Validate the plan file (YAML, or an Excel workbook ``.xlsx``), check it (``ivm plan
    check``: an error refuses it, what is missing and the warnings are told), check what it
    refers to (partners in the ``register``, output indicators in the catalogue) and store it
    as a new plan version with its objectives and actions. A version that is stored already is
    never changed: the same content again adds nothing, other content is refused with what
    differs (give it a version of its own). Loading never changes which plan is in force
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
    catalog = effective_catalog(con)
    findings = check_plan(plan, catalog, con)
    refused = errors(findings)
    if refused:
        first = refused[0]
        more = f" (and {len(refused) - 1} more error(s))" if len(refused) > 1 else ""
        raise FileRejected(
            "invalid_plan", f"objective {first.objective_id}: [{first.code}] {first.message}"
            + more, Where(str(facts.path)), hint=f"`ivm plan check {facts.path.name}` lists "
            "every problem")
    known = register() if register else None
    places = plan_problems(con, plan)
    if places:
        more = f" (and {len(places) - 1} more)" if len(places) > 1 else ""
        raise FileRejected("bad_places", places[0] + more, Where(str(facts.path)),
                           hint="a project's buffer and control lie outside it (docs/methods.md, "
                                "section 7)")
    refs = reference_problems(plan, catalog, known)
    if refs:
        more = f" (and {len(refs) - 1} more)" if len(refs) > 1 else ""
        raise FileRejected("unknown_reference", refs[0] + more, Where(str(facts.path)),
                           hint="`ivm plan check FILE` lists every problem; `ivm partners "
                                "list` shows the partner register")
    info = plan.plan
    earlier = stored_plan(con, info.version)
    counts = Counts(read=len(plan.objectives))
    if earlier is not None:
        changes = diff_plans(earlier, plan)
        if changes:
            raise FileRejected(
                "plan_version_exists",
                f"plan version {info.version} is loaded already and differs: "
                f"{summary(changes)}; an approved version never changes",
                Where(str(facts.path)),
                hint="give the new content its own version and approval date (e.g. "
                     f"{info.version}-v2) and load it as a new version; `ivm plan diff` "
                     "shows what differs")
        counts.skipped = len(plan.objectives)
        counts.message = f"plan version {info.version} is loaded already, identical"
        return counts
    store_plan(con, plan, str(facts.path), facts.sha256, load_id)
    counts.loaded = len(plan.objectives)
    notes = [f"{len(plan.actions)} action(s)"] if plan.actions else []
    if partners_unchecked(plan, known):
        notes.append("partners not checked: the partner register is empty (`ivm load "
                     "partners FILE`)")
    in_force = in_force_version(con)
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
            "first: " + ", ".join(f"{f.objective_id} [{f.code}]"
                                  for f in (missing + warnings)[:3]))
    return counts


def register(partners: Callable[[], Register] | None = None) -> None:
    """Make ``ivm load plan`` use this loader; ``partners`` gives the partner register the
    plan's partners are checked against (the command line always gives it)."""
    register_loader("plan", functools.partial(load_plan, register=partners))
