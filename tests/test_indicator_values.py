"""Indicator values: every area level from summed numerators and denominators, the same numbers
a hand-written query gives, zeros where there is nothing, incomplete periods flagged."""

from __future__ import annotations

import numpy as np
import pytest

from indicators.catalog import load_catalog
from indicators.results import series, values


@pytest.fixture(scope="module")
def con(demo_city):
    wh = demo_city[0]
    c = wh.connect_read_only()
    yield c
    c.close()


def rows(con, sql, params=()):
    return con.execute(sql, list(params)).fetchall()


def test_rates_at_wijk_level_sum_back_to_the_municipality_exactly(con):
    for indicator in ("residential_burglary_rate", "crime_rate"):
        got = rows(con, """
            SELECT w.period, sum(w.numerator), sum(w.denominator), any_value(g.numerator),
                   any_value(g.denominator)
            FROM indicator_value w
            JOIN indicator_value g ON g.indicator_id = w.indicator_id AND g.period = w.period
                 AND g.area_level = 'gemeente'
            WHERE w.indicator_id = ? AND w.area_level = 'wijk' AND w.period_type = 'year'
            GROUP BY w.period ORDER BY w.period""", [indicator])
        assert len(got) >= 10
        ind = load_catalog()[indicator]
        for period, num, _stored_den, city_num, city_den in got:
            assert num == city_num, period
            # with the zero-count wijken filled in, the populations add up to the city's too
            df = values(con, ind, "wijk", period)
            assert df["numerator"].sum() == city_num, period
            assert df["denominator"].sum() == city_den, period


def test_counts_equal_a_hand_written_group_by(con):
    """Each fact counts in the wijk its sector lay in on the fact's day (the demo redrew one
    boundary: the ended links are in area_link_history)."""
    expected = dict(((a, y), n) for a, y, n in rows(con, """
        WITH links AS (
            SELECT area_id, parent_id, coalesce(valid_from, DATE '0001-01-01') AS f,
                   DATE '9999-12-31' AS t FROM area_link
            UNION ALL SELECT area_id, parent_id, coalesce(valid_from, DATE '0001-01-01'),
                   valid_to FROM area_link_history)
        SELECT l.parent_id, year(i.occurred_at), count(*)
        FROM incident i JOIN links l ON l.area_id = i.area_id
             AND CAST(i.occurred_at AS DATE) BETWEEN l.f AND l.t
        JOIN area a ON a.area_id = l.parent_id AND a.level = 'wijk'
        WHERE i.category IN ('residential_burglary', 'residential_burglary_attempt')
        GROUP BY ALL"""))
    assert rows(con, "SELECT count(*) FROM area_link_history")[0][0] == 1
    got = dict(((a, int(p)), n) for a, p, n in rows(con, """
        SELECT area_id, period, numerator FROM indicator_value
        WHERE indicator_id = 'residential_burglary_count' AND area_level = 'wijk'
          AND period_type = 'year'"""))
    assert got == expected


def test_a_survey_share_is_weighted_with_kish_effective_n(con):
    df = con.execute("""
        SELECT r.area_id, r.wave, r.weight, a.answer FROM survey_response r
        JOIN survey_answer a USING (source, source_id)
        WHERE a.question_id = 'q_onveilig_buurt' AND a.answer IS NOT NULL""").df()
    one = df[(df.area_id == "41002W07") & (df.wave == "2023")]
    w = one.weight.to_numpy()
    share = w[one.answer.isin(["4", "5"]).to_numpy()].sum() / w.sum()
    n_eff = w.sum() ** 2 / (w ** 2).sum()
    value, got_n_eff, n = rows(con, """
        SELECT value, n_eff, n FROM indicator_value WHERE indicator_id = 'unsafe_feeling_share'
          AND area_id = '41002W07' AND period = '2023'""")[0]
    assert value == pytest.approx(share, rel=1e-12)
    assert got_n_eff == pytest.approx(n_eff, rel=1e-12)
    assert n == len(one)


def test_within_norm_median_and_mean_match_numpy(con):
    d = con.execute("""
        SELECT epoch(arrived_at) - epoch(reported_at) AS s FROM incident
        WHERE priority = 1 AND arrived_at >= reported_at AND year(occurred_at) = 2024""").df()
    share = float((d.s / 60 <= 15).mean())
    got = rows(con, "SELECT value, n FROM indicator_value WHERE indicator_id = "
                    "'p1_within_15min_share' AND area_id = '41002' AND period = '2024'")[0]
    assert got == (pytest.approx(share, rel=1e-12), len(d))
    days = con.execute("""
        SELECT (epoch(closed_at) - epoch(reported_at)) / 86400 AS d FROM nuisance
        WHERE closed_at >= reported_at AND year(reported_at) = 2024""").df().d
    median = rows(con, "SELECT value, ci_low, ci_high FROM indicator_value WHERE indicator_id = "
                       "'nuisance_close_days_median' AND area_id = '41002' AND period = '2024'")
    assert median[0][0] == pytest.approx(float(np.median(days)), rel=1e-9)
    # the distribution-free interval of the median: scipy's order-statistic interval
    from scipy import stats as sp

    ci = sp.quantile_test(days.to_numpy(), q=float(np.median(days)), p=0.5).confidence_interval()
    assert median[0][1:] == (pytest.approx(ci.low, rel=1e-9), pytest.approx(ci.high, rel=1e-9))


