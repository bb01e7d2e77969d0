"""Compute indicator values per indicator x area x period, at every area level.

All in DuckDB, on small integer keys (area and period numbers; the labels are joined back when
the values are written):

1. each source is read once for all its additive indicators (:func:`indicators.compile.
   shared_scan`: one ``FILTER`` aggregate per sum per indicator, per finest area and month);
2. those wide rows are summed into every ancestor area (the closure of ``area_link`` and
   ``parent_id``), then into every period the month belongs to; median and percentile group the
   fact rows of their own compiled SELECT per ancestor area and period;
3. values follow from the summed numerators and denominators (a rate's population is summed over
   the area's sectors for the year its period ends), never from averaged rates; intervals are
   SQL arithmetic (Wilson) or small lookup tables filled by :mod:`indicators.stats` for the
   distinct counts (Garwood's exact Poisson bounds) and effective sizes (Student t quantiles)
   that occur. :func:`write_values` inserts them straight into a table, in storage order.

Only the combinations with data are computed; a count or rate that is absent is zero (the
readers in :mod:`indicators.results` fill the zeros in).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

import duckdb
import numpy as np
import pyarrow as pa

from indicators import stats
from indicators.catalog import Catalog, Indicator
from indicators.compile import SUMS, monthly_select, shareable, shared_scan, to_sql
from indicators.periods import Coverage, period_rows
from indicators.sources import SOURCES

VALUE_COLUMNS = (
    "indicator_id", "area_id", "area_level", "period_type", "period", "period_start",
    "period_end", "complete", "n", "numerator", "denominator", "value", "n_eff", "sd",
    "ci_low", "ci_high",
)
#: Confidence level of the stored intervals.
LEVEL = 0.95
#: At most about this many values per INSERT (bounds the memory of the sort into storage order).
CHUNK_VALUES = 4_000_000


def coverage(con: duckdb.DuckDBPyConnection, as_of: dt.date | None = None) -> dict[str, Coverage]:
    """Per source kind with data: its first day, cut-off (capped at ``as_of``) and rows."""
    out: dict[str, Coverage] = {}
    logged = dict(con.execute(
        "SELECT kind, max(cutoff_date) FROM load_log WHERE outcome = 'loaded' GROUP BY kind"
    ).fetchall())
    for kind, source in SOURCES.items():
        day = "make_date(CAST(wave AS INTEGER), 7, 1)" if source.survey else (
            f"CAST({source.date} AS DATE)")
        first, last, rows = con.execute(
            f"SELECT min({day}), max({day}), count(*) FROM {source.table.name}"
        ).fetchall()[0]
        if not rows:
            continue
        cutoff = logged.get(kind) or last
        if source.survey:
            cutoff = dt.date(last.year, 12, 31)
        if as_of is not None:
            cutoff = min(cutoff, as_of)
        if first > cutoff:
            continue
        out[kind] = Coverage(kind, first, cutoff, int(rows))
    return out


def default_as_of(con: duckdb.DuckDBPyConnection) -> dt.date:
    """The as-of date results are stored for: the latest cut-off of any fact source."""
    cov = coverage(con)
    dated = [c.cutoff for k, c in cov.items() if not SOURCES[k].survey]
    return max(dated or [c.cutoff for c in cov.values()] or [dt.date.today()])


def prepare(con: duckdb.DuckDBPyConnection, as_of: dt.date) -> dict[str, Coverage]:
    """Temp tables every computation uses: areas and their closure, area population, periods.

    ``ivm_area`` numbers the areas in the order of (level, area id) and ``ivm_periods`` the
    periods in the order of (period type, period), so sorting on the numbers is sorting on the
    labels; ``ivm_closure`` pairs every area with itself and each ancestor.
    """
    cov = coverage(con, as_of)
    con.execute(
        "CREATE OR REPLACE TEMP TABLE ivm_area AS "
        "SELECT area_id, level, row_number() OVER (ORDER BY level, area_id) AS area_no, "
        "dense_rank() OVER (ORDER BY level) AS level_no FROM area"
    )
    con.execute(
        "CREATE OR REPLACE TEMP TABLE ivm_closure AS "
        "WITH RECURSIVE edges AS ("
        "  SELECT area_id, parent_id FROM area_link "
        "  UNION SELECT area_id, parent_id FROM area WHERE parent_id IS NOT NULL), "
        "up(area_id, ancestor_id) AS ("
        "  SELECT area_id, area_id FROM area "
        "  UNION SELECT up.area_id, edges.parent_id FROM up JOIN edges "
        "  ON edges.area_id = up.ancestor_id) "
        "SELECT up.area_id, up.ancestor_id, a.level AS ancestor_level, a.area_no AS ancestor_no "
        "FROM up JOIN ivm_area a ON a.area_id = up.ancestor_id"
    )
    con.execute(
        "CREATE OR REPLACE TEMP TABLE ivm_population AS "
        "SELECT c.ancestor_id AS area_id, p.year, sum(p.inhabitants) AS inhabitants, "
        "sum(p.households) AS households FROM population p "
        "JOIN ivm_closure c ON c.area_id = p.area_id GROUP BY ALL"
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
    con.register("ivm_period_arrow", table)
    con.execute("CREATE OR REPLACE TEMP TABLE ivm_period_map AS SELECT * FROM ivm_period_arrow")
    con.unregister("ivm_period_arrow")
    con.execute(
        "CREATE OR REPLACE TEMP TABLE ivm_periods AS "
        "SELECT DISTINCT period_no, period_type, period, period_start, period_end, "
        "year(period_end) AS year_end FROM ivm_period_map"
    )
    con.execute(
        "CREATE OR REPLACE TEMP TABLE ivm_pop_year AS "
        "SELECT a.area_no, y.year_end, CAST(p.inhabitants AS DOUBLE) AS inhabitants, "
        "CAST(p.households AS DOUBLE) AS households "
        "FROM (SELECT DISTINCT year_end FROM ivm_periods) y CROSS JOIN ivm_area a "
        "ASOF JOIN ivm_population p ON p.area_id = a.area_id AND y.year_end >= p.year"
    )
    kinds = pa.table({
        "kind": pa.array(list(cov), pa.string()),
        "data_start": pa.array([c.data_start for c in cov.values()], pa.date32()),
        "cutoff": pa.array([c.cutoff for c in cov.values()], pa.date32()),
        "survey": pa.array([SOURCES[k].survey for k in cov], pa.bool_()),
        "rows": pa.array([c.rows for c in cov.values()], pa.int64()),
    })
    con.register("ivm_kinds_arrow", kinds)
    con.execute("CREATE OR REPLACE TEMP TABLE ivm_coverage AS SELECT * FROM ivm_kinds_arrow")
    con.unregister("ivm_kinds_arrow")
    return cov


def _params(inds: list[Indicator]) -> pa.Table:
    return pa.table({
        "ind_no": pa.array(range(len(inds)), pa.int32()),
        "indicator_id": pa.array([i.id for i in inds], pa.string()),
        "kind": pa.array([i.source for i in inds], pa.string()),
        "value_rule": pa.array([i.kind.value_rule for i in inds], pa.string()),
        "noise": pa.array([i.kind.noise for i in inds], pa.string()),
        "population": pa.array([i.population for i in inds], pa.string()),
        "factor": pa.array([i.factor for i in inds], pa.float64()),
    })


def _lit(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _double(x: float) -> str:
    """A float as an exact DuckDB double (a plain literal would be read as a DECIMAL)."""
    return f"CAST('{float(x)!r}' AS DOUBLE)"


def _periods_of(month: str, kind: str) -> str:
    """The join condition of a month to the periods it belongs to, for a source kind."""
    year = " AND p.period_type = 'year'" if SOURCES[kind].survey else ""
    return f"p.month = {month} AND (p.kind IS NULL OR p.kind = {_lit(kind)}){year}"


def _roll_up(table: str, select: str, cols: list[str], kind: str) -> str:
    """Sum the wide rows of a scan (per finest area and month) into every ancestor area, then
    into every period of the month: ``table`` (area_no, period_no, the sums)."""
    first = ", ".join(f"sum(m.{c}) AS {c}" for c in cols)
    second = ", ".join(f"sum(a.{c}) AS {c}" for c in cols)
    return (
        f"CREATE OR REPLACE TEMP TABLE {table} AS "
        f"WITH m AS ({select}), "
        f"a AS (SELECT c.ancestor_no, m.month, {first} FROM m "
        f"JOIN ivm_closure c ON c.area_id = m.area_id GROUP BY c.ancestor_no, m.month) "
        f"SELECT a.ancestor_no AS area_no, p.period_no, {second} FROM a "
        f"JOIN ivm_period_map p ON {_periods_of('a.month', kind)} "
        f"GROUP BY a.ancestor_no, p.period_no"
    )


def _long(table: str, number: int, cols: dict[str, str | None]) -> str:
    """One indicator's rows (ind_no, area_no, period_no, the sums, x) from a summed table."""
    picked = {**cols, "n": cols["n"] or cols["rows"]}
    sums = ", ".join(f"{picked[k] or 'CAST(NULL AS DOUBLE)'} AS {k}" for k in SUMS)
    return (f"SELECT {number} AS ind_no, area_no, period_no, {sums}, "
            f"CAST(NULL AS DOUBLE) AS x FROM {table} WHERE {cols['rows']} > 0")


