"""The ``ivm`` commands about results: ``status``, ``indicators`` (list, kinds, check, show,
compare, add, remove), ``plan`` (check, activate, list, matrix, template) and ``export``
(council, packs, pack, csv).

Like every command, each imports the layers it uses when it runs (see :mod:`ivm.cli`)."""

from __future__ import annotations

import sys
from typing import Any

import click

from core.errors import IvmError
from core.vocabulary import DEFAULT_STYLE, LANGUAGE_NAMES, STYLES, value_text
from core.warehouse import Warehouse
from ivm.options import (
    IvmGroup,
    as_float,
    as_of_option,
    catalog_of,
    catalog_option,
    day_of,
    db_option,
    emit,
    format_option,
    json_safe,
    json_text,
    lang_option,
    rounded_number,
    say,
    shown_value,
)


@click.command()
@click.option("--objective", default=None, help="Only this objective id.")
@click.option("--area", default=None, help="Only this area id.")
@click.option("--phase", type=click.Choice(["proactie", "preparatie", "preventie", "reactie",
                                            "nazorg"]), default=None, help="Only this phase.")
@click.option("--partner", default=None, help="Only objectives this partner owns or joins.")
@as_of_option
@format_option
@lang_option
@catalog_option
@db_option
def status(objective, area, phase, partner, as_of, fmt: str, lang: str, catalog,
           db: str | None) -> None:
    """Progress and status of every objective of the plan in force."""
    from access.steering.store import Steering
    from indicators import StatusFilter, status_records, to_json

    cat = catalog_of(catalog, db)
    if partner:  # a misspelt partner is an error naming the close matches, not an empty list
        Steering.of_warehouse(Warehouse(db).path).partners.require(partner)
    con = Warehouse(db).connect_read_only()
    try:
        records = status_records(con, StatusFilter(objective, area, phase, partner),
                                 day_of(as_of), cat)
    finally:
        con.close()
    if objective and not records:
        raise IvmError("unknown_objective", f"no objective '{objective}' in the plan in force",
                       hint="`ivm status` lists them")
    if fmt == "json":
        click.echo(json_safe(to_json(records)))
        return
    def shown(r: dict[str, Any], value: float | None) -> Any:
        ind = cat.indicators.get(r["indicator"] or "")
        return shown_value(value, ind.style if ind else DEFAULT_STYLE, fmt, lang)

    rows = [{
        "id": r["id"], "area": r["area"]["id"], "phase": r["phase"],
        "indicator": r["indicator"], "baseline": shown(r, r["baseline"]["value"]),
        "target": shown(r, r["target"]["value"]), "current": shown(r, r["current"]["value"]),
        "deadline": r["target"]["deadline"], "p_value": rounded_number(r["p_value"], 3),
        "progress": rounded_number(r["progress"], 2),
        "status": f"{r['symbol']} {r['status_label'][lang]}", "reason": r["reason"][lang],
        "as_of": r["as_of"], "cutoff": r["cutoff"],
    } for r in records]
    emit(rows, fmt, ["id", "area", "phase", "indicator", "baseline", "target", "current",
                      "deadline", "p_value", "progress", "status", "reason", "as_of",
                      "cutoff"])


@click.group(cls=IvmGroup)
def indicators() -> None:
    """The indicator catalogue: list, check, show values."""


@indicators.command("list")
@catalog_option
@format_option
@db_option
def indicators_list(catalog, fmt: str, db: str | None) -> None:
    """Every indicator of the catalogue (with those recorded in the warehouse); with a
    warehouse, why an indicator cannot be computed from what is loaded (e.g. a rate without
    its population)."""
    from indicators import builtin_folder, unavailable_indicators

    builtin = {p.stem for p in builtin_folder().glob("*.yaml")}
    found = catalog_of(catalog, db)
    wh = Warehouse(db)
    missing = {}
    if wh.exists():
        con = wh.connect_read_only()
        try:
            missing = unavailable_indicators(con, found)
        finally:
            con.close()
    rows = [{"id": i.id, "title": i.title.nl, "source": i.source, "measure": i.measure,
             "unit": i.unit.nl, "direction": i.direction, "period": i.period,
             "origin": "built-in" if i.id in builtin else "added",
             "unavailable": missing[i.id].en if i.id in missing else ""}
            for i in found]
    emit(rows, fmt, ["id", "title", "source", "measure", "unit", "direction", "period",
                     "origin", "unavailable"])


