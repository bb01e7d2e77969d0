"""Compute indicator values per indicator x area x period, at every area level.

All in DuckDB, on small integer keys (area and period numbers, numbered in the order of their
labels):

1. each source is read once for all its additive indicators (:func:`indicators.compile.
   shared_scan`: one ``FILTER`` aggregate per sum per indicator, per finest area and month);
2. those wide rows are summed into every ancestor area (the closure of ``area_link`` and
   ``parent_id``), then into every period the month belongs to; median and percentile group the
   fact rows of their own compiled SELECT per ancestor area and period;
3. values follow from the summed numerators and denominators (a rate's population is summed over
   the area's sectors for the year its period ends), never from averaged rates. Intervals are
   SQL arithmetic (Wilson) or small lookup tables filled by :mod:`indicators.stats` for the
   distinct counts (Garwood's exact Poisson bounds) and effective sizes (Student t quantiles)
   that occur. The summed tables are sorted into storage order with the labels joined in, so
   :func:`write_values` inserts the values straight into a table without a sort of its own.

Only the combinations with data are computed; a count or rate that is absent is zero (the
readers in :mod:`indicators.results` fill the zeros in).

Over 500 lines, and one cohesive job: the one SQL pipeline above, whose steps share the numbered
keys, the temp tables and the storage order.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

import duckdb
import numpy as np
import pyarrow as pa

from core.sqltext import lit
from indicators import stats
from indicators.boundaries import closure_sql
from indicators.catalog import POPULATION_COLUMNS, Catalog, Indicator
from indicators.compile import SUMS, monthly_select, shareable, shared_scan, to_sql
from indicators.periods import Coverage, month_end, period_rows
from indicators.sources import SOURCES

#: Confidence level of the stored intervals.
LEVEL = 0.95


def coverage(con: duckdb.DuckDBPyConnection, as_of: dt.date | None = None) -> dict[str, Coverage]:
    """Per source kind with data: its first day, cut-off (capped at ``as_of``), rows and the
    spans its deliveries cover (each load's declared or derived period, merged)."""
    out: dict[str, Coverage] = {}
    logged = dict(con.execute(
        "SELECT kind, max(cutoff_date) FROM load_log WHERE outcome = 'loaded' GROUP BY kind"
    ).fetchall())
    periods: dict[str, list[tuple[dt.date, dt.date]]] = {}
    first_day: dict[str, dt.date] = {}
    for kind, start, end, declared in con.execute(
        "SELECT kind, period_start, cutoff_date, "
        "coalesce(json_exists(options, '$.period'), false) FROM load_log "
        "WHERE outcome = 'loaded' AND period_start IS NOT NULL AND cutoff_date IS NOT NULL "
        "ORDER BY kind, period_start"
    ).fetchall():
        # a period derived from the rows starts and ends where its first and last rows happen
        # to fall: between deliveries it runs on to whole months, so days without a row
        # between two deliveries are no gap (a month without any delivery is); the source's
        # first day and cut-off stay exact (below)
        span = (start, end) if declared else (start.replace(day=1), month_end(end))
        periods.setdefault(kind, []).append(span)
        first_day[kind] = min(first_day.get(kind, start), start)
    for kind, source in SOURCES.items():
        day = "make_date(CAST(wave AS INTEGER), 7, 1)" if source.survey else (
            f"CAST({source.date} AS DATE)")
        first, last, rows = con.execute(
            f"SELECT min({day}), max({day}), count(*) FROM {source.table.name}"
        ).fetchall()[0]
        if not rows:
            continue
        cutoff = logged.get(kind) or last
        spans: tuple[tuple[dt.date, dt.date], ...] = ()
        if source.survey:
            cutoff = dt.date(last.year, 12, 31)
        elif kind in periods:
            first = min(first, first_day[kind])
            merged = _merged(periods[kind])
            spans = ((max(merged[0][0], first), merged[0][1]), *merged[1:])
        if as_of is not None:
            cutoff = min(cutoff, as_of)
        spans = tuple((s, min(e, cutoff)) for s, e in spans if s <= cutoff)
        if first > cutoff:
            continue
        out[kind] = Coverage(kind, first, cutoff, int(rows), spans)
    return out


def _merged(spans: list[tuple[dt.date, dt.date]]) -> tuple[tuple[dt.date, dt.date], ...]:
    """Spans of days (sorted by start) merged where they overlap or touch."""
    out: list[tuple[dt.date, dt.date]] = []
    for start, end in sorted(spans):
        if out and start <= out[-1][1] + dt.timedelta(days=1):
            out[-1] = (out[-1][0], max(out[-1][1], end))
        else:
            out.append((start, end))
    return tuple(out)


def default_as_of(con: duckdb.DuckDBPyConnection) -> dt.date:
    """The as-of date results are stored for: the latest cut-off of any fact source."""
    cov = coverage(con)
    dated = [c.cutoff for k, c in cov.items() if not SOURCES[k].survey]
    return max(dated or [c.cutoff for c in cov.values()] or [dt.date.today()])


def prepare(con: duckdb.DuckDBPyConnection, as_of: dt.date,
            boundaries: dt.date | None = None) -> dict[str, Coverage]:
    """Temp tables every computation uses: areas and their closure, area population, periods.

    ``ivm_area`` numbers the areas in the order of (level, area id) and ``ivm_periods`` the
    periods in the order of (period type, period), so sorting on the numbers is sorting on the
    labels; ``ivm_closure`` pairs every area with itself and each ancestor over the span in
    which that holds (:mod:`indicators.boundaries`; with ``boundaries`` a date: that day's
    links, for all time).
    """
    cov = coverage(con, as_of)
    con.execute(
        "CREATE OR REPLACE TEMP TABLE ivm_area AS "
        "SELECT area_id, level, row_number() OVER (ORDER BY level, area_id) AS area_no, "
        "dense_rank() OVER (ORDER BY level) AS level_no FROM area"
    )
    con.execute(
        f"CREATE OR REPLACE TEMP TABLE ivm_closure AS WITH c AS ({closure_sql(boundaries)}) "
        "SELECT c.area_id, c.ancestor_id, a.level AS ancestor_level, a.area_no AS ancestor_no, "
        "c.valid_from, c.valid_to FROM c JOIN ivm_area a ON a.area_id = c.ancestor_id"
    )
    # inhabitants and households add up over areas; a day population and visitors are taken
    # as delivered per area (one visitor visits several wijken), the latest load's if two say
    con.execute(
        "CREATE OR REPLACE TEMP TABLE ivm_population AS "
        "WITH inh AS (SELECT c.ancestor_id AS area_id, p.year, sum(p.inhabitants) AS inhabitants, "
        "  sum(p.households) AS households FROM population p "
        "  JOIN ivm_closure c ON c.area_id = p.area_id "
        "  AND make_date(p.year, 1, 1) BETWEEN c.valid_from AND c.valid_to GROUP BY ALL) "
        "SELECT area_id, year, inh.inhabitants, inh.households, "
        "CAST(d.day_population AS DOUBLE) AS day_population, "
        "CAST(d.visitors AS DOUBLE) AS visitors "
        "FROM inh FULL JOIN (SELECT area_id, year, arg_max(day_population, load_id) AS "
        "  day_population, arg_max(visitors, load_id) AS visitors FROM day_population "
        "  GROUP BY ALL) d USING (area_id, year)"
    )
    if cov:
        first = min(c.data_start for c in cov.values())
        last = max(c.cutoff for c in cov.values())
        anchors = {k: c.anchor for k, c in cov.items() if not SOURCES[k].survey}
        rows = period_rows(first, last, anchors)
    else:
        rows = []
    numbers = {key: k for k, key in enumerate(sorted({(r[2], r[3]) for r in rows}), start=1)}
    cols = list(zip(*rows, strict=True)) if rows else [[]] * 6
    table = pa.table({
        "month": pa.array(cols[0], pa.date32()),
        "kind": pa.array(cols[1], pa.string()),
        "period_type": pa.array(cols[2], pa.string()),
        "period": pa.array(cols[3], pa.string()),
        "period_start": pa.array(cols[4], pa.date32()),
        "period_end": pa.array(cols[5], pa.date32()),
        "period_no": pa.array([numbers[(r[2], r[3])] for r in rows], pa.int32()),
    })
    _temp_table(con, "ivm_period_map", table)
    con.execute(
        "CREATE OR REPLACE TEMP TABLE ivm_periods AS "
        "SELECT DISTINCT period_no, period_type, period, period_start, period_end, "
        "year(period_end) AS year_end FROM ivm_period_map"
    )
    con.execute(
        "CREATE OR REPLACE TEMP TABLE ivm_pop_year AS "
        "SELECT a.area_no, y.year_end, CAST(p.inhabitants AS DOUBLE) AS inhabitants, "
        "CAST(p.households AS DOUBLE) AS households, p.day_population, p.visitors "
        "FROM (SELECT DISTINCT year_end FROM ivm_periods) y CROSS JOIN ivm_area a "
        "ASOF JOIN ivm_population p ON p.area_id = a.area_id AND y.year_end >= p.year"
    )
    kinds = pa.table({
        "kind": pa.array(list(cov), pa.string()),
        "data_start": pa.array([c.data_start for c in cov.values()], pa.date32()),
        "cutoff": pa.array([c.cutoff for c in cov.values()], pa.date32()),
        "survey": pa.array([SOURCES[k].survey for k in cov], pa.bool_()),
        "rows": pa.array([c.rows for c in cov.values()], pa.int64()),
        "spans": pa.array([[{"s": s, "e": e} for s, e in c.spans] for c in cov.values()],
                          pa.list_(pa.struct([("s", pa.date32()), ("e", pa.date32())]))),
    })
    _temp_table(con, "ivm_coverage", kinds)
    return cov


def _temp_table(con: duckdb.DuckDBPyConnection, name: str, table: pa.Table) -> None:
    """The temp table ``name`` (created or replaced) holding the Arrow ``table``."""
    con.register("ivm_arrow", table)
    try:
        con.execute(f"CREATE OR REPLACE TEMP TABLE {name} AS SELECT * FROM ivm_arrow")
    finally:
        con.unregister("ivm_arrow")


def _double(x: float) -> str:
    """A float as an exact DuckDB double (a plain literal would be read as a DECIMAL)."""
    return f"CAST('{float(x)!r}' AS DOUBLE)"


def _periods_of(month: str, kind: str) -> str:
    """The join condition of a month to the periods it belongs to, for a source kind."""
    year = " AND p.period_type = 'year'" if SOURCES[kind].survey else ""
    return f"p.month = {month} AND (p.kind IS NULL OR p.kind = {lit(kind)}){year}"


def _roll_up(select: str, cols: list[str], kind: str) -> str:
    """Sum the wide rows of a scan (per finest area and month) into every ancestor area, then
    into every period of the month: (area_no, period_no, the sums)."""
    first = ", ".join(f"sum(m.{c}) AS {c}" for c in cols)
    second = ", ".join(f"sum(a.{c}) AS {c}" for c in cols)
    return (
        f"WITH m AS ({select}), "
        f"a AS (SELECT c.ancestor_no, m.month, {first} FROM m "
        f"JOIN ivm_closure c ON c.area_id = m.area_id "
        f"AND m.month BETWEEN c.valid_from AND c.valid_to GROUP BY c.ancestor_no, m.month) "
        f"SELECT a.ancestor_no AS area_no, p.period_no, {second} FROM a "
        f"JOIN ivm_period_map p ON {_periods_of('a.month', kind)} "
        f"GROUP BY a.ancestor_no, p.period_no"
    )


_NULL = "CAST(NULL AS DOUBLE)"


def _n_eff(ind: Indicator, t: dict[str, str]) -> str:
    """The effective n of an indicator's row: Kish's for a ratio (0 without weights), else n."""
    if ind.kind.value_rule == "ratio":
        return f"CASE WHEN {t['sw2']} = 0 THEN 0.0 ELSE {t['den']} * {t['den']} / {t['sw2']} END"
    return t["n"]


def _columns(cols: dict[str, str | None], alias: str) -> dict[str, str]:
    """An indicator's sums (and ``x``) as expressions on its summed table (NULL where none)."""
    picked = {**cols, "n": cols.get("n") or cols.get("rows")}
    return {k: f"{alias}.{picked[k]}" if picked.get(k) else _NULL for k in (*SUMS, "x")}


def _rows(ind: Indicator, number: int, table: str, cols: dict[str, str | None]) -> str:
    """An indicator's rows in its sorted summed table, with the labels, its denominator (a
    rate's population of the latest year up to the year the period ends, a ratio's summed
    denominator) and its lookups (Poisson bounds, t quantile)."""
    t = _columns(cols, "t")
    rule, noise = ind.kind.value_rule, ind.kind.noise
    den = {"rate": f"t.pop_{ind.population_column}", "ratio": t["den"]}.get(rule, _NULL)
    lo = hi = tq = _NULL
    if noise == "poisson":
        lo, hi = f"t.lo_{cols['num']}", f"t.hi_{cols['num']}"
    if noise == "mean":
        tq = f"t.t_{number}"
    if rule == "direct":
        lo, hi = "t.olo", "t.ohi"
    where = f" WHERE t.{cols['rows']} > 0" if cols.get("rows") else ""
    return (f"SELECT t.area_id, t.area_level, t.period_type, t.period, t.period_start, "
            f"t.period_end, t.complete, {t['n']} AS n, {t['num']} AS num, {den} AS den, "
            f"{t['sw2']} AS sw2, {t['sx2']} AS sx2, {t['x']} AS x, {lo} AS lo, {hi} AS hi, "
            f"{tq} AS tq FROM {table} t{where}")


def _measures(ind: Indicator, rows: str) -> str:
    """An indicator's rows with ``per`` (a rate's factor over its population), ``value``, the
    effective n and the variance ``var`` of a mean, as :mod:`indicators.stats`."""
    rule = ind.kind.value_rule
    per = f"CASE WHEN s.den > 0 THEN {_double(ind.factor or 0.0)} / s.den END"
    value = {
        "num": "s.num",
        "rate": f"s.num * ({per})",
        "ratio": "CASE WHEN s.den > 0 THEN s.num / s.den END",
        "direct": "s.x",
    }[rule]
    n_eff = _n_eff(ind, {"n": "s.n", "den": "s.den", "sw2": "s.sw2"})
    # the sample variance (reliability weights): the weighted population variance times
    # n_eff / (n_eff - 1), with equal weights the usual divisor n - 1
    var = ("CASE WHEN s.den > 0 AND s.n_eff_ > 1 THEN (s.sx2 / s.den - (s.num / s.den) * "
           "(s.num / s.den)) * s.n_eff_ / (s.n_eff_ - 1) END" if ind.kind.noise == "mean"
           else _NULL)
    return (f"SELECT s.*, {per if rule == 'rate' else _NULL} AS per, {value} AS value, "
            f"s.n_eff_ AS n_eff, {var} AS var FROM (SELECT s.*, {n_eff} AS n_eff_ "
            f"FROM ({rows}) s) s")


def _branch(ind: Indicator, rows: str) -> str:
    """An indicator's values: the columns of ``indicator_value``, with the intervals of its
    noise model (no join: the rows keep the order of their sorted table)."""
    noise = ind.kind.noise
    low = high = _NULL
    if noise == "poisson":
        scale = "m.per" if ind.kind.value_rule == "rate" else "1.0"
        low = f"CASE WHEN m.num IS NOT NULL THEN m.lo * {scale} END"
        high = f"CASE WHEN m.num IS NOT NULL THEN m.hi * {scale} END"
    elif noise == "share":
        z = float(stats.norm_quantile(LEVEL))
        z, z2 = _double(z), _double(z * z)
        ok = "m.n_eff > 0 AND m.value >= 0 AND m.value <= 1"
        denom = f"(1 + {z2} / m.n_eff)"
        centre = f"((m.value + {z2} / (2 * m.n_eff)) / {denom})"
        half = (f"({z} * sqrt(m.value * (1 - m.value) / m.n_eff + {z2} / (4 * m.n_eff * m.n_eff))"
                f" / {denom})")
        low = f"CASE WHEN {ok} THEN least(greatest({centre} - {half}, 0.0), 1.0) END"
        high = f"CASE WHEN {ok} THEN least(greatest({centre} + {half}, 0.0), 1.0) END"
    if ind.kind.value_rule == "direct":  # order statistics (distribution-free)
        low, high = "m.lo", "m.hi"
    sd = "sqrt(CASE WHEN m.var < 0 THEN 0.0 ELSE m.var END)" if noise == "mean" else _NULL
    if noise == "mean":
        ok = f"m.value IS NOT NULL AND {sd} IS NOT NULL AND m.n_eff > 1"
        low = f"CASE WHEN {ok} THEN m.value - m.tq * {sd} / sqrt(m.n_eff) END"
        high = f"CASE WHEN {ok} THEN m.value + m.tq * {sd} / sqrt(m.n_eff) END"
    numerator = _NULL if ind.kind.value_rule == "direct" else "m.num"
    return (
        f"SELECT {lit(ind.id)} AS indicator_id, m.area_id, m.area_level, m.period_type, "
        f"m.period, m.period_start, m.period_end, m.complete, CAST(m.n AS BIGINT) AS n, "
        f"{numerator} AS numerator, CASE WHEN m.den > 0 THEN m.den END AS denominator, "
        f"m.value, m.n_eff, {sd} AS sd, {low} AS ci_low, {high} AS ci_high "
        f"FROM ({_measures(ind, rows)}) m"
    )


@dataclass
class Staged:
    """A computation ready to be written: the SELECT of the values (the columns of
    ``indicator_value``, in storage order)."""

    sql: str
    indicators: int


@dataclass
class _Summed:
    """A temp table of sums (or of medians and percentiles) and its indicators' columns."""

    table: str
    kind: str
    columns: dict[str, dict[str, str | None]]


def _completeness(con: duckdb.DuckDBPyConnection, cov: dict[str, Coverage]) -> dict[str, str]:
    """Add to ``ivm_periods`` per source kind whether each period is complete (a span of its
    deliveries covers the period from its first to its last day; a survey's years always);
    the column per kind."""
    columns = {kind: f"complete_{k}" for k, kind in enumerate(cov)}
    exprs = ", ".join(
        ("true" if SOURCES[kind].survey else _covered(c)) + f" AS {columns[kind]}"
        for kind, c in cov.items())
    if exprs:
        con.execute(f"CREATE OR REPLACE TEMP TABLE ivm_periods AS SELECT *, {exprs} "
                    "FROM ivm_periods")
    return columns


def _covered(c: Coverage) -> str:
    """SQL over ``period_start``/``period_end``: whether a span of ``c`` holds the period."""
    spans = c.spans or ((c.data_start, c.cutoff),)
    return "(" + " OR ".join(
        f"(period_start >= DATE '{s.isoformat()}' AND period_end <= DATE '{e.isoformat()}')"
        for s, e in spans) + ")"


def stage_values(
    con: duckdb.DuckDBPyConnection, catalog: Catalog, as_of: dt.date,
    only: Iterable[str] | None = None, boundaries: dt.date | None = None,
) -> Staged:
    """Read the sources and sum them into every area and period (temp tables, sorted into
    storage order); the values themselves follow when :func:`write_values` runs the SELECT.
    Each period counts in the areas of its own boundaries, or, with ``boundaries`` a date, in
    those of that day (see :func:`prepare`)."""
    cov = prepare(con, as_of, boundaries)
    wanted = set(only) if only is not None else None
    inds = sorted((i for i in catalog if i.source in cov and (wanted is None or i.id in wanted)),
                  key=lambda i: i.id)
    by_id = {ind.id: ind for ind in inds}
    numbers = {ind.id: k for k, ind in enumerate(inds)}

    groups: dict[tuple[str, bool], list[Indicator]] = {}
    alone: list[Indicator] = []
    for ind in inds:
        if shareable(ind):
            groups.setdefault((ind.source, ind.question is not None), []).append(ind)
        elif ind.kind.additive:
            alone.append(ind)
    pending: list[tuple[_Summed, str]] = []  # each table's SELECT
    for g, members in enumerate(groups.values()):
        scan = shared_scan(members, as_of)
        cols = sorted({c for m in scan.columns.values() for c in m.values() if c})
        pending.append((_Summed(f"ivm_sums_{g}", scan.source, scan.columns),
                        _roll_up(scan.sql, cols, scan.source)))
    for k, ind in enumerate(alone):
        select = (f"SELECT area_id, month, CAST(1 AS DOUBLE) AS rows, {', '.join(SUMS)} "
                  f"FROM ({to_sql(monthly_select(ind, as_of))})")
        pending.append((_Summed(f"ivm_sums_alone_{k}", ind.source,
                                {ind.id: {"rows": "rows", **{s: s for s in SUMS}}}),
                        _roll_up(select, ["rows", *SUMS], ind.source)))
    for ind in inds:
        if ind.kind.additive:
            continue
        q = float(ind.percentile or 0.5)  # a validated float in (0, 1)
        pending.append((
            _Summed(f"ivm_direct_{numbers[ind.id]}", ind.source, {ind.id: {"n": "n", "x": "x"}}),
            f"SELECT c.ancestor_no AS area_no, p.period_no, CAST(count(*) AS DOUBLE) AS n, "
            f"quantile_cont(f.x, {q!r}) AS x, list_sort(list(f.x)) AS xs, {q!r} AS q "
            f"FROM ({to_sql(monthly_select(ind, as_of))}) f "
            f"JOIN ivm_closure c ON c.area_id = f.area_id "
            f"AND f.month BETWEEN c.valid_from AND c.valid_to "
            f"JOIN ivm_period_map p ON {_periods_of('f.month', ind.source)} "
            f"GROUP BY c.ancestor_no, p.period_no"))

    # a table whose indicators need no lookup is sorted as it is summed; the others are
    # summed, their counts and effective sizes looked up, then sorted with the lookups
    complete = _completeness(con, cov)

    def looked_up(s: _Summed) -> bool:
        return any(by_id[i].kind.noise in ("poisson", "mean") or by_id[i].kind.value_rule
                   == "direct" for i in s.columns)

    summed = [s for s, _sql in pending]
    for s, sql in pending:
        if looked_up(s):
            con.execute(f"CREATE OR REPLACE TEMP TABLE {s.table} AS {sql}")
        else:
            _sort(con, s, by_id, numbers, complete[s.kind], f"({sql})")
    _lookups(con, [f"SELECT {c['num']} AS num FROM {s.table} WHERE {c['rows']} > 0"
                   for s in summed for i, c in s.columns.items()
                   if by_id[i].kind.noise == "poisson"],
             [f"SELECT {_n_eff(by_id[i], _columns(c, 't'))} AS n_eff FROM {s.table} t "
              f"WHERE t.{c['rows']} > 0"
              for s in summed for i, c in s.columns.items() if by_id[i].kind.noise == "mean"],
             [f"SELECT n, q FROM {s.table}" for s in summed for i in s.columns
              if by_id[i].kind.value_rule == "direct"])
    branches: dict[str, str] = {}
    for s in summed:
        if looked_up(s):
            _sort(con, s, by_id, numbers, complete[s.kind], s.table)
        for i, c in s.columns.items():
            branches[i] = _branch(by_id[i], _rows(by_id[i], numbers[i], s.table, c))
    sql = " UNION ALL ".join(branches[i.id] for i in inds)
    return Staged(f"SELECT * FROM ({sql})" if sql else "", len(inds))


def _sort(con: duckdb.DuckDBPyConnection, s: _Summed, by_id: dict[str, Indicator],
          numbers: dict[str, int], complete: str, source: str) -> None:
    """Make ``s`` the sums of ``source`` (its temp table, dropped, or a subquery) sorted into
    storage order (area level, period, area; indicator by indicator they are written in id
    order), with the labels of its areas and periods, its source's completeness and the
    lookups of its indicators joined in."""
    cols = ["a.area_id", "a.level AS area_level", "l.period_type", "l.period",
            "l.period_start", "l.period_end", f"l.{complete} AS complete"]
    joins = ["JOIN ivm_area a ON a.area_no = t.area_no",
             "JOIN ivm_periods l ON l.period_no = t.period_no"]
    inds = [by_id[i] for i in s.columns]
    if any(i.kind.value_rule == "rate" for i in inds):
        cols += [f"pop.{c} AS pop_{c}" for c in POPULATION_COLUMNS]
        joins.append("LEFT JOIN ivm_pop_year pop ON pop.area_no = t.area_no "
                     "AND pop.year_end = l.year_end")
    counts = sorted({c["num"] for i, c in s.columns.items()
                     if by_id[i].kind.noise == "poisson" and c.get("num")})
    for c in counts:
        cols += [f"pl_{c}.lo AS lo_{c}", f"pl_{c}.hi AS hi_{c}"]
        joins.append(f"LEFT JOIN ivm_poisson pl_{c} ON pl_{c}.k = t.{c}")
    for i, c in s.columns.items():
        if by_id[i].kind.noise == "mean":
            k = numbers[i]
            cols.append(f"tq_{k}.t AS t_{k}")
            joins.append(f"LEFT JOIN ivm_t tq_{k} ON tq_{k}.t_n = "
                         f"{_n_eff(by_id[i], _columns(c, 't'))}")
    direct = any(by_id[i].kind.value_rule == "direct" for i in s.columns)
    if direct:  # the order statistics that bound a median or percentile (1-based in lists)
        cols += ["CASE WHEN os.lo >= 0 THEN t.xs[os.lo + 1] END AS olo",
                 "CASE WHEN os.hi < t.n THEN t.xs[os.hi + 1] END AS ohi"]
        joins.append("LEFT JOIN ivm_orderstat os ON os.n = t.n AND os.q = t.q")
    star = "t.* EXCLUDE (xs)" if direct else "t.*"
    con.execute(
        f"CREATE OR REPLACE TEMP TABLE {s.table}_sorted AS SELECT {star}, {', '.join(cols)} "
        f"FROM {source} t {' '.join(joins)} ORDER BY a.level_no, t.period_no, t.area_no")
    if source == s.table:
        con.execute(f"DROP TABLE {s.table}")
    s.table = f"{s.table}_sorted"


def _lookups(con: duckdb.DuckDBPyConnection, poisson: list[str], mean: list[str],
             direct: list[str] | None = None) -> None:
    """``ivm_poisson`` (Garwood's bounds per count), ``ivm_t`` (the Student t quantile per
    effective n) and ``ivm_orderstat`` (the positions of the order statistics that bound a
    quantile, per n and quantile) for the values that occur."""
    nq = {"n": np.asarray([], dtype=float), "q": np.asarray([], dtype=float)}
    if direct:
        nq = con.execute(f"SELECT DISTINCT n, q FROM ({' UNION ALL '.join(direct)}) "
                         "WHERE n > 0").fetchnumpy()
    ns, qs = np.asarray(nq["n"], dtype=float), np.asarray(nq["q"], dtype=float)
    lows, highs = np.zeros(ns.size, dtype=np.int64), np.zeros(ns.size, dtype=np.int64)
    for q in np.unique(qs):
        at = qs == q
        lows[at], highs[at] = stats.quantile_ci_ranks(ns[at], float(q), LEVEL)
    _temp_table(con, "ivm_orderstat", pa.table({
        "n": pa.array(ns, pa.float64()), "q": pa.array(qs, pa.float64()),
        "lo": pa.array(lows, pa.int64()), "hi": pa.array(highs, pa.int64())}))
    k = np.asarray([], dtype=float)
    if poisson:
        k = np.asarray(con.execute(
            f"SELECT DISTINCT num FROM ({' UNION ALL '.join(poisson)}) WHERE num IS NOT NULL"
        ).fetchnumpy()["num"], dtype=float)
    lo, hi = stats.poisson_ci(k, level=LEVEL)
    n = np.asarray([], dtype=float)
    if mean:
        n = np.asarray(con.execute(
            f"SELECT DISTINCT n_eff FROM ({' UNION ALL '.join(mean)}) WHERE n_eff > 1"
        ).fetchnumpy()["n_eff"], dtype=float)
    for name, table in (
        ("ivm_poisson", pa.table({"k": pa.array(k, pa.float64()),
                                  "lo": pa.array(np.atleast_1d(lo), pa.float64()),
                                  "hi": pa.array(np.atleast_1d(hi), pa.float64())})),
        ("ivm_t", pa.table({"t_n": pa.array(n, pa.float64()),
                            "t": pa.array(np.atleast_1d(stats.t_quantile(n, LEVEL)),
                                          pa.float64())})),
    ):
        _temp_table(con, name, table)


_VALUE_TABLE = (
    "indicator_id VARCHAR NOT NULL, area_id VARCHAR NOT NULL, area_level VARCHAR NOT NULL, "
    "period_type VARCHAR NOT NULL, period VARCHAR NOT NULL, period_start DATE NOT NULL, "
    "period_end DATE NOT NULL, complete BOOLEAN NOT NULL, n BIGINT NOT NULL, "
    "numerator DOUBLE, denominator DOUBLE, value DOUBLE, n_eff DOUBLE, sd DOUBLE, "
    "ci_low DOUBLE, ci_high DOUBLE"
)


def write_values(con: duckdb.DuckDBPyConnection, staged: Staged, table: str) -> int:
    """Insert the staged values into ``table`` (the columns of ``indicator_value``, in that
    order); the number of rows written."""
    if not staged.sql:
        return 0
    # no ORDER BY: each indicator's rows are read from a table already sorted into storage
    # order, without a join, and the indicators follow in id order (DuckDB keeps insertion
    # order), so the values need no sort of their own
    return int(con.execute(f"INSERT INTO {table} {staged.sql}").fetchall()[0][0])


def compute_values(
    con: duckdb.DuckDBPyConnection, catalog: Catalog, as_of: dt.date,
    only: Iterable[str] | None = None, table: str = "ivm_values",
    boundaries: dt.date | None = None,
) -> int:
    """Every value of the catalogue's indicators (or ``only`` these) as of ``as_of``, written to
    the temp table ``table`` (created or replaced, the columns of ``indicator_value``, sorted
    as it is stored), on the boundaries of each period or of the day ``boundaries``; the
    number of values."""
    staged = stage_values(con, catalog, as_of, only, boundaries)
    con.execute(f"CREATE OR REPLACE TEMP TABLE {table} ({_VALUE_TABLE})")
    return write_values(con, staged, table)
