"""The noise tests behave as promised on simulated data (seeded, a few seconds):

- when nothing really changed, a count or a survey share is called significant (p < 0.05) in
  about 5 % of the series, not more;
- a real 25 % drop at 100 incidents a year is detected in at least 80 % of the series after
  three plan years against a three-year baseline.

The exact test is the one CompStat windows are flagged with (``docs/methods.md``, section 4);
the objective status has its own simulation (``tests/test_status_simulation.py``). Run with
``-s`` to see the rates. With 2,000
series a simulated rate carries a Monte Carlo error of about one percentage point (two standard
errors at 5 %); the seeds are fixed, so each run gives the same numbers. The exact test's true
false-positive rate is at most 5 % whatever the counts: the last test computes it without
simulation.
"""

from __future__ import annotations

import numpy as np
from scipy.stats import binom

from indicators.stats import kish_n_eff, poisson_rate_test, share_test

SERIES = 2_000
ALPHA = 0.05
YEARS_BASE = 3.0
YEARS_PLAN = 3.0


def test_no_true_change_is_called_significant_at_most_5_percent_of_the_time():
    rng = np.random.default_rng(20240501)
    rate = rng.uniform(5, 200, SERIES)  # incidents a year, the same before and during the plan
    base = rng.poisson(rate * YEARS_BASE)  # pooled over the three baseline years
    plan = rng.poisson(rate * YEARS_PLAN)  # pooled over the three plan years
    p = np.array([poisson_rate_test(x1, YEARS_PLAN, x0, YEARS_BASE)
                  for x1, x0 in zip(plan, base, strict=True)])
    false_positives = float(np.mean(p < ALPHA))
    print(f"false positives (counts, no change): {false_positives:.1%}")
    assert false_positives <= 0.05


def test_a_true_25_percent_drop_at_100_a_year_is_detected_in_at_least_80_percent_after_3_years():
    rng = np.random.default_rng(20240502)
    base = rng.poisson(100 * YEARS_BASE, SERIES)  # 100 a year in the three baseline years
    plan = rng.poisson(75 * YEARS_PLAN, SERIES)  # 75 a year from the first plan year on
    p = np.array([poisson_rate_test(x1, YEARS_PLAN, x0, YEARS_BASE)
                  for x1, x0 in zip(plan, base, strict=True)])
    # Detected means significant *and* in the right direction (a drop, not a rise).
    detected = float(np.mean((p < ALPHA) & (plan / YEARS_PLAN < base / YEARS_BASE)))
    print(f"power (counts, -25 % at 100 a year, 3 + 3 years): {detected:.1%}")
    assert detected >= 0.80


def test_a_survey_share_without_true_change_is_called_significant_at_most_6_percent_of_the_time():
    """Two survey waves of 1,500 weighted respondents (log-normal weights with a design effect
    of about 1.67, so Kish's effective n is about 900); the true share is 0.15 in both."""
    rng = np.random.default_rng(20240503)
    respondents, sigma = 1_500, float(np.sqrt(np.log(1_500 / 900)))

    def wave() -> tuple[np.ndarray, np.ndarray]:
        w = rng.lognormal(0.0, sigma, (SERIES, respondents))
        yes = rng.random((SERIES, respondents)) < 0.15
        share = (w * yes).sum(axis=1) / w.sum(axis=1)
        return share, kish_n_eff(w.sum(axis=1), (w * w).sum(axis=1))

    (s1, n1), (s0, n0) = wave(), wave()
    p = np.array([share_test(a, na, b, nb) for a, na, b, nb in zip(s1, n1, s0, n0, strict=True)])
    false_positives = float(np.mean(p < ALPHA))
    print(f"mean Kish effective n per wave: {np.mean(np.r_[n1, n0]):.0f}")
    print(f"false positives (survey share 0.15, no change): {false_positives:.1%}")
    assert 850 <= np.mean(n1) <= 950
    assert false_positives <= 0.06


def test_the_exact_test_never_rejects_more_than_5_percent_given_the_total_count():
    """Why the simulated false-positive rate stays near or below 5 %: given the total count n,
    the conditional test is exact, so for every n (and hence for every true rate) the chance of
    p < 0.05 without a true change is at most 5 %. Computed exactly, no simulation."""
    for e_now, e_base in ((3.0, 3.0), (1.0, 3.0), (0.75, 2.0)):
        share_now = e_now / (e_now + e_base)
        for n in (1, 4, 10, 37, 60, 150, 600):
            x = np.arange(n + 1)
            p = np.array([poisson_rate_test(int(k), e_now, n - int(k), e_base) for k in x])
            size = float(binom.pmf(x, n, share_now)[p < ALPHA].sum())
            assert size <= ALPHA, (e_now, e_base, n, size)
