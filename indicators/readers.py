"""What the dashboard and the council export read besides an indicator's values: the plan in
force, the areas and how they nest, the stored yearly values of many areas at once, the load log
and the quarantine.

The readers of one indicator's values and series are :mod:`indicators.results`; together they
are the only SQL the surfaces above this layer run (through :mod:`indicators`' public API), so
a figure has one definition whichever surface shows it.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

import duckdb

from core.sqltext import ident, lit
from core.warehouse.publish import data_version_label
from indicators.hierarchy import loaded_hierarchy
from indicators.refresh import current_plan
from indicators.results import STORED, Tables
from indicators.results import dicts as _dicts

# -- the plan ---------------------------------------------------------------------------------


def plan_info(con: duckdb.DuckDBPyConnection) -> dict[str, Any] | None:
    """The plan version in force (see :func:`indicators.refresh.current_plan`): version, title,
    approved_on, approved_by and its number of objectives; None when no plan is loaded."""
    version, objectives = current_plan(con)
    if version is None:
        return None
    row = con.execute("SELECT plan_version, title, approved_on, approved_by FROM plan_version "
                      "WHERE plan_version = ?", [version]).fetchall()[0]
    return {"version": row[0], "title": row[1], "approved_on": row[2], "approved_by": row[3],
            "objectives": len(objectives)}


def data_version(con: duckdb.DuckDBPyConnection) -> dict[str, Any] | None:
    """Which data the stored results are computed from: the last successful load, the last
    refresh and its as-of date, and a short label (``12.4``: load 12, refresh 4) that names
    this version in the status history and on a frozen council pack. None before any
    refresh."""
    row = con.execute(
        "SELECT refresh_id, as_of, plan_version, "
        "(SELECT max(load_id) FROM load_log WHERE outcome = 'loaded') "
        "FROM refresh_log ORDER BY refresh_id DESC LIMIT 1").fetchall()
    if not row:
        return None
    refresh_id, as_of, plan_version, load_id = row[0]
    load_id = int(load_id or 0)
    return {"load_id": load_id, "refresh_id": int(refresh_id), "as_of": as_of,
            "plan_version": plan_version, "label": data_version_label(load_id, refresh_id)}


def has_results(con: duckdb.DuckDBPyConnection) -> bool:
    """Whether the warehouse holds stored results (a refresh has run)."""
    return con.execute("SELECT count(*) FROM refresh_log").fetchall()[0][0] > 0


# -- areas ------------------------------------------------------------------------------------


def area_names(con: duckdb.DuckDBPyConnection) -> dict[str, tuple[str, str]]:
    """Every area: id -> (name, level)."""
    return {a: (n, lv) for a, n, lv in con.execute(
        "SELECT area_id, name, level FROM area").fetchall()}


def city_of(con: duckdb.DuckDBPyConnection, records: list[dict[str, Any]],
            names: dict[str, tuple[str, str]]) -> tuple[str, str] | None:
    """The city of a plan's status records, an area of the top level of the loaded hierarchy
    (a gemeente, a district, ...): the one its objectives name (else the one their areas lie
    in, else the first loaded), as (id, name)."""
    h = loaded_hierarchy(con)
    ids = [r["area"]["id"] for r in records if r["area"]["level"] == h.top]
    if not ids:
        ids = [top for top in (h.top_of.get(r["area"]["id"]) for r in records) if top]
    if not ids:
        ids = h.top_areas()[:1]
    if not ids:
        return None
    city = Counter(ids).most_common(1)[0][0]
    return city, names[city][0]


def wijken_of(con: duckdb.DuckDBPyConnection, city: str) -> list[tuple[str, str]]:
    """The areas of the first tier under the top level (wijken of a gemeente, wards of a
    district) that lie in ``city``, as (id, name), by id."""
    h = loaded_hierarchy(con)
    level = h.neighbourhoods()
    return [(a, n) for a, n in con.execute(
        "SELECT area_id, name FROM area WHERE level = ? AND area_id IN (SELECT unnest(?)) "
        "ORDER BY area_id",
        [level, [a for a, top in h.top_of.items() if top == city]]).fetchall()]


def sectors_of(con: duckdb.DuckDBPyConnection, areas: list[str]) -> dict[str, set[str]]:
    """The statistical sectors each area is made of."""
    out: dict[str, set[str]] = {}
    for s, p in con.execute(
            "SELECT area_id, parent_id FROM area_link WHERE parent_id IN (SELECT unnest(?))",
            [areas]).fetchall():
        out.setdefault(p, set()).add(s)
    return out


# -- stored yearly values of many areas -----------------------------------------------------------


def complete_years(con: duckdb.DuckDBPyConnection, ids: list[str],
                   tables: Tables = STORED) -> dict[str, list[int]]:
    """Per indicator: the calendar years complete in every area."""
    out: dict[str, list[int]] = {}
    for ind, period in con.execute(
        f"SELECT indicator_id, period FROM {tables.values} WHERE period_type = 'year' "
        "AND indicator_id IN (SELECT unnest(?)) GROUP BY ALL HAVING bool_and(complete) "
        "ORDER BY 1, 2", [ids]).fetchall():
        out.setdefault(ind, []).append(int(period))
    return out


def year_values(con: duckdb.DuckDBPyConnection, ids: list[str], areas: list[str],
                years: list[int], tables: Tables = STORED) -> tuple[dict, set]:
    """The stored yearly values (n, numerator, denominator, value, n_eff, ci_low, ci_high) of
    the indicators in the areas, by (indicator, area, year), and which (indicator, level, year)
    have any value at all (where none has, a reader fills nothing in)."""
    periods = [str(y) for y in years]
    rows = con.execute(
        f"SELECT indicator_id, area_id, period, n, numerator, denominator, value, n_eff, "
        "ci_low, ci_high "
        f"FROM {tables.values} WHERE period_type = 'year' "
        "AND indicator_id IN (SELECT unnest(?)) AND area_id IN (SELECT unnest(?)) "
        "AND period IN (SELECT unnest(?))", [ids, areas, periods]).fetchall()
    present = {(i, lv, int(p)) for i, lv, p in con.execute(
        f"SELECT DISTINCT indicator_id, area_level, period FROM {tables.values} "
        "WHERE period_type = 'year' AND indicator_id IN (SELECT unnest(?)) "
        "AND period IN (SELECT unnest(?))", [ids, periods]).fetchall()}
    return ({(i, a, int(p)): tuple(rest) for i, a, p, *rest in rows}, present)


def populations(con: duckdb.DuckDBPyConnection, areas: list[str], tables: Tables = STORED
                ) -> dict[str, list[tuple[int, float | None, float | None]]]:
    """Per area: (year, inhabitants, households), oldest first."""
    out: dict[str, list] = {}
    for a, y, inh, hh in con.execute(
        f"SELECT area_id, year, inhabitants, households FROM {tables.population} "
        "WHERE area_id IN (SELECT unnest(?)) ORDER BY area_id, year", [areas]).fetchall():
        out.setdefault(a, []).append((y, inh, hh))
    return out


def periods_by_type(con: duckdb.DuckDBPyConnection, indicator_id: str,
                    level: str) -> dict[str, list[tuple[str, bool]]]:
    """Per period type: the stored periods of an indicator at a level, oldest first, with
    their completeness (what :func:`indicators.results.periods` gives, in one read)."""
    out: dict[str, list[tuple[str, bool]]] = {}
    for ptype, period, complete in con.execute(
            "SELECT period_type, period, bool_and(complete) FROM indicator_value "
            "WHERE indicator_id = ? AND area_level = ? "
            "GROUP BY period_type, period ORDER BY period_type, min(period_start)",
            [indicator_id, level]).fetchall():
        out.setdefault(ptype, []).append((period, bool(complete)))
    return out


# -- loads and quarantine ---------------------------------------------------------------------


def loads(con: duckdb.DuckDBPyConnection, newest_first: bool = True) -> list[dict[str, Any]]:
    """Every load attempt of the load log."""
    order = "DESC" if newest_first else "ASC"
    return _dicts(con.execute(f"SELECT * FROM load_log ORDER BY load_id {order}"))


def quarantine_reasons(con: duckdb.DuckDBPyConnection) -> list[dict[str, Any]]:
    """Per load and reason code: how many rows were kept back (newest load first)."""
    rows = con.execute(
        "SELECT load_id, code, count(*) FROM (SELECT load_id, "
        "unnest(string_split(reason_codes, ',')) AS code FROM quarantine) "
        "GROUP BY ALL ORDER BY load_id DESC, 3 DESC").fetchall()
    return [{"load_id": a, "code": b.strip(), "rows": n} for a, b, n in rows]


def source_coverage(con: duckdb.DuckDBPyConnection) -> list[tuple]:
    """The stored coverage of each source kind: (kind, first day, cut-off, rows)."""
    return con.execute("SELECT kind, data_start, cutoff, rows FROM source_coverage "
                       "ORDER BY kind").fetchall()


# -- whole tables (the CSV export) --------------------------------------------------------------


def stored_tables(con: duckdb.DuckDBPyConnection) -> set[str]:
    """The tables of the warehouse."""
    return {t for (t,) in con.execute(
        "SELECT table_name FROM duckdb_tables() WHERE schema_name = 'main' "
        "AND NOT temporary").fetchall()}


def table_columns(con: duckdb.DuckDBPyConnection, name: str) -> list[tuple[str, str]]:
    """A table's columns as (name, DuckDB type), in order."""
    return con.execute(
        "SELECT column_name, data_type FROM duckdb_columns() WHERE schema_name = 'main' "
        "AND table_name = ? ORDER BY column_index", [name]).fetchall()


def copy_csv(con: duckdb.DuckDBPyConnection, name: str, exprs: list[str], path: str,
             delimiter: str = ",") -> int:
    """Write ``SELECT exprs FROM name`` to a CSV file with DuckDB's own writer (any size, in
    bounded memory): header, ``delimiter`` (a comma, or a semicolon for Belgian Excel), ISO
    dates. Returns the number of rows."""
    con.execute(f"COPY (SELECT {', '.join(exprs)} FROM main.{ident(name)}) TO {lit(path)} "
                f"(FORMAT csv, HEADER true, DELIMITER {lit(delimiter)}, QUOTE '\"', "
                "DATEFORMAT '%Y-%m-%d', TIMESTAMPFORMAT '%Y-%m-%dT%H:%M:%S')")
    return con.execute(f"SELECT count(*) FROM main.{ident(name)}").fetchall()[0][0]


__all__ = ["area_names", "city_of", "complete_years", "copy_csv", "has_results", "loads",
           "periods_by_type", "plan_info", "populations", "quarantine_reasons", "sectors_of",
           "source_coverage", "stored_tables", "table_columns", "wijken_of", "year_values"]
