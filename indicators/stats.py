"""Statistics for the monitor: intervals, noise tests, progress towards a target, trends.

Pure functions on numbers and numpy arrays (numpy and scipy only). ``docs/methods.md`` explains
each method for a policy reader and gives the references.

Conventions:

- Functions marked *vectorised* accept scalars or numpy arrays (broadcast together) and return
  numpy values: an array for array input, a numpy float64 scalar (a subclass of ``float``) for
  scalar input. Invalid inputs give NaN rather than an exception, so one bad cell does not stop
  a whole table.
- Test functions (``*_test``) take one comparison and return a plain ``float`` p-value.
- ``level`` is a confidence level such as 0.95; ``alpha = 1 - level``.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
from numpy.typing import ArrayLike
from scipy import special, stats

__all__ = [
    "SdgProgress",
    "annual_growth",
    "compstat_z",
    "first_available",
    "kish_n_eff",
    "mean_ci",
    "mean_test",
    "norm_quantile",
    "poisson_ci",
    "poisson_rate_test",
    "quantile_ci_ranks",
    "sdg_progress",
    "share_test",
    "t_quantile",
    "weighted_sd",
    "wilson_ci",
]

#: A numpy array, or a numpy float64 scalar when every input was a scalar.
Floats = np.ndarray | np.float64

#: Open SDG thresholds on the ratio of observed to required growth (target given).
RATIO_SUBSTANTIAL = 0.95
RATIO_MODERATE = 0.6
#: Open SDG thresholds on the observed annual growth in the good direction (no target).
GROWTH_SUBSTANTIAL = 0.015
GROWTH_MODERATE = 0.005

# scipy.stats.binomtest treats probabilities within this relative tolerance as equal when it
# collects the outcomes "at most as likely as the observed one" (the minlike two-sided p-value).
_MINLIKE_RERR = 1 + 1e-7


def _out(x: np.ndarray) -> Floats:
    """A 0-d result as a numpy float64 scalar, anything else as a float array."""
    x = np.asarray(x, dtype=float)
    return x[()] if x.ndim == 0 else x


def _level_alpha(level: float) -> float:
    if not 0 < level < 1:
        raise ValueError(f"level must lie strictly between 0 and 1, got {level}")
    return 1.0 - level


def _is_missing(x: float | None) -> bool:
    return x is None or (isinstance(x, float | int | np.floating | np.integer) and math.isnan(x))


# --------------------------------------------------------------------------------------------
# Counts and rates (Poisson)
# --------------------------------------------------------------------------------------------


def poisson_ci(
    count: ArrayLike, exposure: ArrayLike = 1.0, level: float = 0.95
) -> tuple[Floats, Floats]:
    """Exact (Garwood 1936) confidence interval for a Poisson rate ``count / exposure``.

    ``low = chi2.ppf(alpha/2, 2k) / 2 / exposure`` (0 when ``k == 0``) and
    ``high = chi2.ppf(1 - alpha/2, 2k + 2) / 2 / exposure``. Vectorised; NaN where the count is
    negative or missing or the exposure is not positive. The interval is conservative: it covers
    the true rate at least ``level`` of the time.
    """
    alpha = _level_alpha(level)
    k, e = np.broadcast_arrays(np.asarray(count, dtype=float), np.asarray(exposure, dtype=float))
    bad = ~(k >= 0) | ~(e > 0)
    with np.errstate(invalid="ignore", divide="ignore"):
        low = np.where(k > 0, stats.chi2.ppf(alpha / 2, 2 * np.where(k > 0, k, 1)) / 2, 0.0)
        high = stats.chi2.ppf(1 - alpha / 2, 2 * np.where(bad, 0, k) + 2) / 2
        low, high = low / e, high / e
    return _out(np.where(bad, np.nan, low)), _out(np.where(bad, np.nan, high))


def _as_count(x: float, name: str) -> int:
    if _is_missing(x) or not math.isfinite(x) or x < 0 or float(x) != int(x):
        raise ValueError(f"{name} must be a non-negative whole number, got {x!r}")
    return int(x)


def _binom_pmf(k: ArrayLike, n: int, p: float) -> np.ndarray:
    """Binomial probabilities of ``k`` successes in ``n`` trials, from log-gamma functions
    (scipy's ufuncs: a fraction of ``scipy.stats.binom.pmf``'s per-call cost, which an area's
    profile pays for every indicator; relative error about 1e-12, far inside the 1e-7 that
    decides ties below)."""
    k = np.asarray(k, dtype=float)
    log = (special.gammaln(n + 1) - special.gammaln(k + 1) - special.gammaln(n - k + 1)
           + special.xlogy(k, p) + special.xlog1py(n - k, -p))
    return np.exp(log)


def _binom_cdf(k: int, n: int, p: float) -> float:
    """P(X <= k) for X ~ Binomial(n, p): 0 below 0, 1 from n on."""
    if k < 0:
        return 0.0
    return 1.0 if k >= n else float(special.bdtr(k, n, p))


def _binom_sf(k: int, n: int, p: float) -> float:
    """P(X > k) for X ~ Binomial(n, p): 1 below 0, 0 from n on."""
    if k < 0:
        return 1.0
    return 0.0 if k >= n else float(special.bdtrc(k, n, p))


def _binom_two_sided_minlike(k: int, n: int, p: float) -> float:
    """Two-sided p-value of ``k`` successes in ``n`` trials with success probability ``p``:
    the probability of every outcome at most as likely as ``k`` (as scipy.stats.binomtest)."""
    if k == p * n:
        return 1.0
    d = float(_binom_pmf(k, n, p)) * _MINLIKE_RERR
    if k < p * n:
        # The other tail: outcomes above the mode that are at most as likely as k.
        other = np.arange(math.ceil(p * n), n + 1)
        y = int(np.count_nonzero(_binom_pmf(other, n, p) <= d))
        pval = _binom_cdf(k, n, p) + _binom_sf(n - y, n, p)
    else:
        other = np.arange(0, math.floor(p * n) + 1)
        y = int(np.count_nonzero(_binom_pmf(other, n, p) <= d))
        pval = _binom_cdf(y - 1, n, p) + _binom_sf(k - 1, n, p)
    return float(min(1.0, pval))


def poisson_rate_test(
    count_now: float, exposure_now: float, count_base: float, exposure_base: float
) -> float:
    """Two-sided p-value of "the rate now equals the baseline rate" for two Poisson counts.

    The exact conditional test (Przyborowski & Wilenski 1940): given the total
    ``n = count_now + count_base``, ``count_now`` follows Binomial(n, e_now / (e_now + e_base))
    under the null hypothesis. The two-sided p-value sums the probabilities of all outcomes at
    most as likely as the observed one ("minlike", as ``scipy.stats.binomtest``). Exposures are
    in any common unit (years, person-years). Returns 1.0 when both counts are 0.

    Raises ValueError for negative or fractional counts or non-positive exposures.
    """
    x1 = _as_count(count_now, "count_now")
    x2 = _as_count(count_base, "count_base")
    e1, e2 = float(exposure_now), float(exposure_base)
    if not (e1 > 0 and e2 > 0) or math.isinf(e1) or math.isinf(e2):
        raise ValueError(f"exposures must be positive and finite, got {e1!r} and {e2!r}")
    n = x1 + x2
    if n == 0:
        return 1.0
    return _binom_two_sided_minlike(x1, n, e1 / (e1 + e2))


def compstat_z(x_now: ArrayLike, x_before: ArrayLike) -> Floats:
    """CompStat z-score of two counts: ``2 * (sqrt(x_now) - sqrt(x_before))``.

    The square root stabilises the variance of a Poisson count (Anscombe 1948), so the difference
    is roughly standard normal when nothing changed; ``|z| >= 2`` is notable. Vectorised; NaN for
    negative counts.
    """
    a = np.asarray(x_now, dtype=float)
    b = np.asarray(x_before, dtype=float)
    with np.errstate(invalid="ignore"):
        return _out(2.0 * (np.sqrt(a) - np.sqrt(b)))


# --------------------------------------------------------------------------------------------
# Survey shares and means
# --------------------------------------------------------------------------------------------


def kish_n_eff(sum_w: ArrayLike, sum_w2: ArrayLike) -> Floats:
    """Kish (1965) effective sample size ``(sum w)^2 / sum w^2`` of a weighted sample.

    Equal weights give the plain n; unequal weights give less. Vectorised; 0 where
    ``sum_w2 == 0`` (no respondents).
    """
    sw, sw2 = np.broadcast_arrays(np.asarray(sum_w, dtype=float), np.asarray(sum_w2, dtype=float))
    with np.errstate(invalid="ignore", divide="ignore"):
        n = np.where(sw2 == 0, 0.0, sw * sw / np.where(sw2 == 0, 1.0, sw2))
    return _out(n)


def wilson_ci(share: ArrayLike, n: ArrayLike, level: float = 0.95) -> tuple[Floats, Floats]:
    """Wilson (1927) score interval for a proportion ``share`` observed on ``n`` respondents.

    ``n`` may be a non-integer effective sample size (Kish). With ``z`` the normal quantile:
    centre ``(p + z^2/2n) / (1 + z^2/n)``, half-width
    ``z * sqrt(p(1-p)/n + z^2/4n^2) / (1 + z^2/n)``, clipped to [0, 1]. Vectorised; NaN where
    ``n <= 0`` or the share lies outside [0, 1].
    """
    z = norm_quantile(level)  # checks the level
    p, nn = np.broadcast_arrays(np.asarray(share, dtype=float), np.asarray(n, dtype=float))
    bad = ~(nn > 0) | ~((p >= 0) & (p <= 1))
    z2 = z * z
    with np.errstate(invalid="ignore", divide="ignore"):
        denom = 1 + z2 / nn
        centre = (p + z2 / (2 * nn)) / denom
        half = z * np.sqrt(p * (1 - p) / nn + z2 / (4 * nn * nn)) / denom
    low = np.clip(centre - half, 0, 1)
    high = np.clip(centre + half, 0, 1)
    return _out(np.where(bad, np.nan, low)), _out(np.where(bad, np.nan, high))


def share_test(share_now: float, n_now: float, share_base: float, n_base: float) -> float:
    """Two-sided p-value of "the share now equals the baseline share" (pooled z-test).

    ``z = (p1 - p2) / sqrt(p(1-p) (1/n1 + 1/n2))`` with the pooled share
    ``p = (p1 n1 + p2 n2) / (n1 + n2)``; ``n`` may be a Kish effective sample size. Returns 1.0
    when the pooled variance is 0 (both shares 0, or both 1) and NaN when an n is not positive or
    a value is missing.
    """
    p1, n1, p2, n2 = (float(v) if v is not None else math.nan
                      for v in (share_now, n_now, share_base, n_base))
    if not (n1 > 0 and n2 > 0) or math.isnan(p1) or math.isnan(p2):
        return math.nan
    pooled = (p1 * n1 + p2 * n2) / (n1 + n2)
    var = pooled * (1 - pooled) * (1 / n1 + 1 / n2)
    if var <= 0:
        return 1.0
    z = (p1 - p2) / math.sqrt(var)
    return float(2 * stats.norm.sf(abs(z)))


def mean_ci(
    mean: ArrayLike, sd: ArrayLike, n: ArrayLike, level: float = 0.95
) -> tuple[Floats, Floats]:
    """Student t interval for a mean: ``mean -/+ t(1 - alpha/2, n - 1) * sd / sqrt(n)``.

    ``n`` may be a Kish effective sample size (then ``df = n_eff - 1``, not necessarily whole).
    Vectorised; NaN where ``n <= 1`` or a value is missing.
    """
    m, s, nn = np.broadcast_arrays(np.asarray(mean, dtype=float), np.asarray(sd, dtype=float),
                                   np.asarray(n, dtype=float))
    bad = ~(nn > 1) | ~(s >= 0)
    half = t_quantile(nn, level) * np.where(bad, 0.0, s) / np.sqrt(np.where(bad, 1, nn))
    return _out(np.where(bad, np.nan, m - half)), _out(np.where(bad, np.nan, m + half))


def t_quantile(n: ArrayLike, level: float = 0.95) -> Floats:
    """The Student t quantile ``t(1 - alpha/2, n - 1)`` of :func:`mean_ci` (``mean -/+ t * sd /
    sqrt(n)``). Vectorised; NaN where ``n <= 1``."""
    alpha = _level_alpha(level)
    nn = np.asarray(n, dtype=float)
    bad = ~(nn > 1)
    t = stats.t.ppf(1 - alpha / 2, np.where(bad, 2.0, nn - 1))
    return _out(np.where(bad, np.nan, t))


def quantile_ci_ranks(n: ArrayLike, q: float = 0.5, level: float = 0.95
                      ) -> tuple[np.ndarray, np.ndarray]:
    """Distribution-free interval of the ``q`` quantile from ``n`` sorted values: the 0-based
    positions ``(low, high)`` of the order statistics that bound it (Conover 1999, section
    3.2; as ``scipy.stats.quantile_test(...).confidence_interval``): ``low = F^-1(alpha/2) - 1``
    and ``high = F^-1(1 - alpha/2)`` for ``F`` the Binomial(n, q) distribution. It covers the
    true quantile at least ``level`` of the time for any continuous distribution. -1 (low) or
    ``n`` (high) where ``n`` is too small for that side."""
    alpha = _level_alpha(level)
    nn = np.atleast_1d(np.asarray(n, dtype=float))
    low = stats.binom.ppf(alpha / 2, nn, q) - 1
    high = stats.binom.isf(alpha / 2, nn, q)
    low = np.where(np.isfinite(low), low, -1).astype(int)
    high = np.where(np.isfinite(high), high, nn).astype(int)
    return low, high


def norm_quantile(level: float = 0.95) -> float:
    """The normal quantile ``z`` of :func:`wilson_ci` (``z = Phi^-1(1 - alpha/2)``)."""
    return float(stats.norm.isf(_level_alpha(level) / 2))


def mean_test(
    mean_now: float, sd_now: float, n_now: float, mean_base: float, sd_base: float, n_base: float
) -> float:
    """Two-sided p-value of "the mean now equals the baseline mean" (Welch's t-test).

    ``t = (m1 - m2) / sqrt(s1^2/n1 + s2^2/n2)`` with Welch-Satterthwaite degrees of freedom;
    ``n`` may be a Kish effective sample size. Returns NaN when an n is at most 1 or a value is
    missing. When both standard errors are 0 the test is degenerate: 1.0 if the means are equal,
    else 0.0.
    """
    m1, s1, n1, m2, s2, n2 = (float(v) if v is not None else math.nan
                              for v in (mean_now, sd_now, n_now, mean_base, sd_base, n_base))
    if not (n1 > 1 and n2 > 1) or any(math.isnan(v) for v in (m1, s1, m2, s2)):
        return math.nan
    v1, v2 = s1 * s1 / n1, s2 * s2 / n2
    se2 = v1 + v2
    if se2 <= 0:
        return 1.0 if m1 == m2 else 0.0
    t = (m1 - m2) / math.sqrt(se2)
    df = se2 * se2 / (v1 * v1 / (n1 - 1) + v2 * v2 / (n2 - 1))
    return float(2 * stats.t.sf(abs(t), df))


def weighted_sd(sum_w: ArrayLike, sum_wx: ArrayLike, sum_wx2: ArrayLike,
                n_eff: ArrayLike | None = None) -> Floats:
    """Weighted standard deviation from the sums ``sum w``, ``sum w x`` and ``sum w x^2``.

    Without ``n_eff``, the population form ``sqrt(sum w x^2 / sum w - mean^2)`` with
    ``mean = sum w x / sum w``; with it, the sample form for reliability weights, the
    population variance times ``n_eff / (n_eff - 1)`` (with equal weights ``n_eff = n``: the
    usual divisor ``n - 1``), NaN where ``n_eff <= 1``. The variance is clipped at 0 against
    rounding. Vectorised; NaN where ``sum_w <= 0``.
    """
    sw, swx, swx2 = np.broadcast_arrays(np.asarray(sum_w, dtype=float),
                                        np.asarray(sum_wx, dtype=float),
                                        np.asarray(sum_wx2, dtype=float))
    ok = sw > 0
    safe = np.where(ok, sw, 1.0)
    mean = swx / safe
    var = np.clip(swx2 / safe - mean * mean, 0.0, None)
    if n_eff is not None:
        ne = np.broadcast_to(np.asarray(n_eff, dtype=float), var.shape)
        ok = ok & (ne > 1)
        var = var * ne / np.where(ne > 1, ne - 1, 1.0)
    return _out(np.where(ok, np.sqrt(var), np.nan))


# --------------------------------------------------------------------------------------------
# Progress towards a target (Open SDG / Statistics Canada)
# --------------------------------------------------------------------------------------------


def annual_growth(baseline: float, current: float, years: float) -> float | None:
    """Compound annual growth rate ``(current / baseline) ** (1 / years) - 1``.

    None when ``years <= 0``, ``baseline <= 0``, ``current < 0`` or a value is missing (the
    caller then uses linear growth instead).
    """
    if any(_is_missing(v) for v in (baseline, current, years)):
        return None
    if years <= 0 or baseline <= 0 or current < 0:
        return None
    return float((current / baseline) ** (1.0 / years) - 1.0)


@dataclass(frozen=True)
class SdgProgress:
    """The Open SDG progress measure of one series.

    ``ratio`` is the observed over the required growth, signed so that positive means movement
    in the good direction (None without a target or when it cannot be computed); ``observed``
    and ``required`` are growth per year (relative for the CAGR methods, in the indicator's unit
    for ``linear``); ``category`` is one of ``target_achieved``, ``substantial``, ``moderate``,
    ``limited``, ``deterioration``, ``insufficient_data``; ``method`` is ``cagr``, ``linear``,
    ``cagr_no_target`` or ``none``.
    """

    ratio: float | None
    observed: float | None
    required: float | None
    category: str
    method: str


def _ratio_category(ratio: float) -> str:
    if ratio >= RATIO_SUBSTANTIAL:
        return "substantial"
    if ratio >= RATIO_MODERATE:
        return "moderate"
    if ratio >= 0:
        return "limited"
    return "deterioration"


def _growth_category(good_growth: float) -> str:
    if good_growth >= GROWTH_SUBSTANTIAL:
        return "substantial"
    if good_growth >= GROWTH_MODERATE:
        return "moderate"
    if good_growth >= 0:
        return "limited"
    return "deterioration"


def sdg_progress(
    baseline: float | None,
    current: float | None,
    target: float | None,
    t_base: float,
    t_now: float,
    t_deadline: float,
    direction: Literal["lower", "higher"],
) -> SdgProgress:
    """Progress from ``baseline`` (at ``t_base``) to ``current`` (at ``t_now``) towards
    ``target`` (due at ``t_deadline``), as the Open SDG / Statistics Canada progress measure.

    Times are in years (floats). ``direction`` says which way is better.

    With a target:

    - the current value meets the target (``<=`` for "lower", ``>=`` for "higher"):
      ``target_achieved`` (observed, required and ratio are still filled in when computable);
    - otherwise ``observed`` is the compound annual growth from baseline to current and
      ``required`` the compound annual growth from baseline to target by the deadline (method
      ``cagr``). When either cannot be computed (baseline <= 0, target <= 0, current < 0) both
      are linear growth per year instead (method ``linear``);
    - ``ratio = d * observed / |required|`` with ``d = +1`` for "higher" and ``-1`` for "lower"
      (as sdg-build's ``ProgressMeasure``). When the target lies in the good direction from the
      baseline this equals ``observed / required``; when the baseline already met the target
      it still makes movement in the wrong direction negative;
    - ``ratio >= 0.95`` substantial, ``>= 0.6`` moderate, ``>= 0`` limited, else deterioration;
    - ``required == 0`` (target equal to the baseline) and not achieved: ratio None and
      ``deterioration``, since the current value must then have moved away from the target.

    Without a target (method ``cagr_no_target``): the observed compound annual growth, negated
    for "lower", against 1.5 % (substantial), 0.5 % (moderate) and 0 (limited); a baseline
    <= 0 or a negative current value gives ``insufficient_data``.

    ``insufficient_data`` (method ``none``) also when the baseline or current value is missing
    (None or NaN) or ``t_now <= t_base``, or when a target is given with a missing deadline or
    ``t_deadline <= t_base`` and not yet met.
    """
    if direction not in ("lower", "higher"):
        raise ValueError(f"direction must be 'lower' or 'higher', got {direction!r}")
    none = SdgProgress(None, None, None, "insufficient_data", "none")
    if _is_missing(baseline) or _is_missing(current) or _is_missing(t_base) or _is_missing(t_now):
        return none
    if t_now <= t_base:
        return none
    b, c = float(baseline), float(current)
    d = 1.0 if direction == "higher" else -1.0
    span_now = float(t_now) - float(t_base)

    if _is_missing(target):
        g = annual_growth(b, c, span_now)
        if g is None:
            return SdgProgress(None, None, None, "insufficient_data", "cagr_no_target")
        return SdgProgress(None, g, None, _growth_category(d * g), "cagr_no_target")

    tg = float(target)
    achieved = c <= tg if direction == "lower" else c >= tg
    span_target = math.nan if _is_missing(t_deadline) else float(t_deadline) - float(t_base)
    if not span_target > 0:
        if achieved:
            return SdgProgress(None, None, None, "target_achieved", "none")
        return none

    observed = annual_growth(b, c, span_now)
    required = annual_growth(b, tg, span_target) if tg > 0 else None
    method = "cagr"
    if observed is None or required is None:
        observed = (c - b) / span_now
        required = (tg - b) / span_target
        method = "linear"
    ratio = d * observed / abs(required) if required != 0 else None
    if achieved:
        category = "target_achieved"
    elif ratio is None:
        category = "deterioration"
    else:
        category = _ratio_category(ratio)
    return SdgProgress(ratio, observed, required, category, method)


def first_available(
    periods_values: Sequence[tuple[float, float | None]], base: float
) -> tuple[float, float] | None:
    """The base period to use: ``(t, value)`` of ``base`` when it has a value, else of the first
    later period that has one (Open SDG's rule for a missing base year), else None.

    Values that are None or NaN count as missing; periods before ``base`` are never used. The
    input need not be sorted.
    """
    later = sorted((t, v) for t, v in periods_values if t >= base and not _is_missing(v))
    if not later:
        return None
    t, v = later[0]
    return t, float(v)
