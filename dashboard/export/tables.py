"""Stored tables as CSV, safe to open in a spreadsheet (``ivm export csv``, and the
dashboard's export page).

What a role may download is an allow-list (:mod:`access.downloads`): only the tables, and of
them only the columns, named for that role and audience; a table or column nobody named is
offered to no one. For the ``public`` audience the figures (``indicator_value``,
``objective_progress``) are exactly those of the public council workbook, with the same
suppressed cells left empty and flagged in a ``suppressed`` column.

Every indicator value is rounded to the digits its measure kind shows everywhere else
(:mod:`core.vocabulary`). Text from data goes through :mod:`dashboard.export.safe` (a leading
``=``, ``+``, ``-``, ``@``, tab or carriage return gets an apostrophe). Files are UTF-8 with a
byte-order mark (so Excel reads the accents) and ISO dates, in one of two dialects
(:data:`DIALECTS`): ``excel`` (Belgian Excel: semicolons, a decimal comma; the export page's
default) or ``comma`` (commas and a decimal point, for scripts; the command line's default).
"""

from __future__ import annotations

import csv
import io
import shutil
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

import duckdb

from access.downloads import INCIDENT_LEVEL, allowed
from core.errors import IvmError
from core.sqltext import ident, lit
from core.vocabulary import STYLES, rounded
from dashboard.export.figures import council_figures
from dashboard.export.safe import csv_text, sql_csv_text
from indicators import Indicator, copy_csv, stored_catalog, stored_tables, table_columns

BOM = b"\xef\xbb\xbf"


@dataclass(frozen=True)
class Dialect:
    """How a CSV file separates its fields and writes a decimal number."""

    delimiter: str
    decimal: str


#: ``excel``: what Excel with Belgian (Dutch or French) settings opens as columns;
#: ``comma``: the plain CSV scripts expect.
DIALECTS = {"excel": Dialect(";", ","), "comma": Dialect(",", ".")}
NUMERIC_TYPES = ("DOUBLE", "FLOAT", "REAL", "DECIMAL")

#: The role of the command line (the local user).
LOCAL_ROLE = "beheerder"
#: Columns holding an indicator's values, per table (rounded as the indicator reads).
VALUE_COLUMNS = {
    "indicator_value": ("value", "ci_low", "ci_high"),
    "objective_progress": ("baseline_value", "target_value", "current_value", "ci_low",
                           "ci_high", "projection"),
}


def table_names(audience: str = "internal", con: duckdb.DuckDBPyConnection | None = None,
                role: str = LOCAL_ROLE) -> list[str]:
    """The tables ``role`` may export for an audience (with a connection: those the warehouse
    has)."""
    _check(audience)
    names = allowed(role, audience)
    present = stored_tables(con) if con is not None else None
    return sorted(t for t in names if present is None or t in present)


def table_csv(con: duckdb.DuckDBPyConnection, name: str, audience: str = "internal",
              role: str = LOCAL_ROLE, dialect: str = "comma") -> bytes:
    """One table as CSV bytes (see :func:`write_table_csv`)."""
    buf = io.BytesIO()
    write_table_csv(con, name, buf, audience, role, dialect)
    return buf.getvalue()


def write_table_csv(con: duckdb.DuckDBPyConnection, name: str, out: str | Path | IO[bytes],
                    audience: str = "internal", role: str = LOCAL_ROLE,
                    dialect: str = "comma") -> int:
    """Write one table as CSV to a path or a binary buffer in a :data:`DIALECTS` dialect;
    returns the number of rows. Only a table named for the role and audience, and only its
    named columns."""
    _check(audience)
    if dialect not in DIALECTS:
        raise IvmError("bad_dialect", f"unknown CSV dialect '{dialect}'",
                       hint=" or ".join(DIALECTS))
    how = DIALECTS[dialect]
    present = stored_tables(con)
    if name not in present:
        raise IvmError("unknown_table", f"no table '{name}' in the warehouse",
                       hint="tables: " + ", ".join(table_names(audience, con, role)))
    columns = allowed(role, audience).get(name)
    if columns is None:
        why = ("holds single offences, reports or respondents" if name in INCIDENT_LEVEL
               else "is not published")
        code, whom = (("not_public", "the public audience") if audience == "public" else
                      ("not_allowed", f"role {role}"))
        raise IvmError(code, f"table '{name}' {why}: not for {whom}",
                       hint="tables: " + ", ".join(table_names(audience, con, role)))
    if audience == "public" and name in VALUE_COLUMNS:
        rows = _public_rows(con, name)
        return _write_rows(out, list(columns), rows, how)
    return _copy(con, name, columns, out, how)


def _check(audience: str) -> None:
    if audience not in ("internal", "public"):
        raise IvmError("bad_audience", f"unknown audience '{audience}'",
                       hint="internal or public")


def _rounded_sql(column: str, catalog: Mapping[str, Indicator], alias: bool = True) -> str:
    """SQL rounding an indicator's value column to the digits its style shows (``AS column``
    unless not ``alias``)."""
    by_places: dict[int, list[str]] = {}
    for ind in catalog.values():
        by_places.setdefault(STYLES[ind.style].max_places, []).append(ind.id)
    q = ident(column)
    cases = " ".join(
        f"WHEN indicator_id IN ({', '.join(lit(i) for i in sorted(ids))}) "
        f"THEN round({q}, {places})" for places, ids in sorted(by_places.items()))
    expr = f"CASE {cases} ELSE {q} END" if cases else q
    return f"{expr} AS {q}" if alias and cases else expr


