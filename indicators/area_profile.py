"""Every area's profile, stored: per period type and indicator, the figures the areas page shows
when an area is clicked (its value and interval in the level's latest period, and its city's),
written by every refresh into ``area_profile`` so that a click reads one area's rows instead of
every indicator's values at the level.

The figures are those :func:`indicators.results.values` gives (zeros filled in for counts, rates
and sums) for the area and for its city, in the period :func:`default_period` picks from the
level's periods (the city's when the level has none), all levels and period types at once in
one set-based query. The comparison with the rest of the city is made from them when they are
shown (:func:`indicators.compare.compare`, 30 rows at a time).
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import duckdb
import pyarrow as pa

from indicators import stats
from indicators.catalog import POPULATION_COLUMNS, Indicator
from indicators.compare import area_hierarchy, municipalities
from indicators.results import areas as stored_areas

#: The figures of one area (and, prefixed ``city_``, of its city) the profile keeps.
FIGURES = ("n", "numerator", "denominator", "value", "n_eff", "sd", "ci_low", "ci_high",
           "inhabitants")


def default_period(periods: list[tuple[str, bool]]) -> str | None:
    """The latest complete period, else the latest (``periods``: oldest first, with their
    completeness)."""
    complete = [p for p, c in periods if c]
    return complete[-1] if complete else (periods[-1][0] if periods else None)


@dataclass(frozen=True)
class ProfileRow:
    """One indicator in one area's profile: the period shown and whether it is complete at
    the area's level, the area's figures (None: the area has no value there) and its city's
    (None: no city, or no value for it), as rows of :func:`indicators.results.values`."""

    indicator_id: str
    period: str
    complete: bool
    area: dict[str, Any] | None
    city: dict[str, Any] | None


def _period_lists(con: duckdb.DuckDBPyConnection
                  ) -> dict[tuple[str, str], dict[str, list[tuple[str, bool]]]]:
    """Per (indicator, level) and period type: the stored periods, oldest first, with their
    completeness (what :func:`indicators.readers.periods_by_type` gives, for all at once)."""
    out: dict[tuple[str, str], dict[str, list[tuple[str, bool]]]] = {}
    for ind, level, ptype, period, complete in con.execute(
            "SELECT indicator_id, area_level, period_type, period, bool_and(complete) "
            "FROM indicator_value GROUP BY ALL "
            "ORDER BY indicator_id, area_level, period_type, min(period_start), period"
    ).fetchall():
        out.setdefault((ind, level), {}).setdefault(ptype, []).append((period, bool(complete)))
    return out


def _targets(con: duckdb.DuckDBPyConnection, catalog: Iterable[Indicator], levels: list[str],
             top: str | None) -> pa.Table:
    """Per indicator, period type and level: the period a profile shows and its completeness
    (the level's periods, else the top level's, as the areas page lists them)."""
    lists = _period_lists(con)
    rows: dict[str, list] = {k: [] for k in ("indicator_id", "period_type", "area_level",
                                             "period", "period_complete")}
    for ind in catalog:
        for level in levels:
            own = lists.get((ind.id, level), {})
            city = lists.get((ind.id, top), {}) if top else {}
            for ptype in sorted(set(own) | set(city)):
                periods = own.get(ptype) or city.get(ptype) or []
                period = default_period(periods)
                if period is None:
                    continue
                for key, value in (("indicator_id", ind.id), ("period_type", ptype),
                                   ("area_level", level), ("period", period),
                                   ("period_complete", dict(periods).get(period, True))):
                    rows[key].append(value)
    return pa.table({k: pa.array(v, pa.bool_() if k == "period_complete" else pa.string())
                     for k, v in rows.items()})


def _kinds(catalog: Iterable[Indicator]) -> pa.Table:
    """How each indicator fills in an absent value (see :func:`indicators.results._fill`)."""
    _, zero_high = stats.poisson_ci(0)
    inds = list(catalog)
    return pa.table({
        "indicator_id": pa.array([i.id for i in inds], pa.string()),
        "fill": pa.array([i.kind.value_rule in ("num", "rate") for i in inds], pa.bool_()),
        "is_rate": pa.array([i.kind.value_rule == "rate" for i in inds], pa.bool_()),
        "poisson": pa.array([i.kind.noise == "poisson" for i in inds], pa.bool_()),
        "population": pa.array([i.population_column for i in inds], pa.string()),
        "zero_high": pa.array([float(zero_high)] * len(inds), pa.float64()),
        # as results._fill computes it: the upper bound of 0 times the factor, then / population
        "zero_high_scaled": pa.array([float(zero_high) * (i.factor or 1.0) for i in inds],
                                     pa.float64()),
    })


#: The values (as :func:`indicators.results.values` gives them, zeros filled in) of every
#: area of a level in a period, for each (indicator, level, period) of ``ivm_profile_need``.
_VALUES = """
CREATE OR REPLACE TEMP TABLE ivm_profile_values AS
WITH r AS (
    SELECT v.* FROM indicator_value v
    SEMI JOIN ivm_profile_need s ON s.indicator_id = v.indicator_id
         AND s.area_level = v.area_level AND s.period = v.period),
