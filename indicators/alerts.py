"""The early warning over the warehouse: weekly counts per area and category, judged by
:mod:`indicators.early_warning` at every refresh, and the stored alerts read back.

Weeks are counted back from each source's cut-off (the latest week ends on it), so a week is
always seven whole days; a week the source's deliveries do not cover is missing, never zero.
The refresh stores the judged weeks (:data:`JUDGED_WEEKS`) of every series with an exceedance
among them, so the alerts list and its charts need no recomputation.
"""

from __future__ import annotations

import datetime as dt

import duckdb
import numpy as np
import pandas as pd
import pyarrow as pa

from indicators.compstat import FACT_COLUMNS
from indicators.early_warning import detect, history_weeks
from indicators.periods import Coverage

#: The weeks judged at each refresh (a quarter: an alert's run before and after it).
JUDGED_WEEKS = 13
#: The level the early warning watches.
LEVEL = "wijk"

COLUMNS = ["area_id", "area_level", "kind", "category", "week_start", "week_end", "count",
           "expected", "upper", "p_value", "exceeds", "opens", "phi"]


def weekly_counts(con: duckdb.DuckDBPyConnection, kind: str, cov: Coverage, weeks: int,
                  level: str = LEVEL) -> tuple[pd.DataFrame, np.ndarray, list[dt.date]]:
    """Every (area of ``level``, category) series of ``kind``: its keys (``area_id``,
    ``category``, ``group``: the category's number), its counts in the last ``weeks`` weeks up
    to the cut-off (oldest first, NaN where the source does not cover the week) and the weeks'
    last days. Needs ``ivm_closure`` (the refresh's)."""
    table, date_col, cat_col = FACT_COLUMNS[kind]
    first = cov.cutoff - dt.timedelta(days=7 * weeks - 1)
    ends = [cov.cutoff - dt.timedelta(days=7 * (weeks - 1 - i)) for i in range(weeks)]
    covered = np.array([cov.covers(e - dt.timedelta(days=6), e) for e in ends])
    areas = [a for (a,) in con.execute(
        "SELECT area_id FROM area WHERE level = ? ORDER BY area_id", [level]).fetchall()]
    cats = [c for (c,) in con.execute(
        f"SELECT DISTINCT {cat_col} FROM {table} ORDER BY 1").fetchall()]
    keys = pd.DataFrame({"area_id": np.repeat(areas, len(cats)),
                         "category": np.tile(cats, len(areas)),
                         "group": np.tile(np.arange(len(cats)), len(areas))})
    counts = np.zeros((len(keys), weeks))
    if not areas or not cats:
        return keys, counts, ends
    # numbers, not names, through the grouping: the areas of the level and the categories
    # are small tables; the facts are grouped once, per (area, category, week)
    con.register("ivm_ew_areas", pa.table({"area_id": areas, "no": np.arange(len(areas))}))
    con.register("ivm_ew_cats", pa.table({"category": cats, "no": np.arange(len(cats))}))
    try:
        got = con.execute(
            f"""
            WITH up AS (SELECT c.area_id, a.no, c.valid_from, c.valid_to FROM ivm_closure c
                        JOIN ivm_ew_areas a ON a.area_id = c.ancestor_id
                        WHERE c.ancestor_level = ?)
            SELECT up.no * {len(cats)} + k.no AS series,
                   (DATE '{cov.cutoff.isoformat()}' - CAST(f.{date_col} AS DATE)) // 7 AS back,
                   count(*) AS n
            FROM {table} f JOIN up ON up.area_id = f.area_id
                 AND CAST(f.{date_col} AS DATE) BETWEEN up.valid_from AND up.valid_to
            JOIN ivm_ew_cats k ON k.category = f.{cat_col}
            WHERE f.{date_col} >= CAST(? AS TIMESTAMP)
              AND f.{date_col} < CAST(? AS TIMESTAMP) + INTERVAL 1 DAY
            GROUP BY ALL
            """, [level, first, cov.cutoff]).fetchnumpy()
    finally:
        con.unregister("ivm_ew_areas")
        con.unregister("ivm_ew_cats")
    np.add.at(counts, (np.asarray(got["series"], dtype=np.int64),
                       weeks - 1 - np.asarray(got["back"], dtype=np.int64)),
              np.asarray(got["n"], dtype=float))
    counts[:, ~covered] = np.nan
    return keys, counts, ends