@dataclass
class Staged:
    """A computation ready to be written: per chunk of indicators, the SELECT of its values
    (the columns of ``indicator_value``, in storage order), and the label lists it takes."""

    chunks: list[str]
    labels: list[list]
    indicators: int


def _labels(con: duckdb.DuckDBPyConnection, inds: list[Indicator]) -> list[list]:
    """Indicator ids by number (from 0), area ids and levels by area number and period types,
    keys, first and last days by period number (from 1)."""
    areas = con.execute("SELECT area_id, level FROM ivm_area ORDER BY area_no").fetchall()
    periods = con.execute("SELECT period_type, period, period_start, period_end "
                          "FROM ivm_periods ORDER BY period_no").fetchall()
    out: list[list] = [[i.id for i in inds]]
    out += [list(c) for c in zip(*areas, strict=True)] if areas else [[], []]
    out += [list(c) for c in zip(*periods, strict=True)] if periods else [[], [], [], []]
    return out


def stage_values(
    con: duckdb.DuckDBPyConnection, catalog: Catalog, as_of: dt.date,
    only: Iterable[str] | None = None,
) -> Staged:
    """Read the sources and sum them into every area and period (temp tables); the values
    themselves follow when :func:`write_values` runs the chunks' SELECTs."""
    cov = prepare(con, as_of)
    wanted = set(only) if only is not None else None
    inds = sorted((i for i in catalog if i.source in cov and (wanted is None or i.id in wanted)),
                  key=lambda i: i.id)
    numbers = {ind.id: k for k, ind in enumerate(inds)}
    first_year = min((c.data_start.year for c in cov.values()), default=as_of.year)
    con.register("ivm_params_arrow", _params(inds))
    con.execute("CREATE OR REPLACE TEMP TABLE ivm_params AS SELECT * FROM ivm_params_arrow")
    con.unregister("ivm_params_arrow")

    groups: dict[tuple[str, bool], list[Indicator]] = {}
    alone: list[Indicator] = []
    for ind in inds:
        if shareable(ind, as_of, first_year):
            groups.setdefault((ind.source, ind.question is not None), []).append(ind)
        elif ind.kind.additive:
            alone.append(ind)
    parts: dict[str, str] = {}
    size: dict[str, int] = {}
    for g, members in enumerate(groups.values()):
        scan = shared_scan(members, as_of, first_year)
        cols = sorted({c for m in scan.columns.values() for c in m.values() if c})
        table = f"ivm_sums_{g}"
        rows = con.execute(_roll_up(table, scan.sql, cols, scan.source)).fetchall()[0][0]
        for ind in members:
            parts[ind.id] = _long(table, numbers[ind.id], scan.columns[ind.id])
            size[ind.id] = rows
    for k, ind in enumerate(alone):
        table = f"ivm_sums_alone_{k}"
        select = (f"SELECT area_id, month, CAST(1 AS DOUBLE) AS rows, {', '.join(SUMS)} "
                  f"FROM ({to_sql(monthly_select(ind, as_of, first_year))})")
        size[ind.id] = con.execute(
            _roll_up(table, select, ["rows", *SUMS], ind.source)).fetchall()[0][0]
        parts[ind.id] = _long(table, numbers[ind.id], {"rows": "rows", **{s: s for s in SUMS}})
    con.execute("CREATE OR REPLACE TEMP TABLE ivm_direct (ind_no INTEGER, area_no BIGINT, "
                "period_no INTEGER, n DOUBLE, x DOUBLE)")
    for ind in inds:
        if ind.kind.additive:
            continue
        q = float(ind.percentile or 0.5)  # a validated float in (0, 1)
        con.execute(
            f"INSERT INTO ivm_direct SELECT {numbers[ind.id]}, c.ancestor_no, p.period_no, "
            f"count(*), quantile_cont(f.x, {q!r}) "
            f"FROM ({to_sql(monthly_select(ind, as_of, first_year))}) f "
            f"JOIN ivm_closure c ON c.area_id = f.area_id "
            f"JOIN ivm_period_map p ON {_periods_of('f.month', ind.source)} "
            f"GROUP BY c.ancestor_no, p.period_no"
        )
        parts[ind.id] = (f"SELECT ind_no, area_no, period_no, n, "
                         f"{', '.join('CAST(NULL AS DOUBLE) AS ' + s for s in SUMS[1:])}, x "
                         f"FROM ivm_direct WHERE ind_no = {numbers[ind.id]}")
        size[ind.id] = 0
    direct = dict(con.execute("SELECT ind_no, count(*) FROM ivm_direct GROUP BY ALL").fetchall())
    for ind in inds:
        if not ind.kind.additive:
            size[ind.id] = direct.get(numbers[ind.id], 0)

    _lookups(con, [parts[i.id] for i in inds if i.kind.noise == "poisson"],
             [parts[i.id] for i in inds if i.kind.noise == "mean"])
    chunks: list[list[str]] = []
    total = CHUNK_VALUES
    for ind in inds:
        if total + size[ind.id] > CHUNK_VALUES and not (chunks and not chunks[-1]):
            chunks.append([])
            total = 0
        chunks[-1].append(parts[ind.id])
        total += size[ind.id]
    return Staged([_values_sql(c) for c in chunks if c], _labels(con, inds), len(inds))