@indicators.command("add")
@click.argument("paths", nargs=-1, required=True, type=click.Path(dir_okay=False))
@db_option
def indicators_add(paths: tuple[str, ...], db: str | None) -> None:
    """Record indicator files in the warehouse, so every refresh computes them (and compute
    them now); a file with a problem records nothing."""
    from pathlib import Path

    from ivm.wiring import change_catalog

    say(change_catalog(Warehouse(db), add=[Path(p) for p in paths]))


@indicators.command("remove")
@click.argument("ids", nargs=-1, required=True)
@db_option
def indicators_remove(ids: tuple[str, ...], db: str | None) -> None:
    """Forget indicators recorded in the warehouse (their values go with the next results)."""
    from ivm.wiring import change_catalog

    say(change_catalog(Warehouse(db), remove=list(ids)))


@indicators.command("kinds")
@format_option
@lang_option
def indicators_kinds(fmt: str, lang: str) -> None:
    """Every registered measure kind: what it measures, how its values read, its noise model."""
    from indicators import MEASURES

    def example(style: str) -> float:
        return 0.23456 if STYLES[style].percent else 1234 if STYLES[style].whole else 1234.5678

    rows = [{"kind": name, "label": k.title(lang), "shown_as": value_text(
        example(k.style), k.style, lang), "style": k.style,
             "noise": k.noise or "none", "needs": ", ".join(k.needs),
             "description": k.description(lang)} for name, k in sorted(MEASURES.items())]
    emit(rows, fmt, ["kind", "label", "shown_as", "noise", "needs", "description"])


@indicators.command("check")
@catalog_option
def indicators_check(catalog) -> None:
    """Validate every declaration; list every problem (file, key, what is wrong)."""
    from pathlib import Path

    from indicators import check_catalog, default_folder

    folder = Path(catalog) if catalog else default_folder()
    found, problems = check_catalog(folder)
    for p in problems:
        say(p.one_line(), err=True)
    if problems:
        sys.exit(1)
    say(f"{len(found)} indicators, no problems: {folder}")


@indicators.command("show")
@click.argument("indicator_id")
@click.option("--area", default=None, help="Area id (default: every area of --level).")
@click.option("--level", default=None,
              help="Area level (default: the top level of the loaded areas, e.g. gemeente).")
@click.option("--period", default=None,
              help="Period: 2024, 2024-Q1, 2024-03, or a window such as 2025-11/2026-10 "
                   "(default: every year).")
@click.option("--sql", "show_sql", is_flag=True, help="Print the compiled SQL and stop.")
@click.option("--recast", is_flag=True,
              help="Count every period in today's areas (sector by sector), not in the areas "
                   "of its own time.")
