"""An area's profile is stored by every refresh (``area_profile``), so a click on the areas
page reads one area's rows instead of every indicator's values at the level. What it stores is
what the page computed before from the values: for every area of every level and every period
type, the period shown, the area's figures and its city's, equal to the last digit; a wijk
redrawn in time and a small wijk included; and a new load replaces them (nothing stale)."""

from __future__ import annotations

import datetime as dt
import math
import shutil

import duckdb
import pytest
from click.testing import CliRunner
from conftest import copy_access_store

from core.warehouse import Warehouse
from core.warehouse.migrate import SCHEMA_VERSION
from dashboard.data import DashboardData
from indicators import (
    area_hierarchy,
    by_area,
    compare_area,
    municipalities,
    periods_by_type,
    stored_areas,
    stored_catalog,
    stored_profile,
    values,
)
from indicators.area_profile import FIGURES
from ivm.cli import main
from ivm.wiring import load_any

PERIOD_TYPES = ("year", "quarter", "month", "r12", "ytd")


def reference(con, level: str, period_type: str) -> dict[str, dict[str, tuple]]:
    """The profiles of a level's areas as the areas page computed them from the stored values,
    per area and indicator: the level's periods (else the city's), the latest complete one
    (else the latest), the area's row and its city's row of :func:`indicators.values` in it."""
    areas = stored_areas(con)
    top = area_hierarchy(areas).top
    cities = municipalities(areas)
    ids = list(areas.loc[areas["level"] == level, "area_id"])
    out: dict[str, dict[str, tuple]] = {a: {} for a in ids}
    for ind in stored_catalog(con).values():
        periods = (periods_by_type(con, ind.id, level).get(period_type)
                   or (periods_by_type(con, ind.id, top).get(period_type) if top else None)
                   or [])
        complete = [p for p, c in periods if c]
        period = complete[-1] if complete else (periods[-1][0] if periods else None)
        if period is None:
            continue
        rows = by_area(values(con, ind, level, period))
        city_rows = by_area(values(con, ind, top, period)) if top else {}
        for a in ids:
            out[a][ind.id] = (period, dict(periods).get(period, True), rows.get(a),
                              city_rows.get(cities.get(a)))
    return out


def same(a, b) -> bool:
    """Equal to the last digit; None and NaN are both "no number"."""
    def missing(x):
        return x is None or (isinstance(x, float) and math.isnan(x))
    if missing(a) or missing(b):
        return missing(a) and missing(b)
    return float(a) == float(b)


def assert_same_profiles(con, level: str, period_type: str,
                         only: set[str] | None = None) -> dict[str, int]:
    """Every stored profile of a level (or ``only`` these areas) equals the reference, figure
    by figure and in its verdicts; per area, the number of indicators with a value."""
    catalog = stored_catalog(con)
    with_value: dict[str, int] = {}
    for area_id, want in reference(con, level, period_type).items():
        if only is not None and area_id not in only:
            continue
        got = stored_profile(con, area_id, period_type)
        assert set(got) == set(want), (area_id, period_type)
        with_value[area_id] = 0
        for ind_id, (period, complete, row, city) in want.items():
            stored = got[ind_id]
            where = (area_id, period_type, ind_id)
            assert (stored.period, stored.complete) == (period, complete), where
            assert (stored.area is None) == (row is None), where
            assert (stored.city is None) == (city is None), where
            for mine, theirs in ((stored.area, row), (stored.city, city)):
                if theirs is not None:
                    assert mine["area_id"] == theirs["area_id"], where
                    for f in FIGURES:
                        assert same(mine[f], theirs[f]), (*where, f, mine[f], theirs[f])
            if row is not None:
                ind = catalog[ind_id]
                assert compare_area(stored.area, stored.city, ind) == compare_area(
                    row, city, ind), where
                with_value[area_id] += not same(row["value"], None)
    return with_value


@pytest.fixture(scope="module")
def demo_con(demo_city):
    con = demo_city[0].connect_read_only()
    yield con
    con.close()


