"""Every stored table as CSV, safe to open in a spreadsheet (``ivm export csv``, and the
dashboard's export page).

- ``internal``: every table of the warehouse, every row and column;
- ``public``: only tables without rows about single offences, reports, respondents or
  activities (no ``incident``, ``nuisance``, ``survey_response``, ``survey_answer``,
  ``activity``, ``quarantine``, nor the internal ``load_log`` with its file paths); the
  figures (``indicator_value``, ``objective_progress``) are exactly those of the public council
  workbook, with the same suppressed cells left empty and flagged in a ``suppressed`` column.

Text from data goes through :mod:`dashboard.export.safe` (a leading ``=``, ``+``, ``-``, ``@``,
tab or carriage return gets an apostrophe). Files are UTF-8 with a byte-order mark (so Excel
reads the accents), comma-separated, ISO dates, a point as decimal mark.
"""

from __future__ import annotations

import csv
import io
import shutil
import tempfile
from collections.abc import Iterable
from pathlib import Path
from typing import IO, Any

import duckdb

from core.errors import IvmError
from core.sqltext import lit
from dashboard.export.safe import csv_text, sql_csv_text

BOM = b"\xef\xbb\xbf"

#: Public tables and the columns they leave out (internal paths and load bookkeeping).
PUBLIC_TABLES: dict[str, tuple[str, ...]] = {
    "area": ("load_id",),
    "area_link": ("load_id",),
    "area_population": (),
    "category_map": (),
    "indicator": (),
    "indicator_value": (),
    "objective": ("load_id",),
    "objective_progress": (),
    "plan_version": ("file", "sha256", "load_id"),
    "refresh_log": (),
    "source_coverage": (),
    "survey_question": ("load_id",),
}
#: Tables whose rows are single offences, reports, respondents or activities.
INCIDENT_LEVEL = ("incident", "nuisance", "survey_response", "survey_answer", "activity",
                  "quarantine")

_VALUE_COLUMNS = ["indicator_id", "area_id", "area_level", "period_type", "period", "value",
                  "ci_low", "ci_high", "suppressed"]
_PROGRESS_COLUMNS = ["plan_version", "objective_id", "area_id", "indicator_id",
                     "baseline_period", "baseline_value", "target_value", "deadline",
                     "current_period", "current_value", "status", "reason_nl", "reason_en",
                     "as_of", "cutoff", "suppressed"]


def table_names(audience: str = "internal",
                con: duckdb.DuckDBPyConnection | None = None) -> list[str]:
    """The tables an audience may export (with a connection: those the warehouse has)."""
    _check(audience)
    present = None
    if con is not None:
        present = {t for (t,) in con.execute(
            "SELECT table_name FROM duckdb_tables() WHERE schema_name = 'main' "
            "AND NOT temporary").fetchall()}
    if audience == "public":
        return sorted(t for t in PUBLIC_TABLES if present is None or t in present)
    if present is None:
        from core.warehouse.schema import RESULT_TABLES

        return sorted({*PUBLIC_TABLES, *INCIDENT_LEVEL, "load_log", "compstat",
                       "population", *RESULT_TABLES})
    return sorted(present)


def table_csv(con: duckdb.DuckDBPyConnection, name: str, audience: str = "internal") -> bytes:
    """One table as CSV bytes (see :func:`write_table_csv`)."""
    buf = io.BytesIO()
    write_table_csv(con, name, buf, audience)
    return buf.getvalue()


def write_table_csv(con: duckdb.DuckDBPyConnection, name: str, out: str | Path | IO[bytes],
                    audience: str = "internal") -> int:
    """Write one table as CSV to a path or a binary buffer; returns the number of rows."""
    if name not in table_names(audience, con):
        if audience == "public" and name in table_names("internal", con):
            why = ("holds single offences, reports or respondents" if name in INCIDENT_LEVEL
                   else "is not published")
            raise IvmError("not_public", f"table '{name}' {why}: not in the public audience",
                           hint="public tables: " + ", ".join(table_names("public", con)))
        raise IvmError("unknown_table", f"no table '{name}' in the warehouse",
                       hint="tables: " + ", ".join(table_names(audience, con)))
    if audience == "public" and name in ("indicator_value", "objective_progress"):
        rows = _public_rows(con, name)
        cols = _VALUE_COLUMNS if name == "indicator_value" else _PROGRESS_COLUMNS
        return _write_rows(out, cols, rows)
    drop = PUBLIC_TABLES.get(name, ()) if audience == "public" else ()
    return _copy(con, name, drop, out)


def _check(audience: str) -> None:
    if audience not in ("internal", "public"):
        raise IvmError("bad_audience", f"unknown audience '{audience}'",
                       hint="internal or public")


def _copy(con: duckdb.DuckDBPyConnection, name: str, drop: Iterable[str],
          out: str | Path | IO[bytes]) -> int:
    """DuckDB's own CSV writer (fast, any size), text columns through the safe rule."""
    cols = con.execute(
        "SELECT column_name, data_type FROM duckdb_columns() WHERE schema_name = 'main' "
        "AND table_name = ? ORDER BY column_index", [name]).fetchall()
    exprs = []
    for col, kind in cols:
        if col in drop:
            continue
        q = '"' + col.replace('"', '""') + '"'
        exprs.append(f"{sql_csv_text(q)} AS {q}" if kind == "VARCHAR" else q)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "t.csv"
        con.execute(f"COPY (SELECT {', '.join(exprs)} FROM main.\"{name}\") TO {lit(str(path))} "
                    "(FORMAT csv, HEADER true, DELIMITER ',', QUOTE '\"', "
                    "DATEFORMAT '%Y-%m-%d', TIMESTAMPFORMAT '%Y-%m-%dT%H:%M:%S')")
        n = con.execute(f"SELECT count(*) FROM main.\"{name}\"").fetchall()[0][0]
        _emit(out, lambda fh: _append(fh, path))
    return n


def _append(fh: IO[bytes], path: Path) -> None:
    with open(path, "rb") as src:
        shutil.copyfileobj(src, fh, 1 << 20)


def _write_rows(out: str | Path | IO[bytes], cols: list[str], rows: list[dict]) -> int:
    def body(fh: IO[bytes]) -> None:
        text = io.TextIOWrapper(fh, encoding="utf-8", newline="", write_through=True)
        writer = csv.writer(text, lineterminator="\n")
        writer.writerow(cols)
        for r in rows:
            writer.writerow([csv_text(r.get(c)) for c in cols])
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
    """The public figures: those of the public council workbook, suppressed cells empty."""
    from dashboard.export.figures import council_figures

    f = council_figures(con, audience="public")
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


__all__ = ["INCIDENT_LEVEL", "PUBLIC_TABLES", "table_csv", "table_names", "write_table_csv"]
