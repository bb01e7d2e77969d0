"""The ``ivm`` command line. Exit codes: 0 success, 1 data or user error (one line on stderr,
no traceback), 2 wrong usage.

Each command imports the layers it uses when it runs: ``ivm init`` or ``ivm loads`` start in a
fraction of a second instead of loading the statistics and the dashboard first. (There is no
import loop to avoid: this package sits above every layer.)"""

from __future__ import annotations

import json
import os
import sys
from typing import Any

import click

from core.errors import DeclarationError, IvmError
from core.settings import SETTINGS, flag, setting
from core.vocabulary import DEFAULT_STYLE, SOURCE_KINDS, STYLES, rounded, value_text
from core.warehouse import Warehouse

#: What ``ivm load`` takes: the vocabulary's source kinds.
KINDS = list(SOURCE_KINDS)

db_option = click.option(
    "--db",
    type=click.Path(dir_okay=False),
    default=None,
    help="Warehouse file (default: $IVM_DB or data/ivmonitor.duckdb).",
)
format_option = click.option(
    "--format", "fmt", type=click.Choice(["table", "json", "csv"]), default="table",
    show_default=True, help="Output format; json is stable for scripts.",
)


class PeriodBound(click.ParamType):
    """A day (YYYY-MM-DD) or a month (YYYY-MM: its first day, or as an ``end`` its last)."""

    name = "date"

    def __init__(self, end: bool):
        self.end = end

    def convert(self, value: Any, param: Any, ctx: Any) -> Any:
        """The date the text means (exit 2 with a message when it is none)."""
        import datetime as dt

        from etl.delivery import month_end

        if isinstance(value, dt.date):
            return value
        text = str(value).strip()
        try:
            if len(text) == 7:
                first = dt.date.fromisoformat(text + "-01")
                return month_end(first) if self.end else first
            return dt.date.fromisoformat(text)
        except ValueError:
            self.fail(f"{text!r} is not a date (YYYY-MM-DD) or a month (YYYY-MM)", param, ctx)


class IvmGroup(click.Group):
    """Turns IvmError into one line on stderr and exit code 1."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except DeclarationError as exc:
            for problem in exc.problems:
                click.echo(problem.one_line(), err=True)
            sys.exit(1)
        except IvmError as exc:
            click.echo(exc.one_line(), err=True)
            sys.exit(1)


@click.group(cls=IvmGroup)
@click.version_option(package_name="ivmonitor")
def main() -> None:
    """ivmonitor: monitor a city's local integral safety plan."""


@main.command()
@db_option
def init(db: str | None) -> None:
    """Create an empty warehouse (or migrate an existing one)."""
    wh = Warehouse(db)
    created = wh.init()
    click.echo(f"{'created' if created else 'exists, up to date'}: {wh.path}")


@main.command()
@db_option
def migrate(db: str | None) -> None:
    """Upgrade a warehouse made by an older version to the current schema."""
    from core.warehouse.migrate import SCHEMA_VERSION

    wh = Warehouse(db)
    wh.init()
    click.echo(f"{wh.path}: schema version {SCHEMA_VERSION}")


@main.command()
@click.argument("kind", type=click.Choice(KINDS))
@click.argument("paths", nargs=-1, required=True, type=click.Path())
@click.option("--profile", default="canonical", show_default=True,
              help="Source profile: a built-in name (see `ivm profiles`) or a YAML file.")
@click.option("--strict", is_flag=True, help="Reject the file if any row fails validation.")
@click.option("--category", default=None, help="Category of every row (one-type extracts).")
@click.option("--level", default=None, help="Area level of every row (areas).")
@click.option("--period-start", "period_start", type=PeriodBound(end=False), default=None,
              help="First day the delivery covers, YYYY-MM-DD or YYYY-MM (default: from its "
              "first row).")
@click.option("--period-end", "period_end", type=PeriodBound(end=True), default=None,
              help="Last day the delivery covers, its cut-off: YYYY-MM-DD, or YYYY-MM for the "
              "month's last day (default: its last row).")
