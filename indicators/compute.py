"""Compute indicator values per indicator x area x period, at every area level.

Three steps, all in DuckDB:

1. each indicator's compiled SELECT (:mod:`indicators.compile`) aggregates its source per finest
   area and month into ``ivm_monthly`` (median and percentile keep one row per fact in
   ``ivm_facts``);
2. one GROUP BY sums those rows into every ancestor area (the closure of ``area_link`` and
   ``parent_id``) and every period the month belongs to;
3. values follow from the summed numerators and denominators (a rate's population is summed over
   the area's sectors for the year its period ends), never from averaged rates; intervals come
   from :mod:`indicators.stats`.

Only the combinations with data are computed; a count or rate that is absent is zero (the
readers in :mod:`indicators.results` fill the zeros in).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

import duckdb
import numpy as np
import pyarrow as pa

from indicators import stats
from indicators.catalog import Catalog, Indicator
from indicators.compile import monthly_select, to_sql
from indicators.periods import Coverage, period_rows
from indicators.sources import SOURCES

VALUE_COLUMNS = (
    "indicator_id", "area_id", "area_level", "period_type", "period", "period_start",
    "period_end", "complete", "n", "numerator", "denominator", "value", "n_eff", "sd",
    "ci_low", "ci_high",
)


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
    """Temp tables every computation uses: area closure, area population, period map."""
    cov = coverage(con, as_of)
    con.execute(
        "CREATE OR REPLACE TEMP TABLE ivm_closure AS "
        "WITH RECURSIVE edges AS ("
        "  SELECT area_id, parent_id FROM area_link "
        "  UNION SELECT area_id, parent_id FROM area WHERE parent_id IS NOT NULL), "
        "up(area_id, ancestor_id) AS ("
        "  SELECT area_id, area_id FROM area "
        "  UNION SELECT up.area_id, edges.parent_id FROM up JOIN edges "
        "  ON edges.area_id = up.ancestor_id) "
        "SELECT up.area_id, up.ancestor_id, a.level AS ancestor_level FROM up "
        "JOIN area a ON a.area_id = up.ancestor_id"
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
    cols = list(zip(*rows, strict=True)) if rows else [[]] * 6
    table = pa.table({
        "month": pa.array(cols[0], pa.date32()),
        "kind": pa.array(cols[1], pa.string()),
        "period_type": pa.array(cols[2], pa.string()),
        "period": pa.array(cols[3], pa.string()),
        "period_start": pa.array(cols[4], pa.date32()),
        "period_end": pa.array(cols[5], pa.date32()),
    })
    con.register("ivm_period_arrow", table)
    con.execute("CREATE OR REPLACE TEMP TABLE ivm_period_map AS SELECT * FROM ivm_period_arrow")
    con.unregister("ivm_period_arrow")
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


def _params(indicators: Iterable[Indicator]) -> pa.Table:
    inds = list(indicators)
    return pa.table({
        "indicator_id": pa.array([i.id for i in inds], pa.string()),
        "value_rule": pa.array([i.kind.value_rule for i in inds], pa.string()),
        "noise": pa.array([i.kind.noise for i in inds], pa.string()),
        "population": pa.array([i.population for i in inds], pa.string()),
        "factor": pa.array([i.factor for i in inds], pa.float64()),
        "q": pa.array([i.percentile or 0.5 for i in inds], pa.float64()),
    })


_ROLL_UP = """
CREATE OR REPLACE TEMP TABLE ivm_rolled AS
SELECT m.indicator_id, m.kind, c.ancestor_id AS area_id, c.ancestor_level AS area_level,
       p.period_type, p.period, p.period_start, p.period_end,
       sum(m.n) AS n, sum(m.num) AS num, sum(m.den) AS den, sum(m.sw2) AS sw2,
       sum(m.sx2) AS sx2, CAST(NULL AS DOUBLE) AS x
FROM ivm_monthly m
JOIN ivm_closure c ON c.area_id = m.area_id
JOIN ivm_coverage k ON k.kind = m.kind
JOIN ivm_period_map p ON p.month = m.month AND (p.kind IS NULL OR p.kind = m.kind)
     AND (NOT k.survey OR p.period_type = 'year')
GROUP BY ALL
"""

_ROLL_UP_DIRECT = """
INSERT INTO ivm_rolled
SELECT f.indicator_id, f.kind, c.ancestor_id, c.ancestor_level, p.period_type, p.period,
       p.period_start, p.period_end, count(*), NULL, NULL, NULL, NULL,
       quantile_cont(f.x, {q!r})
FROM ivm_facts f
JOIN ivm_closure c ON c.area_id = f.area_id
JOIN ivm_coverage k ON k.kind = f.kind
JOIN ivm_period_map p ON p.month = f.month AND (p.kind IS NULL OR p.kind = f.kind)
     AND (NOT k.survey OR p.period_type = 'year')
WHERE f.indicator_id = ?
GROUP BY f.indicator_id, f.kind, c.ancestor_id, c.ancestor_level, p.period_type, p.period,
         p.period_start, p.period_end