def test_the_project_area_is_the_sum_of_its_sectors(con):
    (project,), (sectors,) = rows(con, """
        SELECT numerator FROM indicator_value WHERE indicator_id = 'crime_count'
          AND area_id = '41002P01' AND period = '2023'"""), rows(con, """
        SELECT count(*) FROM incident WHERE area_id IN
          (SELECT area_id FROM area_link WHERE parent_id = '41002P01')
          AND year(occurred_at) = 2023 AND category <> 'intra_family_violence'""")
    assert project == sectors


def test_periods_after_the_cutoff_are_incomplete_and_windows_end_at_the_last_full_month(con):
    complete = dict(rows(con, """
        SELECT period, complete FROM indicator_value WHERE indicator_id = 'crime_count'
          AND area_id = '41002' AND period_type IN ('year', 'r12', 'ytd')"""))
    assert complete["2016"] is False and complete["2026"] is False
    assert complete["2025"] is True
    assert complete["2025-11/2026-10"] is True and complete["2026-01/2026-10"] is True
    types = {p for (p,) in rows(con, "SELECT DISTINCT period_type FROM indicator_value")}
    assert types == {"month", "quarter", "year", "r12", "ytd"}


def test_zero_counts_are_filled_in_with_an_exact_interval(con):
    ind = load_catalog()["pickpocketing_count"]
    df = values(con, ind, "sector", "2024")
    assert len(df) == rows(con, "SELECT count(*) FROM area WHERE level = 'sector'")[0][0]
    zero = df[df["n"] == 0]
    assert len(zero) > 50
    assert (zero["value"] == 0).all() and (zero["ci_low"] == 0).all()
    assert zero["ci_high"].iloc[0] == pytest.approx(3.6888794541, rel=1e-9)
    s = series(con, ind, "41002A00-")
    assert {p.period for p in s.years} >= {str(y) for y in range(2017, 2026)}


def test_every_area_level_has_values(con):
    levels = {lv for (lv,) in rows(con, "SELECT DISTINCT area_level FROM indicator_value")}
    assert levels == {"sector", "wijk", "deelgemeente", "gemeente", "project"}
    survey = {lv for (lv,) in rows(con, "SELECT DISTINCT area_level FROM indicator_value "
                                        "WHERE indicator_id = 'unsafe_feeling_share'")}
    assert "sector" not in survey  # the survey is representative per wijk, not per sector


def test_stored_intervals_are_the_statistics_modules_intervals(con):
    """The intervals computed in SQL are those of indicators.stats on the stored sums."""
    from indicators import stats

    df = con.execute("""
        SELECT v.indicator_id, i.measure, v.numerator, v.denominator, v.value, v.n_eff, v.sd,
               v.ci_low, v.ci_high, json_extract_string(i.spec, '$.factor') AS factor
        FROM indicator_value v JOIN indicator i USING (indicator_id)
        WHERE v.period_type IN ('year', 'r12')""").df()
    assert {"count", "rate", "share", "within_norm", "mean"} <= set(df.measure)
    for measure, part in df.groupby("measure"):
        if measure in ("count", "rate"):
            exposure = 1.0
            if measure == "rate":
                exposure = part.denominator.to_numpy() / part.factor.astype(float).to_numpy()
            low, high = stats.poisson_ci(part.numerator.to_numpy(), exposure)
        elif measure in ("share", "within_norm"):
            low, high = stats.wilson_ci(part.value.to_numpy(), part.n_eff.to_numpy())
        elif measure == "mean":
            low, high = stats.mean_ci(part.value.to_numpy(), part.sd.to_numpy(),
                                      part.n_eff.to_numpy())
        elif measure in ("median", "percentile"):  # order statistics: checked per area below
            assert part.ci_low.notna().any(), measure
            ok = part.ci_low.notna() & part.ci_high.notna()
            assert (part.ci_low[ok] <= part.value[ok]).all()
            assert (part.value[ok] <= part.ci_high[ok]).all()
            continue
        else:
            assert part.ci_low.isna().all() and part.ci_high.isna().all(), measure
            continue
        np.testing.assert_allclose(part.ci_low.to_numpy(dtype=float), low, rtol=1e-12,
                                   equal_nan=True, err_msg=measure)
        np.testing.assert_allclose(part.ci_high.to_numpy(dtype=float), high, rtol=1e-12,
                                   equal_nan=True, err_msg=measure)


def test_values_are_stored_in_reading_order(con):
    """Sorted by indicator, area level, period type, period and area, so that DuckDB's
    per-row-group min/max let a reader skip all but the rows it asks for."""
    (unsorted,) = rows(con, """
        SELECT count(*) FROM (
            SELECT (indicator_id, area_level, period_type, period, area_id) AS k,
                   lag((indicator_id, area_level, period_type, period, area_id))
                       OVER (ORDER BY rowid) AS before
            FROM indicator_value) WHERE k < before""")[0]
    assert unsorted == 0