@click.option("--delivery", "delivery_name", default=None,
              help="Name of the delivery (default: the file's name); rows without an id are "
              "told apart by it, and a file of the same name replaces them.")
@click.option("--reapply", is_flag=True,
              help="Apply a file loaded before again (e.g. to undo a later correction).")
@click.option("--activate", is_flag=True,
              help="plan: put the loaded plan version in force (else `ivm plan activate`).")
@db_option
def load(kind: str, paths: tuple[str, ...], profile: str, strict: bool, category: str | None,
         level: str | None, period_start, period_end, delivery_name: str | None,
         reapply: bool, activate: bool, db: str | None) -> None:
    """Load source files of KIND; each file is one all-or-nothing load."""
    from ivm.wiring import activate_plan, load_any, loaded_plan_version

    if activate and kind != "plan":
        raise click.UsageError("--activate is for `ivm load plan`")

    overrides: dict[str, str] = {}
    if category:
        overrides["type" if kind == "nuisance" else "category"] = category
    if level:
        overrides["level"] = level
    wh = Warehouse(db)
    for path in paths:
        result = load_any(wh, kind, path, profile, strict, overrides,
                          period_start=period_start, period_end=period_end,
                          reapply=reapply, delivery_name=delivery_name)
        click.echo(result.summary())
        version = loaded_plan_version(wh, result.load_id) if activate else None
        if version:
            click.echo(f"plan {version} in force; {activate_plan(wh, version)}")


@main.command()
@click.option("--scale", type=click.Choice(["city", "national"]), default="city",
              show_default=True,
              help="city: Aalst over ten years; national: Flanders and Brussels, 10M+ incidents.")
@click.option("--seed", type=int, default=2011, show_default=True, help="Random seed.")
@click.option("--out", type=click.Path(file_okay=False), default="data/demo", show_default=True,
              help="Folder for the generated source files.")
@click.option("--as-of", "as_of", type=click.DateTime(["%Y-%m-%d"]), default=None,
              help="Pretend today is this date (default: today); data runs to the month before.")
@click.option("--synthetic", is_flag=True, help="Use the built-in synthetic city, not open data.")
@click.option("--force", is_flag=True, help="Regenerate and reload even when unchanged.")
@db_option
def demo(scale: str, seed: int, out: str, as_of, synthetic: bool, force: bool,
         db: str | None) -> None:
    """Generate the demo city's source files and load them like real data (strict)."""
    import datetime as dt
    from pathlib import Path

    from ivm.demo import demo_users, run_demo

    day = as_of.date() if as_of else dt.date.today()
    wh = Warehouse(db)
    run_demo(wh, Path(out), seed, day, synthetic, force, click.echo, scale)
    demo_users(wh, click.echo)


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8050, show_default=True, type=int)
@click.option("--workers", default=2, show_default=True, type=click.IntRange(1, 64),
              help="gunicorn worker processes.")
@click.option("--dev", is_flag=True, help="Flask's development server instead of gunicorn.")
@click.option("--public", is_flag=True,
              help="Serve the public audience only, without sign-in: suppressed figures, no "
                   "incident-level data.")
@db_option
def serve(host: str, port: int, workers: int, dev: bool, public: bool, db: str | None) -> None:
    """Serve the dashboard under gunicorn (debug off); it follows new loads without restart.
    Users sign in (`ivm user add`); with --public everyone is the public audience."""
    wh = Warehouse(db)
    mode = "public audience, no sign-in" if public else "sign-in required"
    if dev:
        from dashboard.app import create_app

        click.echo(f"ivmonitor: http://{host}:{port} (development server, {mode})")
        create_app(wh, public=public).run(host=host, port=port, debug=False)
        return
    env = {**os.environ, SETTINGS["db"].env: str(wh.path.resolve()),
           SETTINGS["public_server"].env: "1" if public else "0"}
    click.echo(f"ivmonitor: http://{host}:{port} ({workers} gunicorn workers, {mode})")
    sys.stdout.flush()
    proxies = setting("trusted_proxies").strip()
    forwarded = ["--forwarded-allow-ips", proxies] if proxies else []
    args = [sys.executable, "-m", "gunicorn", *forwarded, "--bind", f"{host}:{port}", "--workers",
            str(workers), "--threads", "4", "--worker-class", "gthread", "--timeout", "120",
            "--access-logfile", "-", "--log-level", "warning", "dashboard.wsgi:server"]
    os.execve(sys.executable, args, env)


