"""Reading the stored results: an indicator's series for an area, values per area level and
period with the zeros filled in, and the objectives' progress rows.

Values are stored only where there is data. A count, rate or sum that is absent for an area in a
period its source covers is zero; these readers fill those zeros in (a rate's zero keeps its
population as denominator), so no reader has to know.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import duckdb
import pandas as pd

from core.sqltext import lit
from indicators import stats
from indicators.catalog import Indicator
from indicators.hierarchy import top_level
from indicators.progress import Point, Series


@dataclass(frozen=True)
class Tables:
    """Where the results live: the stored tables, or a computation's temp tables."""

    values: str = "indicator_value"
    population: str = "area_population"
    #: The day whose boundaries the values were counted on (None: each period's own).
    boundaries: dt.date | None = None


STORED = Tables()

_ZERO_FILLED = ("num", "rate")


def _zero_fill(ind: Indicator) -> bool:
    return ind.kind.value_rule in _ZERO_FILLED


def values(
    con: duckdb.DuckDBPyConnection, ind: Indicator, level: str, period: str,
    tables: Tables = STORED,
) -> pd.DataFrame:
    """The indicator's value for every area of ``level`` in ``period`` (zeros filled in for
    counts, rates and sums; areas without data otherwise have no value)."""
    fill = _zero_fill(ind)
    join = "LEFT JOIN" if fill else "JOIN"
    # just the rows of this indicator, level and period: constant filters DuckDB pushes down
    # into the scan of the (sorted) stored values
    rows = (f"(SELECT * FROM {tables.values} WHERE indicator_id = {lit(ind.id)} "
            f"AND area_level = {lit(level)} AND period = {lit(period)})")
    df = con.execute(
        f"""
        WITH p AS (
            SELECT DISTINCT period_type, period, period_start, period_end, complete
            FROM {rows} WHERE indicator_id = ? AND period = ? AND area_level = ?)
        SELECT a.area_id, a.name, a.level AS area_level, p.period_type, p.period,
               p.period_start, p.period_end,
               coalesce(v.complete, p.complete) AS complete, coalesce(v.n, 0) AS n,
               v.numerator, v.denominator, v.value, v.n_eff, v.sd, v.ci_low, v.ci_high,
               pop.inhabitants, pop.households, pop.{ind.population_column} AS per_population
        FROM area a CROSS JOIN p
        {join} {rows} v ON v.indicator_id = ? AND v.area_id = a.area_id
             AND v.period = p.period
        ASOF LEFT JOIN {tables.population} pop
             ON pop.area_id = a.area_id AND year(p.period_end) >= pop.year
        WHERE a.level = ?
        ORDER BY a.area_id
        """,
        [ind.id, period, level, ind.id, level],
    ).df()
    if fill and len(df):
        _fill(df, ind)
    return df


def _fill(df: pd.DataFrame, ind: Indicator) -> None:
    """Zeros for the absent counts, rates and sums, with their intervals (a stored row without
    a value, such as a rate whose population is not loaded, keeps its count)."""
    missing = df["value"].isna() & df["numerator"].isna()
    if not missing.any():
        return
    df.loc[missing, "numerator"] = 0.0
    df.loc[missing, "n"] = 0
    if ind.kind.value_rule == "rate":
        pop = df["per_population"].astype(float)
        df.loc[missing, "denominator"] = pop[missing]
        ok = missing & (pop > 0)
        df.loc[ok, "value"] = 0.0
        if ind.kind.noise == "poisson":
            _, hi = stats.poisson_ci(0)
            df.loc[ok, "ci_low"] = 0.0
            df.loc[ok, "ci_high"] = float(hi) * (ind.factor or 1.0) / pop[ok]
    else:
        df.loc[missing, "value"] = 0.0
        if ind.kind.noise == "poisson":
            _, hi = stats.poisson_ci(0)
            df.loc[missing, "ci_low"] = 0.0
            df.loc[missing, "ci_high"] = float(hi)


