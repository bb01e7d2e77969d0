"""Events are data: a calendar of editions (cancelled ones marked) is loaded like any source,
an event indicator counts the days of the editions that were held, an edition is complete once
its last day lies before the cut-off, and each edition is compared with the ordinary days of
its weeks and with the editions before it (checked against statsmodels)."""

from __future__ import annotations

import datetime as dt

import duckdb
import pytest
from click.testing import CliRunner
from statsmodels.stats import rates

from etl.load import load_file
from indicators import event_comparison, load_catalog
from indicators.events import (
    Edition,
    dispersion,
    exact_rate_ratio,
    ordinary_days,
    quasi_rate_ratio,
)
from ivm.cli import main
from ivm.wiring import load_any

HEADER = "event;edition;name_nl;name_en;first_day;last_day;cancelled;note\n"
CALENDAR = HEADER + (
    "aalst_carnival;2022;Carnaval Aalst;Aalst carnival;27/02/2022;01/03/2022;nee;\n"
    "aalst_carnival;2023;;;19/02/2023;21/02/2023;nee;\n"
    "aalst_carnival;2024;;;11/02/2024;13/02/2024;ja;COVID-19\n"
    "aalst_carnival;2025;;;02/03/2025;04/03/2025;nee;\n"
)
#: Facts in the carnival's category per day: (day, count).
FACTS = [
    ("2022-02-27", 2), ("2022-02-28", 3), ("2022-03-01", 1),  # 6 on the days of 2022
    ("2022-02-22", 1), ("2022-03-04", 3),                       # 4 on ordinary days, same weeks
    ("2023-02-19", 4), ("2023-02-21", 5),                       # 9
    ("2023-02-15", 2), ("2023-02-24", 1),                       # 3
    ("2024-02-12", 5),                                          # the cancelled edition's day
    ("2025-03-02", 6), ("2025-03-03", 6),                       # 12
    ("2025-03-06", 2),                                          # 2
    ("2022-06-01", 7),                                          # an ordinary day elsewhere
]
CUTOFF = dt.date(2025, 3, 10)


@pytest.fixture
def carnival(toy_city, write):
    """The toy city with the calendar and the facts, loaded and refreshed like `ivm load`."""
    rows = "category,occurred_at,area_code\n" + "".join(
        f"violence_public_space,{day} 21:00:00,41002A011\n" for day, n in FACTS for _ in range(n))
    load_any(toy_city, "events", write("events.csv", CALENDAR), "canonical", True, {})
    load_any(toy_city, "incidents", write("facts.csv", rows), "canonical", True, {},
             period_start=dt.date(2022, 1, 1), period_end=CUTOFF)
    return toy_city


def _rows(wh, sql: str, params: list | None = None) -> list[tuple]:
    con = wh.connect_read_only()
    try:
        return con.execute(sql, params or []).fetchall()
    finally:
        con.close()


def test_the_calendar_is_stored_with_its_cancelled_edition_and_names_filled_in(carnival):
    rows = _rows(carnival, "SELECT edition, name_nl, name_en, cancelled, note FROM event_edition "
                           "ORDER BY edition")
    assert rows == [("2022", "Carnaval Aalst", "Aalst carnival", False, None),
                    ("2023", "Carnaval Aalst", "Aalst carnival", False, None),
                    ("2024", "Carnaval Aalst", "Aalst carnival", True, "COVID-19"),
                    ("2025", "Carnaval Aalst", "Aalst carnival", False, None)]


def test_the_event_indicator_counts_only_the_days_of_editions_that_were_held(carnival):
    got = dict(_rows(carnival, "SELECT period, numerator FROM indicator_value WHERE indicator_id "
                               "= 'carnival_violence_count' AND period_type = 'year' AND "
                               "area_id = '41002'"))
    assert got == {"2022": 6.0, "2023": 9.0, "2025": 12.0}  # nothing of the cancelled 2024


def test_an_edition_is_complete_once_its_last_day_is_before_the_cut_off(carnival):
    complete = dict(_rows(carnival, "SELECT period, bool_and(complete) FROM indicator_value "
                                    "WHERE indicator_id = 'carnival_violence_count' AND "
                                    "period_type = 'year' GROUP BY period"))
    assert complete == {"2022": True, "2023": True, "2025": True}  # 2025 ends after the cut-off
    other = dict(_rows(carnival, "SELECT period, bool_and(complete) FROM indicator_value WHERE "
                                 "indicator_id = 'violence_public_space_count' AND period_type = "
                                 "'year' GROUP BY period"))
    assert other["2025"] is False and other["2024"] is True  # an ordinary indicator: the year


def test_a_cancelled_edition_s_year_is_not_complete_so_it_is_never_read_as_a_drop(carnival,
                                                                                     write):
    load_any(carnival, "incidents", write("none.csv", "category,occurred_at,area_code\n"
                                          "drugs,2024-06-01 10:00:00,41002A011\n"),
             "canonical", True, {})
    rows = _rows(carnival, "SELECT period, complete FROM indicator_value WHERE indicator_id = "
                           "'carnival_violence_count' AND period IN ('2024', '2024-02')")
    assert rows == []  # no value: not a zero