def _decimal_sql(expr: str, how: Dialect) -> str:
    """A number column written with the dialect's decimal mark."""
    if how.decimal == ".":
        return expr
    return f"replace(CAST({expr} AS VARCHAR), '.', {lit(how.decimal)})"


def _copy(con: duckdb.DuckDBPyConnection, name: str, columns: tuple[str, ...],
          out: str | Path | IO[bytes], how: Dialect = DIALECTS["comma"]) -> int:
    """DuckDB's own CSV writer (fast, any size): the named columns that the table has, text
    through the safe rule, indicator values rounded, numbers with the dialect's decimal
    mark."""
    catalog = stored_catalog(con) if name in VALUE_COLUMNS else {}
    exprs = []
    for col, kind in table_columns(con, name):
        if col not in columns:
            continue
        q = ident(col)
        if col in VALUE_COLUMNS.get(name, ()):
            exprs.append(f"{_decimal_sql(_rounded_sql(col, catalog, alias=False), how)} AS {q}")
        elif kind.startswith(NUMERIC_TYPES):
            exprs.append(f"{_decimal_sql(q, how)} AS {q}")
        else:
            exprs.append(f"{sql_csv_text(q)} AS {q}" if kind == "VARCHAR" else q)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "t.csv"
        n = copy_csv(con, name, exprs, str(path), how.delimiter)
        _emit(out, lambda fh: _append(fh, path))
    return n


def _append(fh: IO[bytes], path: Path) -> None:
    with open(path, "rb") as src:
        shutil.copyfileobj(src, fh, 1 << 20)


def _write_rows(out: str | Path | IO[bytes], cols: list[str], rows: list[dict],
                how: Dialect = DIALECTS["comma"]) -> int:
    def body(fh: IO[bytes]) -> None:
        text = io.TextIOWrapper(fh, encoding="utf-8", newline="", write_through=True)
        writer = csv.writer(text, delimiter=how.delimiter, lineterminator="\n")
        writer.writerow(cols)
        for r in rows:
            writer.writerow([csv_text(r.get(c), how.decimal) for c in cols])
        text.detach()

    _emit(out, body)
    return len(rows)


def _emit(out: str | Path | IO[bytes], body) -> None:
    if isinstance(out, str | Path):
        with open(out, "wb") as fh:
            fh.write(BOM)
            body(fh)
    else:
        out.write(BOM)
        body(out)


def _public_rows(con: duckdb.DuckDBPyConnection, name: str) -> list[dict[str, Any]]:
    """The public figures: those of the public council workbook, suppressed cells empty,
    values rounded as their indicator reads."""
    f = council_figures(con, audience="public")
    return [_round(r, f.catalog.indicators, name) for r in _public_figures(f, name)]


def _round(row: dict[str, Any], catalog: Mapping[str, Indicator], name: str) -> dict[str, Any]:
    ind = catalog.get(row.get("indicator_id") or "")
    if ind is None:
        return row
    return {k: rounded(v, ind.style) if k in VALUE_COLUMNS[name] else v for k, v in row.items()}


def _public_figures(f: Any, name: str) -> list[dict[str, Any]]:
    if name == "objective_progress":
        out = []
        for o in f.objectives:
            r = o.record
            base_hidden = f.is_hidden(o.base_cell)
            cur_hidden = f.is_hidden(o.current_cell)
            hide_target = base_hidden and o.relative_target
            out.append({
                "plan_version": r["plan_version"], "objective_id": r["id"],
                "area_id": r["area"]["id"], "indicator_id": r["indicator"],
                "baseline_period": r["baseline"]["period"],
                "baseline_value": None if base_hidden else r["baseline"]["value"],
                "target_value": None if hide_target else r["target"]["value"],
                "deadline": r["target"]["deadline"], "current_period": r["current"]["period"],
                "current_value": None if cur_hidden else r["current"]["value"],
                "status": r["status"],
                "reason_nl": None if f.reason_hidden(o) else r["reason"]["nl"],
                "reason_en": None if f.reason_hidden(o) else r["reason"]["en"],
                "as_of": r["as_of"], "cutoff": r["cutoff"],
                "suppressed": ";".join(k for k, v in (("baseline", base_hidden),
                                                      ("target", hide_target),
                                                      ("current", cur_hidden),
                                                      ("reason", f.reason_hidden(o))) if v),
            })
        return out
    rows: dict[tuple, dict[str, Any]] = {}
    for a in f.area_rows:
        if not a.area_id:
            continue  # the part of the city in no wijk is not an area
        for y, v in a.values.items():
            hidden = f.is_hidden(a.cells.get(y))
            rows[(a.indicator.id, a.area_id, str(y))] = {
                "indicator_id": a.indicator.id, "area_id": a.area_id,
                "area_level": a.level, "period_type": "year", "period": str(y),
                "value": None if hidden else v, "suppressed": hidden}
    for o in f.objectives:
        if o.indicator is None:
            continue
        for d in o.rows:
            hidden = f.is_hidden(d.cell)
            rows[(o.indicator.id, o.record["area"]["id"], d.period)] = {
                "indicator_id": o.indicator.id, "area_id": o.record["area"]["id"],
                "area_level": o.record["area"]["level"],
                "period_type": "r12" if d.kind == "window" else "year", "period": d.period,
                "value": None if hidden else d.value,
                "ci_low": None if hidden else d.ci_low, "ci_high": None if hidden else d.ci_high,
                "suppressed": hidden}
    return [rows[k] for k in sorted(rows)]


__all__ = ["DIALECTS", "LOCAL_ROLE", "VALUE_COLUMNS", "Dialect", "table_csv", "table_names",
           "write_table_csv"]