def series(
    con: duckdb.DuckDBPyConnection, ind: Indicator, area_id: str, tables: Tables = STORED,
) -> Series:
    """The indicator's calendar years, 12-month windows and months in one area (zeros filled
    in)."""
    fill = _zero_fill(ind)
    rows = con.execute(
        f"""
        WITH p AS (
            SELECT DISTINCT period_type, period, period_start, period_end, complete
            FROM {tables.values}
            WHERE indicator_id = ? AND period_type IN ('year', 'r12', 'month')
              AND area_level = (SELECT level FROM area WHERE area_id = ?))
        SELECT p.period_type, p.period, p.period_start, p.period_end,
               coalesce(v.complete, p.complete), coalesce(v.n, 0), v.numerator,
               v.denominator, v.value, v.n_eff, v.sd, v.ci_low, v.ci_high,
               pop.{ind.population_column}
        FROM p
        LEFT JOIN {tables.values} v ON v.indicator_id = ? AND v.area_id = ?
             AND v.period = p.period
        ASOF LEFT JOIN {tables.population} pop
             ON pop.area_id = ? AND year(p.period_end) >= pop.year
        ORDER BY p.period_start, p.period_type
        """,
        [ind.id, area_id, ind.id, area_id, area_id],
    ).fetchall()
    years: list[Point] = []
    windows: list[Point] = []
    months: list[Point] = []
    _, zero_high = stats.poisson_ci(0)
    for (ptype, period, start, end, complete, n, num, den, value, n_eff, sd, lo, hi,
         per_population) in rows:
        if value is None and num is None and fill:
            num, n = 0.0, 0
            if ind.kind.value_rule == "rate":
                den = per_population
                value = 0.0 if den else None
                hi = float(zero_high) * (ind.factor or 1.0) / den if den else None
            else:
                value, hi = 0.0, float(zero_high) if ind.kind.noise == "poisson" else None
            lo = 0.0 if hi is not None else None
        point = Point(period, start, end, value, num, den, int(n), n_eff, sd, lo, hi,
                      bool(complete))
        {"year": years, "r12": windows, "month": months}[ptype].append(point)
    return Series(years, windows, months)


def level_months(
    con: duckdb.DuckDBPyConnection, ind: Indicator, level: str, first: dt.date, last: dt.date,
    tables: Tables = STORED, root: str | None = None,
) -> dict[str, list[tuple[dt.date, float, float | None]]]:
    """Every area of ``level`` (under ``root`` when given: one municipality of a warehouse that
    holds several): its complete months from ``first`` to ``last`` as (month, count,
    denominator), zeros filled in (an area without facts in a covered month has 0)."""
    under = ("AND a.area_id IN (SELECT area_id FROM under)" if root is not None else "")
    rows = con.execute(
        f"""
        WITH RECURSIVE under AS (
            SELECT area_id FROM area WHERE area_id = ?
            UNION SELECT c.area_id FROM area c JOIN under u ON c.parent_id = u.area_id),
        p AS (
            SELECT DISTINCT period, period_start FROM {tables.values}
            WHERE indicator_id = ? AND period_type = 'month' AND area_level = ? AND complete
              AND period_start BETWEEN ? AND ?)
        SELECT a.area_id, p.period_start, coalesce(v.numerator, 0.0),
               coalesce(v.denominator, pop.{ind.population_column})
        FROM area a CROSS JOIN p
        LEFT JOIN {tables.values} v ON v.indicator_id = ? AND v.area_id = a.area_id
             AND v.period = p.period
        ASOF LEFT JOIN {tables.population} pop
             ON pop.area_id = a.area_id AND year(p.period_start) >= pop.year
        WHERE a.level = ? {under}
        ORDER BY a.area_id, p.period_start
        """,
        [root, ind.id, level, first, last, ind.id, level],
    ).fetchall()
    out: dict[str, list[tuple[dt.date, float, float | None]]] = {}
    for area_id, start, num, den in rows:
        out.setdefault(area_id, []).append((start, float(num), den))
    return out


def monthly_counts(
    con: duckdb.DuckDBPyConnection, ind: Indicator, area_id: str, tables: Tables = STORED,
) -> list[tuple[dt.date, float]]:
    """An area's count in every complete month, oldest first (zeros filled in)."""
    level = con.execute("SELECT level FROM area WHERE area_id = ?", [area_id]).fetchall()
    if not level:
        return []
    return [(m, c) for m, c, _ in level_months(
        con, ind, level[0][0], dt.date(1, 1, 1), dt.date(9999, 12, 31), tables,
        root=area_id).get(area_id, [])]


