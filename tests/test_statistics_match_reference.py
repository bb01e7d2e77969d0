"""Every statistic in ``indicators.stats`` equals an independent reference implementation
(statsmodels or scipy) to 1e-9 on a grid of inputs, and the Open SDG progress rules give the
categories worked out by hand. statsmodels is used here only, as the reference."""

from __future__ import annotations

import itertools
import json
import math

import numpy as np
import pytest
from scipy import stats as sps
from statsmodels.stats import rates as sm_rates
from statsmodels.stats.proportion import proportion_confint, proportions_ztest
from statsmodels.stats.weightstats import DescrStatsW

from indicators.stats import (
    SdgProgress,
    annual_growth,
    compstat_z,
    first_available,
    kish_n_eff,
    mean_ci,
    mean_test,
    poisson_ci,
    poisson_rate_test,
    sdg_progress,
    share_test,
    weighted_sd,
    wilson_ci,
)

TOL = 1e-9
LEVELS = (0.90, 0.95, 0.99)
COUNTS = (0, 1, 2, 3, 5, 8, 12, 20, 37, 75, 150, 310, 500)
EXPOSURES = (0.25, 0.5, 1.0, 3.0, 5.0)
SHARES = (0.0, 1e-3, 0.05, 0.15, 0.5, 0.73, 0.999, 1.0)
SIZES = (1.0, 2.0, 7.3, 30.0, 99.5, 412.7, 900.0, 5000.0)  # non-integer: Kish effective n


def close(mine, ref, rel: float = TOL, abs_: float = TOL) -> bool:
    """Equal to ``ref`` within a relative or an absolute 1e-9 (whichever is larger)."""
    return np.allclose(np.asarray(mine, float), np.asarray(ref, float), rtol=rel, atol=abs_,
                       equal_nan=True)


# --- counts and rates --------------------------------------------------------------------------


@pytest.mark.parametrize("level", LEVELS)
def test_poisson_interval_is_garwoods_exact_interval(level):
    k = np.array(COUNTS, float)[:, None]
    e = np.array(EXPOSURES)[None, :]
    low, high = poisson_ci(k, e, level)
    ref_low, ref_high = sm_rates.confint_poisson(k, e, method="exact-c", alpha=1 - level)
    assert close(low, ref_low, abs_=0) and close(high, ref_high, abs_=0)


def test_poisson_interval_starts_at_zero_for_zero_count_and_takes_plain_floats():
    low, high = poisson_ci(0, 1.0)
    assert low == 0.0
    assert high == pytest.approx(-math.log(0.025), rel=TOL)  # P(X = 0) = 2.5 % at the top
    assert isinstance(low, float) and isinstance(high, float)
    json.dumps([low, high])  # scalars in, plain (numpy) floats out


def test_poisson_interval_is_nan_for_impossible_inputs():
    low, high = poisson_ci([-1, np.nan, 4], [1, 1, 0])
    assert np.isnan(low).all() and np.isnan(high).all()


@pytest.mark.filterwarnings("ignore:divide by zero:RuntimeWarning")  # statsmodels' rate ratio
def test_poisson_rate_test_is_the_exact_conditional_test_of_statsmodels():
    """statsmodels' ``exact-cond`` calls ``binom_test(count1, count1 + count2,
    e1 / (e1 + e2))``, two-sided by scipy's ``binomtest``: the minlike p-value."""
    worst = 0.0
    for x1, x2 in itertools.product(COUNTS, COUNTS):
        if x1 + x2 == 0:
            continue
        for e1, e2 in itertools.product(EXPOSURES, (0.25, 1.0, 3.0)):
            mine = poisson_rate_test(x1, e1, x2, e2)
            ref = sm_rates.test_poisson_2indep(x1, e1, x2, e2, method="exact-cond").pvalue
            assert mine == pytest.approx(ref, rel=TOL, abs=1e-15), (x1, e1, x2, e2)
            worst = max(worst, abs(mine - ref))
    assert worst < TOL


def test_poisson_rate_test_matches_scipy_binomtest_directly():
    for x1, x2, e1, e2 in [(12, 30, 1, 3), (0, 9, 1, 1), (40, 2, 2, 0.5), (7, 7, 1, 1)]:
        ref = sps.binomtest(x1, x1 + x2, e1 / (e1 + e2)).pvalue
        assert poisson_rate_test(x1, e1, x2, e2) == pytest.approx(ref, rel=TOL, abs=1e-15)


