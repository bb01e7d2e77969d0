"""How much counts vary beyond chance: the dispersion of an indicator's monthly counts.

Crime and nuisance counts vary more than a Poisson count would (police.uk Lancashire 2022: a
dispersion of 1.1-2.3 times Poisson, rising with the count): incidents cluster (one burglar,
one street party) and conditions change from month to month. Tests and forecasts that assume
pure Poisson noise then see change where there is none.

The dispersion is estimated from the monthly counts of the baseline years, per indicator and
area level (``docs/methods.md``, section 3):

1. every area of the level gets a Poisson log-linear model of its monthly counts with its
   exposure and the city's seasonal profile as offset, a level and a linear trend;
2. Pearson's chi-square of each fit, summed over the areas, over the summed degrees of freedom,
   is the quasi-Poisson dispersion of the level (McCullagh & Nelder 1989, section 4.5.2),
   which is what statsmodels' ``GLM(...).fit(scale="X2")`` reports;
3. because the extra variation grows with the count (a negative binomial pattern), an area
   whose counts are larger than the level's typical area also gets the negative binomial
   estimate ``1 + alpha * mean`` (alpha by moments from the same residuals, Cameron & Trivedi
   1990) when that is larger (levels of at least three areas); small areas borrow the
   level's estimate instead of their own, which would rest on a handful of events;
4. the floor is 1: counts are never treated as less variable than Poisson.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from indicators.glm import pearson_dispersion, poisson_fit

#: Areas a level needs before an area's own size adjusts its dispersion.
MIN_AREAS_FOR_SIZE = 3

__all__ = ["POISSON", "AreaCounts", "Dispersion", "level_dispersion", "season_profile"]


@dataclass(frozen=True)
class Dispersion:
    """The dispersion used for one area (``phi``, at least 1) and how it was found."""

    phi: float
    estimate: float | None = None  # the level's pooled Pearson estimate, before the floor
    df: int = 0  # its degrees of freedom (0: not estimated)
    areas: int = 0  # areas pooled
    method: str = "poisson"  # poisson | quasi_poisson | negative_binomial

    def as_dict(self) -> dict:
        """The fields as a plain mapping (for the status record)."""
        return {"phi": self.phi, "estimate": self.estimate, "df": self.df, "areas": self.areas,
                "method": self.method}


#: No extra variation (no data to estimate it from, or a measure that is not a count).
POISSON = Dispersion(1.0)


@dataclass(frozen=True)
class AreaCounts:
    """One area's monthly counts in the baseline years, with their exposure (any unit) and the
    seasonal factor of each month (mean 1 over a year)."""

    area_id: str
    counts: np.ndarray
    exposure: np.ndarray
    season: np.ndarray


@dataclass(frozen=True)
class _AreaFit:
    chi2: float
    df: int
    mean: float  # mean fitted monthly count
    excess: float  # sum of (y - mu)^2 - mu
    mu2: float  # sum of mu^2


def _fit_area(a: AreaCounts) -> _AreaFit | None:
    y = np.asarray(a.counts, dtype=float)
    x = np.asarray(a.exposure, dtype=float) * np.asarray(a.season, dtype=float)
    keep = x > 0
    y, x = y[keep], x[keep]
    if y.size < 12 or y.sum() == 0:
        return None
    t = np.arange(y.size, dtype=float) / 12.0
    X = np.column_stack([np.ones(y.size), t - t.mean()])
    try:
        fit = poisson_fit(X, y, np.log(x))
    except ValueError:
        return None
    chi2, df = pearson_dispersion(y, fit.fitted, 2)
    mu = fit.fitted
    return _AreaFit(chi2, df, float(mu.mean()), float(((y - mu) ** 2 - mu).sum()),
                    float((mu * mu).sum()))


def level_dispersion(areas: list[AreaCounts]) -> dict[str, Dispersion]:
    """The dispersion of every area of one level, from their baseline months (see above)."""
    fits = {a.area_id: f for a in areas if (f := _fit_area(a)) is not None}
    if not fits:
        return {}
    chi2 = sum(f.chi2 for f in fits.values())
    df = sum(f.df for f in fits.values())
    if df <= 0:
        return {}
    pooled = chi2 / df
    mu2 = sum(f.mu2 for f in fits.values())
    alpha = max(0.0, sum(f.excess for f in fits.values()) / mu2) if mu2 > 0 else 0.0
    if len(fits) < MIN_AREAS_FOR_SIZE:  # too few areas to tell how dispersion grows with size
        alpha = 0.0
    out = {}
    for area_id, f in fits.items():
        nb = 1.0 + alpha * f.mean
        phi = max(1.0, pooled, nb)
        method = ("poisson" if phi == 1.0 else
                  "negative_binomial" if nb > pooled else "quasi_poisson")
        out[area_id] = Dispersion(phi, pooled, df, len(fits), method)
    return out


#: Pseudo-count per calendar month that pulls a seasonal profile from few events towards flat.
SEASON_PRIOR = 10.0


def season_profile(monthly: list[tuple[object, float]]) -> tuple[float, ...]:
    """Seasonal factors per calendar month (January first, mean 1) from ``(month, count)``
    pairs of complete years (any date-like ``month`` with a ``.month``): each calendar
    month's share of the total, with :data:`SEASON_PRIOR` events added to every month so a
    profile resting on few events stays close to flat. Flat without data."""
    totals = np.full(12, SEASON_PRIOR)
    by_year: dict[int, int] = {}
    for m, _ in monthly:
        by_year[m.year] = by_year.get(m.year, 0) + 1  # type: ignore[attr-defined]
    whole = {y for y, k in by_year.items() if k == 12}
    for m, c in monthly:
        if m.year in whole:  # type: ignore[attr-defined]
            totals[m.month - 1] += c  # type: ignore[attr-defined]
    return tuple(float(v) for v in totals / totals.mean())
