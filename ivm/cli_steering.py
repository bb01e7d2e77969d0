"""The ``ivm`` commands of the steering cycle: ``partners`` (the register), ``plan diff`` (what
changed between plan versions), ``updates`` (owners' updates and the completeness board),
and ``remind`` (reminders by e-mail).

Like every command, each imports the layers it uses when it runs (see :mod:`ivm.cli`)."""

from __future__ import annotations

import json
from pathlib import Path

import click

from core.errors import IvmError, Where
from core.warehouse import Warehouse
from ivm.options import IvmGroup, db_option, emit, format_option, lang_option


@click.group(cls=IvmGroup)
def partners() -> None:
    """The partner register: who owns and joins the plan's objectives and actions (load it
    with `ivm load partners FILE`; the beheerder edits it on the Beheer page)."""


@partners.command("list")
@db_option
@format_option
def partners_list(db: str | None, fmt: str) -> None:
    """Every partner with its names, kind, level and contact address."""
    from dataclasses import asdict

    from access.steering.store import Steering

    rows = [asdict(p) for p in Steering.of_warehouse(Warehouse(db).path).partners.all()]
    emit(rows, fmt, ["partner_id", "name_nl", "name_en", "kind", "level", "contact", "active",
                     "origin"])


def _plan_of(ref: str, con) -> object:
    """A plan version from the warehouse, or a plan file (YAML or Excel) when ``ref`` is a
    path to one."""
    from indicators import read_plan_file, stored_plan

    path = Path(ref)
    if path.suffix.lower() in (".yaml", ".yml", ".xlsx") or path.is_file():
        return read_plan_file(path)
    found = stored_plan(con, ref) if con is not None else None
    if found is None:
        raise IvmError("unknown_plan_version", f"no plan version '{ref}' in the warehouse",
                       Where(field="version"), hint="`ivm plan list` shows the versions")
    return found


@click.command("diff")
@click.argument("old")
@click.argument("new")
@format_option
@db_option
def plan_diff(old: str, new: str, fmt: str, db: str | None) -> None:
    """What changed from plan version OLD to NEW (versions in the warehouse, or plan files):
    objectives added and dropped, targets, deadlines and every other changed field, actions,
    the reporting calendar."""
    from indicators import diff_plans

    wh = Warehouse(db)
    con = wh.connect_read_only() if wh.exists() else None
    try:
        changes = diff_plans(_plan_of(old, con), _plan_of(new, con))
    finally:
        if con is not None:
            con.close()
    if fmt == "json":
        click.echo(json.dumps([c.as_dict() for c in changes], indent=2, ensure_ascii=False,
                              default=str))
        return
    rows = [{"change": c.kind, "item": c.item, "id": c.ident, "field": c.field or "",
             "old": "" if c.kind != "changed" else c.old,
             "new": "" if c.kind != "changed" else c.new} for c in changes]
    emit(rows, fmt, ["change", "item", "id", "field", "old", "new"])
    if fmt == "table":
        click.echo(f"{len(changes)} change(s) from {old} to {new}")


@click.command("updates")
@click.option("--period", default=None, help="The reporting period (default: the current one).")
@db_option
@format_option
@lang_option
def updates(period: str | None, db: str | None, fmt: str, lang: str) -> None:
    """The completeness board of a reporting period: per owner partner, which objectives have
    their owner's update and which miss it."""
    from access.steering.attention import completeness
    from access.steering.state import PlanState
    from access.steering.store import Steering
    from core.clock import today
    from core.vocabulary import reporting_period

    wh = Warehouse(db)
    con = wh.connect_read_only()
    try:
        state = PlanState.read(con)
    finally:
        con.close()
    p = state.period(period) if period else state.current(today())
    if p is None:
        raise IvmError("no_period", f"no reporting period {period or 'now'} in the plan's "
                       "calendar", hint="the plan names its calendar under plan.reporting")
    steering = Steering.of_warehouse(wh.path)
    latest = steering.reports.latest(p.key)
    names = steering.partners.names(lang)
    rows = [{"partner": r.partner, "name": names.get(r.partner or "", r.partner or "-"),
             "objectives": len(r.objectives), "written": len(r.written),
             "missing": ", ".join(r.missing)} for r in completeness(state, p.key, latest)]
    if fmt == "table":
        click.echo(f"{reporting_period(p.key, lang)}: updates due {p.due or '-'}, "
                   f"council {p.council or '-'}")
    emit(rows, fmt, ["partner", "name", "objectives", "written", "missing"])


@click.command("remind")
@db_option
def remind(db: str | None) -> None:
    """E-mail the owners whose updates for the current reporting period are missing, from
    IVM_REMIND_DAYS before its deadline to the deadline, one notice per partner and period
    (IVM_REMINDERS=1; off, it says whom it would write to). Exit 1 when a notice failed."""
    import getpass

    from access.steering.state import PlanState
    from access.steering.store import Steering
    from core.clock import today

    wh = Warehouse(db)
    con = wh.connect_read_only()
    try:
        state = PlanState.read(con)
    finally:
        con.close()
    day = today()
    outcome = Steering.of_warehouse(wh.path).notices.run(state, day, getpass.getuser())
    for line in outcome.lines():
        click.echo(line)
    if not outcome.lines():
        click.echo(f"no reminders due on {day.isoformat()}"
                   + (f" for {outcome.period}" if outcome.period else ""))
    if outcome.failed:
        raise IvmError("notice_failed", f"{len(outcome.failed)} reminder(s) could not be sent: "
                       f"{outcome.failed[0][1]}", hint="they are tried again on the next run")


__all__ = ["partners", "plan_diff", "remind", "updates"]
