"""An area against the rest of its municipality: does its value differ beyond noise?

The areas page ranks every area of a level with this verdict, the area profile shows it for
every indicator, and ``ivm indicators compare ID --level L --period P`` prints it, all from
:func:`compare`, so the test a user sees on screen is the one a script can rerun.

The comparison is with the *rest* of the city (the city's sums minus the area's), never with
the city as a whole, which contains the area. Counts and rates (Poisson): the exact conditional
test of the area's count against the rest's, with the population as exposure (the rate's own
denominator, inhabitants for a plain count). Shares: the pooled z-test with Kish's effective n.
Means: Welch's t-test on the effective n. Other measures have no noise model: ``na``.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import duckdb
import pandas as pd

from indicators import stats
from indicators.catalog import Indicator
from indicators.hierarchy import Hierarchy
from indicators.method import ALPHA, test_of
from indicators.results import areas as stored_areas
from indicators.results import values as stored_values

#: What a comparison can say.
VERDICTS = ("higher", "lower", "same", "na", "insufficient")


@dataclass(frozen=True)
class Comparison:
    """How an area compares with the rest of its city: ``higher``, ``lower``, ``same``,
    ``na`` (no noise model, or the area is the city) or ``insufficient``; with the p-value and
    the test's id (see :data:`core.vocabulary.TESTS`)."""

    verdict: str
    p: float | None = None
    test: str | None = None


def _finite(x: Any) -> bool:
    return isinstance(x, int | float) and not isinstance(x, bool) and math.isfinite(x)


def _num(row: Mapping[str, Any], key: str) -> float:
    try:
        value = float(row.get(key))  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return math.nan
    return value if math.isfinite(value) else math.nan


def _weighted_rest(area: Mapping[str, Any], city: Mapping[str, Any]):
    """The rest of the city's weight sum, weighted sum and Kish n from the stored sums."""
    den_a, den_c = _num(area, "denominator"), _num(city, "denominator")
    neff_a = _num(area, "n_eff") if _finite(_num(area, "n_eff")) else _num(area, "n")
    neff_c = _num(city, "n_eff") if _finite(_num(city, "n_eff")) else _num(city, "n")
    sw = den_c - den_a
    sw2 = den_c ** 2 / neff_c - den_a ** 2 / neff_a if neff_a > 0 and neff_c > 0 else math.nan
    n_rest = sw * sw / sw2 if sw2 > 0 else math.nan
    return sw, n_rest, neff_a


def compare(area: Mapping[str, Any], city: Mapping[str, Any] | None, ind: Indicator,
            alpha: float = ALPHA) -> Comparison:
    """Whether an area's value (a row of :func:`indicators.results.values`) differs from the
    rest of its city (the city's row) beyond noise."""
    noise = ind.kind.noise
    test = test_of(noise)
    if noise is None or city is None or area.get("area_id") == city.get("area_id"):
        return Comparison("na")
    if not _finite(_num(area, "value")) or not _finite(_num(city, "value")):
        return Comparison("insufficient")
    if noise == "poisson":
        x_a, x_c = _num(area, "numerator"), _num(city, "numerator")
        col = "denominator" if ind.kind.value_rule == "rate" else "inhabitants"
        e_a, e_c = _num(area, col), _num(city, col)
        x_r, e_r = x_c - x_a, e_c - e_a
        if not (e_a > 0 and e_r > 0 and x_a >= 0 and x_r >= 0):
            return Comparison("insufficient")
        try:
            p = stats.poisson_rate_test(round(x_a), e_a, round(x_r), e_r)
        except ValueError:
            return Comparison("insufficient")
        up = x_a / e_a > x_r / e_r
        return Comparison(("higher" if up else "lower") if p < alpha else "same", p, test)
    sw_r, n_r, n_a = _weighted_rest(area, city)
    if not (n_a >= max(ind.min_n, 2) and n_r >= 2 and sw_r > 0):
        return Comparison("insufficient")
    v_a = _num(area, "value")
    num_r = _num(city, "numerator") - _num(area, "numerator")
    v_r = num_r / sw_r
    if noise == "share":
        p = stats.share_test(v_a, n_a, v_r, n_r)
    elif noise == "mean":
        def sx2(row: Mapping[str, Any]) -> float:  # the weighted sum of squares
            return _num(row, "denominator") * (_num(row, "sd") ** 2 + _num(row, "value") ** 2)
        var_r = max((sx2(city) - sx2(area)) / sw_r - v_r * v_r, 0.0)
        p = stats.mean_test(v_a, _num(area, "sd"), n_a, v_r, math.sqrt(var_r), n_r)
    else:
        return Comparison("na")
    if not _finite(p):
        return Comparison("insufficient")
    return Comparison(("higher" if v_a > v_r else "lower") if p < alpha else "same", p, test)


def compare_frame(values: pd.DataFrame, cities: Mapping[str, Mapping[str, Any]],
                  city_of: Mapping[str, str | None], ind: Indicator) -> pd.DataFrame:
    """``values`` ranked from high to low (no value last) with each area's city value and
    comparison (columns ``city_value``, ``verdict``, ``p``, ``test``, ``comparison``)."""
    out = values.copy()
    found, city_values = [], []
    for row in out.to_dict("records"):
        city = cities.get(city_of.get(row["area_id"]) or "")
        found.append(compare(row, city, ind))
        city_values.append(city.get("value") if city else None)
    out["city_value"] = city_values
    out["verdict"] = [c.verdict for c in found]
    out["p"] = [c.p for c in found]
    out["test"] = [c.test for c in found]
    out["comparison"] = found
    if "name" not in out:
        out["name"] = out["area_id"]
    return out.sort_values(["value", "name"], ascending=[False, True], na_position="last",
                           kind="stable").reset_index(drop=True)


def area_hierarchy(areas: pd.DataFrame) -> Hierarchy:
    """The hierarchy of an areas frame (area_id, level, parent_id)."""
    return Hierarchy.of(zip(areas["area_id"], areas["level"], areas["parent_id"], strict=True))


def municipalities(areas: pd.DataFrame) -> dict[str, str | None]:
    """Every area's city: its area of the top level of the loaded hierarchy (a gemeente, a
    district, ...; a top area's is itself), by following parents; an area without a parent
    chain gets the top area of its NIS code (its first five characters) when there is one."""
    h = area_hierarchy(areas)
    out: dict[str, str | None] = {}
    for area, top in h.top_of.items():
        if top is None and h.level_of.get(area[:5]) == h.top:
            top = area[:5]
        out[area] = top
    return out


def by_area(df: pd.DataFrame) -> dict[str, dict[str, Any]]:
    """The rows of a values frame by area id."""
    if not len(df):
        return {}
    return {r["area_id"]: r for r in df.to_dict("records")}


def area_comparison(con: duckdb.DuckDBPyConnection, ind: Indicator, level: str,
                    period: str) -> pd.DataFrame:
    """Every area of ``level`` in ``period`` against the rest of its city (its area of the top
    level), ranked from high to low: what the areas page shows, from the stored results."""
    values = stored_values(con, ind, level, period)
    areas = stored_areas(con)
    top = area_hierarchy(areas).top
    cities = by_area(stored_values(con, ind, top, period)) if top else {}
    return compare_frame(values, cities, municipalities(areas), ind)


__all__ = ["VERDICTS", "Comparison", "area_comparison", "area_hierarchy", "by_area", "compare",
           "compare_frame", "municipalities"]