@as_of_option
@catalog_option
@format_option
@db_option
def indicators_show(indicator_id: str, area, level: str | None, period, show_sql: bool,
                    recast: bool, as_of, catalog, fmt: str, db: str | None) -> None:
    """One indicator's definition and values (from the stored results, or computed); each
    period in the areas of its own time unless --recast."""
    import datetime as dt

    from indicators import indicator_values, monthly_select, to_sql

    cat = catalog_of(catalog, db)
    ind = cat[indicator_id]
    if show_sql:
        say(to_sql(monthly_select(ind, day_of(as_of) or dt.date.today())))
        return
    con = Warehouse(db).connect_read_only()
    try:
        rows = indicator_values(con, cat, ind, area, level, period, day_of(as_of), recast)
    finally:
        con.close()
    if fmt == "table":
        say(f"{ind.id}: {ind.title.nl} ({ind.unit.nl}; {ind.measure} of {ind.source}, "
                   f"{ind.direction} is better)")
        if recast:
            say(f"recast onto the boundaries of {dt.date.today().isoformat()}: every period "
                "counted in today's areas")
    if recast:
        rows = [{**r, "boundaries": f"recast {dt.date.today().isoformat()}"} for r in rows]
    values = ("value", "ci_low", "ci_high")
    rows = [{**r, **{k: shown_value(r.get(k), ind.style, fmt) for k in values}} for r in rows]
    emit(rows, fmt, ["area_id", "name", "period", "complete", "value", "numerator",
                      "denominator", "n", "n_eff", "ci_low", "ci_high",
                      *(["boundaries"] if recast else [])])


@indicators.command("compare")
@click.argument("indicator_id")
@click.option("--level", default=None,
              help="Area level (default: the neighbourhoods of the loaded areas, e.g. wijk).")
@click.option("--period", default=None,
              help="Period (default: the latest complete calendar year).")
@catalog_option
@format_option
@lang_option
@db_option
def indicators_compare(indicator_id: str, level: str | None, period, catalog, fmt: str,
                       lang: str, db: str | None) -> None:
    """Every area of a level against the rest of its city (the areas page's verdict: higher,
    lower, or not distinguishable from noise), from the stored results."""
    from indicators import area_comparison, loaded_hierarchy, stored_periods

    ind = catalog_of(catalog, db)[indicator_id]
    con = Warehouse(db).connect_read_only()
    try:
        level = level or loaded_hierarchy(con).neighbourhoods() or "wijk"
        if period is None:
            done = [p for p, complete in stored_periods(con, ind.id, "year", level) if complete]
            if not done:
                raise IvmError("no_values", f"no stored yearly values of '{ind.id}' at level "
                               f"'{level}'", hint="`ivm refresh`, or another --level")
            period = done[-1]
        ranked = area_comparison(con, ind, level, period)
    finally:
        con.close()
    if not len(ranked):
        raise IvmError("no_values", f"no stored values of '{ind.id}' at level '{level}' in "
                       f"period '{period}'", hint="`ivm indicators show ID` lists periods")
    if fmt == "table":
        say(f"{ind.id} ({ind.unit.nl}), {level}, {period}: against the rest of the city")
    rows = [{"area_id": r["area_id"], "name": r["name"],
             "value": shown_value(as_float(r["value"]), ind.style, fmt, lang),
             "city_value": shown_value(as_float(r["city_value"]), ind.style, fmt, lang),
             "verdict": r["verdict"], "p_value": rounded_number(as_float(r["p"]), 4),
             "test": r["test"]}
            for r in ranked.to_dict("records")]
    emit(rows, fmt, ["area_id", "name", "value", "city_value", "verdict", "p_value", "test"])


@click.group(cls=IvmGroup)
def plan() -> None:
    """The plan: SMART check, the version in force, safety-chain matrix, Excel template."""


