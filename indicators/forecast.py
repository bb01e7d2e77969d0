"""Where an indicator is heading: a forecast to the plan's deadline and the chance of reaching
the target (``docs/methods.md``, section 3).

The path model, for counts (a Poisson log-linear model of the monthly counts since the start of
the baseline, the exposure and the city's seasonal pattern as offset) and for other measures (a
weighted line through the yearly values on the logit or log scale):

    level(t) = a + step * after_start(t) + slope * h + sum_k bend_k * (h - k)+

with ``h`` the years since the plan started. ``step`` is a change of level when the plan
started, ``slope`` a trend since then, and each ``bend_k`` a change of that trend at the start
of plan year ``k + 1`` (counts only), so that a recent change of course is followed in a long
plan. All get a normal prior centred on no change (standard deviations :data:`PRIOR_SD_STEP`,
:data:`PRIOR_SD_SLOPE` and :data:`PRIOR_SD_BEND` a year, on the log scale): a change the data
show clearly is followed, one they hardly show is pulled back towards no change, so a few
lucky months do not make a forecast. The fit is the posterior mode with its normal
approximation (:mod:`indicators.glm`), with the overdispersion ``phi`` as quasi-likelihood
scale.

To the deadline the trend is carried on at :data:`DAMPING` of its pace (a damped trend,
Gardner & McKenzie 1985), and the remaining time adds a random-walk variance of
:data:`DRIFT_SD` squared a year. The chance of reaching the target is the probability that the
value measured over the deadline's last 12 months (or the deadline's survey wave) meets the
target: for counts a negative binomial (``phi > 1``) or Poisson count whose mean is the forecast,
averaged over the forecast's uncertainty (Gauss-Hermite, :data:`NODES` nodes); for other
measures normal on the transformed scale. Its calibration is checked by simulation
(``tests/test_status_simulation.py``, table in ``docs/methods.md``).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy import stats as sp

from indicators.evidence import transform
from indicators.glm import Fit, gaussian_fit, poisson_fit

__all__ = ["DAMPING", "DRIFT_SD", "PRIOR_SD_SLOPE", "PRIOR_SD_STEP", "CountPath", "Forecast",
           "count_forecast", "count_probability", "gaussian_forecast"]

PRIOR_SD_STEP = 0.3
PRIOR_SD_SLOPE = 0.1
PRIOR_SD_BEND = 0.05
DAMPING = 0.7
DRIFT_SD = 0.05
NODES = 24
#: The central share of the forecast interval shown around the forecast.
INTERVAL = 0.8
_Z_INTERVAL = float(sp.norm.ppf(0.5 + INTERVAL / 2))

_GH_X, _GH_W = np.polynomial.hermite_e.hermegauss(NODES)
_GH_W = _GH_W / _GH_W.sum()
_PRIOR = np.array([0.0, 1 / PRIOR_SD_STEP ** 2, 1 / PRIOR_SD_SLOPE ** 2])


def _prior(columns: int) -> np.ndarray:
    return np.concatenate([_PRIOR, np.full(columns - 3, 1 / PRIOR_SD_BEND ** 2)])


@dataclass(frozen=True)
class Forecast:
    """The forecast at the deadline, in the indicator's unit: the central value and an
    interval for the underlying level (:data:`INTERVAL`), the chance that the value measured
    at the deadline meets the target, and the model's estimate of the level now against the
    baseline (``level_change``: -0.2 is 20 % lower)."""

    value: float | None
    low: float | None
    high: float | None
    probability: float | None
    level_change: float | None
    method: str

    def as_dict(self) -> dict:
        """The fields as a plain mapping (for the status record)."""
        return {"value": self.value, "low": self.low, "high": self.high,
                "probability": self.probability, "level_change": self.level_change,
                "method": self.method}


NO_FORECAST = Forecast(None, None, None, None, None, "none")


def _design(years_since_start: np.ndarray, bends: int = 0) -> np.ndarray:
    """The path model's columns: level, step, slope and ``bends`` yearly changes of slope."""
    h = np.asarray(years_since_start, dtype=float)
    cols = [np.ones(h.size), (h > 0).astype(float), np.maximum(h, 0.0)]
    cols += [np.maximum(h - k, 0.0) for k in range(1, bends + 1)]
    return np.column_stack(cols)


def _bends(years_since_start: np.ndarray) -> int:
    """Yearly knots with at least a year of data after them."""
    return max(0, int(math.floor(float(np.max(years_since_start)))) - 1)


