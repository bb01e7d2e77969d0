"""The ``ivm`` command line. Exit codes: 0 success, 1 data or user error (one line on stderr,
no traceback), 2 wrong usage."""

from __future__ import annotations

import json
import os
import sys
from typing import Any

import click

from etl.errors import DeclarationError, IvmError
from etl.warehouse import Warehouse

KINDS = ["areas", "population", "incidents", "nuisance", "survey", "activities", "plan"]

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
    from etl.warehouse.migrate import SCHEMA_VERSION

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
@db_option
def load(kind: str, paths: tuple[str, ...], profile: str, strict: bool, category: str | None,
         level: str | None, db: str | None) -> None:
    """Load source files of KIND; each file is one all-or-nothing load."""
    from ivm.wiring import load_any

    overrides: dict[str, str] = {}
    if category:
        overrides["type" if kind == "nuisance" else "category"] = category
    if level:
        overrides["level"] = level
    wh = Warehouse(db)
    for path in paths:
        result = load_any(wh, kind, path, profile, strict, overrides)
        click.echo(result.summary())


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

    from ivm.demo import run_demo

    day = as_of.date() if as_of else dt.date.today()
    run_demo(Warehouse(db), Path(out), seed, day, synthetic, force, click.echo, scale)


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8050, show_default=True, type=int)
@db_option
def serve(host: str, port: int, db: str | None) -> None:
    """Serve the dashboard (development server; debug off)."""
    from dashboard.app import create_app

    app = create_app(Warehouse(db))
    click.echo(f"ivmonitor: http://{host}:{port}")
    app.run(host=host, port=port, debug=False)


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
    text = _cell(value)
    if text[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + text
    return text


if os.environ.get("IVM_DEBUG"):
    IvmGroup.invoke = click.Group.invoke  # type: ignore[method-assign]