"""

_VALUES = """
SELECT r.indicator_id, r.area_id, r.area_level, r.period_type, r.period, r.period_start,
       r.period_end,
       (k.survey OR (r.period_start >= k.data_start AND r.period_end <= k.cutoff)) AS complete,
       r.n,
       CASE WHEN i.value_rule = 'direct' THEN NULL ELSE r.num END AS numerator,
       CASE i.value_rule
            WHEN 'rate' THEN CAST(CASE i.population WHEN 'households' THEN pop.households
                                  ELSE pop.inhabitants END AS DOUBLE)
            WHEN 'ratio' THEN r.den END AS denominator,
       r.sw2, r.sx2, r.x, i.value_rule, i.noise, i.factor
FROM ivm_rolled r
JOIN ivm_params i ON i.indicator_id = r.indicator_id
JOIN ivm_coverage k ON k.kind = r.kind
ASOF LEFT JOIN ivm_population pop
     ON pop.area_id = r.area_id AND year(r.period_end) >= pop.year
"""


def compute_values(
    con: duckdb.DuckDBPyConnection, catalog: Catalog, as_of: dt.date,
    only: Iterable[str] | None = None,
) -> pa.Table:
    """Every value of the catalogue's indicators (or ``only`` these) as of ``as_of``."""
    cov = prepare(con, as_of)
    wanted = set(only) if only is not None else None
    inds = [i for i in catalog if i.source in cov and (wanted is None or i.id in wanted)]
    first_year = min((c.data_start.year for c in cov.values()), default=as_of.year)
    con.execute("CREATE OR REPLACE TEMP TABLE ivm_monthly (indicator_id VARCHAR, kind VARCHAR, "
                "area_id VARCHAR, month DATE, n DOUBLE, num DOUBLE, den DOUBLE, sw2 DOUBLE, "
                "sx2 DOUBLE)")
    con.execute("CREATE OR REPLACE TEMP TABLE ivm_facts (indicator_id VARCHAR, kind VARCHAR, "
                "area_id VARCHAR, month DATE, x DOUBLE)")
    for ind in inds:
        target = "ivm_monthly" if ind.kind.additive else "ivm_facts"
        con.execute(f"INSERT INTO {target} " + to_sql(monthly_select(ind, as_of, first_year)))
    con.register("ivm_params_arrow", _params(inds))
    con.execute("CREATE OR REPLACE TEMP TABLE ivm_params AS SELECT * FROM ivm_params_arrow")
    con.unregister("ivm_params_arrow")
    con.execute(_ROLL_UP)
    for ind in inds:
        if not ind.kind.additive:  # the quantile is a validated float in (0, 1)
            con.execute(_ROLL_UP_DIRECT.format(q=float(ind.percentile or 0.5)), [ind.id])
    raw = con.sql(_VALUES).to_arrow_table()
    return finish(raw)


def finish(raw: pa.Table) -> pa.Table:
    """Values, effective n and intervals from the summed numerators and denominators."""

    def col(name: str) -> np.ndarray:
        return np.asarray(raw.column(name).to_numpy(zero_copy_only=False), dtype=float)

    rule = np.asarray(raw.column("value_rule").to_pylist(), dtype=object)
    noise = np.asarray(raw.column("noise").to_pylist(), dtype=object)
    num, den, n, sw2, sx2 = col("numerator"), col("denominator"), col("n"), col("sw2"), col("sx2")
    factor, x = col("factor"), col("x")
    value = np.full(len(rule), np.nan)
    n_eff = n.copy()
    sd = np.full(len(rule), np.nan)
    low = np.full(len(rule), np.nan)
    high = np.full(len(rule), np.nan)
    with np.errstate(divide="ignore", invalid="ignore"):
        ok_den = np.isfinite(den) & (den > 0)
        per = np.where(ok_den, factor / den, np.nan)
        value = np.where(rule == "num", num, value)
        value = np.where(rule == "rate", num * per, value)
        value = np.where((rule == "ratio") & ok_den, num / den, value)
        value = np.where(rule == "direct", x, value)
        weighted = rule == "ratio"
        n_eff = np.where(weighted, stats.kish_n_eff(den, sw2), n_eff)
        mean = noise == "mean"
        sd = np.where(mean, stats.weighted_sd(den, num, sx2), sd)
    poisson = (noise == "poisson") & np.isfinite(num)
    if poisson.any():
        lo, hi = stats.poisson_ci(num[poisson])
        scale = np.where(rule[poisson] == "rate", per[poisson], 1.0)
        low[poisson], high[poisson] = lo * scale, hi * scale
    share = (noise == "share") & np.isfinite(value) & (n_eff > 0)
    if share.any():
        low[share], high[share] = stats.wilson_ci(value[share], n_eff[share])
    means = mean & np.isfinite(value) & np.isfinite(sd) & (n_eff > 1)
    if means.any():
        low[means], high[means] = stats.mean_ci(value[means], sd[means], n_eff[means])

    def arr(values: np.ndarray) -> pa.Array:
        values = np.asarray(values, dtype=float)
        return pa.array(values, pa.float64(), mask=~np.isfinite(values))

    out = {name: raw.column(name) for name in VALUE_COLUMNS[:8]}
    out.update({
        "n": pa.array(n.astype(np.int64), pa.int64()),
        "numerator": arr(num), "denominator": arr(np.where(ok_den, den, np.nan)),
        "value": arr(value), "n_eff": arr(n_eff), "sd": arr(sd),
        "ci_low": arr(low), "ci_high": arr(high),
    })
    return pa.table(out)