@main.command()
@db_option
@format_option
def loads(db: str | None, fmt: str) -> None:
    """List every load attempt."""
    from etl.inspect import load_log_rows

    rows = load_log_rows(Warehouse(db))
    _emit(rows, fmt, ["load_id", "kind", "profile", "outcome", "rows_read", "rows_loaded",
                      "rows_replaced", "rows_skipped", "rows_quarantined", "cutoff_date", "file"])


@main.command()
@click.argument("load_id", type=int)
@db_option
@format_option
def quarantine(load_id: int, db: str | None, fmt: str) -> None:
    """Show the rows kept back from a load, with their reasons."""
    from etl.inspect import quarantine_rows

    rows = quarantine_rows(Warehouse(db), load_id)
    _emit(rows, fmt, ["row_number", "reason_codes", "reasons", "raw"])


@main.command()
@db_option
@format_option
def info(db: str | None, fmt: str) -> None:
    """The warehouse's schema version and the row count of every table."""
    from etl.inspect import warehouse_info

    data = warehouse_info(Warehouse(db))
    if fmt == "json":
        click.echo(json.dumps(data, indent=2, default=str))
        return
    click.echo(f"warehouse: {data['path']}\nschema version: {data['schema_version']}")
    _emit([{"table": t, "rows": n} for t, n in data["tables"].items()], fmt, ["table", "rows"])


@main.command()
@format_option
def profiles(fmt: str) -> None:
    """List the built-in source profiles and the kinds each covers."""
    from etl.profile import builtin_profiles

    rows = [
        {"name": p.name, "kinds": ", ".join(p.kinds), "description": p.description}
        for p in builtin_profiles().values()
    ]
    _emit(rows, fmt, ["name", "kinds", "description"])


@main.command()
@format_option
def settings(fmt: str) -> None:
    """Every setting (an environment variable) with the value in effect and its default."""
    rows = [{"variable": s.env, "value": ("(set)" if s.value() else "") if s.secret
             else s.value(), "default": s.default, "group": s.group, "help": s.help}
            for s in SETTINGS.values()]
    _emit(rows, fmt, ["variable", "value", "default", "group", "help"])


as_of_option = click.option(
    "--as-of", "as_of", type=click.DateTime(["%Y-%m-%d"]), default=None,
    help="Results as of this date (default: the stored results, as of the data's cut-off).",
)
catalog_option = click.option(
    "--catalog", type=click.Path(file_okay=False), default=None,
    help="Indicator catalogue folder (default: $IVM_CATALOG or the built-in catalogue).",
)
lang_option = click.option("--lang", type=click.Choice(["nl", "en"]), default="nl",
                           show_default=True, help="Language of titles, statuses and reasons.")


def _catalog(folder: str | None, db: str | None = None):
    """The catalogue: the folder's (``--catalog``, ``IVM_CATALOG`` or built-in) and the
    declarations recorded in the warehouse (when there is one)."""
    from pathlib import Path

    from indicators import effective_catalog

    wh = Warehouse(db)
    con = wh.connect_read_only() if wh.exists() else None
    try:
        return effective_catalog(con, Path(folder) if folder else None)
    finally:
        if con is not None:
            con.close()


def _day(value) -> Any:
    return value.date() if value is not None else None


@main.command()
@as_of_option
@db_option
def refresh(as_of, db: str | None) -> None:
    """Recompute the stored indicator values, objective progress and CompStat windows."""
    from ivm.wiring import refresh_all

    click.echo(refresh_all(Warehouse(db), _day(as_of)))


