"""Is the change since the baseline real? The comparison that decides a claim, and its test.

Two kinds of comparison (``docs/methods.md``, section 3):

- **Counts and rates**: the *recent level*, the rate over the last :data:`WINDOW_MONTHS`
  complete months (or every month since the baseline period ended, when the plan is younger),
  each month's exposure carrying the city's seasonal factor, against the baseline rate. The
  test is the score test for two Poisson rates (statsmodels' ``test_poisson_2indep(method=
  "score")``, which it equals without extra variation) with the variance multiplied by the
  dispersion ``phi``. With a comparison area (a project against the rest of the city) the two
  rate ratios are compared: a ratio of rate ratios with both noises.
- **Shares, means and medians**: the current value (the latest wave of the survey, the last 12
  months of facts) against the baseline, on the logit (shares) or log (means, medians) scale,
  with the sampling variances (Kish effective n, the t standard error, the order-statistic
  interval of a median) times the extra variation of the monthly values.

Repeated looks: results are recomputed after every load, and an early look rests on few months.
A claim therefore needs ``|z|`` above :func:`threshold`: the normal (or t, with the dispersion's
degrees of freedom) quantile of :data:`ALPHA` two-sided, raised by ``sqrt(24 / months)`` in the
plan's first two years, a boundary of the O'Brien-Fleming type (O'Brien & Fleming 1979). The
level was set by simulating monthly looks over three plan years (``tests/test_status_simulation
.py``): without a true change, at most 10 % of objectives ever show a claim.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from functools import lru_cache

import numpy as np
from scipy import stats as sp

__all__ = ["ALPHA", "WINDOW_MONTHS", "Evidence", "RecentCounts", "count_evidence",
           "gaussian_evidence", "threshold"]

#: Two-sided level of a claim once the plan has run two years (before that, stricter).
ALPHA = 0.085
#: Months of the recent level (two years: a real change shows, one odd year does not).
WINDOW_MONTHS = 24
#: Months of the plan during which the boundary is raised (``sqrt(FULL_MONTHS / months)``).
FULL_MONTHS = 24


@lru_cache(maxsize=4096)
def threshold(months: float, df: int | None = None) -> float:
    """The ``|z|`` a claim needs after ``months`` months of the plan: the two-sided
    :data:`ALPHA` quantile of the normal distribution (or of Student's t with ``df`` degrees of
    freedom, when the noise was estimated), times ``sqrt(max(1, 24 / months))``."""
    q = 1 - ALPHA / 2
    base = float(sp.t.ppf(q, df)) if df else float(sp.norm.ppf(q))
    return base * math.sqrt(max(1.0, FULL_MONTHS / max(months, 1e-9)))


@dataclass(frozen=True)
class Evidence:
    """One comparison and its test: what the status sentence reports.

    ``change`` is the relative change of the compared level against the baseline (``-0.25``:
    25 % lower); with a comparison area it is the change relative to the comparison's
    (``(1 + change_area) / (1 + change_comparison) - 1``) and ``comparison_change`` holds the
    comparison's own change. ``z`` is positive for a rise; ``p_value`` is two-sided;
    ``threshold`` is the ``|z|`` a claim needs now.
    """

    comparison: str  # recent_level | current_value
    test: str  # quasi_poisson_score | ratio_of_rate_ratios | logit_z | log_z
    now_period: str
    base_period: str
    now_value: float | None
    base_value: float | None
    change: float | None
    z: float | None
    p_value: float | None
    threshold: float
    months: int
    df: int | None = None
    counts: dict | None = None
    comparison_change: float | None = None

    @property
    def direction(self) -> int:
        """+1 for a significant rise, -1 for a significant fall, 0 when not significant."""
        if self.z is None or not math.isfinite(self.z) or abs(self.z) < self.threshold:
            return 0
        return 1 if self.z > 0 else -1

    def as_dict(self) -> dict:
        """The fields as a plain mapping (for the status record)."""
        return asdict(self)


@dataclass(frozen=True)
class RecentCounts:
    """A count series in the plan period and its baseline, ready for the recent level.

    ``counts`` and ``exposure`` are per month since the baseline period ended (oldest first,
    the last element the last complete month); ``exposure`` already includes the seasonal
    factor; the baseline has ``base_count`` events over ``base_exposure``. ``months`` is the
    number of months since the baseline period ended; the recent level uses the last
    :data:`WINDOW_MONTHS` of them.
    """

    counts: np.ndarray
    exposure: np.ndarray
    base_count: float
    base_exposure: float

    @property
    def months(self) -> int:
        """Months since the baseline period ended."""
        return int(np.asarray(self.counts).size)

    def window(self) -> tuple[np.ndarray, np.ndarray]:
        """The counts and exposures of the recent level's months."""
        k = min(self.months, WINDOW_MONTHS)
        y, x = np.asarray(self.counts, float), np.asarray(self.exposure, float)
        return y[y.size - k:], x[x.size - k:]

    def sums(self) -> tuple[float, float, float, float, float]:
        """The recent level's count and exposure, the sum of exposure (the same sums with
        weights, all 1 here), and the count and exposure of every month since the baseline."""
        y, x = self.window()
        return (float(y.sum()), float(x.sum()), float(x.sum()),
                float(np.sum(self.counts)), float(np.sum(self.exposure)))

    def ratio(self) -> float | None:
        """The recent level over the baseline level (None when either is not defined)."""
        s, wx, _, _, _ = self.sums()
        if wx <= 0 or self.base_exposure <= 0 or self.base_count <= 0:
            return None
        return (s / wx) / (self.base_count / self.base_exposure)

    def null_variance(self, phi: float, ratio_null: float = 1.0) -> tuple[float, float]:
        """Under the null hypothesis that the recent level is ``ratio_null`` times the baseline
        level: the baseline rate ``lambda0`` (their pooled estimate) and the variance of
        ``recent rate - ratio_null * baseline rate``, ``phi lambda0 (r / E_recent + r^2 /
        E_base)``. With ``r = 1`` and ``phi = 1`` this is the score test's."""
        s, wx, w2x, _, _ = self.sums()
        lam0 = (self.base_count + s) / (self.base_exposure + ratio_null * wx)
        if wx <= 0 or self.base_exposure <= 0:
            return lam0, math.nan
        r = ratio_null
        return lam0, phi * lam0 * (r * w2x / wx ** 2 + r * r / self.base_exposure)