def _damped(h: np.ndarray, h_now: float) -> np.ndarray:
    """Years since the start with the part after ``h_now`` at :data:`DAMPING` of its pace."""
    return np.where(h > h_now, h_now + DAMPING * (h - h_now), h)


@dataclass(frozen=True)
class CountPath:
    """Monthly counts from the start of the baseline to the last complete month, and the
    deadline's 12 months.

    ``exposure`` holds each month's exposure times its seasonal factor; ``years`` each month's
    midpoint in years since the plan started (negative in the baseline). ``final_exposure`` and
    ``final_years`` describe the deadline's 12 months the same way. ``offset`` (optional, per
    month and for the final months) is a comparison area's log relative level, so the model
    follows the area's level relative to the comparison's.
    """

    counts: np.ndarray
    exposure: np.ndarray
    years: np.ndarray
    final_exposure: np.ndarray
    final_years: np.ndarray
    offset: np.ndarray | None = None
    final_offset: np.ndarray | None = None
    final_offset_var: float = 0.0

    @property
    def bends(self) -> int:
        """How many yearly changes of trend the model has."""
        return _bends(self.years)

    def fit(self, phi: float) -> Fit:
        """The path model fitted to the counts (quasi-likelihood scale ``phi``)."""
        off = np.log(self.exposure)
        if self.offset is not None:
            off = off + self.offset
        X = _design(self.years, self.bends)
        return poisson_fit(X, self.counts, off, phi, _prior(X.shape[1]))

    def level_now(self, fit: Fit) -> float:
        """The model's level now against its baseline level (log scale)."""
        h_now = float(np.max(self.years))
        x = _design(np.array([h_now]), self.bends)[0]
        x[0] = 0.0
        return float(x @ fit.beta)

    def relative_levels(self, fit: Fit) -> np.ndarray:
        """The model's level of each month against the baseline level (log scale)."""
        X = _design(self.years, self.bends)
        X[:, 0] = 0.0
        return X @ fit.beta

    def final_relative_levels(self, fit: Fit) -> np.ndarray:
        """The forecast level of each of the deadline's months against the baseline level."""
        h_now = float(np.max(self.years))
        X = _design(_damped(np.asarray(self.final_years, float), h_now), self.bends)
        X[:, 0] = 0.0
        return X @ fit.beta

    def final_mean(self, fit: Fit) -> tuple[float, float]:
        """The forecast count of the deadline's 12 months and the variance of its log."""
        h_now = float(np.max(self.years))
        X = _design(_damped(np.asarray(self.final_years, float), h_now), self.bends)
        off = np.log(self.final_exposure)
        if self.final_offset is not None:
            off = off + self.final_offset
        mu = np.exp(off + X @ fit.beta)
        total = float(mu.sum())
        xbar = (X * mu[:, None]).sum(axis=0) / total
        ahead = max(0.0, float(np.mean(self.final_years)) - h_now)
        var = float(xbar @ fit.cov @ xbar) + DRIFT_SD ** 2 * ahead + self.final_offset_var
        return total, var


def count_probability(mean: float, log_var: float, phi: float, threshold: float,
                      lower_is_better: bool) -> float:
    """The chance that a count with forecast ``mean`` (log-normal uncertainty ``log_var``)
    and dispersion ``phi`` is at most ``threshold`` (lower is better) or at least it."""
    # the quadrature nodes' log means, kept below exp's overflow (a count of e^700 is as good
    # as infinite for the chance of staying under a target)
    mus = np.exp(np.minimum(math.log(mean) + math.sqrt(max(log_var, 0.0)) * _GH_X, 700.0))
    if lower_is_better:
        k = math.floor(threshold + 1e-9)
        if k < 0:
            return 0.0
        probs = _cdf(k, mus, phi)
    else:
        k = math.ceil(threshold - 1e-9)
        probs = 1.0 if k <= 0 else 1.0 - _cdf(k - 1, mus, phi)
    return float(np.clip(np.sum(_GH_W * probs), 0.0, 1.0))


def _cdf(k: int, mu: np.ndarray, phi: float) -> np.ndarray:
    if phi <= 1.0 + 1e-9:
        return sp.poisson.cdf(k, mu)
    # negative binomial with mean mu and variance phi * mu: n = mu / (phi - 1), p = 1 / phi;
    # for a mean beyond any count (an overflowing node) the chance of staying under k is 0
    return np.nan_to_num(sp.nbinom.cdf(k, mu / (phi - 1.0), 1.0 / phi), nan=0.0)


