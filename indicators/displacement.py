"""Did a project's drop move next door? The weighted displacement difference.

A project area's counts can fall because the facts moved to the streets around it. Bowers &
Johnson (2003) compare four places before and after: the project area ``T``, its *buffer* ``D``
(the streets around it) and a *control* ``C`` for each (unchanged by the project). Wheeler &
Ratcliffe (2018) give the weighted displacement difference a variance and a test:

    WDD = (T1 - T0) - (CT1 - CT0) + (D1 - D0) - (CD1 - CD0),   Var = the sum of the 8 counts

(counts are Poisson; their worked example: -118, SE = sqrt(1568), z = -2.98). That form needs
controls of the same size as what they control. A city's control is usually the rest of the city,
many times larger, so ivmonitor scales the control's change to each area's own count before:
``T0 * C1 / C0`` is what the project area would have had had it followed the control. Then

    local    = T1 - T0 * C1 / C0           (the project's effect in its own area)
    displaced = D1 - D0 * C1 / C0          (the change around it beyond the control's)
    total    = local + displaced           (the net effect, the WDD)

with variances by the delta method, every count's variance being the dispersion ``phi`` times
the count (quasi-Poisson: ``phi = 1`` is Poisson). With equal-size controls (``C0 = T0``) the
scaled and the published forms agree to first order. The weighted displacement quotient (Bowers &
Johnson) says which way the buffer went relative to the project's success:

    WDQ = (D1/C1 - D0/C0) / (T1/C1 - T0/C0)

positive: the buffer improved too (a diffusion of benefits); negative: displacement; below -1:
more displaced than was gained.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass

from scipy import stats

#: The level of the two-sided tests and intervals.
ALPHA = 0.05


@dataclass(frozen=True)
class Counts:
    """A place's count before and after (the same length of time, or any lengths when the
    control is scaled: the ratio ``C1 / C0`` absorbs the difference)."""

    before: float
    after: float


@dataclass(frozen=True)
class Estimate:
    """A difference in facts with its standard error, z, two-sided p and 95 % interval."""

    value: float
    se: float
    z: float | None
    p_value: float | None
    low: float
    high: float


def _estimate(value: float, variance: float) -> Estimate:
    se = math.sqrt(max(variance, 0.0))
    q = stats.norm.ppf(1 - ALPHA / 2)
    if se == 0:
        return Estimate(value, 0.0, None, None, value, value)
    z = value / se
    return Estimate(value, se, z, float(2 * stats.norm.sf(abs(z))), value - q * se,
                    value + q * se)


def _delta(value: float, gradient: list[tuple[float, float]], phi: float) -> Estimate:
    """``value`` with the delta-method variance ``phi * sum(g_i^2 * count_i)``."""
    return _estimate(value, phi * sum(g * g * count for g, count in gradient))


def wdd_published(treated: Counts, control: Counts, buffer: Counts, buffer_control: Counts,
                  phi: float = 1.0) -> tuple[Estimate, Estimate, Estimate]:
    """Wheeler & Ratcliffe's WDD with same-size controls: (local, displaced, total)."""
    t, c, d, dc = treated, control, buffer, buffer_control
    local = (t.after - t.before) - (c.after - c.before)
    displaced = (d.after - d.before) - (dc.after - dc.before)
    var_local = t.after + t.before + c.after + c.before
    var_disp = d.after + d.before + dc.after + dc.before
    return (_estimate(local, phi * var_local), _estimate(displaced, phi * var_disp),
            _estimate(local + displaced, phi * (var_local + var_disp)))


@dataclass(frozen=True)
class Displacement:
    """The project's effect in its own area, around it and together, against its control."""

    treated: Counts
    buffer: Counts
    control: Counts
    phi: float
    local: Estimate
    displaced: Estimate
    total: Estimate
    wdq: float | None

    @property
    def verdict(self) -> str:
        """``displacement`` (the buffer rose beyond its control, clearly), ``diffusion`` (it
        fell, clearly), or ``none`` (no clear change around the project)."""
        d = self.displaced
        if d.p_value is None or d.p_value >= ALPHA:
            return "none"
        return "displacement" if d.value > 0 else "diffusion"

    def as_dict(self) -> dict:
        """A plain mapping, for the stored evidence."""
        out = asdict(self)
        out["verdict"] = self.verdict
        return out


def scaled(treated: Counts, buffer: Counts, control: Counts, phi: float = 1.0
           ) -> Displacement | None:
    """The displacement check with one control scaled to each area (None when the control had
    no facts before, so no expectation can be made)."""
    t, d, c = treated, buffer, control
    if c.before <= 0:
        return None
    r = c.after / c.before  # the control's change as a ratio
    # local = T1 - T0 * C1/C0: dT1 = 1, dT0 = -r, dC1 = -T0/C0, dC0 = T0*C1/C0^2
    local = _delta(t.after - t.before * r, [
        (1.0, t.after), (-r, t.before), (-t.before / c.before, c.after),
        (t.before * r / c.before, c.before)], phi)
    displaced = _delta(d.after - d.before * r, [
        (1.0, d.after), (-r, d.before), (-d.before / c.before, c.after),
        (d.before * r / c.before, c.before)], phi)
    s0 = t.before + d.before  # total = (T1 + D1) - (T0 + D0) * C1/C0
    total = _delta(local.value + displaced.value, [
        (1.0, t.after), (-r, t.before), (1.0, d.after), (-r, d.before),
        (-s0 / c.before, c.after), (s0 * r / c.before, c.before)], phi)
    return Displacement(t, d, c, phi, local, displaced, total, wdq(t, d, c))


def wdq(treated: Counts, buffer: Counts, control: Counts) -> float | None:
    """Bowers & Johnson's weighted displacement quotient (None when it is undefined: no
    control facts, or no success measure to divide by)."""
    t, d, c = treated, buffer, control
    if c.before <= 0 or c.after <= 0:
        return None
    success = t.after / c.after - t.before / c.before
    if success == 0:
        return None
    return (d.after / c.after - d.before / c.before) / success