def root_area(con: duckdb.DuckDBPyConnection, area_id: str) -> str:
    """The top of an area's hierarchy (the area itself when it has no parent)."""
    seen = {area_id}
    current = area_id
    while True:
        row = con.execute("SELECT parent_id FROM area WHERE area_id = ?", [current]).fetchall()
        if not row or row[0][0] is None or row[0][0] in seen:
            return current
        current = row[0][0]
        seen.add(current)


def as_of(con: duckdb.DuckDBPyConnection) -> dt.date | None:
    """The as-of date of the stored results (None before the first refresh)."""
    row = con.execute("SELECT as_of FROM refresh_log ORDER BY refresh_id DESC LIMIT 1").fetchall()
    return row[0][0] if row else None


def stored_catalog(con: duckdb.DuckDBPyConnection) -> dict[str, Indicator]:
    """The indicators the stored results were computed with (their declarations as stored)."""
    return {i: Indicator.model_validate_json(spec) for i, spec in con.execute(
        "SELECT indicator_id, spec FROM indicator ORDER BY indicator_id").fetchall()}


def periods(con: duckdb.DuckDBPyConnection, indicator_id: str, period_type: str,
            level: str | None = None) -> list[tuple[str, bool]]:
    """The stored periods of a type for an indicator at a level (default: the top level),
    oldest first, with their completeness."""
    level = level or top_level(con)
    return [(p, bool(c)) for p, c in con.execute(
        "SELECT period, bool_and(complete) FROM indicator_value WHERE indicator_id = ? "
        "AND period_type = ? AND area_level = ? GROUP BY period ORDER BY min(period_start)",
        [indicator_id, period_type, level]).fetchall()]


def dicts(cur: duckdb.DuckDBPyConnection) -> list[dict[str, Any]]:
    """The rows of an executed query as dicts by column name."""
    names = [d[0] for d in cur.description]
    return [dict(zip(names, r, strict=True)) for r in cur.fetchall()]


def coverage(con: duckdb.DuckDBPyConnection) -> list[dict]:
    """Per source kind: first day, cut-off, last complete month and rows, as of the refresh."""
    return dicts(con.execute("SELECT kind, data_start, cutoff, anchor, rows FROM source_coverage "
                             "ORDER BY kind"))


def compstat(con: duckdb.DuckDBPyConnection, area_ids: list[str] | None = None,
             level: str | None = None, kind: str | None = None) -> pd.DataFrame:
    """The stored CompStat windows, for some areas or a level and a source kind."""
    sql = "SELECT * FROM compstat WHERE true"
    params: list = []
    if area_ids is not None and len(area_ids) == 1:  # a constant DuckDB prunes row groups by
        sql += " AND area_id = ?"
        params.append(area_ids[0])
    elif area_ids is not None:
        sql += " AND area_id IN (SELECT unnest(?))"
        params.append(area_ids)
    if level is not None:
        sql += " AND area_level = ?"
        params.append(level)
    if kind is not None:
        sql += " AND kind = ?"
        params.append(kind)
    return con.execute(sql + " ORDER BY area_id, kind, category, window_type", params).df()


def compstat_of_area(con: duckdb.DuckDBPyConnection, area_id: str) -> list[dict[str, Any]]:
    """One area's stored CompStat windows as plain rows (dates as dates), in the order of
    :func:`compstat`: what an area's page shows, read without building a frame."""
    return dicts(con.execute("SELECT * FROM compstat WHERE area_id = ? "
                             "ORDER BY kind, category, window_type", [area_id]))


def areas(con: duckdb.DuckDBPyConnection, level: str | None = None) -> pd.DataFrame:
    """Areas (id, name, level, parent, bounding box, GeoJSON geometry text) of a level or all."""
    sql = ("SELECT area_id, name, level, parent_id, geometry, min_lon, min_lat, max_lon, "
           "max_lat FROM area")
    if level is None:
        return con.execute(sql + " ORDER BY level, area_id").df()
    return con.execute(sql + " WHERE level = ? ORDER BY area_id", [level]).df()