def test_poisson_rate_test_gives_one_when_there_is_nothing_to_compare():
    assert poisson_rate_test(0, 1.0, 0, 3.0) == 1.0


def test_poisson_rate_test_refuses_fractional_counts_and_empty_exposure():
    with pytest.raises(ValueError):
        poisson_rate_test(2.5, 1.0, 3, 1.0)
    with pytest.raises(ValueError):
        poisson_rate_test(2, 0.0, 3, 1.0)
    assert poisson_rate_test(2.0, 1.0, 3.0, 1.0) == poisson_rate_test(2, 1.0, 3, 1.0)


def test_compstat_z_is_twice_the_difference_of_square_roots():
    assert compstat_z(100, 81) == pytest.approx(2.0)
    assert compstat_z(9, 16) == pytest.approx(-2.0)
    assert compstat_z(0, 0) == 0.0
    assert compstat_z(25, 0) == pytest.approx(10.0)
    z = compstat_z(np.array([4, 49, 121]), np.array([1, 36, 144]))
    assert close(z, [2.0, 2.0, -2.0])


# --- survey shares and means -------------------------------------------------------------------


def test_kish_effective_n_is_squared_weight_sum_over_sum_of_squared_weights():
    w = np.array([1.0, 1.0, 2.0, 4.0])
    assert kish_n_eff(w.sum(), (w**2).sum()) == pytest.approx(64 / 22, rel=TOL)
    assert kish_n_eff(10.0, 10.0) == 10.0  # ten respondents of weight 1
    assert close(kish_n_eff(np.array([0.0, 6.0]), np.array([0.0, 12.0])), [0.0, 3.0])


@pytest.mark.parametrize("level", LEVELS)
def test_wilson_interval_matches_statsmodels_also_for_effective_n(level):
    p = np.array(SHARES)[:, None]
    n = np.array(SIZES)[None, :]
    low, high = wilson_ci(p, n, level)
    ref_low, ref_high = proportion_confint(p * n, n, alpha=1 - level, method="wilson")
    assert close(low, ref_low) and close(high, ref_high)


def test_wilson_interval_is_nan_without_respondents():
    low, high = wilson_ci([0.2, 0.2], [0.0, -3.0])
    assert np.isnan(low).all() and np.isnan(high).all()


def test_share_test_is_the_pooled_two_proportion_z_test():
    for p1, p2 in itertools.product(SHARES, SHARES):
        for n1, n2 in itertools.product(SIZES, (2.0, 99.5, 900.0, 5000.0)):
            mine = share_test(p1, n1, p2, n2)
            if p1 in (0.0, 1.0) and p1 == p2:
                assert mine == 1.0  # pooled variance 0: nothing can be told apart
                continue
            ref = proportions_ztest([p1 * n1, p2 * n2], [n1, n2])[1]
            assert mine == pytest.approx(ref, rel=TOL, abs=1e-15), (p1, n1, p2, n2)


def test_share_test_is_undefined_without_respondents():
    assert math.isnan(share_test(0.2, 0, 0.3, 100))


@pytest.mark.parametrize("level", LEVELS)
def test_mean_interval_is_the_t_interval_with_n_minus_one_degrees_of_freedom(level):
    for mean, sd, n in itertools.product((-3.5, 0.0, 12.25), (0.1, 1.0, 14.0),
                                         (2.0, 7.3, 30.0, 412.7, 5000.0)):
        low, high = mean_ci(mean, sd, n, level)
        ref = sps.t.interval(level, n - 1, loc=mean, scale=sd / math.sqrt(n))
        assert close([low, high], ref), (mean, sd, n)


def test_mean_interval_is_vectorised_and_nan_for_a_single_respondent():
    low, high = mean_ci(np.array([1.0, 2.0]), np.array([1.0, 1.0]), np.array([1.0, 10.0]))
    assert math.isnan(low[0]) and math.isnan(high[0])
    assert close([low[1], high[1]], sps.t.interval(0.95, 9, loc=2.0, scale=1 / math.sqrt(10)))


def test_mean_test_is_welchs_t_test():
    grid = itertools.product((3.0, 3.4), (0.5, 2.0), (2.0, 12.5, 900.0),
                             (3.0, 2.1), (0.7, 2.0), (3.0, 40.2, 5000.0))
    for m1, s1, n1, m2, s2, n2 in grid:
        ref = sps.ttest_ind_from_stats(m1, s1, n1, m2, s2, n2, equal_var=False).pvalue
        assert mean_test(m1, s1, n1, m2, s2, n2) == pytest.approx(ref, rel=TOL, abs=1e-15)


