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


def _by_week(counts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Every week's four-week sum and level (arrays of weeks x series, float32: counts are
    whole numbers far below 2^24), NaN where a sum would hold a week the source does not
    cover or reach before the first week. Weeks run along the first axis, so the rows a
    judgement gathers are contiguous."""
    weeks_first = np.ascontiguousarray(counts.T)
    n_weeks, n_series = weeks_first.shape
    cs = np.zeros((n_weeks + 1, n_series))
    np.cumsum(np.nan_to_num(weeks_first, nan=0.0), axis=0, out=cs[1:])
    missing = np.isnan(weeks_first)
    gaps = None
    if missing.any():  # weeks the deliveries do not cover: no sum may hold one
        gaps = np.zeros((n_weeks + 1, n_series), dtype=np.int32)
        np.cumsum(missing, axis=0, out=gaps[1:])

    def ending(length: int) -> np.ndarray:
        out = np.full((n_weeks, n_series), np.nan, dtype=np.float32)
        if length <= n_weeks:
            out[length - 1:] = cs[length:] - cs[:-length]
            if gaps is not None:
                out[length - 1:][gaps[length:] - gaps[:-length] > 0] = np.nan
        return out

    window = ending(WINDOW)
    # the level of the 52 weeks ending at a week (the week before a window), without their
    # first seven: the same season a year before the window (those weeks are the nearest
    # references themselves, and an outbreak there must not raise the level); scaled to 52
    season = WINDOW + HALF_WINDOW
    year, part = ending(YEAR), ending(season)
    level = np.full((n_weeks, n_series), np.nan, dtype=np.float32)
    if n_weeks >= YEAR:
        level[YEAR - 1:] = ((year[YEAR - 1:] - part[season - 1:n_weeks - YEAR + season])
                            * (YEAR / (YEAR - season)))
    return window, level


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
    window, level = _by_week(counts)
    shape = (n_series, evaluated)
    out = {k: np.full(shape, np.nan) for k in ("count", "expected", "mean_var", "p", "phi")}
    size = int(groups.max()) + 1 if n_series else 1
    for col in range(evaluated):
        t = n_weeks - evaluated + col
        if t - WINDOW < 0:
            continue
        ends = [t - j * YEAR + d for j in range(1, YEARS + 1)
                for d in range(-HALF_WINDOW, HALF_WINDOW + 1)
                if t - j * YEAR + d - WINDOW - YEAR + 1 >= 0]
        if len(ends) < MIN_YEARS * (2 * HALF_WINDOW + 1):
            continue
        ends_a = np.array(ends)
        now = window[t].astype(float)
        level_now = level[t - WINDOW].astype(float)
        # references x series: each reference year on today's level
        r = window[ends_a] * ((level_now + LEVEL_PRIOR)
                              / (level[ends_a - WINDOW].astype(float) + LEVEL_PRIOR))
        ok = ~np.isnan(r).any(axis=0) & ~np.isnan(now)
        # past outbreaks: values far above the references' median are pulled down to a bound
        # (a generous dispersion of CLIP_PHI) before the mean and the dispersion are taken
        med = np.where(ok, np.median(r, axis=0), np.nan)
        bound = med + OUTLIER_Z * np.sqrt(CLIP_PHI * np.maximum(med, 0.5))
        kept = r <= bound
        r = np.minimum(r, bound)
        mu = np.where(ok, r.mean(axis=0), np.nan)
        # the mean of the squared Pearson residuals of the values not pulled down (overlapping
        # windows leave it unbiased but carry fewer degrees of freedom: ``df`` weighs it
        # against the value pooled over the category)
        live = ok & (mu > 0)
        x2 = np.zeros(n_series)
        x2[live] = (kept[:, live] * (r[:, live] - mu[live]) ** 2).sum(axis=0) / mu[live]
        k = np.maximum(kept.sum(axis=0) - 1, 1)
        pooled_by = np.maximum(1.0, np.bincount(groups[live], x2[live], size)
                               / np.maximum(np.bincount(groups[live], k[live], size), 1))
        pooled = pooled_by[groups]
        own = np.where(live, x2 / k, pooled)
        df = _effective_df(len(ends))
        phi = np.maximum(1.0, (df * own + PHI_PRIOR_DF * pooled) / (df + PHI_PRIOR_DF))
        years = len(ends) / (2 * HALF_WINDOW + 1)
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
