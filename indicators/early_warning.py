"""Early warning per wijk: is a category rising beyond its seasonal pattern right now?

Every week, for every area of a level (wijken by default) and every category of the incident and
nuisance sources, the count of the **last four weeks** is compared with what the same four weeks
of earlier years lead one to expect. The method follows the Farrington family used by public
health surveillance (Farrington et al. 1996; Noufaily et al. 2013), adapted to crime counts:

1. **Reference values**: the four-week counts ending 52, 104, ... weeks earlier (up to
   :data:`YEARS` years), each shifted by -3 to +3 weeks (:data:`HALF_WINDOW`): 35 values with
   five years of data, fewer with less (at least :data:`MIN_YEARS`).
2. **Level**: each reference year is put on today's level with the ratio of the 52 weeks before
   today's window to the 52 weeks before that year's window, shrunk towards 1 by
   :data:`LEVEL_PRIOR` facts (a drifting trend does not raise false alarms; a small count's
   ratio does not swing the expectation). Both levels leave out the seven weeks of the same
   season a year earlier, which are references themselves: an outbreak a year ago raises
   neither the references (step 3) nor the level.
3. **Past outbreaks** do not inflate the expectation: reference values more than 2.58 standard
   deviations (at a generous dispersion of 3) above the references' median are pulled down to
   that bound before the mean and the dispersion are taken (Farrington's reweighting, in a
   simple robust form).
4. **Extra variation**: the dispersion ``phi`` of each series is estimated from its own
   reference values and shrunk towards the pooled value of its category (:data:`PHI_PRIOR_DF`
   degrees of freedom), never below 1.
5. **Threshold**: the count is an exceedance when it is at least :data:`MIN_COUNT` and its
   upper-tail probability under a negative binomial with the expectation's mean and variance
   (the dispersion plus the expectation's own uncertainty) is below :data:`ALPHA`.
6. **Alerts**: consecutive weeks of exceedance are one alert; a new alert for the same series
   needs :data:`QUIET_WEEKS` weeks without an exceedance first.

``ALPHA`` is set so that, by simulation on realistic no-change data (seasonality, drifting
levels, year-to-year variation, overdispersion), a wijk with the demo's eight categories gets at
most one false alert a year (``tests/test_early_warning.py`` prints the rate and the detection
delay; ``docs/methods.md`` section 8 records them).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import stats

#: Weeks in the window that is judged.
WINDOW = 4
#: Reference years at most, and at least.
YEARS = 5
MIN_YEARS = 2
#: Reference windows shifted by up to this many weeks either side.
HALF_WINDOW = 3
#: Weeks in a year (52 x 7 days: the same weekdays a year earlier).
YEAR = 52
#: Facts of pseudo-count that shrink a level ratio towards 1.
LEVEL_PRIOR = 20.0
#: Degrees of freedom of the pooled dispersion in a series' shrunk dispersion.
PHI_PRIOR_DF = 20.0
#: Upper-tail probability that makes a four-week count an exceedance.
ALPHA = 0.0003
#: The fewest facts in four weeks that can raise an alert (Farrington's rule).
MIN_COUNT = 5
#: Weeks without an exceedance before the same series can raise a new alert.
QUIET_WEEKS = WINDOW
#: Reference values more than this many standard deviations (at a dispersion of CLIP_PHI)
#: above the references' median are pulled down to that bound.
OUTLIER_Z = 3.29
CLIP_PHI = 3.0


def history_weeks(evaluated: int) -> int:
    """How many weeks of counts :func:`detect` needs to judge the last ``evaluated`` weeks with
    every reference year."""
    return evaluated + YEARS * YEAR + HALF_WINDOW + WINDOW + YEAR


@dataclass(frozen=True)
class Weeks:
    """The judgement of the last weeks of every series: arrays of shape (series, weeks), the
    last column the latest week. ``expected`` is NaN where no judgement was possible."""

    count: np.ndarray
    expected: np.ndarray
    upper: np.ndarray
    p_value: np.ndarray
    exceeds: np.ndarray
    phi: np.ndarray

    def alerts(self) -> np.ndarray:
        """Where an alert opens: the first week of a run of exceedances that follows at least
        :data:`QUIET_WEEKS` weeks without one (within the judged weeks)."""
        ex = self.exceeds
        opens = np.zeros_like(ex)
        quiet = np.full(ex.shape[0], QUIET_WEEKS)
        for w in range(ex.shape[1]):
            opens[:, w] = ex[:, w] & (quiet >= QUIET_WEEKS)
            quiet = np.where(ex[:, w], 0, quiet + 1)
        return opens


class _Sums:
    """Sums of consecutive weeks of every series from cumulative sums (a sum over a week the
    source does not cover is NaN; other sums are not affected by it)."""

    def __init__(self, counts: np.ndarray):
        zero = np.zeros((counts.shape[0], 1))
        self.cs = np.cumsum(np.concatenate([zero, np.nan_to_num(counts, nan=0.0)], axis=1),
                            axis=1)
        self.gaps = np.cumsum(np.concatenate([zero, np.isnan(counts)], axis=1), axis=1)

    def ending(self, last: np.ndarray | int, length: int) -> np.ndarray:
        """The sums of the ``length`` weeks ending at week(s) ``last`` (inclusive)."""
        last = np.asarray(last)
        hi, lo = last + 1, last + 1 - length
        total = self.cs[:, hi] - self.cs[:, lo]
        return np.where(self.gaps[:, hi] - self.gaps[:, lo] > 0, np.nan, total)

    def level(self, last: np.ndarray | int) -> np.ndarray:
        """The level of the 52 weeks ending at week(s) ``last``, the week before a window:
        without their first seven, the same season a year before the window (those weeks are
        the nearest references themselves, and an outbreak there must not raise the level),
        scaled back to 52 weeks."""
        last = np.asarray(last)
        season = WINDOW + HALF_WINDOW
        kept = self.ending(last, YEAR) - self.ending(last - YEAR + season, season)
        return kept * YEAR / (YEAR - season)


def detect(counts: np.ndarray, evaluated: int, alpha: float = ALPHA,
           groups: np.ndarray | None = None) -> Weeks:
    """Judge the last ``evaluated`` weeks of every series.

    ``counts`` is (series, weeks), oldest week first, NaN for weeks the source does not cover
    (never a zero). Each judged week uses only the weeks up to it. ``groups`` numbers each
    series' category: the dispersion is pooled within a group (one group when not given).
    ``upper`` (the threshold) is computed for the series with an exceedance only.
    """
    counts = np.asarray(counts, dtype=float)
    n_series, n_weeks = counts.shape
    groups = np.zeros(n_series, dtype=int) if groups is None else np.asarray(groups)
    sums = _Sums(counts)
    shape = (n_series, evaluated)
    out = {k: np.full(shape, np.nan) for k in ("count", "expected", "mean_var", "p", "phi")}
    for col in range(evaluated):
        t = n_weeks - evaluated + col
        if t - WINDOW < 0:
            continue
        now = sums.ending(t, WINDOW)
        level_now = sums.level(t - WINDOW)
        ends = [t - j * YEAR + d for j in range(1, YEARS + 1)
                for d in range(-HALF_WINDOW, HALF_WINDOW + 1)
                if t - j * YEAR + d - WINDOW - YEAR + 1 >= 0]
        if len(ends) < MIN_YEARS * (2 * HALF_WINDOW + 1):
            continue
        ends_a = np.array(ends)
        r = sums.ending(ends_a, WINDOW) * ((level_now[:, None] + LEVEL_PRIOR)
                                           / (sums.level(ends_a - WINDOW) + LEVEL_PRIOR))
        ok = ~np.isnan(r).any(axis=1) & ~np.isnan(now)
        # past outbreaks: values far above the references' median are pulled down to a bound
        # (a generous dispersion of CLIP_PHI) before the mean and the dispersion are taken
        med = np.where(ok, np.median(r, axis=1), np.nan)
        bound = med + OUTLIER_Z * np.sqrt(CLIP_PHI * np.maximum(med, 0.5))
        kept = r <= bound[:, None]
        r = np.minimum(r, bound[:, None])
        mu = np.where(ok, r.mean(axis=1), np.nan)
        # the mean of the squared Pearson residuals of the values not pulled down (overlapping
        # windows leave it unbiased but carry fewer degrees of freedom: ``df`` weighs it
        # against the value pooled over the category)
        live = ok & (mu > 0)
        x2 = np.zeros(n_series)
        x2[live] = (kept[live] * (r[live] - mu[live, None]) ** 2).sum(axis=1) / mu[live]
        k = np.maximum(kept.sum(axis=1) - 1, 1)
        size = groups.max() + 1
        pooled_by = np.maximum(1.0, np.bincount(groups[live], x2[live], size)
                               / np.maximum(np.bincount(groups[live], k[live], size), 1))
        pooled = pooled_by[groups]
        own = np.where(live, x2 / k, pooled)
        df = _effective_df(r.shape[1])
        phi = np.maximum(1.0, (df * own + PHI_PRIOR_DF * pooled) / (df + PHI_PRIOR_DF))
        years = r.shape[1] / (2 * HALF_WINDOW + 1)
        windows_eff = years * (2 * HALF_WINDOW + WINDOW) / WINDOW
        level_var = 1 / (level_now + LEVEL_PRIOR) + 1 / (years * level_now + LEVEL_PRIOR)
        var = phi * mu * (1 + 1 / windows_eff) + phi * mu ** 2 * level_var
        out["count"][:, col] = now
        out["expected"][:, col] = np.where(ok, mu, np.nan)
        out["mean_var"][:, col] = np.where(ok, var, np.nan)
        out["p"][:, col] = np.where(ok, _upper_tail(now, mu, var), np.nan)
        out["phi"][:, col] = np.where(ok, phi, np.nan)
    exceeds = (out["p"] < alpha) & (out["count"] >= MIN_COUNT)
    upper = np.full(shape, np.nan)
    hit = exceeds.any(axis=1)
    if hit.any():
        sub = hit[:, None] & ~np.isnan(out["expected"])
        upper[sub] = _quantile(out["expected"][sub], out["mean_var"][sub], 1 - alpha)
    return Weeks(out["count"], out["expected"], upper, out["p"], exceeds, out["phi"])


def _effective_df(n_refs: int) -> float:
    """Degrees of freedom of ``n_refs`` overlapping reference windows (7 shifts of 4 weeks
    cover 10 distinct weeks a year: 2.5 independent windows)."""
    years = n_refs / (2 * HALF_WINDOW + 1)
    return max(1.0, years * (2 * HALF_WINDOW + WINDOW) / WINDOW - 1)


def _nbinom(mean: np.ndarray, var: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """scipy's (n, p) of a negative binomial with ``mean`` and ``var`` (near-Poisson where
    the variance is not above the mean)."""
    mean = np.maximum(np.nan_to_num(mean, nan=0.0), 1e-9)
    var = np.maximum(np.nan_to_num(var, nan=0.0), mean * (1 + 1e-9))
    size = mean ** 2 / (var - mean)
    return size, size / (size + mean)


def _upper_tail(count: np.ndarray, mean: np.ndarray, var: np.ndarray) -> np.ndarray:
    """P(Y >= count) for a negative binomial with ``mean`` and ``var``."""
    size, prob = _nbinom(mean, var)
    return stats.nbinom.sf(np.nan_to_num(count, nan=0.0) - 1, size, prob)


def _quantile(mean: np.ndarray, var: np.ndarray, q: float) -> np.ndarray:
    """The ``q`` quantile of a negative binomial with ``mean`` and ``var``."""
    size, prob = _nbinom(mean, var)
    return stats.nbinom.ppf(q, size, prob)