def test_mean_test_without_spread_is_degenerate_but_defined():
    assert mean_test(2.0, 0.0, 10, 2.0, 0.0, 10) == 1.0
    assert mean_test(2.0, 0.0, 10, 3.0, 0.0, 10) == 0.0
    assert math.isnan(mean_test(2.0, 1.0, 1, 3.0, 1.0, 10))


def test_weighted_sd_from_sums_is_the_population_weighted_standard_deviation():
    rng = np.random.default_rng(7)
    for size in (2, 5, 40, 1000):
        x = rng.normal(10, 3, size)
        w = rng.lognormal(0, 0.7, size)
        ref = DescrStatsW(x, weights=w, ddof=0).std
        assert weighted_sd(w.sum(), (w * x).sum(), (w * x * x).sum()) == pytest.approx(
            ref, rel=1e-8)


def test_weighted_sd_is_zero_for_a_constant_and_nan_without_weight():
    assert weighted_sd(3.0, 6.0, 12.0) == 0.0  # x = 2 three times, never sqrt(-tiny)
    out = weighted_sd(np.array([0.0, 2.0]), np.array([0.0, 2.0]), np.array([0.0, 4.0]))
    assert math.isnan(out[0]) and out[1] == pytest.approx(1.0)


# --- growth and the Open SDG progress measure --------------------------------------------------


def test_annual_growth_is_the_compound_rate_and_none_where_undefined():
    assert annual_growth(100, 121, 2) == pytest.approx(0.10)
    assert annual_growth(100, 50, 1) == pytest.approx(-0.5)
    assert annual_growth(100, 0, 3) == pytest.approx(-1.0)
    assert annual_growth(0, 5, 3) is None
    assert annual_growth(10, -1, 3) is None
    assert annual_growth(10, 12, 0) is None


LOWER = dict(t_base=2019.0, t_deadline=2025.0, direction="lower")


def test_a_target_already_met_is_achieved_whatever_the_growth():
    p = sdg_progress(100, 84, 85, t_now=2021.0, **LOWER)
    assert p.category == "target_achieved"
    assert p.method == "cagr" and p.ratio > 1
    assert sdg_progress(100, 85, 85, t_now=2021.0, **LOWER).category == "target_achieved"
    up = sdg_progress(0.40, 0.52, 0.50, 2019.0, 2022.0, 2025.0, "higher")
    assert up.category == "target_achieved"


def test_lower_is_better_compares_observed_with_required_compound_growth():
    # -15 % by 2025 from 2019 needs 0.85 ** (1/6) - 1 = -2.672 % a year; 2019 -> 2022 went
    # from 100 to 95, i.e. 0.95 ** (1/3) - 1 = -1.695 % a year: ratio 0.634, moderate.
    p = sdg_progress(100, 95, 85, t_now=2022.0, **LOWER)
    required = 0.85 ** (1 / 6) - 1
    observed = 0.95 ** (1 / 3) - 1
    assert p == SdgProgress(pytest.approx(observed / required), pytest.approx(observed),
                            pytest.approx(required), "moderate", "cagr")
    assert p.ratio == pytest.approx(0.6344, abs=1e-4)
    # Going up when lower is better is deterioration.
    worse = sdg_progress(100, 104, 85, t_now=2022.0, **LOWER)
    assert worse.ratio < 0 and worse.category == "deterioration"


@pytest.mark.parametrize(("ratio", "category"), [
    (1.30, "substantial"), (0.9501, "substantial"), (0.9499, "moderate"),
    (0.6001, "moderate"), (0.5999, "limited"), (0.0001, "limited"),
    (-0.0001, "deterioration"), (-0.5, "deterioration"),
])
def test_ratio_categories_around_the_open_sdg_thresholds(ratio, category):
    required = 0.85 ** (1 / 6) - 1
    current = 100 * (1 + ratio * required) ** 3  # observed growth = ratio x required
    p = sdg_progress(100, current, 85, t_now=2022.0, **LOWER)
    assert p.ratio == pytest.approx(ratio, abs=1e-12)
    assert (p.category, p.method) == (category, "cagr")