def test_each_edition_against_ordinary_days_and_earlier_editions(carnival):
    con = carnival.connect_read_only()
    try:
        found = event_comparison(con, load_catalog().indicators["carnival_violence_count"],
                                 "41002W01")
    finally:
        con.close()
    by = {c.edition.edition: c for c in found}
    assert [c.edition.edition for c in found] == ["2022", "2023", "2024", "2025"]
    assert by["2024"].edition.cancelled and by["2024"].count is None
    e22 = by["2022"]
    assert (e22.count, e22.ordinary_count, e22.ordinary_days) == (6.0, 4.0, 11)
    assert e22.ordinary.ratio == pytest.approx((6 / 3) / (4 / 11))
    ref = rates.test_poisson_2indep(6, 3, 4, 11, method="exact-cond")
    assert e22.ordinary.p_value == pytest.approx(ref.pvalue, rel=1e-9)
    assert e22.earlier is None  # nothing before it
    e25 = by["2025"]
    assert e25.earlier_editions == ("2022", "2023")  # the cancelled edition is skipped
    assert e25.earlier_count == 15.0 and e25.earlier_days == 6
    ref = rates.test_poisson_2indep(12, 3, 15, 6, method="exact-cond")
    assert e25.earlier.p_value == pytest.approx(ref.pvalue, rel=1e-9)  # two editions: exact


def test_the_exact_interval_holds_the_ratio_and_matches_the_conditional_binomial():
    r = exact_rate_ratio(30, 3, 20, 11)
    assert r.low < r.ratio < r.high
    ref = rates.test_poisson_2indep(30, 3, 20, 11, method="exact-cond")
    assert r.p_value == pytest.approx(ref.pvalue, rel=1e-9)
    assert r.clear


def test_dispersion_widens_the_comparison_with_earlier_editions():
    assert dispersion([10, 10, 10], [3, 3, 3]) == 1.0
    phi = dispersion([2, 20, 8], [3, 3, 3])
    assert phi > 3
    narrow, wide = quasi_rate_ratio(20, 3, 30, 9, 1.0), quasi_rate_ratio(20, 3, 30, 9, phi)
    assert wide.high - wide.low > narrow.high - narrow.low
    assert wide.p_value > narrow.p_value


def test_ordinary_days_are_the_rest_of_the_weeks_monday_to_sunday():
    e = Edition("x", "2026", "x", "x", dt.date(2026, 2, 15), dt.date(2026, 2, 17), None,
                False, None)  # Sunday to Tuesday: two weeks
    days = ordinary_days(e)
    assert len(days) == 11 and days[0] == dt.date(2026, 2, 9) and days[-1] == dt.date(2026, 2, 22)
    assert not set(days) & set(e.days)


def test_ivm_events_lists_the_editions_and_compares_an_event_indicator(carnival):
    db = str(carnival.path)
    out = CliRunner().invoke(main, ["events", "--db", db, "--format", "csv"])
    assert out.exit_code == 0, out.output
    assert out.output.count("aalst_carnival") == 4 and "COVID-19" in out.output
    out = CliRunner().invoke(main, ["events", "--db", db, "--indicator",
                                    "carnival_violence_count", "--area", "41002W01"])
    assert out.exit_code == 0, out.output
    assert out.output.startswith("Carnaval Aalst 2025: 4,0 per dag")
    assert "Afgelast: 2024 (COVID-19)." in out.output.splitlines()[0]


@pytest.mark.parametrize(("rows", "says"), [
    ("aalst_carnival;2022;C;C;27/02/2022;01/03/2022;nee;\n"
     "aalst_carnival;2022b;C;C;01/03/2022;02/03/2022;nee;\n", "row 3, column 'first_day': "
     "editions '2022' (row 2, 2022-02-27 to 2022-03-01) and '2022b' of 'aalst_carnival' "
     "overlap"),
    ("aalst_carnival;2022;C;C;01/03/2022;27/02/2022;nee;\n", "before the first"),
    ("aalst_carnival;2022;C;C;01/03/2022;30/04/2022;nee;\n", "at most 31"),
    ("aalst_carnival;2022;C;C;31/02/2022;01/03/2022;nee;\n", "is not a date"),
    ("aalst_carnival;2022;C;C;27/02/2022;01/03/2022;misschien;\n", "not yes/no"),
    ("Carnaval Aalst!;2022;C;C;27/02/2022;01/03/2022;nee;\n", "is not an event id"),
    ("aalst_carnival;2022;;;27/02/2022;01/03/2022;nee;\n", "has no name"),
    ("aalst_carnival;2022;C;C;27/02/1022;01/03/1022;nee;\n", "lies outside"),
])
def test_a_bad_calendar_is_refused_in_one_line_and_nothing_is_stored(carnival, write, rows,
                                                                     says):
    before = _rows(carnival, "SELECT * FROM event_edition ORDER BY ALL")
    out = CliRunner().invoke(main, ["load", "events", str(write("bad.csv", HEADER + rows)),
                                    "--db", str(carnival.path)])
    assert out.exit_code == 1
    assert says in out.output and "Traceback" not in out.output
    assert len(out.output.strip().splitlines()) <= 2  # the error and its hint
    assert _rows(carnival, "SELECT * FROM event_edition ORDER BY ALL") == before


def test_an_unknown_area_is_refused(toy_city, write):
    text = HEADER.replace("cancelled", "area_code;cancelled") + (
        "aalst_carnival;2022;C;C;27/02/2022;01/03/2022;41002W99;nee;\n")
    with pytest.raises(Exception, match="unknown area '41002W99'"):
        load_file(toy_city, "events", write("e.csv", text))


def test_a_corrected_calendar_replaces_the_event_s_editions(carnival, write):
    fixed = HEADER + CALENDAR.splitlines(keepends=True)[1]
    result = load_file(carnival, "events", write("fixed.csv", fixed))
    assert (result.counts.skipped, result.counts.removed) == (1, 3)
    con = duckdb.connect(str(carnival.path), read_only=True)
    try:
        assert con.execute("SELECT count(*) FROM event_edition").fetchall() == [(1,)]
    finally:
        con.close()