@plan.command("check")
@click.argument("path", required=False, type=click.Path(dir_okay=False))
@catalog_option
@db_option
def plan_check(path, catalog, db: str | None) -> None:
    """SMART check of a plan file (YAML or Excel), or of the plan in force.

    Lists the errors (references and dates that make no sense: `ivm load plan` refuses the
    plan), what each objective lacks, and warns when a target cannot be told apart from noise
    before its deadline (with a warehouse: areas must be loaded, baselines come from the data).
    Exit 1 when anything is wrong or missing.
    """
    from pathlib import Path

    from access.steering.store import Steering
    from access.store import access_path
    from indicators import check_plan, plan_in_force, read_plan_file, reference_problems

    cat = catalog_of(catalog, db)
    wh = Warehouse(db)
    con = wh.connect_read_only() if wh.exists() else None
    try:
        if path:
            doc = read_plan_file(Path(path))
        else:
            if con is None:
                raise IvmError("no_warehouse", "no plan file given and no warehouse",
                               hint="pass a plan file or --db")
            doc = plan_in_force(con)
            if doc is None:
                raise IvmError("no_plan", "no plan in force", hint="`ivm load plan FILE "
                               "--activate`, or `ivm plan activate VERSION` (`ivm plan list`)")
        findings = check_plan(doc, cat, con)
    finally:
        if con is not None:
            con.close()
    # what the plan names outside itself: output indicators, and partners once a register is
    # loaded (the same check `ivm load plan` refuses on)
    register = (Steering.of_warehouse(wh.path).partners.ids_and_names()
                if access_path(wh.path).exists() else None)
    refs = reference_problems(doc, cat, register)
    for f in findings:
        say(f"{f.objective_id}: {f.severity} [{f.code}] {f.message}")
    for line in refs:
        say(f"{line.split(':', 1)[0]}: error [unknown_reference] {line.split(': ', 1)[1]}")
    errors = sum(f.severity == "error" for f in findings) + len(refs)
    missing = sum(f.severity == "missing" for f in findings)
    warnings = sum(f.severity == "warning" for f in findings)
    say(f"{len(doc.objectives)} objectives: {errors} error(s), {missing} missing "
        f"part(s), {warnings} warning(s)")
    if missing or errors:
        sys.exit(1)


@plan.command("activate")
@click.argument("version")
@db_option
def plan_activate(version: str, db: str | None) -> None:
    """Put the loaded plan VERSION in force (audited); loading a plan never does."""
    from ivm.wiring import activate_plan

    summary = activate_plan(Warehouse(db), version)
    say(f"plan {version} in force; {summary}")


@plan.command("list")
@db_option
@format_option
def plan_list(db: str | None, fmt: str) -> None:
    """Every loaded plan version, and which one is in force."""
    from indicators import plan_versions

    con = Warehouse(db).connect_read_only()
    try:
        rows = plan_versions(con)
    finally:
        con.close()
    for r in rows:
        r["in_force"] = "in force" if r["in_force"] else ""
    emit(rows, fmt, ["version", "title", "approved_on", "approved_by", "objectives", "actions",
                     "in_force", "last_activated"])


@plan.command("matrix")
@click.option("--by", type=click.Choice(["dimension", "partner"]), default="dimension",
              show_default=True)
@format_option
@catalog_option
@db_option
def plan_matrix(by: str, fmt: str, catalog, db: str | None) -> None:
    """The safety chain: phases x dimensions (or partners), objectives and their statuses."""
    from core.vocabulary import STATUS_SYMBOLS
    from indicators import chain_matrix, status_records

    con = Warehouse(db).connect_read_only()
    try:
        cells = chain_matrix(status_records(con, catalog=catalog_of(catalog, db)), by)
    finally:
        con.close()
    if fmt == "json":
        click.echo(json_text(cells))
        return
    rows = [{"phase": c["phase"], by: c["column"], "objectives": c["objectives"],
             "statuses": " ".join(f"{STATUS_SYMBOLS[s]}{n}" for s, n in c["statuses"].items()
                                  if n) or "(gap)",
             "ids": ", ".join(c["ids"])} for c in cells]
    emit(rows, fmt, ["phase", by, "objectives", "statuses", "ids"])


@plan.command("template")
@click.option("--out", required=True, type=click.Path(dir_okay=False),
              help="The Excel file to write.")
@click.option("--from-db", "from_db", is_flag=True, help="Fill it with the plan in force.")
@db_option
def plan_template(out: str, from_db: bool, db: str | None) -> None:
    """Write the Excel plan template (empty, or with the plan in force); load it back with
    `ivm load plan FILE.xlsx`."""
    from pathlib import Path

    from indicators import plan_in_force, write_plan_template

    doc = None
    if from_db:
        con = Warehouse(db).connect_read_only()
        try:
            doc = plan_in_force(con)
        finally:
            con.close()
        if doc is None:
            raise IvmError("no_plan", "no plan loaded", hint="`ivm load plan FILE`")
    write_plan_template(Path(out), doc)
    say(f"plan template: {out}")


