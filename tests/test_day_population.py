"""Other denominators: a day population and visitors per area and year are loaded like any
source and an indicator can count per 1,000 of either. Unlike inhabitants they are taken as
delivered per area, never summed over areas (one visitor walks through several wijken)."""

from __future__ import annotations

import datetime as dt

import pytest

from etl.load import load_file
from ivm.wiring import load_any

POPULATION = ("area_code,year,inhabitants,households\n"
              "41002A00-,2024,1000,500\n41002A011,2024,3000,1400\n41002A100,2024,6000,2600\n")
DAY = ("area_code,year,day_population,visitors\n"
       "41002W01,2024,10000,2500000\n"
       "41002,2024,12500,\n")
#: Violence in public space per sector in 2024, and pickpocketings in the centre.
FACTS = {"41002A00-": 30, "41002A011": 20, "41002A100": 10}


@pytest.fixture
def city(toy_city, write):
    rows = "category,occurred_at,area_code\n" + "".join(
        f"violence_public_space,2024-0{1 + k % 9}-1{k % 9} 22:00:00,{sector}\n"
        for sector, n in FACTS.items() for k in range(n))
    rows += "".join(f"pickpocketing,2024-05-0{1 + k % 9} 15:00:00,41002A00-\n" for k in range(40))
    load_any(toy_city, "population", write("pop.csv", POPULATION), "canonical", True, {})
    load_any(toy_city, "day_population", write("day.csv", DAY), "canonical", True, {})
    load_any(toy_city, "incidents", write("facts.csv", rows), "canonical", True, {},
             period_start=dt.date(2024, 1, 1), period_end=dt.date(2024, 12, 31))
    return toy_city


def _value(wh, indicator: str, area: str) -> tuple:
    con = wh.connect_read_only()
    try:
        return con.execute(
            "SELECT numerator, denominator, value FROM indicator_value WHERE indicator_id = ? "
            "AND area_id = ? AND period_type = 'year' AND period = '2024'",
            [indicator, area]).fetchone()
    finally:
        con.close()


def test_a_rate_per_1000_day_population_divides_by_the_area_s_day_population(city):
    assert _value(city, "violence_public_space_day_rate", "41002W01") == (
        50.0, 10000.0, pytest.approx(5.0))
    assert _value(city, "violence_public_space_day_rate", "41002") == (
        60.0, 12500.0, pytest.approx(4.8))
    assert _value(city, "crime_rate", "41002W01")[1] == 4000.0  # inhabitants stay summed


def test_a_day_population_is_not_summed_over_areas(city):
    # the deelgemeente holds W01 but has no day population of its own: no rate, not W01's
    found = _value(city, "violence_public_space_day_rate", "41002A")
    assert found is None or found[2] is None


def test_a_rate_per_visitors(city):
    num, den, value = _value(city, "pickpocketing_visitor_rate", "41002W01")
    assert (num, den) == (40.0, 2500000.0)
    assert value == pytest.approx(40 / 2500000 * 100000)


def test_the_area_population_table_keeps_both_denominators(city):
    con = city.connect_read_only()
    try:
        rows = con.execute("SELECT area_id, inhabitants, day_population, visitors FROM "
                           "area_population WHERE year = 2024 AND area_id IN "
                           "('41002', '41002W01') ORDER BY 1").fetchall()
    finally:
        con.close()
    assert rows == [("41002", 10000, 12500.0, None), ("41002W01", 4000, 10000.0, 2500000.0)]


@pytest.mark.parametrize(("row", "reason"), [
    ("41002W02,2024,-5,", "out_of_range"),
    ("41002W02,2024,,", "missing_value"),
    ("41002W02,2024,1" + "0" * 400 + ",", "implausible_value,number_overflow"),
    ("41002W02,2024,5000,-1", "out_of_range"),
])
def test_a_bad_day_population_row_is_quarantined_with_its_reason(toy_city, write, row, reason):
    result = load_file(toy_city, "day_population",
                       write("d.csv", "area_code,year,day_population,visitors\n" + row + "\n"
                             "41002W01,2024,10000,\n"))
    assert (result.counts.loaded, result.counts.quarantined) == (1, 1)
    con = toy_city.connect_read_only()
    try:
        assert con.execute("SELECT reason_codes FROM quarantine WHERE load_id = ?",
                           [result.load_id]).fetchone()[0] == reason
    finally:
        con.close()