p AS (SELECT DISTINCT indicator_id, area_level, period_type, period, period_start, period_end,
             complete FROM r),
j AS (
    SELECT p.indicator_id, a.area_id, a.level AS area_level, p.period,
           coalesce(v.n, 0) AS n, v.numerator, v.denominator, v.value, v.n_eff, v.sd,
           v.ci_low, v.ci_high, pop.inhabitants,
           (CASE k.population {per_population} END)::DOUBLE AS per_population,
           k.fill, k.is_rate, k.poisson, k.zero_high, k.zero_high_scaled,
           k.fill AND (v.value IS NULL OR isnan(v.value))
                  AND (v.numerator IS NULL OR isnan(v.numerator)) AS miss
    FROM p JOIN ivm_profile_kinds k ON k.indicator_id = p.indicator_id
    JOIN area a ON a.level = p.area_level
    LEFT JOIN r v ON v.indicator_id = p.indicator_id AND v.area_level = p.area_level
         AND v.period = p.period AND v.area_id = a.area_id
    ASOF LEFT JOIN area_population pop
         ON pop.area_id = a.area_id AND year(p.period_end) >= pop.year
    WHERE k.fill OR v.area_id IS NOT NULL)
SELECT indicator_id, area_id, area_level, period,
       CASE WHEN miss THEN 0 ELSE n END AS n,
       CASE WHEN miss THEN 0.0 ELSE numerator END AS numerator,
       CASE WHEN miss AND is_rate THEN per_population ELSE denominator END AS denominator,
       CASE WHEN miss AND (NOT is_rate OR per_population > 0) THEN 0.0 ELSE value END
           AS value,
       n_eff, sd,
       CASE WHEN miss AND poisson AND (NOT is_rate OR per_population > 0) THEN 0.0
            ELSE ci_low END AS ci_low,
       CASE WHEN miss AND poisson AND NOT is_rate THEN zero_high
            WHEN miss AND poisson AND per_population > 0
                THEN zero_high_scaled / per_population
            ELSE ci_high END AS ci_high,
       inhabitants::DOUBLE AS inhabitants