def _lookups(con: duckdb.DuckDBPyConnection, poisson: list[str], mean: list[str]) -> None:
    """``ivm_poisson`` (Garwood's bounds per count) and ``ivm_t`` (the Student t quantile per
    effective n) for the values that occur."""
    k = np.asarray([], dtype=float)
    if poisson:
        k = np.asarray(con.execute(
            f"SELECT DISTINCT num FROM ({' UNION ALL '.join(poisson)}) WHERE num IS NOT NULL"
        ).fetchnumpy()["num"], dtype=float)
    lo, hi = stats.poisson_ci(k, level=LEVEL)
    n = np.asarray([], dtype=float)
    if mean:
        n = np.asarray(con.execute(
            f"{_chain(mean)} SELECT DISTINCT n_eff FROM c WHERE n_eff > 1"
        ).fetchnumpy()["n_eff"], dtype=float)
    for name, table in (
        ("ivm_poisson", pa.table({"k": pa.array(k, pa.float64()),
                                  "lo": pa.array(np.atleast_1d(lo), pa.float64()),
                                  "hi": pa.array(np.atleast_1d(hi), pa.float64())})),
        ("ivm_t", pa.table({"t_n": pa.array(n, pa.float64()),
                            "t": pa.array(np.atleast_1d(stats.t_quantile(n, LEVEL)),
                                          pa.float64())})),
    ):
        con.register("ivm_lookup_arrow", table)
        con.execute(f"CREATE OR REPLACE TEMP TABLE {name} AS SELECT * FROM ivm_lookup_arrow")
        con.unregister("ivm_lookup_arrow")