audience_option = click.option(
    "--audience", type=click.Choice(["internal", "public"]), default="internal",
    show_default=True,
    help="public: small numbers suppressed, no rows about single incidents or respondents.",
)


@click.group(cls=IvmGroup)
def export() -> None:
    """Exports: the council workbook and CSV of the stored tables."""


def _out_path(out: str):
    from pathlib import Path

    path = Path(out)
    if not path.resolve().parent.is_dir():
        from core.errors import Where

        raise IvmError("no_folder", "the folder to write into does not exist", Where(out))
    return path


@export.command("council")
@click.option("--out", default=None, type=click.Path(),
              help="The .xlsx file to write (with --meeting: a folder for the pack's files).")
@click.option("--meeting", default=None, type=click.DateTime(["%Y-%m-%d"]),
              help="Freeze the council pack for this council date of the reporting calendar: "
                   "the workbook and the PDF, internal and public, kept in the application "
                   "store with the data version.")
@click.option("--replace", is_flag=True, help="Replace the meeting's frozen pack (audited; the "
                                              "old one stays readable).")
@click.option("--because", default=None, help="Why the pack is replaced (in the audit log).")
@as_of_option
@audience_option
@lang_option
@db_option
def export_council(out: str | None, meeting, replace: bool, because: str | None, as_of,
                   audience: str, lang: str, db: str | None) -> None:
    """The council workbook: summary by phase, detail per phase with charts, wijken, method,
    sources. The same warehouse and as-of date give the same file. With --meeting, freeze
    the council pack (raadsdossier) of that meeting; `ivm export pack` downloads it again."""
    from dashboard.export.council import write_council_workbook

    if meeting is not None:
        if as_of is not None:
            raise IvmError("as_of_with_meeting", "a council pack freezes the stored results; "
                           "--as-of does not apply to it", hint="refresh as of the date "
                           "first (`ivm refresh --as-of`), then freeze")
        _freeze(day_of(meeting), out, replace, because, lang, db)
        return
    if out is None:
        raise IvmError("no_out", "say where to write the workbook (--out FILE.xlsx), or "
                       "freeze a council pack (--meeting DATE)")
    path = _out_path(out)
    con = Warehouse(db).connect_read_only()
    try:
        write_council_workbook(con, path, day_of(as_of), audience, lang)
    finally:
        con.close()
    _audit(db, "export", f"council workbook ({audience}, {LANGUAGE_NAMES[lang]}) to {path}")
    say(f"council workbook ({audience}, {lang}): {path}")


def _freeze(meeting, out: str | None, replace: bool, because: str | None, lang: str,
            db: str | None) -> None:
    """Freeze the pack of ``meeting`` as the operating-system user (the beheerder's role)."""
    import getpass

    from access.steering.store import Steering
    from dashboard.export.pack import freeze_pack

    folder = _out_folder(out) if out else None
    wh = Warehouse(db)
    steering = Steering.of_warehouse(wh.path)
    con = wh.connect_read_only()
    try:
        pack = freeze_pack(con, steering, meeting, getpass.getuser(), "cli", lang, replace,
                           because)
    finally:
        con.close()
    say(f"council pack {meeting.isoformat()} frozen (pack {pack.pack_id}, data version "
        f"{pack.data_version}, plan {pack.plan_version}, figures up to "
        f"{pack.as_of.isoformat()})")
    if folder is not None:
        _write_pack(steering, pack, folder, None)


def _out_folder(out: str):
    from pathlib import Path

    from core.errors import Where

    folder = Path(out)
    if not folder.is_dir():
        raise IvmError("no_folder", "the folder to write the pack into does not exist",
                       Where(out))
    return folder