@main.command()
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
    from indicators import StatusFilter, status_records, to_json

    cat = _catalog(catalog, db)
    con = Warehouse(db).connect_read_only()
    try:
        records = status_records(con, StatusFilter(objective, area, phase, partner),
                                 _day(as_of), cat)
    finally:
        con.close()
    if objective and not records:
        raise IvmError("unknown_objective", f"no objective '{objective}' in the plan in force",
                       hint="`ivm status` lists them")
    if fmt == "json":
        click.echo(to_json(records))
        return
    def shown(r: dict[str, Any], value: float | None) -> Any:
        ind = cat.indicators.get(r["indicator"] or "")
        return _value(value, ind.style if ind else DEFAULT_STYLE, fmt, lang)

    rows = [{
        "id": r["id"], "area": r["area"]["id"], "phase": r["phase"],
        "indicator": r["indicator"], "baseline": shown(r, r["baseline"]["value"]),
        "target": shown(r, r["target"]["value"]), "current": shown(r, r["current"]["value"]),
        "deadline": r["target"]["deadline"], "p_value": _fmt(r["p_value"], 3),
        "progress": _fmt(r["progress"], 2),
        "status": f"{r['symbol']} {r['status_label'][lang]}", "reason": r["reason"][lang],
        "as_of": r["as_of"], "cutoff": r["cutoff"],
    } for r in records]
    _emit(rows, fmt, ["id", "area", "phase", "indicator", "baseline", "target", "current",
                      "deadline", "p_value", "progress", "status", "reason", "as_of",
                      "cutoff"])


def _fmt(value: Any, decimals: int = 3) -> Any:
    if isinstance(value, float):
        return round(value, decimals)
    return value


def _value(value: float | None, style: str, fmt: str, lang: str = "nl") -> Any:
    """An indicator's value as every surface shows it: its text in a table, rounded to the
    same digits in CSV, whole in JSON."""
    if fmt == "table":
        return value_text(value, style, lang) if value is not None else None
    if fmt == "csv":
        return rounded(value, style)
    return value


@main.group(cls=IvmGroup)
def indicators() -> None:
    """The indicator catalogue: list, check, show values."""


@indicators.command("list")
@catalog_option
@format_option
@db_option
def indicators_list(catalog, fmt: str, db: str | None) -> None:
    """Every indicator of the catalogue (with those recorded in the warehouse)."""
    from indicators import builtin_folder

    builtin = {p.stem for p in builtin_folder().glob("*.yaml")}
    rows = [{"id": i.id, "title": i.title.nl, "source": i.source, "measure": i.measure,
             "unit": i.unit.nl, "direction": i.direction, "period": i.period,
             "origin": "built-in" if i.id in builtin else "added"}
            for i in _catalog(catalog, db)]
    _emit(rows, fmt, ["id", "title", "source", "measure", "unit", "direction", "period",
                      "origin"])


@indicators.command("add")
@click.argument("paths", nargs=-1, required=True, type=click.Path(dir_okay=False))
@db_option
def indicators_add(paths: tuple[str, ...], db: str | None) -> None:
    """Record indicator files in the warehouse, so every refresh computes them (and compute
    them now); a file with a problem records nothing."""
    from pathlib import Path

    from ivm.wiring import change_catalog

    click.echo(change_catalog(Warehouse(db), add=[Path(p) for p in paths]))


@indicators.command("remove")
@click.argument("ids", nargs=-1, required=True)
@db_option
def indicators_remove(ids: tuple[str, ...], db: str | None) -> None:
    """Forget indicators recorded in the warehouse (their values go with the next results)."""
    from ivm.wiring import change_catalog

    click.echo(change_catalog(Warehouse(db), remove=list(ids)))


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
    _emit(rows, fmt, ["kind", "label", "shown_as", "noise", "needs", "description"])