def _chain(parts: list[str]) -> str:
    """The WITH clause from the summed rows to the denominators, effective n and variance.

    As :mod:`indicators.stats`: a rate's denominator is the population (of the latest year up
    to the year the period ends), a ratio's its summed denominator; Kish's effective n for
    ratios (0 without weights); the weighted variance of a mean from its sums.
    """
    return f"""WITH s AS ({' UNION ALL '.join(parts)}),
b AS (
  SELECT s.ind_no, s.area_no, s.period_no, s.n, s.num, s.sw2, s.sx2, s.x,
         i.value_rule AS rule, i.noise, i.factor, i.kind,
         l.period_type, l.period, l.period_start, l.period_end,
         CASE i.value_rule
              WHEN 'rate' THEN CASE i.population WHEN 'households' THEN pop.households
                                                 ELSE pop.inhabitants END
              WHEN 'ratio' THEN s.den END AS den
  FROM s JOIN ivm_params i ON i.ind_no = s.ind_no
  JOIN ivm_periods l ON l.period_no = s.period_no
  LEFT JOIN ivm_pop_year pop ON pop.area_no = s.area_no AND pop.year_end = l.year_end),
c AS (
  SELECT b.*,
         CASE WHEN den > 0 THEN factor / den END AS per,
         CASE WHEN rule = 'ratio' THEN CASE WHEN sw2 = 0 THEN 0.0 ELSE den * den / sw2 END
              ELSE n END AS n_eff,
         CASE WHEN noise = 'mean' AND den > 0 THEN sx2 / den - (num / den) * (num / den)
              END AS var
  FROM b)"""


