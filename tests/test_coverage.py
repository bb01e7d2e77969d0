"""Declared coverage: a delivery covers a period (declared, or from its rows; a month-precision
date covers its month), and the periods outside what a source's deliveries cover are missing,
never zero: not complete in the values, no CompStat window compared with them.
"""

from __future__ import annotations

import csv
import datetime as dt

import pytest

from core.warehouse import Warehouse
from etl.load import load_file
from indicators import refresh_results
from tests.conftest import open_data, query

NO_IDS = "category,occurred_at,area_code\n"




def _refresh(wh: Warehouse) -> None:
    with wh.writing() as con:
        refresh_results(con)


def test_a_row_outside_the_declared_period_is_kept_back(toy_city, write):
    path = write("q1.csv", NO_IDS + "bicycle_theft,2024-01-05,41002W01\n"
                                    "drugs,2024-04-02,41002W02\n")

    result = load_file(toy_city, "incidents", path, period_start=dt.date(2024, 1, 1),
                       period_end=dt.date(2024, 3, 31))

    assert (result.counts.loaded, result.counts.quarantined) == (1, 1)
    assert query(toy_city, "SELECT row_number, reason_codes, reasons FROM quarantine "
                            "WHERE load_id = ?", [result.load_id]) == [(
        3, "outside_period", "outside_period: occurred_at 2024-04-02 lies outside the period "
        "the delivery declares, 2024-01-01 to 2024-03-31")]


def test_a_declared_year_is_complete_although_its_first_incident_is_on_the_third(
    toy_city, write
):
    rows = "".join(f"bicycle_theft,2023-{m:02d}-03,41002W01\n" for m in range(1, 13))
    load_file(toy_city, "incidents", write("y2023.csv", NO_IDS + rows),
              period_start=dt.date(2023, 1, 1), period_end=dt.date(2023, 12, 31))
    _refresh(toy_city)

    assert query(toy_city, "SELECT DISTINCT complete FROM indicator_value "
                            "WHERE indicator_id = 'crime_count' AND period = '2023'") == [(True,)]
    assert query(toy_city, "SELECT data_start, cutoff FROM source_coverage "
                            "WHERE kind = 'incidents'") == [(dt.date(2023, 1, 1),
                                                             dt.date(2023, 12, 31))]


def test_a_year_between_two_deliveries_is_missing_and_never_compared(toy_city, write):
    def year(y: int) -> str:
        return "".join(f"bicycle_theft,{y}-{m:02d}-10,41002W01\n" for m in range(1, 13))

    for y in (2020, 2022):
        load_file(toy_city, "incidents", write(f"y{y}.csv", NO_IDS + year(y)),
                  period_start=dt.date(y, 1, 1), period_end=dt.date(y, 12, 31))
    _refresh(toy_city)

    complete = dict(query(toy_city, "SELECT period, bool_and(complete) FROM indicator_value "
                                     "WHERE indicator_id = 'crime_count' AND period_type = "
                                     "'year' GROUP BY 1"))
    assert complete.get("2020") is True and complete.get("2022") is True
    assert complete.get("2021") in (None, False), "2021 was never delivered: not a zero"
    assert query(toy_city, "SELECT count(*) FROM compstat WHERE kind = 'incidents'") == [(0,)]


def test_days_without_a_row_between_two_monthly_deliveries_are_no_gap(toy_city, write):
    load_file(toy_city, "incidents", write("jan.csv", NO_IDS + "bicycle_theft,2024-01-01,"
                                           "41002W01\ndrugs,2024-01-29,41002W01\n"))
    load_file(toy_city, "incidents", write("feb.csv", NO_IDS + "bicycle_theft,2024-02-02,"
                                           "41002W01\ndrugs,2024-02-29,41002W01\n"))
    _refresh(toy_city)

    complete = dict(query(toy_city, "SELECT period, bool_and(complete) FROM indicator_value "
                                     "WHERE indicator_id = 'crime_count' AND period_type = "
                                     "'month' GROUP BY 1"))
    assert complete == {"2024-01": True, "2024-02": True}


def test_compstat_compares_the_windows_a_source_covers(toy_city, write):
    rows = "".join(f"bicycle_theft,{y}-{m:02d}-10,41002W01\n"
                   for y in (2022, 2023) for m in range(1, 13))
    load_file(toy_city, "incidents", write("two_years.csv", NO_IDS + rows))
    _refresh(toy_city)

    windows = query(toy_city, "SELECT DISTINCT window_type FROM compstat "
                               "WHERE area_id = '41002W01' ORDER BY 1")
    assert windows == [("28d",)], (
        "covered from the first row (10/01/2022) to the last (10/12/2023): the year to date "
        "and 12 months before would reach into days nobody delivered")

    load_file(toy_city, "incidents", write("two_years.csv", NO_IDS + rows),
              period_start=dt.date(2022, 1, 1), period_end=dt.date(2023, 12, 31))
    _refresh(toy_city)

    windows = query(toy_city, "SELECT window_type, count_now, count_before FROM compstat "
                               "WHERE area_id = '41002W01' ORDER BY 1")
    assert windows == [("28d", 1, 1), ("r12", 12, 12), ("ytd", 12, 12)]


@pytest.fixture(scope="module")
def lancashire_2022(tmp_path_factory) -> Warehouse:
    """The real Lancashire wards and anti-social behaviour of 2022 (month-precision dates)."""
    wh = Warehouse(tmp_path_factory.mktemp("lancs_cov") / "ivm.duckdb")
    wh.init()
    load_file(wh, "areas", open_data("uk-police-lancashire", "lancashire_wards_2022.geojson"),
              profile="police-uk-extract")
    load_file(wh, "nuisance", open_data("uk-police-lancashire", "lancashire_asb_2022.tsv"),
              profile="police-uk-extract")
    _refresh(wh)
    return wh


def test_police_uk_months_complete_the_year_of_a_city_s_first_delivery(lancashire_2022):
    assert query(lancashire_2022, "SELECT data_start, cutoff FROM source_coverage") == [
        (dt.date(2022, 1, 1), dt.date(2022, 12, 31))]
    complete = query(lancashire_2022, "SELECT DISTINCT complete FROM indicator_value "
                                       "WHERE indicator_id = 'nuisance_report_count' "
                                       "AND period = '2022' AND area_level = 'ward'")
    assert complete == [(True,)]


def test_no_compstat_alarm_in_a_city_s_first_year(lancashire_2022):
    """Before: every window of 2022 was set against a 2021 of zeros, and all 271 wards read
    'opvallend hoger'. 2021 was never delivered: no window is compared with it."""
    assert query(lancashire_2022, "SELECT count(*) FROM compstat") == [(0,)]


def test_the_ward_counts_of_2022_are_the_file_s(lancashire_2022):
    path = open_data("uk-police-lancashire", "lancashire_asb_2022.tsv")
    with open(path, encoding="utf-8", newline="") as fh:
        rows = sum(1 for _ in csv.reader(fh, delimiter="\t")) - 1
    total = query(lancashire_2022, "SELECT sum(value) FROM indicator_value "
                                    "WHERE indicator_id = 'nuisance_report_count' "
                                    "AND period = '2022' AND area_level = 'ward'")[0][0]
    assert total == rows == 56434