def count_evidence(
    series: RecentCounts, phi: float, df: int | None, now_period: str, base_period: str,
    comparison: RecentCounts | None = None, phi_comparison: float = 1.0,
) -> Evidence:
    """The recent level against the baseline (and against a comparison area's change)."""
    months = series.months
    limit = threshold(months, df)
    s, wx, _, y, _ = series.sums()
    now = s / wx if wx > 0 else None
    base = series.base_count / series.base_exposure if series.base_exposure > 0 else None
    ratio = series.ratio()
    counts = {"count": s, "exposure": wx, "window_months": min(months, WINDOW_MONTHS),
              "base_count": series.base_count, "base_exposure": series.base_exposure,
              "phi": phi}
    if comparison is None:
        _, var = series.null_variance(phi)
        z = None
        if now is not None and base is not None and var > 0:
            z = (now - base) / math.sqrt(var)
        return Evidence("recent_level", "quasi_poisson_score", now_period, base_period, now,
                        base, None if ratio is None else ratio - 1.0, z, _p(z, df), limit,
                        months, df, counts)
    ratio_c = comparison.ratio()
    change_c = None if ratio_c is None else ratio_c - 1.0
    if ratio is None or ratio_c is None or ratio_c <= 0:
        return Evidence("recent_level", "ratio_of_rate_ratios", now_period, base_period, now,
                        base, None, None, None, limit, months, df, counts, change_c)
    # recent rate - (comparison's ratio) x baseline rate, with the comparison's ratio's own
    # variance (delta method: var(ratio_c) = var_c / lambda0_c^2) carried by the baseline rate
    lam0, var_a = series.null_variance(phi, ratio_c)
    lam0_c, var_c = comparison.null_variance(phi_comparison, ratio_c)
    s_c, wx_c, _, _, _ = comparison.sums()
    counts.update(comparison_count=s_c, comparison_exposure=wx_c,
                  comparison_base_count=comparison.base_count,
                  comparison_base_exposure=comparison.base_exposure,
                  comparison_phi=phi_comparison)
    var = var_a + (lam0 ** 2) * var_c / lam0_c ** 2 if lam0_c > 0 else math.nan
    z = (now - ratio_c * base) / math.sqrt(var) if var > 0 and now is not None else None
    return Evidence("recent_level", "ratio_of_rate_ratios", now_period, base_period, now, base,
                    ratio / ratio_c - 1.0, z, _p(z, df), limit, months, df, counts, change_c)


def gaussian_evidence(
    now: float, var_now: float, base: float, var_base: float, scale: str, months: int,
    now_period: str, base_period: str, inflation: float = 1.0,
) -> Evidence:
    """The current value against the baseline on the ``logit`` or ``log`` scale (``identity``
    when a value is not positive), with the sampling variances times ``inflation``."""
    limit = threshold(months)
    g_now, v_now = transform(now, var_now, scale)
    g_base, v_base = transform(base, var_base, scale)
    change = now / base - 1.0 if base else None
    var = inflation * (v_now + v_base)
    z = (g_now - g_base) / math.sqrt(var) if var > 0 else None
    test = {"logit": "logit_z", "log": "log_z"}.get(scale, "z")
    return Evidence("current_value", test, now_period, base_period, now, base, change, z,
                    _p(z, None), limit, months, None,
                    {"var_now": var_now, "var_base": var_base, "inflation": inflation})


def transform(value: float, variance: float, scale: str) -> tuple[float, float]:
    """A value and its variance on the ``logit``, ``log`` or ``identity`` scale (delta
    method); shares are kept a little inside (0, 1) so a 0 % or 100 % share stays finite."""
    if scale == "logit":
        p = min(max(value, 1e-4), 1 - 1e-4)
        return math.log(p / (1 - p)), variance / (p * (1 - p)) ** 2
    if scale == "log" and value > 0:
        return math.log(value), variance / value ** 2
    return value, variance


def _p(z: float | None, df: int | None) -> float | None:
    if z is None or math.isnan(z):
        return None
    if math.isinf(z):
        return 0.0
    return float(2 * (sp.t.sf(abs(z), df) if df else sp.norm.sf(abs(z))))
