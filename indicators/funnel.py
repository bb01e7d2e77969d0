"""The city against its peers: a funnel plot with control limits that allow for overdispersion
(Spiegelhalter 2005, "Funnel plots for comparing institutional performance", and Spiegelhalter
2005, "Handling over-dispersion of performance indicators").

Each municipality's rate ``y_i = O_i / n_i`` (facts per inhabitant, shown per 1,000) is set
against the group's rate ``theta = sum O / sum n``. Under Poisson variation alone the standard
error of a municipality with ``n`` inhabitants is ``sqrt(theta / n)`` and its z-score is
``z_i = (y_i - theta) / sqrt(theta / n_i)``. Real municipalities differ by more than that
(policing, tourism, a station): the dispersion ``phi = mean(z_w^2) / 0.68`` of the z-scores
winsorised at 10 % either side shows by how much (0.68 is the winsorised mean square of normal
z-scores: without it the estimate is a third too small and too many cities look unusual). When
``I * phi > I - 1`` the extra variation is taken as an additive random effect

    tau^2 = (I * phi - (I - 1)) / (sum w_i - sum w_i^2 / sum w_i),   w_i = n_i / theta

(the DerSimonian-Laird estimator on winsorised z-scores), and the limits of a municipality of
size ``n`` are ``theta +/- z * sqrt(theta / n + tau^2)`` at 95 % (z = 1.96) and 99.8 % (3.09).
A municipality outside the 99.8 % limits differs from its peers by more than the group's own
variation; between 95 % and 99.8 % it is worth a look; inside it is "zoals de andere steden".
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy import stats

#: The winsorising fraction of the dispersion estimate (either side).
WINSOR = 0.10
#: The two-sided levels of the limits.
LIMITS = (0.95, 0.998)

#: The 13 Flemish centrumsteden (Gemeente-Stadsmonitor), by NIS code; Hasselt's code after the
#: 2025 merger with Kortessem is listed as well.
CENTRUMSTEDEN = ("11002", "12025", "13040", "24062", "31005", "34022", "35013", "36015",
                 "41002", "44021", "46021", "71016", "71022", "71072")


@dataclass(frozen=True)
class Unit:
    """One municipality on the funnel."""

    area_id: str
    observed: float
    exposure: float

    @property
    def rate(self) -> float:
        """Facts per inhabitant."""
        return self.observed / self.exposure


@dataclass(frozen=True)
class Funnel:
    """The group's rate, its overdispersion and each unit's z-score and band."""

    theta: float
    phi: float
    tau2: float
    units: list[Unit]
    z: list[float]
    bands: list[str]

    def limits(self, exposure: float, level: float) -> tuple[float, float]:
        """The lower and upper control limits (rates) at ``exposure`` for a two-sided
        ``level``."""
        q = stats.norm.ppf(0.5 + level / 2)
        half = q * math.sqrt(self.theta / exposure + self.tau2)
        return max(0.0, self.theta - half), self.theta + half


def _normal_winsorised_square(fraction: float) -> float:
    """E[clip(Z, q, -q)^2] for a standard normal Z winsorised at ``fraction`` either side."""
    q = stats.norm.ppf(1 - fraction)
    inside = (2 * stats.norm.cdf(q) - 1) - 2 * q * stats.norm.pdf(q)
    return float(inside + 2 * fraction * q * q)


def winsorised_phi(z: np.ndarray, fraction: float = WINSOR) -> float:
    """The mean square of the z-scores with the outer ``fraction`` on each side pulled in to
    the quantiles (Spiegelhalter's robust overdispersion estimate), divided by its value for
    normal z-scores (0.68 at 10 %), so that it estimates the dispersion without bias when no
    unit is an outlier."""
    if len(z) == 0:
        return 1.0
    lo, hi = np.quantile(z, [fraction, 1 - fraction])
    return float(np.mean(np.clip(z, lo, hi) ** 2)) / _normal_winsorised_square(fraction)


def funnel(units: list[Unit], winsor: float = WINSOR) -> Funnel:
    """The funnel of ``units`` (at least three with inhabitants)."""
    units = [u for u in units if u.exposure > 0]
    if len(units) < 3:
        raise ValueError("a funnel needs at least three municipalities with inhabitants")
    o = np.array([u.observed for u in units], dtype=float)
    n = np.array([u.exposure for u in units], dtype=float)
    theta = float(o.sum() / n.sum())
    if theta <= 0:
        return Funnel(0.0, 1.0, 0.0, units, [0.0] * len(units), ["inside"] * len(units))
    z = (o / n - theta) / np.sqrt(theta / n)
    phi = winsorised_phi(z, winsor) if winsor > 0 else float(np.mean(z ** 2))
    count = len(units)
    tau2 = 0.0
    if count * phi > count - 1:
        w = n / theta
        tau2 = max(0.0, (count * phi - (count - 1)) / (w.sum() - (w ** 2).sum() / w.sum()))
    z_re = (o / n - theta) / np.sqrt(theta / n + tau2)
    bands = []
    for zi in z_re:
        if abs(zi) > stats.norm.ppf(0.5 + LIMITS[1] / 2):
            bands.append("high" if zi > 0 else "low")
        elif abs(zi) > stats.norm.ppf(0.5 + LIMITS[0] / 2):
            bands.append("rather_high" if zi > 0 else "rather_low")
        else:
            bands.append("inside")
    return Funnel(theta, phi, tau2, units, [float(x) for x in z_re], bands)