@indicators.command("check")
@catalog_option
def indicators_check(catalog) -> None:
    """Validate every declaration; list every problem (file, key, what is wrong)."""
    from pathlib import Path

    from indicators import check_catalog, default_folder

    folder = Path(catalog) if catalog else default_folder()
    found, problems = check_catalog(folder)
    for p in problems:
        click.echo(p.one_line(), err=True)
    if problems:
        sys.exit(1)
    click.echo(f"{len(found)} indicators, no problems: {folder}")


@indicators.command("show")
@click.argument("indicator_id")
@click.option("--area", default=None, help="Area id (default: every area of --level).")
@click.option("--level", default="gemeente", show_default=True, help="Area level.")
@click.option("--period", default=None,
              help="Period: 2024, 2024-Q1, 2024-03, or a window such as 2025-11/2026-10 "
                   "(default: every year).")
@click.option("--sql", "show_sql", is_flag=True, help="Print the compiled SQL and stop.")
@as_of_option
@catalog_option
@format_option
@db_option
def indicators_show(indicator_id: str, area, level: str, period, show_sql: bool, as_of,
                    catalog, fmt: str, db: str | None) -> None:
    """One indicator's definition and values (from the stored results, or computed)."""
    import datetime as dt

    from indicators import indicator_values, monthly_select, to_sql

    cat = _catalog(catalog, db)
    ind = cat[indicator_id]
    if show_sql:
        click.echo(to_sql(monthly_select(ind, _day(as_of) or dt.date.today(), 2000)))
        return
    con = Warehouse(db).connect_read_only()
    try:
        rows = indicator_values(con, cat, ind, area, level, period, _day(as_of))
    finally:
        con.close()
    if fmt == "table":
        click.echo(f"{ind.id}: {ind.title.nl} ({ind.unit.nl}; {ind.measure} of {ind.source}, "
                   f"{ind.direction} is better)")
    rows = [{**r, **{k: _value(r.get(k), ind.style, fmt) for k in ("value", "ci_low", "ci_high")}}
            for r in rows]
    _emit(rows, fmt, ["area_id", "name", "period", "complete", "value", "numerator",
                      "denominator", "n", "n_eff", "ci_low", "ci_high"])


@indicators.command("compare")
@click.argument("indicator_id")
@click.option("--level", default="wijk", show_default=True, help="Area level.")
@click.option("--period", default=None,
              help="Period (default: the latest complete calendar year).")
@catalog_option
@format_option
@lang_option
@db_option
def indicators_compare(indicator_id: str, level: str, period, catalog, fmt: str, lang: str,
                       db: str | None) -> None:
    """Every area of a level against the rest of its municipality (the areas page's verdict:
    higher, lower, or not distinguishable from noise), from the stored results."""
    from indicators import area_comparison, stored_periods

    ind = _catalog(catalog, db)[indicator_id]
    con = Warehouse(db).connect_read_only()
    try:
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
        click.echo(f"{ind.id} ({ind.unit.nl}), {level}, {period}: against the rest of the "
                   "municipality")
    rows = [{"area_id": r["area_id"], "name": r["name"],
             "value": _value(_float(r["value"]), ind.style, fmt, lang),
             "city_value": _value(_float(r["city_value"]), ind.style, fmt, lang),
             "verdict": r["verdict"], "p_value": _fmt(_float(r["p"]), 4), "test": r["test"]}
            for r in ranked.to_dict("records")]
    _emit(rows, fmt, ["area_id", "name", "value", "city_value", "verdict", "p_value", "test"])


def _float(value: Any) -> float | None:
    try:
        x = float(value)
    except (TypeError, ValueError):
        return None
    return x if x == x else None