FROM j
"""


def store_area_profiles(con: duckdb.DuckDBPyConnection, catalog: Iterable[Indicator]) -> int:
    """Replace ``area_profile`` with every area's profile from the stored values (call inside
    the refresh's transaction, after the values are final); the number of rows written."""
    catalog = list(catalog)
    areas = stored_areas(con)
    top = area_hierarchy(areas).top
    levels = sorted(set(areas["level"]))
    cities = municipalities(areas)
    targets = _targets(con, catalog, levels, top)
    con.register("ivm_profile_targets_arrow", targets)
    con.register("ivm_profile_kinds_arrow", _kinds(catalog))
    con.register("ivm_profile_cities_arrow", pa.table({
        "area_id": pa.array(list(cities), pa.string()),
        "city_id": pa.array(list(cities.values()), pa.string())}))
    try:
        for name in ("targets", "kinds", "cities"):
            con.execute(f"CREATE OR REPLACE TEMP TABLE ivm_profile_{name} AS "
                        f"SELECT * FROM ivm_profile_{name}_arrow")
    finally:
        for name in ("targets", "kinds", "cities"):
            con.unregister(f"ivm_profile_{name}_arrow")
    # the periods needed: each level's, and the same period at the top level (its cities)
    con.execute(
        "CREATE OR REPLACE TEMP TABLE ivm_profile_need AS "
        "SELECT DISTINCT indicator_id, area_level, period FROM ivm_profile_targets "
        "UNION SELECT DISTINCT indicator_id, CAST(? AS VARCHAR), period "
        "FROM ivm_profile_targets WHERE CAST(? AS VARCHAR) IS NOT NULL", [top, top])
    # the population column each indicator divides by (one of a closed set)
    con.execute(_VALUES.format(per_population=" ".join(
        f"WHEN '{c}' THEN pop.{c}" for c in POPULATION_COLUMNS)))
    figures = ", ".join(f"v.{f}" for f in FIGURES)
    city_figures = ", ".join(f"cv.{f} AS city_{f}" for f in FIGURES)
    con.execute("DELETE FROM area_profile")
    # sorted by area, so that a click's read skips every row group but its own
    written = con.execute(
        f"""
        INSERT INTO area_profile BY NAME
        SELECT a.area_id, t.period_type, t.indicator_id, t.area_level, t.period,
               t.period_complete, v.area_id IS NOT NULL AS found, {figures},
               c.city_id, cv.area_id IS NOT NULL AS city_found, {city_figures}
        FROM ivm_profile_targets t
        JOIN area a ON a.level = t.area_level
        LEFT JOIN ivm_profile_cities c ON c.area_id = a.area_id
        LEFT JOIN ivm_profile_values v ON v.indicator_id = t.indicator_id
             AND v.area_level = t.area_level AND v.period = t.period AND v.area_id = a.area_id
        LEFT JOIN ivm_profile_values cv ON cv.indicator_id = t.indicator_id
             AND cv.area_level = ? AND cv.period = t.period AND cv.area_id = c.city_id
        ORDER BY a.area_id, t.period_type, t.indicator_id
        """, [top]).fetchall()[0][0]
    for name in ("targets", "kinds", "cities", "need", "values"):
        con.execute(f"DROP TABLE IF EXISTS ivm_profile_{name}")
    return int(written)


def profiles_missing(con: duckdb.DuckDBPyConnection) -> bool:
    """Whether there are stored values but no stored profiles (a warehouse refreshed before
    profiles were stored)."""
    return bool(con.execute(
        "SELECT EXISTS (SELECT 1 FROM indicator_value) "
        "AND NOT EXISTS (SELECT 1 FROM area_profile)").fetchall()[0][0])


def _clean(value: Any) -> Any:
    return None if isinstance(value, float) and math.isnan(value) else value


def stored_profile(con: duckdb.DuckDBPyConnection, area_id: str, period_type: str
                 ) -> dict[str, ProfileRow]:
    """One area's stored profile for a period type, by indicator id (an indicator without a
    period there is absent)."""
    cur = con.execute("SELECT * FROM area_profile WHERE area_id = ? AND period_type = ?",
                      [area_id, period_type])
    names = [d[0] for d in cur.description]
    out: dict[str, ProfileRow] = {}
    for values in cur.fetchall():
        r = dict(zip(names, values, strict=True))
        area = ({"area_id": area_id, **{f: _clean(r[f]) for f in FIGURES}}
                if r["found"] else None)
        city = ({"area_id": r["city_id"], **{f: _clean(r[f"city_{f}"]) for f in FIGURES}}
                if r["city_found"] else None)
        out[r["indicator_id"]] = ProfileRow(r["indicator_id"], r["period"],
                                            bool(r["period_complete"]), area, city)
    return out


__all__ = ["FIGURES", "ProfileRow", "default_period", "profiles_missing", "store_area_profiles",
           "stored_profile"]
