"""Simulated objectives for the status tests: monthly counts with a seasonal pattern, Poisson or
overdispersed (gamma-Poisson), before and during a plan, turned into the series the monitor
stores, and judged by the functions that set the stored status
(:func:`indicators.progress.evaluate` and :func:`indicators.progress.finalize`).

A plan here: a three-year baseline (2017-2019), the plan from January 2020, a deadline at the
end of plan year ``years``. The city's seasonal pattern is estimated from a large simulated
city series, as the refresh does.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import cached_property

import numpy as np

from indicators.catalog import Indicator
from indicators.noise import AreaCounts, level_dispersion, season_profile
from indicators.periods import add_months, month_end
from indicators.plan import Objective
from indicators.progress import Context, Point, Progress, Series, evaluate, finalize

#: Dark months: burglary's seasonal profile in the demo (January first).
SEASON = np.array([1.35, 1.15, 0.95, 0.85, 0.75, 0.7, 0.75, 0.8, 0.9, 1.1, 1.35, 1.45])
SEASON = SEASON / SEASON.mean()
BASE_START = dt.date(2017, 1, 1)
PLAN_START = dt.date(2020, 1, 1)
BASE_MONTHS = 36

COUNT = Indicator.model_validate({
    "spec": 1, "id": "sim_count", "title": {"nl": "Gesimuleerd", "en": "Simulated"},
    "unit": {"nl": "feiten", "en": "facts"}, "source": "incidents", "measure": "count",
    "numerator": {"nl": "feiten", "en": "facts"}, "direction": "lower", "period": "year"})


def monthly_means(rate: float, path: np.ndarray) -> np.ndarray:
    """Expected monthly counts for a yearly ``rate`` and a multiplicative ``path`` per month."""
    months = np.arange(path.size)
    return rate / 12 * SEASON[months % 12] * path


def draw(rng: np.random.Generator, mean: np.ndarray, phi: float) -> np.ndarray:
    """Counts with the given means: Poisson (``phi = 1``) or gamma-Poisson with variance
    ``phi`` times the mean (a negative binomial with shape ``mean / (phi - 1)``)."""
    if phi <= 1:
        return rng.poisson(mean)
    lam = rng.gamma(mean / (phi - 1), phi - 1)
    return rng.poisson(lam)


def path(kind: str, size: float, months: int, ramp_years: float = 3.0) -> np.ndarray:
    """A multiplicative path over ``months`` months from the baseline's start: ``none``, a
    ``step`` of ``size`` when the plan starts, or a ``gradual`` change reaching ``size`` after
    ``ramp_years`` plan years (log-linear) and continuing at that pace."""
    t = np.arange(months)
    h = np.maximum(0.0, (t - BASE_MONTHS + 0.5) / 12)
    if kind == "none":
        return np.ones(months)
    if kind == "step":
        return np.where(t >= BASE_MONTHS, 1.0 + size, 1.0)
    if kind == "gradual":
        return np.exp(np.log1p(size) * h / ramp_years)
    raise ValueError(kind)


def objective(change: float, deadline_years: int, ident: str = "SIM") -> Objective:
    """A count objective with a relative target and a deadline at the end of a plan year."""
    return Objective.model_validate({
        "id": ident, "title": {"nl": ident}, "plan": "LIVP", "phase": "preventie",
        "indicator": COUNT.id, "areas": ["A"], "baseline": {"period": "2017-2019"},
        "target": {"change": change},
        "deadline": dt.date(PLAN_START.year + deadline_years - 1, 12, 31).isoformat()})


@dataclass
class Simulated:
    """One area's monthly counts as the stored series, sliceable at any month."""

    counts: np.ndarray
    season: tuple[float, ...]

    def __post_init__(self) -> None:
        self.starts = [add_months(BASE_START, k) for k in range(self.counts.size)]
        self.months = [Point(f"{m:%Y-%m}", m, month_end(m), float(c), float(c), None, int(c))
                       for m, c in zip(self.starts, self.counts, strict=True)]
        csum = np.concatenate([[0.0], np.cumsum(self.counts)])
        self.windows = []
        for k in range(11, self.counts.size):
            n = float(csum[k + 1] - csum[k - 11])
            a, b = self.starts[k - 11], self.starts[k]
            self.windows.append(Point(f"{a:%Y-%m}/{b:%Y-%m}", a, month_end(b), n, n, None,
                                      int(n)))
        self.years = []
        for k in range(0, self.counts.size - 11, 12):
            n = float(csum[k + 12] - csum[k])
            a = self.starts[k]
            self.years.append(Point(str(a.year), a, dt.date(a.year, 12, 31), n, n, None,
                                    int(n)))
        self.ends = [p.end for p in self.months]

    def series(self, months: int) -> Series:
        """What is stored after ``months`` months of data (from the baseline's start)."""
        last = self.ends[months - 1]
        return Series([p for p in self.years if p.end <= last],
                      [p for p in self.windows if p.end <= last], self.months[:months])

    @cached_property
    def context(self) -> Context:
        """The context the refresh gives: the dispersion of the baseline months (this area
        alone, as for a city-wide objective) and the city's seasonal pattern."""
        base = self.counts[:BASE_MONTHS].astype(float)
        disp = level_dispersion([AreaCounts(
            "A", base, np.full(BASE_MONTHS, 1 / 12), np.array(self.season * 3))])
        return Context(disp.get("A", Context().dispersion), self.season)


def city_season(rng: np.random.Generator) -> tuple[float, ...]:
    """The seasonal pattern as the refresh estimates it: from a city's complete years."""
    months = 48
    counts = rng.poisson(monthly_means(2400.0, np.ones(months)))
    starts = [add_months(dt.date(2016, 1, 1), k) for k in range(months)]
    return season_profile(list(zip(starts, counts.astype(float), strict=True)))


def judge(sim: Simulated, obj: Objective, months: int) -> Progress:
    """The status of ``obj`` after ``months`` months of data, as the refresh sets it."""
    series = sim.series(months)
    as_of = sim.ends[months - 1]
    return finalize([evaluate(obj, COUNT, "A", series, as_of, sim.context)])[0]


def months_at(plan_years: float) -> int:
    """Months of data (from the baseline's start) after ``plan_years`` of the plan."""
    return BASE_MONTHS + int(round(12 * plan_years))