@main.group(cls=IvmGroup)
def plan() -> None:
    """The plan: SMART check, safety-chain matrix, Excel template."""


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

    from indicators import check_plan, plan_in_force, read_plan_file

    cat = _catalog(catalog, db)
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
                raise IvmError("no_plan", "no plan loaded", hint="`ivm load plan FILE`")
        findings = check_plan(doc, cat, con)
    finally:
        if con is not None:
            con.close()
    for f in findings:
        click.echo(f"{f.objective_id}: {f.severity} [{f.code}] {f.message}")
    errors = sum(f.severity == "error" for f in findings)
    missing = sum(f.severity == "missing" for f in findings)
    warnings = len(findings) - missing - errors
    click.echo(f"{len(doc.objectives)} objectives: {errors} error(s), {missing} missing "
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
    click.echo(f"plan {version} in force; {summary}")


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
    _emit(rows, fmt, ["version", "title", "approved_on", "objectives", "in_force",
                      "last_activated"])


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
        cells = chain_matrix(status_records(con, catalog=_catalog(catalog, db)), by)
    finally:
        con.close()
    if fmt == "json":
        click.echo(json.dumps(cells, indent=2, ensure_ascii=False))
        return
    rows = [{"phase": c["phase"], by: c["column"], "objectives": c["objectives"],
             "statuses": " ".join(f"{STATUS_SYMBOLS[s]}{n}" for s, n in c["statuses"].items()
                                  if n) or "(gap)",
             "ids": ", ".join(c["ids"])} for c in cells]
    _emit(rows, fmt, ["phase", by, "objectives", "statuses", "ids"])


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
    click.echo(f"plan template: {out}")


audience_option = click.option(
    "--audience", type=click.Choice(["internal", "public"]), default="internal",
    show_default=True,
    help="public: small numbers suppressed, no rows about single incidents or respondents.",
)


@main.group(cls=IvmGroup)
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
@click.option("--out", required=True, type=click.Path(dir_okay=False),
              help="The .xlsx file to write.")
@as_of_option
@audience_option
@lang_option
@db_option
def export_council(out: str, as_of, audience: str, lang: str, db: str | None) -> None:
    """The council workbook: summary by phase, detail per phase with charts, wijken, method,
    sources. The same warehouse and as-of date give the same file."""
    from dashboard.export.council import write_council_workbook

    path = _out_path(out)
    con = Warehouse(db).connect_read_only()
    try:
        write_council_workbook(con, path, _day(as_of), audience, lang)
    finally:
        con.close()
    _audit(db, "export", f"council workbook ({audience}, {lang}) to {path}")
    click.echo(f"council workbook ({audience}, {lang}): {path}")


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
    click.echo(f"{table} ({audience}): {n} rows to {path}")


def _audit(db: str | None, event: str, detail: str) -> None:
    """Log a command-line action in the access store, as the operating-system user."""
    import getpass

    from access.store import AccessStore

    AccessStore.of_warehouse(Warehouse(db).path).audit(event, getpass.getuser(), "cli",
                                                        detail=detail)


@main.group(cls=IvmGroup)
def user() -> None:
    """Dashboard accounts: add, list, disable, new password (roles: see `ivm user roles`)."""


def _store(db: str | None):
    from access.store import AccessStore

    return AccessStore.of_warehouse(Warehouse(db).path)


def _new_password(generate: bool) -> tuple[str, bool]:
    """A password typed twice at a hidden prompt (or from stdin when piped), or generated."""
    from access.passwords import generate as make

    if generate:
        return make(), True
    if not sys.stdin.isatty():
        password = sys.stdin.readline().rstrip("\n")
    else:
        password = click.prompt("password", hide_input=True, confirmation_prompt=True)
    if len(password) < 12:
        raise IvmError("weak_password", "a password needs at least 12 characters",
                       hint="or use --generate")
    return password, False


@user.command("add")
@click.argument("name")
@click.option("--role", required=True,
              type=click.Choice(["beheerder", "analist", "bestuur", "politie", "dienst"]),
              help="What the user may see (see `ivm user roles`).")
@click.option("--partner", default=None,
              help="Role dienst: the partner (as in the plan) whose objectives the user follows.")
@click.option("--generate", is_flag=True, help="Generate a password and print it once.")
@db_option
def user_add(name: str, role: str, partner: str | None, generate: bool, db: str | None) -> None:
    """Create an account NAME; the password is asked for (or read from stdin, or generated)."""
    password, made = _new_password(generate)
    _store(db).add_user(name, role, password, partner)
    click.echo(f"user {name} ({role}{', ' + partner if partner else ''}) added"
               + (f"; password: {password}" if made else ""))


@user.command("list")
@db_option
@format_option
def user_list(db: str | None, fmt: str) -> None:
    """Every account with its role, partner, state and last login (never a password)."""
    from dataclasses import asdict

    rows = [asdict(u) for u in _store(db).users()]
    _emit(rows, fmt, ["name", "role", "partner", "enabled", "created_at", "last_login_at"])


@user.command("disable")
@click.argument("name")
@db_option
def user_disable(name: str, db: str | None) -> None:
    """Disable an account: its sessions end at once, its login is refused."""
    _store(db).set_enabled(name, False)
    click.echo(f"user {name} disabled")


@user.command("enable")
@click.argument("name")
@db_option
def user_enable(name: str, db: str | None) -> None:
    """Enable a disabled account again."""
    _store(db).set_enabled(name, True)
    click.echo(f"user {name} enabled")


@user.command("password")
@click.argument("name")
@click.option("--generate", is_flag=True, help="Generate a password and print it once.")
@db_option
def user_password(name: str, generate: bool, db: str | None) -> None:
    """Set a new password for NAME (the user's open sessions end)."""
    store = _store(db)
    if store.user(name) is None:
        raise IvmError("no_user", f"no user '{name}'", hint="`ivm user list`")
    password, made = _new_password(generate)
    store.set_password(name, password)
    click.echo(f"new password for {name}" + (f": {password}" if made else " set"))


@user.command("roles")
@format_option
def user_roles(fmt: str) -> None:
    """The roles and what each may see: the pages that name the role (the dashboard's page
    registry) and the tables it may download."""
    from access.downloads import allowed
    from access.roles import ROLES
    from dashboard.registry import load_pages, role_pages

    load_pages()
    rows = [{"role": r.name, "label": r.label_nl, "pages": ", ".join(role_pages(r.name)),
             "downloads": ", ".join(sorted(allowed(r.name, r.audience))),
             "audience": r.audience, "incident_level": r.incident_level,
             "only_own_objectives": r.own_objectives_only} for r in ROLES.values()]
    _emit(rows, fmt, ["role", "label", "pages", "audience", "incident_level",
                      "only_own_objectives", "downloads"])


@main.command()
@click.option("--limit", default=100, show_default=True, type=click.IntRange(1, 100000))
@click.option("--event", default=None, help="Only this event (login_failed, export, load, ...).")
@db_option
@format_option
def audit(limit: int, event: str | None, db: str | None, fmt: str) -> None:
    """The audit log, newest first: logins, failed logins, exports, loads, account changes."""
    rows = _store(db).audit_rows(limit, event)
    _emit(rows, fmt, ["at", "event", "user_name", "role", "address", "detail"])


def _emit(rows: list[dict[str, Any]], fmt: str, columns: list[str]) -> None:
    if fmt == "json":
        click.echo(json.dumps(rows, indent=2, default=str, ensure_ascii=False))
        return
    if fmt == "csv":
        import csv

        writer = csv.DictWriter(sys.stdout, fieldnames=columns, extrasaction="ignore")
        writer.writeheader()
        for row in rows:
            writer.writerow({k: _csv_safe(row.get(k)) for k in columns})
        return
    if not rows:
        click.echo("(none)")
        return
    width = {c: min(60, max(len(c), *(len(_cell(r.get(c))) for r in rows))) for c in columns}
    click.echo("  ".join(c.ljust(width[c]) for c in columns))
    for r in rows:
        click.echo("  ".join(_cell(r.get(c))[: width[c]].ljust(width[c]) for c in columns))


def _cell(value: Any) -> str:
    return "" if value is None else str(value).replace("\n", " ")


def _csv_safe(value: Any) -> str:
    from dashboard.export.safe import csv_text  # the one rule every export follows

    return csv_text(_cell(value) if isinstance(value, str) else value)


if flag("debug"):
    IvmGroup.invoke = click.Group.invoke  # type: ignore[method-assign]