def compute_alerts(con: duckdb.DuckDBPyConnection, cov: dict[str, Coverage],
                   judged: int = JUDGED_WEEKS, level: str = LEVEL) -> int:
    """Fill the temp table ``ivm_early_warning`` with the judged weeks of every series that
    exceeded its threshold in one of them; the number of series."""
    con.execute("CREATE OR REPLACE TEMP TABLE ivm_early_warning AS "
                "SELECT * FROM early_warning WHERE false")
    found = 0
    for kind in FACT_COLUMNS:
        if kind not in cov:
            continue
        keys, counts, ends = weekly_counts(con, kind, cov[kind], history_weeks(judged), level)
        if not len(keys):
            continue
        weeks = detect(counts, judged, groups=keys["group"].to_numpy())
        hit = weeks.exceeds.any(axis=1)
        if not hit.any():
            continue
        opens = weeks.alerts()
        idx = np.nonzero(hit)[0]
        n = len(idx)
        last = ends[-judged:]
        frame = pd.DataFrame({
            "area_id": np.repeat(keys["area_id"].to_numpy()[idx], judged),
            "area_level": level, "kind": kind,
            "category": np.repeat(keys["category"].to_numpy()[idx], judged),
            "week_start": np.tile([e - dt.timedelta(days=6) for e in last], n),
            "week_end": np.tile(last, n),
            "count": weeks.count[idx].ravel(), "expected": weeks.expected[idx].ravel(),
            "upper": weeks.upper[idx].ravel(), "p_value": weeks.p_value[idx].ravel(),
            "exceeds": weeks.exceeds[idx].ravel(), "opens": opens[idx].ravel(),
            "phi": weeks.phi[idx].ravel()})
        con.register("ivm_alert_rows", pa.Table.from_pandas(frame[COLUMNS],
                                                            preserve_index=False))
        try:
            con.execute("INSERT INTO ivm_early_warning SELECT * FROM ivm_alert_rows")
        finally:
            con.unregister("ivm_alert_rows")
        found += n
    return found


def current_alerts(con: duckdb.DuckDBPyConnection, area_ids: list[str] | None = None
                   ) -> list[dict]:
    """The stored alerts, running ones first, then the newest: per series, the week its latest
    alert opened, whether it still runs (an exceedance in the latest week), the latest
    four-week count with its expectation and threshold, the largest count over expectation of
    its exceedances, and the municipality the area lies in."""
    where = "" if area_ids is None else "AND e.area_id IN (SELECT unnest(?))"
    params = [] if area_ids is None else [area_ids]
    cur = con.execute(
        f"""
        WITH RECURSIVE up(area_id, here, parent, depth) AS (
            SELECT area_id, area_id, parent_id, 0 FROM area
            WHERE area_id IN (SELECT DISTINCT area_id FROM early_warning)
            UNION ALL
            SELECT up.area_id, a.area_id, a.parent_id, up.depth + 1
            FROM up JOIN area a ON a.area_id = up.parent
            WHERE up.depth < 20),
        root AS (SELECT area_id, arg_max(here, depth) AS municipality FROM up GROUP BY area_id),
        opened AS (
            SELECT area_id, kind, category, max(week_end) AS opened_week
            FROM early_warning WHERE opens GROUP BY ALL),
        peak AS (
            SELECT area_id, kind, category, max(count / nullif(expected, 0)) AS peak_ratio
            FROM early_warning WHERE exceeds GROUP BY ALL),
        latest AS (
            SELECT * FROM early_warning
            QUALIFY row_number() OVER (PARTITION BY area_id, kind, category
                                       ORDER BY week_end DESC) = 1)
        SELECT e.area_id, a.name AS area_name, e.area_level, r.municipality,
               m.name AS municipality_name, e.kind, e.category, o.opened_week,
               e.week_end AS latest_week, e.exceeds AS running, e.count, e.expected, e.upper,
               e.p_value, p.peak_ratio
        FROM latest e JOIN opened o USING (area_id, kind, category)
        JOIN peak p USING (area_id, kind, category)
        LEFT JOIN area a ON a.area_id = e.area_id
        LEFT JOIN root r ON r.area_id = e.area_id
        LEFT JOIN area m ON m.area_id = r.municipality
        WHERE true {where}
        ORDER BY e.exceeds DESC, o.opened_week DESC, p.peak_ratio DESC, e.area_id, e.kind,
                 e.category
        """, params)
    names = [d[0] for d in cur.description]
    return [dict(zip(names, r, strict=True)) for r in cur.fetchall()]


def alert_objectives(objectives: list[dict], catalog: dict, kind: str, category: str
                     ) -> list[dict]:
    """The objectives (``id``, ``indicator``, ``owner``: plan objectives or status records)
    whose indicator counts exactly this kind's category, named in its filters: whose owners
    the alert concerns. Each objective once."""
    column = {"incidents": "category", "nuisance": "type"}[kind]
    out: dict[str, dict] = {}
    for obj in objectives:
        ind = catalog.get(obj.get("indicator") or "")
        if ind is None or ind.source != kind:
            continue
        named = ind.filters.get(column)
        if isinstance(named, list) and category in named:
            out.setdefault(obj["id"], obj)
    return list(out.values())


def alert_weeks(con: duckdb.DuckDBPyConnection, area_id: str, kind: str, category: str
                ) -> list[dict]:
    """One series' judged weeks, oldest first (for its chart)."""
    cur = con.execute(
        "SELECT week_start, week_end, count, expected, upper, p_value, exceeds, opens "
        "FROM early_warning WHERE area_id = ? AND kind = ? AND category = ? "
        "ORDER BY week_end", [area_id, kind, category])
    names = [d[0] for d in cur.description]
    return [dict(zip(names, r, strict=True)) for r in cur.fetchall()]