def test_every_area_s_stored_profile_is_the_one_computed_from_the_values(demo_con):
    """Every area of every level in calendar years; the wijken in every period type."""
    levels = set(stored_areas(demo_con)["level"])
    assert {"gemeente", "deelgemeente", "wijk", "sector"} <= levels
    for level in levels:
        assert_same_profiles(demo_con, level, "year")
    for ptype in PERIOD_TYPES[1:]:
        assert_same_profiles(demo_con, "wijk", ptype)


def test_a_small_wijk_has_its_zeros_filled_in_as_the_values_have_them(demo_con):
    small = demo_con.execute(
        "SELECT a.area_id FROM area a JOIN area_population p USING (area_id) "
        "WHERE a.level = 'wijk' ORDER BY p.inhabitants, a.area_id LIMIT 1").fetchall()[0][0]
    assert assert_same_profiles(demo_con, "wijk", "month", {small})[small] > 0
    catalog = stored_catalog(demo_con)
    zeros = [r for r in stored_profile(demo_con, small, "month").values()
             if r.area and r.area["numerator"] == 0 and r.area["value"] == 0
             and catalog[r.indicator_id].kind.noise == "poisson"]
    assert zeros  # a month without a case: a zero with its interval, not "no data"
    assert all(r.area["n"] == 0 and r.area["ci_low"] == 0 and r.area["ci_high"] > 0
               for r in zeros)


#: Sectors (statsec) per wijk; from 2025 the sector Begijnhof belongs to wijk 02.
REDRAWN = ("statsec,statsec_naam,wijk,deelgemeente,gemeente\n"
           "41002A011,Begijnhof,41002W02,41002A,41002\n")


def test_a_redrawn_wijk_and_a_new_load_show_the_new_figures_not_stale_ones(toy_city, write):
    facts = "category,occurred_at,area_code\n" + "".join(
        f"vandalism,{year}-0{1 + k % 9}-1{k % 9} 12:00:00,{sector}\n"
        for (sector, year), n in {("41002A00-", 2025): 2, ("41002A011", 2025): 6,
                                  ("41002A100", 2025): 5}.items() for k in range(n))
    load_any(toy_city, "incidents", write("facts.csv", facts), "canonical", True, {},
             period_start=dt.date(2024, 1, 1), period_end=dt.date(2025, 12, 31))
    data = DashboardData(toy_city)

    def vandalism(area_id: str) -> float:
        return data.profile(area_id, "year")["vandalism_count"].area["numerator"]

    assert (vandalism("41002W01"), vandalism("41002W02")) == (8, 5)
    load_any(toy_city, "areas", write("redrawn.csv", REDRAWN), "canonical", True, {},
             period_start=dt.date(2025, 1, 1))
    assert (vandalism("41002W01"), vandalism("41002W02")) == (2, 11)  # the new version's
    assert data.profile("41002W02", "year")["vandalism_count"].city["numerator"] == 13
    con = toy_city.connect_read_only()
    try:
        for level in ("gemeente", "deelgemeente", "wijk", "sector"):
            for ptype in PERIOD_TYPES:
                assert_same_profiles(con, level, ptype)
    finally:
        con.close()


def test_a_warehouse_refreshed_before_profiles_were_stored_gets_them_when_migrated(
        demo_city, tmp_path):
    target = tmp_path / "older.duckdb"
    shutil.copyfile(demo_city[0].path, target)
    copy_access_store(demo_city[0].path, target)
    con = duckdb.connect(str(target))  # back to schema 13, results and all
    con.execute("DROP TABLE area_profile")
    con.execute("DELETE FROM schema_version WHERE version >= 14")
    con.close()
    out = CliRunner().invoke(main, ["migrate", "--db", str(target)])
    assert out.exit_code == 0, out.output
    con = Warehouse(target).connect_read_only()
    try:
        assert con.execute("SELECT max(version) FROM schema_version").fetchall() == [
            (SCHEMA_VERSION,)]
        assert assert_same_profiles(con, "wijk", "year", {"41002W14"})["41002W14"] > 0
    finally:
        con.close()
