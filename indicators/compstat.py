"""CompStat-style windows without CompStat's flaw.

Per area (every level) and category, the count in the last 28 days, the year to date and the last
12 months up to a source's cut-off, against the same window a year earlier. Besides the % change
(which misleads for small counts, so it is flagged ``small`` and greyed out when both counts are
below :data:`SMALL`), each row carries the Poisson z-score ``2 (sqrt(x1) - sqrt(x0))`` (for
reading) and the p-value of the exact conditional test: given the two windows' total, the count
now is binomial with the share of the exposure (the windows' days) when nothing changed
(:func:`indicators.stats.poisson_rate_test`). A window is *notable* when ``p <`` :data:`ALPHA`.
Unlike a threshold on z, the exact test keeps its 5 % for small windows: "0 against 2" is not
notable (p = 0.5).
"""

from __future__ import annotations

import datetime as dt

import duckdb
import pyarrow as pa

from indicators.periods import Coverage
from indicators.stats import poisson_rate_test

SMALL = 10
ALPHA = 0.05
WINDOWS = ("28d", "ytd", "r12")

#: Per fact kind counted per category: its table, date column and category column.
FACT_COLUMNS = {"incidents": ("incident", "occurred_at", "category"),
            "nuisance": ("nuisance", "reported_at", "type")}


def windows(cutoff: dt.date) -> list[tuple[str, dt.date, dt.date]]:
    """The three windows ending at ``cutoff``: (type, first day, last day)."""
    return [
        ("28d", cutoff - dt.timedelta(days=27), cutoff),
        ("ytd", dt.date(cutoff.year, 1, 1), cutoff),
        ("r12", _year_before(cutoff) + dt.timedelta(days=1), cutoff),
    ]


def _year_before(day: dt.date) -> dt.date:
    try:
        return day.replace(year=day.year - 1)
    except ValueError:  # 29 February
        return day.replace(year=day.year - 1, day=28)


def compstat_sql(table: str, date_col: str, cat_col: str) -> str:
    """The windows' counts per ancestor area and category (needs ``ivm_closure``)."""
    return f"""
    SELECT c.ancestor_id AS area_id, c.ancestor_level AS area_level, ? AS kind,
           f.{cat_col} AS category, w.window_type, w.window_start, w.window_end,
           count(*) FILTER (WHERE CAST(f.{date_col} AS DATE)
                            BETWEEN w.window_start AND w.window_end) AS count_now,
           count(*) FILTER (WHERE CAST(f.{date_col} AS DATE)
                            BETWEEN w.before_start AND w.before_end) AS count_before
    FROM {table} f
    JOIN ivm_closure c ON c.area_id = f.area_id
         AND CAST(f.{date_col} AS DATE) BETWEEN c.valid_from AND c.valid_to
    JOIN ivm_windows w ON CAST(f.{date_col} AS DATE) BETWEEN w.before_start AND w.window_end
    GROUP BY ALL
    """


def compute_compstat(con: duckdb.DuckDBPyConnection, cov: dict[str, Coverage]) -> None:
    """Fill the temp table ``ivm_compstat`` (needs ``ivm_closure`` from the computation)."""
    con.execute(
        "CREATE OR REPLACE TEMP TABLE ivm_compstat (area_id VARCHAR, area_level VARCHAR, "
        "kind VARCHAR, category VARCHAR, window_type VARCHAR, window_start DATE, "
        "window_end DATE, count_now BIGINT, count_before BIGINT, change DOUBLE, z DOUBLE, "
        "small BOOLEAN, p_value DOUBLE, notable BOOLEAN)"
    )
    for kind, (table, date_col, cat_col) in FACT_COLUMNS.items():
        if kind not in cov:
            continue
        con.execute("CREATE OR REPLACE TEMP TABLE ivm_windows (window_type VARCHAR, "
                    "window_start DATE, window_end DATE, before_start DATE, before_end DATE)")
        for wtype, start, end in windows(cov[kind].cutoff):
            before = _year_before(start), _year_before(end)
            if not (cov[kind].covers(start, end) and cov[kind].covers(*before)):
                # a window the source's deliveries do not cover (before a city's first, in a
                # gap between two) is missing, never a zero: no alarm in a city's first year
                continue
            con.execute("INSERT INTO ivm_windows VALUES (?, ?, ?, ?, ?)",
                        [wtype, start, end, *before])
        con.execute(
            "INSERT INTO ivm_compstat SELECT *, "
            "CASE WHEN count_before > 0 THEN count_now / count_before - 1 END, "
            "2 * (sqrt(count_now) - sqrt(count_before)), "
            f"count_now < {SMALL} AND count_before < {SMALL}, NULL, NULL "
            f"FROM ({compstat_sql(table, date_col, cat_col)})",
            [kind],
        )
    _exact_tests(con)


def _exact_tests(con: duckdb.DuckDBPyConnection) -> None:
    """Fill in each window's exact p-value (one computation per distinct pair of counts and
    window lengths) and whether it is notable."""
    pairs = con.execute(
        "SELECT DISTINCT count_now, count_before, window_end - window_start + 1 AS days "
        "FROM ivm_compstat").fetchall()
    if not pairs:
        return
    rows = []
    for now, before, days in pairs:
        before_days = days  # the same window a year earlier (29 February aside)
        p = poisson_rate_test(int(now), float(days), int(before), float(before_days))
        rows.append({"count_now": now, "count_before": before, "days": days, "p": p})
    con.register("ivm_compstat_p", pa.Table.from_pylist(rows))
    try:
        con.execute(
            "UPDATE ivm_compstat SET p_value = t.p, notable = t.p < ? FROM ivm_compstat_p t "
            "WHERE ivm_compstat.count_now = t.count_now "
            "AND ivm_compstat.count_before = t.count_before "
            "AND ivm_compstat.window_end - ivm_compstat.window_start + 1 = t.days", [ALPHA])
    finally:
        con.unregister("ivm_compstat_p")
