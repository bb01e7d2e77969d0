"""What the ``ivm`` commands share: the common options, the group that turns a data or user
error into one line and exit code 1, and the table, CSV and JSON output of rows (values of an
indicator read as on every other surface, :mod:`core.vocabulary`).

The indicators layer and the export rules are imported by the functions that need them, when
a command runs: a command that needs neither starts without loading them."""

from __future__ import annotations

import csv
import datetime as dt
import json
import sys
from pathlib import Path
from typing import Any

import click

from core.errors import CONTROL, DeclarationError, IvmError, printable
from core.vocabulary import rounded, value_text
from etl.delivery import month_end


def _tenant_db(ctx: click.Context, _param: click.Parameter, value: str | None) -> None:
    if value is not None:
        from core.tenants import configured_tenants

        tenants = configured_tenants()
        if tenants is None:
            raise click.BadParameter("no tenants file: set IVM_TENANTS", param_hint="--tenant")
        ctx.meta["ivm_tenant_db"] = str(tenants.by_id(value).db)


def _db(ctx: click.Context, _param: click.Parameter, value: str | None) -> str | None:
    tenant_db = ctx.meta.get("ivm_tenant_db")
    if tenant_db is not None and value is not None:
        raise click.BadParameter("give --db or --tenant, not both", param_hint="--db")
    return tenant_db if tenant_db is not None else value


def db_option(fn: Any) -> Any:
    """``--db FILE``, or ``--tenant ID`` for the warehouse of a tenant of ``IVM_TENANTS``
    (its application store with it); the command receives the file as ``db``."""
    fn = click.option("--db", type=click.Path(dir_okay=False), default=None, callback=_db,
                      help="Warehouse file (default: $IVM_DB or data/ivmonitor.duckdb).")(fn)
    return click.option("--tenant", default=None, metavar="ID", expose_value=False,
                        is_eager=True, callback=_tenant_db,
                        help="The warehouse of this tenant of the tenants file "
                             "($IVM_TENANTS) instead of --db.")(fn)
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


def say(text: Any = "", err: bool = False) -> None:
    """Print text for people (stdout, or stderr with ``err``): control characters that came
    with the data (escape sequences, bidirectional overrides) are shown escaped, never sent to
    the terminal; the text's own lines stay."""
    click.echo(printable(str(text), lines=True), err=err)


def json_text(value: Any) -> str:
    """``value`` as JSON for scripts (see :func:`json_safe`)."""
    return json_safe(json.dumps(value, indent=2, default=str, ensure_ascii=False))


def json_safe(text: str) -> str:
    """JSON with every control character as a ``\\u`` escape: the same data, nothing a
    terminal acts on (the layout's own newlines aside; inside strings JSON escapes those
    already)."""
    return CONTROL.sub(lambda m: m.group() if m.group() == "\n" else f"\\u{ord(m.group()):04x}",
                       text)


class IvmGroup(click.Group):
    """Turns IvmError into one line on stderr and exit code 1."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except DeclarationError as exc:
            for problem in exc.problems:
                say(problem.one_line(), err=True)
            sys.exit(1)
        except IvmError as exc:
            say(exc.one_line(), err=True)
            sys.exit(1)


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


def rounded_number(value: Any, decimals: int = 3) -> Any:
    if isinstance(value, float):
        return round(value, decimals)
    return value


def shown_value(value: float | None, style: str, fmt: str, lang: str = "nl") -> Any:
    """An indicator's value as every surface shows it: its text in a table, rounded to the
    same digits in CSV, whole in JSON."""
    if fmt == "table":
        return value_text(value, style, lang) if value is not None else None
    if fmt == "csv":
        return rounded(value, style)
    return value


def as_float(value: Any) -> float | None:
    try:
        x = float(value)
    except (TypeError, ValueError):
        return None
    return x if x == x else None



def catalog_of(folder: str | None, db: str | None = None) -> Any:
    """The catalogue of ``--catalog`` (default: ``IVM_CATALOG`` or the built-in one) with the
    declarations recorded in the warehouse (when there is one)."""
    from core.warehouse import Warehouse
    from indicators import effective_catalog  # when a command needs it: the CLI starts fast

    wh = Warehouse(db)
    con = wh.connect_read_only() if wh.exists() else None
    try:
        return effective_catalog(con, Path(folder) if folder else None)
    finally:
        if con is not None:
            con.close()


def day_of(value: dt.datetime | None) -> dt.date | None:
    """The day of a ``--as-of`` option."""
    return value.date() if value is not None else None


def emit(rows: list[dict[str, Any]], fmt: str, columns: list[str]) -> None:
    """Print rows as a table for people (text from data escaped), or as CSV or JSON for
    scripts (JSON as :func:`json_safe`; CSV as it is, unless it goes to a terminal)."""
    if fmt == "json":
        click.echo(json_text(rows))
        return
    if fmt == "csv":
        shown = sys.stdout.isatty()
        writer = csv.DictWriter(sys.stdout, fieldnames=columns, extrasaction="ignore")
        writer.writeheader()
        for row in rows:
            writer.writerow({k: csv_safe(row.get(k), shown) for k in columns})
        return
    if not rows:
        say("(none)")
        return
    width = {c: min(60, max(len(c), *(len(cell(r.get(c))) for r in rows))) for c in columns}
    say("  ".join(c.ljust(width[c]) for c in columns))
    for r in rows:
        say("  ".join(cell(r.get(c))[: width[c]].ljust(width[c]) for c in columns))


def cell(value: Any) -> str:
    """A value as one line of text, its control characters escaped."""
    return "" if value is None else printable(str(value))


def csv_safe(value: Any, shown: bool = False) -> str:
    """A cell of a CSV the command prints (``shown``: on a terminal, escaped): the one rule
    every export follows."""
    from dashboard.export.safe import csv_text  # when CSV is asked for: the CLI starts fast

    if isinstance(value, str):
        value = printable(value) if shown else value.replace("\n", " ")
    return csv_text(value)