def count_forecast(path: CountPath, phi: float, base_rate: float, value_per_count: float,
                   target: float | None, lower_is_better: bool) -> Forecast:
    """The forecast of a count or rate indicator at the deadline.

    ``base_rate`` is the baseline's count per unit of exposure (for the level change);
    ``value_per_count`` turns a count over the deadline's 12 months into the indicator's value
    (1 for a yearly count, ``factor / population`` for a rate); ``target`` is in the
    indicator's unit.
    """
    if np.sum(path.counts) <= 0 and base_rate <= 0:
        return NO_FORECAST
    try:
        fit = path.fit(phi)
    except ValueError:
        return NO_FORECAST
    mean, var = path.final_mean(fit)
    level = path.level_now(fit)
    z = _Z_INTERVAL
    sd = math.sqrt(var)
    value = mean * value_per_count
    prob = None
    if target is not None:
        prob = count_probability(mean, var, phi, target / value_per_count, lower_is_better)
    spread = z * sd
    if not math.isfinite(value) or not math.isfinite(spread) or spread > _MAX_LOG_SPREAD:
        # a handful of counts (a municipality of 79 inhabitants): the interval spans more
        # than any plausible value and its bounds would overflow; no interval is given
        return Forecast(value if math.isfinite(value) else None, None, None, prob,
                        _expm1_or_none(level), "path_model_counts")
    return Forecast(value, value * math.exp(-spread), value * math.exp(spread), prob,
                    _expm1_or_none(level), "path_model_counts")


#: Widest forecast interval given, on the log scale (a factor of e^20, about 5 x 10^8, each way).
_MAX_LOG_SPREAD = 20.0


def _expm1_or_none(level: float) -> float | None:
    """exp(level) - 1, or None where it overflows."""
    return math.expm1(level) if math.isfinite(level) and level < 700 else None


def gaussian_forecast(
    years: np.ndarray, values: np.ndarray, variances: np.ndarray, scale: str,
    deadline_years: float, final_variance: float, target: float | None,
    lower_is_better: bool, extra_variance: float = 0.0,
) -> Forecast:
    """The forecast of a share, mean, median or registered output at the deadline.

    ``years`` are the values' midpoints in years since the plan started, ``variances`` their
    sampling variances; ``scale`` is ``logit``, ``log`` or ``identity``; ``final_variance`` is
    the sampling variance of the value that will be measured at the deadline;
    ``extra_variance`` (on the transformed scale) is added to every value's variance: the
    year-to-year variation beyond sampling.
    """
    pts = [transform(float(v), float(s), scale) for v, s in zip(values, variances, strict=True)]
    if len(pts) < 2:
        return NO_FORECAST
    g = np.array([p[0] for p in pts])
    gv = np.array([p[1] for p in pts]) + extra_variance
    gv = np.maximum(gv, 1e-10)
    h = np.asarray(years, dtype=float)
    try:
        fit = gaussian_fit(_design(h), g, gv, _prior(3))
    except ValueError:
        return NO_FORECAST
    h_now = float(np.max(h))
    x_t = _design(_damped(np.array([deadline_years]), h_now))[0]
    pred, se = fit.linear(x_t)
    ahead = max(0.0, deadline_years - h_now)
    last = float(values[int(np.argmax(h))])
    _, final_g_var = transform(last, final_variance, scale)
    level_var = se ** 2 + DRIFT_SD ** 2 * ahead
    total_sd = math.sqrt(level_var + final_g_var + extra_variance)
    z = _Z_INTERVAL
    back = _inverse(scale)
    prob = None
    if target is not None:
        g_target = transform(target, 0.0, scale)[0] if _in_domain(target, scale) else None
        if g_target is None:
            prob = 1.0 if lower_is_better else 0.0
        else:
            below = float(sp.norm.cdf((g_target - pred) / total_sd))
            prob = below if lower_is_better else 1.0 - below
    base_level, _ = fit.linear([1.0, 0.0, 0.0])
    now_level, _ = fit.linear([1.0, 1.0 if h_now > 0 else 0.0, max(h_now, 0.0)])
    lvl = back(now_level) / back(base_level) - 1.0 if back(base_level) else None
    sd = math.sqrt(level_var)
    return Forecast(back(pred), back(pred - z * sd), back(pred + z * sd), prob, lvl,
                    f"path_model_{scale}")


def _in_domain(x: float, scale: str) -> bool:
    if scale == "logit":
        return 0.0 < x < 1.0
    if scale == "log":
        return x > 0.0
    return True


def _inverse(scale: str):
    if scale == "logit":
        return lambda g: 1.0 / (1.0 + math.exp(-g))
    if scale == "log":
        return math.exp
    return lambda g: g
