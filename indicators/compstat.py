"""CompStat-style windows without CompStat's flaw.

Per area (every level) and category, the count in the last 28 days, the year to date and the last
12 months up to a source's cut-off, against the same window a year earlier. Besides the % change
(which misleads for small counts, so it is flagged ``small`` and greyed out when both counts are
below :data:`SMALL`), each row carries the Poisson z-score ``2 (sqrt(x1) - sqrt(x0))``. Without a
real change it spreads with a standard deviation of about sqrt(2), so |z| >= :data:`NOTABLE`
(about 2.8) is a change worth a look at the 5 % level, whatever the size of the counts.
"""

from __future__ import annotations

import datetime as dt

import duckdb

from indicators.periods import Coverage

SMALL = 10
NOTABLE = 1.959964 * 2 ** 0.5
WINDOWS = ("28d", "ytd", "r12")

_SOURCES = {"incidents": ("incident", "occurred_at", "category"),
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
    JOIN ivm_windows w ON CAST(f.{date_col} AS DATE) BETWEEN w.before_start AND w.window_end
    GROUP BY ALL
    """


def compute_compstat(con: duckdb.DuckDBPyConnection, cov: dict[str, Coverage]) -> None:
    """Fill the temp table ``ivm_compstat`` (needs ``ivm_closure`` from the computation)."""
    con.execute(
        "CREATE OR REPLACE TEMP TABLE ivm_compstat (area_id VARCHAR, area_level VARCHAR, "
        "kind VARCHAR, category VARCHAR, window_type VARCHAR, window_start DATE, "
        "window_end DATE, count_now BIGINT, count_before BIGINT, change DOUBLE, z DOUBLE, "
        "small BOOLEAN)"
    )
    for kind, (table, date_col, cat_col) in _SOURCES.items():
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
            f"count_now < {SMALL} AND count_before < {SMALL} "
            f"FROM ({compstat_sql(table, date_col, cat_col)})",
            [kind],
        )