def _write_pack(steering, pack, folder, audience: str | None,
                kind: str | None = None) -> None:
    for f in pack.files:
        if (audience and f.audience != audience) or (kind and f.kind != kind):
            continue
        name, body = steering.packs.content(pack.pack_id, f.audience, f.kind)
        path = folder / name
        path.write_bytes(body)
        say(f"{f.audience} {f.kind}: {path} ({len(body):,} bytes, sha256 {f.sha256[:12]})")


@export.command("packs")
@click.option("--all", "every", is_flag=True, help="Also the packs that were replaced.")
@db_option
@format_option
def export_packs(every: bool, db: str | None, fmt: str) -> None:
    """The frozen council packs, the newest meeting first: meeting, reporting period, data
    version, plan version, who froze it and when, and its files."""
    from access.steering.store import Steering

    packs = Steering.of_warehouse(Warehouse(db).path).packs.packs(in_force_only=not every)
    rows = [{"pack": p.pack_id, "meeting": p.meeting.isoformat(), "period": p.period or "",
             "data_version": p.data_version, "as_of": p.as_of.isoformat(),
             "plan_version": p.plan_version or "", "frozen_at": p.frozen_at,
             "frozen_by": p.frozen_by, "replaced_by": p.replaced_by or "",
             "files": ", ".join(f"{f.audience} {f.kind}" for f in p.files)} for p in packs]
    emit(rows, fmt, ["pack", "meeting", "period", "data_version", "as_of", "plan_version",
                     "frozen_at", "frozen_by", "replaced_by", "files"])


@export.command("pack")
@click.argument("meeting", type=click.DateTime(["%Y-%m-%d"]))
@click.option("--out", required=True, type=click.Path(file_okay=False),
              help="The folder to write the files into.")
@click.option("--audience", type=click.Choice(["internal", "public"]), default=None,
              help="Only this audience's files (default: both).")
@click.option("--kind", type=click.Choice(["pdf", "xlsx"]), default=None,
              help="Only the PDF or only the workbook (default: both).")
@db_option
def export_pack(meeting, out: str, audience: str | None, kind: str | None,
                db: str | None) -> None:
    """The frozen council pack of MEETING, byte for byte as it was frozen."""
    from access.steering.store import Steering

    folder = _out_folder(out)
    wh = Warehouse(db)
    steering = Steering.of_warehouse(wh.path)
    pack = steering.packs.of_meeting(day_of(meeting))
    if pack is None:
        raise IvmError("no_pack", f"no frozen council pack for {day_of(meeting).isoformat()}",
                       hint="`ivm export packs` lists them; `ivm export council --meeting "
                            "DATE` freezes one")
    _write_pack(steering, pack, folder, audience, kind)
    _audit(db, "export", f"council pack {pack.meeting.isoformat()} (pack {pack.pack_id}, "
                         f"{audience or 'all audiences'}) to {folder}")


@export.command("csv")
@click.argument("table")
@click.option("--out", required=True, type=click.Path(dir_okay=False),
              help="The .csv file to write.")
@audience_option
@db_option
def export_csv(table: str, out: str, audience: str, db: str | None) -> None:
    """One stored TABLE as CSV (UTF-8, comma, ISO dates); text that a spreadsheet would take
    for a formula gets a leading apostrophe."""
    from dashboard.export.tables import write_table_csv

    path = _out_path(out)
    con = Warehouse(db).connect_read_only()
    try:
        n = write_table_csv(con, table, path, audience)
    finally:
        con.close()
    _audit(db, "export", f"table {table} ({audience}, {n} rows) to {path}")
    say(f"{table} ({audience}): {n} rows to {path}")


def _audit(db: str | None, event: str, detail: str) -> None:
    """Log a command-line action in the access store, as the operating-system user."""
    import getpass

    from access.store import AccessStore

    AccessStore.of_warehouse(Warehouse(db).path).audit(event, getpass.getuser(), "cli",
                                                        detail=detail)


__all__ = ["export", "indicators", "plan", "status"]