def _values_sql(parts: list[str]) -> str:
    """The values of a chunk of indicators, in storage order: sorted so that DuckDB's
    per-row-group min/max skip everything but the indicator, level and period a reader asks
    for (the dashboard's queries at national scale).

    The rows are sorted on their numbers alone; the labels are looked up afterwards by number
    in the lists of :func:`_labels` (parameters ``$1`` to ``$7``), which keeps the order.
    """
    z = float(stats.norm_quantile(LEVEL))
    z, z2 = _double(z), _double(z * z)
    return f"""{_chain(parts)},
v AS (
  SELECT c.*,
         CASE rule WHEN 'num' THEN num
                   WHEN 'rate' THEN num * per
                   WHEN 'ratio' THEN CASE WHEN den > 0 THEN num / den END
                   WHEN 'direct' THEN x END AS value,
         sqrt(CASE WHEN var < 0 THEN 0.0 ELSE var END) AS sd
  FROM c),
w AS (
  SELECT v.*,
         CASE WHEN noise = 'share' AND n_eff > 0 AND value >= 0 AND value <= 1
              THEN 1 + {z2} / n_eff END AS w_denom
  FROM v),
iv AS (
  SELECT w.*,
         (value + {z2} / (2 * n_eff)) / w_denom AS w_centre,
         {z} * sqrt(value * (1 - value) / n_eff + {z2} / (4 * n_eff * n_eff)) / w_denom
             AS w_half,
         CASE WHEN noise = 'mean' AND value IS NOT NULL AND sd IS NOT NULL AND n_eff > 1
              THEN tq.t * sd / sqrt(n_eff) END AS t_half,
         CASE WHEN noise = 'poisson' AND num IS NOT NULL
              THEN CASE WHEN rule = 'rate' THEN per ELSE 1.0 END END AS p_scale,
         pl.lo, pl.hi
  FROM w
  LEFT JOIN ivm_poisson pl ON pl.k = w.num
  LEFT JOIN ivm_t tq ON tq.t_n = w.n_eff)
SELECT $1[o.ind_no + 1] AS indicator_id, $2[o.area_no] AS area_id,
       $3[o.area_no] AS area_level, $4[o.period_no] AS period_type, $5[o.period_no] AS period,
       $6[o.period_no] AS period_start, $7[o.period_no] AS period_end,
       o.complete, o.n, o.numerator, o.denominator, o.value, o.n_eff, o.sd, o.ci_low, o.ci_high
FROM (
  SELECT iv.ind_no, iv.area_no, iv.period_no,
         k.survey OR (iv.period_start >= k.data_start AND iv.period_end <= k.cutoff)
             AS complete,
         CAST(iv.n AS BIGINT) AS n,
         CASE WHEN rule <> 'direct' THEN num END AS numerator,
         CASE WHEN den > 0 THEN den END AS denominator,
         value, n_eff, sd,
         CASE WHEN p_scale IS NOT NULL THEN lo * p_scale
              WHEN w_denom IS NOT NULL THEN least(greatest(w_centre - w_half, 0.0), 1.0)
              WHEN t_half IS NOT NULL THEN value - t_half END AS ci_low,
         CASE WHEN p_scale IS NOT NULL THEN hi * p_scale
              WHEN w_denom IS NOT NULL THEN least(greatest(w_centre + w_half, 0.0), 1.0)
              WHEN t_half IS NOT NULL THEN value + t_half END AS ci_high
  FROM iv
  JOIN ivm_area a ON a.area_no = iv.area_no
  JOIN ivm_coverage k ON k.kind = iv.kind
  ORDER BY iv.ind_no, a.level_no, iv.period_no, iv.area_no) o"""


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
    written = 0
    for sql in staged.chunks:
        written += con.execute(f"INSERT INTO {table} {sql}", staged.labels).fetchall()[0][0]
    return int(written)


def compute_values(
    con: duckdb.DuckDBPyConnection, catalog: Catalog, as_of: dt.date,
    only: Iterable[str] | None = None, table: str = "ivm_values",
) -> int:
    """Every value of the catalogue's indicators (or ``only`` these) as of ``as_of``, written to
    the temp table ``table`` (created or replaced, the columns of ``indicator_value``, sorted
    as it is stored); the number of values."""
    staged = stage_values(con, catalog, as_of, only)
    con.execute(f"CREATE OR REPLACE TEMP TABLE {table} ({_VALUE_TABLE})")
    return write_values(con, staged, table)