@pytest.mark.parametrize(("current", "ratio", "category"), [
    (9.5, 0.95, "substantial"), (6.0, 0.6, "moderate"), (5.9, 0.59, "limited"),
    (0.0, 0.0, "limited"), (-1.0, -0.1, "deterioration"),
])
def test_zero_baseline_falls_back_to_linear_growth_with_thresholds_inclusive(
        current, ratio, category):
    # From 0 in 2019 to a target of 20 in 2029 needs +2 a year; after 5 years at `current` the
    # observed growth is current / 5 a year. 0.95 and 0.6 are hit exactly and count upward.
    p = sdg_progress(0.0, current, 20.0, 2019.0, 2024.0, 2029.0, "higher")
    assert p.method == "linear"
    assert p.required == 2.0 and p.observed == pytest.approx(current / 5)
    assert p.ratio == pytest.approx(ratio, abs=1e-12)
    assert p.category == category


def test_a_zero_target_for_lower_is_better_uses_linear_growth():
    # No compound rate reaches 0: 40 -> 0 by 2027 needs -5 a year; 40 -> 28 in 3 years is -4.
    p = sdg_progress(40, 28, 0, 2019.0, 2022.0, 2027.0, "lower")
    assert (p.method, p.observed, p.required) == ("linear", -4.0, -5.0)
    assert p.ratio == pytest.approx(0.8) and p.category == "moderate"


def test_a_target_equal_to_the_baseline_that_is_missed_is_deterioration_without_ratio():
    p = sdg_progress(50, 53, 50, t_now=2022.0, **LOWER)
    assert p.ratio is None and p.required == 0.0 and p.category == "deterioration"


def test_moving_away_from_a_target_the_baseline_already_met_is_deterioration():
    # Baseline 80 already met the target 85 (lower is better), but 90 now misses it.
    p = sdg_progress(80, 90, 85, t_now=2022.0, **LOWER)
    assert p.ratio < 0 and p.category == "deterioration"


@pytest.mark.parametrize(("direction", "current", "category"), [
    ("higher", 100 * 1.02**4, "substantial"), ("higher", 100 * 1.0151**4, "substantial"),
    ("higher", 100 * 1.0149**4, "moderate"), ("higher", 100 * 1.0051**4, "moderate"),
    ("higher", 100 * 1.0049**4, "limited"),
    ("higher", 100 * 1.01**4, "moderate"), ("higher", 100 * 1.002**4, "limited"),
    ("higher", 100.0, "limited"), ("higher", 100 * 0.99**4, "deterioration"),
    ("lower", 100 * 0.98**4, "substantial"), ("lower", 100 * 0.99**4, "moderate"),
    ("lower", 100 * 0.997**4, "limited"), ("lower", 100 * 1.01**4, "deterioration"),
])
def test_without_target_the_growth_in_the_good_direction_is_judged(direction, current, category):
    p = sdg_progress(100, current, None, 2019.0, 2023.0, 2025.0, direction)
    assert (p.category, p.method, p.ratio, p.required) == (category, "cagr_no_target", None, None)
    assert p.observed == pytest.approx((current / 100) ** 0.25 - 1)


@pytest.mark.parametrize(("baseline", "current", "t_now"), [
    (None, 10.0, 2022.0), (10.0, None, 2022.0), (float("nan"), 10.0, 2022.0),
    (10.0, float("nan"), 2022.0), (10.0, 9.0, 2019.0), (10.0, 9.0, 2018.5),
])
def test_missing_values_or_no_elapsed_time_is_insufficient_data(baseline, current, t_now):
    p = sdg_progress(baseline, current, 8.0, 2019.0, t_now, 2025.0, "lower")
    assert p == SdgProgress(None, None, None, "insufficient_data", "none")


def test_fractional_years_are_allowed():
    # Last 12 months ending mid-2022 against the 2019 year, both centred: 2.5 years.
    p = sdg_progress(100, 90, 80, 2019.5, 2022.0, 2025.5, "lower")
    assert p.observed == pytest.approx(0.9 ** (1 / 2.5) - 1)
    assert p.required == pytest.approx(0.8 ** (1 / 6) - 1)


def test_missing_base_year_uses_the_first_later_year_with_data():
    series = [(2016.0, 30.0), (2017.0, None), (2018.0, float("nan")), (2019.0, 40.0),
              (2020.0, 42.0)]
    assert first_available(series, 2017.0) == (2019.0, 40.0)  # never the earlier 2016
    assert first_available(series, 2016.0) == (2016.0, 30.0)
    assert first_available(list(reversed(series)), 2018.0) == (2019.0, 40.0)
    assert first_available(series, 2021.0) is None
    assert first_available([], 2019.0) is None
    t, v = first_available(series, 2017.0)
    p = sdg_progress(v, 36.0, 30.0, t, 2021.0, 2025.0, "lower")
    assert p.observed == pytest.approx(0.9 ** 0.5 - 1)
