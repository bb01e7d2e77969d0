"""The early warning per wijk: a seasonal exceedance on four-week counts (the Farrington family),
judged by simulation through the function the refresh uses (its false-alarm rate on realistic
no-change data and its detection delay, printed), checked against independent computations,
and read back from the demo, where one wijk has a real outbreak."""

from __future__ import annotations

import json

import duckdb
import numpy as np
import pytest
from click.testing import CliRunner
from scipy import stats

from indicators import early_warning as ew
from indicators.alerts import alert_weeks, current_alerts
from ivm.cli import main

#: The demo's categories per wijk: 19 incident categories and 8 nuisance types.
CATEGORIES_PER_WIJK = 27


def simulate(rng: np.random.Generator, series: int, weeks: int, step: float = 1.0,
             step_weeks: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Realistic weekly counts: a level per series (median 0.6 a week, from 0.05 to 15), a
    seasonal wave of +/- 20 % with its own phase, a drift of -3 % +/- 5 % a year, a level that
    varies 10 % from year to year, and negative binomial noise (variance 1.5 x the mean);
    times ``step`` in the last ``step_weeks`` weeks. Returns the counts and each series'
    weekly level."""
    base = rng.lognormal(np.log(0.6), 1.0, series)
    t = np.arange(weeks)
    season = 1 + 0.2 * np.sin(2 * np.pi * t / 52.18 + rng.uniform(0, 2 * np.pi, (series, 1)))
    drift = np.exp(rng.normal(-0.03, 0.05, (series, 1)) * t / 52.18)
    years = t // 52
    yearly = rng.gamma(100.0, 0.01, (series, years.max() + 1))[:, years]
    mean = base[:, None] * season * drift * yearly
    if step_weeks:
        mean[:, -step_weeks:] *= step
    phi = 1.5
    return rng.poisson(rng.gamma(mean / (phi - 1), phi - 1)).astype(float), base


def test_on_no_change_data_a_wijk_gets_at_most_one_false_alert_a_year():
    rng = np.random.default_rng(2024)
    judged = 104
    counts, base = simulate(rng, 3000, ew.history_weeks(judged))
    weeks = ew.detect(counts, judged)
    per_series_year = weeks.alerts().sum() / len(counts) / (judged / 52)
    per_wijk_year = per_series_year * CATEGORIES_PER_WIJK
    small = base < 0.3
    print(f"false alerts: {per_series_year:.4f} per series and year, {per_wijk_year:.2f} per "
          f"wijk and year with {CATEGORIES_PER_WIJK} categories (3,000 series, 2 years of "
          f"weekly looks); series under 0.3 a week "
          f"{weeks.alerts()[small].sum() / small.sum() / 2:.4f}, over "
          f"{weeks.alerts()[~small].sum() / (~small).sum() / 2:.4f}")
    assert per_wijk_year <= 1.0


@pytest.mark.parametrize(("step", "weekly", "within_8", "median_at_most"), [
    (2.0, 3.0, 0.15, 8), (3.0, 3.0, 0.75, 5), (3.0, 1.0, 0.2, 8)])
def test_a_real_rise_is_found_and_how_fast(step, weekly, within_8, median_at_most):
    """1,000 series of ``weekly`` facts a week (seasonal, variance 1.5 x the mean) whose level
    is multiplied by ``step`` 26 weeks before the end: the share found within 4, 8 and 13
    weeks of the rise and the median delay."""
    rng = np.random.default_rng(7)
    judged = 26
    total = ew.history_weeks(judged)
    t = np.arange(total)
    mean = weekly * (1 + 0.2 * np.sin(2 * np.pi * t / 52.18
                                      + rng.uniform(0, 2 * np.pi, (1000, 1))))
    mean[:, -judged:] *= step
    counts = rng.poisson(rng.gamma(mean / 0.5, 0.5)).astype(float)
    found = ew.detect(counts, judged).exceeds
    first = np.where(found.any(axis=1), found.argmax(axis=1) + 1, np.inf)
    shares = {w: float(np.mean(first <= w)) for w in (4, 8, 13)}
    delay = float(np.median(first[np.isfinite(first)])) if np.isfinite(first).any() else None
    print(f"x{step:g} at {weekly:g} a week: found within 4 weeks {shares[4]:.0%}, 8 weeks "
          f"{shares[8]:.0%}, 13 weeks {shares[13]:.0%}; median delay {delay} weeks")
    assert shares[8] >= within_8
    assert delay is not None and delay <= median_at_most


def test_the_expectation_of_a_flat_series_is_its_mean_and_the_tail_is_the_negative_binomial():
    rng = np.random.default_rng(1)
    judged = 1
    counts = rng.poisson(2.0, (400, ew.history_weeks(judged))).astype(float)
    weeks = ew.detect(counts, judged)
    # a flat Poisson series of 2 a week: four weeks expect 8
    assert np.nanmean(weeks.expected) == pytest.approx(8.0, rel=0.02)
    # the tail probability, against a direct sum of the negative binomial's probabilities
    mean, var, count = 8.0, 12.0, 15
    n = mean ** 2 / (var - mean)
    direct = 1 - sum(stats.nbinom.pmf(k, n, n / (n + mean)) for k in range(count))
    assert ew._upper_tail(np.array([count]), np.array([mean]), np.array([var]))[0] == (
        pytest.approx(direct, rel=1e-9))


def test_a_week_the_source_does_not_cover_is_missing_never_zero():
    rng = np.random.default_rng(3)
    judged = 4
    counts = rng.poisson(3.0, (50, ew.history_weeks(judged))).astype(float)
    counts[:, -2] = np.nan  # the deliveries miss a week
    weeks = ew.detect(counts, judged)
    # the windows that hold the missing week are not judged; nothing raises an alert
    assert np.isnan(weeks.expected[:, -2:]).all()
    assert not weeks.exceeds[:, -2:].any()


def test_a_past_outbreak_does_not_hide_a_new_one():
    rng = np.random.default_rng(5)
    judged = 1
    counts = rng.poisson(2.0, (300, ew.history_weeks(judged))).astype(float)
    last_year = counts.shape[1] - 1 - ew.YEAR
    hit = slice(0, 30)  # one series in ten had an outbreak in the same weeks last year
    counts[hit, last_year - 3:last_year + 1] += 12
    counts[:, -4:] += 6  # now every series has one: 8 + 24 = 32 against 8 usual
    weeks = ew.detect(counts, judged)
    print(f"expected after a past outbreak {np.median(weeks.expected[hit, -1]):.1f}, "
          f"without {np.median(weeks.expected[30:, -1]):.1f}; found "
          f"{weeks.exceeds[hit, -1].mean():.0%} and {weeks.exceeds[30:, -1].mean():.0%}")
    assert np.median(weeks.expected[hit, -1]) < 1.5 * np.median(weeks.expected[30:, -1])
    assert weeks.exceeds[hit, -1].mean() > 0.5


def test_the_demo_outbreak_raises_an_alert_and_nothing_else_does(demo_city):
    con = duckdb.connect(str(demo_city[0].path), read_only=True)
    try:
        alerts = current_alerts(con)
        ours = [a for a in alerts if a["category"] == "theft_from_vehicle"]
        assert len(ours) == 1 and ours[0]["area_level"] == "wijk" and ours[0]["running"]
        assert ours[0]["count"] >= ours[0]["upper"] > ours[0]["expected"]
        weeks = alert_weeks(con, ours[0]["area_id"], "incidents", "theft_from_vehicle")
        assert len(weeks) == 13 and weeks[-1]["week_end"] == ours[0]["latest_week"]
        assert sum(w["opens"] for w in weeks) == 1
        # 16 wijken x 27 categories over 13 weeks: false alerts would be rare
        assert len(alerts) <= 3
    finally:
        con.close()


def test_ivm_alerts_lists_them(demo_city):
    db = str(demo_city[0].path)
    out = CliRunner().invoke(main, ["alerts", "--db", db])
    assert out.exit_code == 0, out.output
    assert "Diefstal uit of aan voertuig" in out.output
    rows = json.loads(CliRunner().invoke(main, ["alerts", "--db", db, "--format",
                                                "json"]).output)
    assert any(r["category"] == "theft_from_vehicle" and r["running"] for r in rows)
    english = CliRunner().invoke(main, ["alerts", "--db", db, "--lang", "en"]).output
    assert "Theft from a vehicle" in english and "Diefstal" not in english
