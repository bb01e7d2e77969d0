"""The status of an objective: the rules, in one place (``docs/methods.md``, section 3).

In words a mayor reads:

- **behaald / achieved**: the target is met now, and the change since the baseline is more than
  chance (or the objective was to keep a level that is still kept);
- **op koers / on track**: the change so far is real and in the right direction, and the chance
  of reaching the target by the deadline is about 7 in 10 or more (at least :data:`ON_TRACK`);
- **risico / at risk**: the chance is about 4 to 6 in 10, or higher but the change cannot yet
  be told apart from chance;
- **niet op koers / off track**: the chance is about 3 in 10 or less (below
  :data:`OFF_TRACK`), or the indicator moved away from the target by more than chance;
- **onvoldoende gegevens / insufficient data**: no judgement is possible yet, and the reason
  says why (no baseline, the plan's first 12 months, too few respondents, no test possible).

"Niet te onderscheiden van toeval" (within noise) is a qualifier next to a status, never a
status of its own: an objective moving away from its target, or already past it, always
shows as such.

Many objectives at once: the plan's claims (a significant change, either way) are controlled
for false discoveries across the plan's objectives with the Benjamini-Hochberg procedure
(Benjamini & Hochberg 1995), each objective weighted by its own threshold (so a single
objective is significant exactly when ``|z|`` passes its threshold).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from scipy import stats as sp

from core import vocabulary
from indicators.evidence import ALPHA, Evidence

__all__ = ["OFF_TRACK", "ON_TRACK", "STATUSES", "Verdict", "decide", "plan_significance"]

STATUSES = tuple(vocabulary.STATUSES)
#: Chance of reaching the target from which an objective is on track (with a real change):
#: what reads as "about 7 in 10" or more.
ON_TRACK = 0.65
#: Chance below which an objective is off track: what reads as "about 3 in 10" or less.
OFF_TRACK = 0.35


@dataclass(frozen=True)
class Verdict:
    """A status with the rule that gave it and a qualifier (``within_noise``, ``worsened``,
    ``kept``, ``no_test``, or None)."""

    status: str
    rule: str
    qualifier: str | None = None


def _by_chance(p: float | None, real_change: bool, qualifier: str | None) -> Verdict:
    if p is None:
        return Verdict("at_risk", "no_forecast", qualifier)
    if p < OFF_TRACK:
        return Verdict("off_track", "low_chance", qualifier)
    if p >= ON_TRACK and real_change:
        return Verdict("on_track", "high_chance", qualifier)
    if p >= ON_TRACK:
        return Verdict("at_risk", "not_yet_real", qualifier)
    return Verdict("at_risk", "middle_chance", qualifier)


def decide(
    *, maintain: bool, direction: int, registered: bool, meets_target: bool,
    better_than_baseline: bool, probability: float | None, tested: bool,
) -> Verdict:
    """The status from what is known of one objective.

    ``maintain``: the baseline already met the target (keep it there). ``direction``: +1 a real
    change in the good direction, -1 a real change in the wrong direction, 0 none shown (for
    registered outputs, any change is real). ``meets_target``: the current value meets the
    target. ``better_than_baseline``: the current value lies on the good side of the baseline.
    ``probability``: the chance of reaching the target (None: no forecast). ``tested``:
    whether a test was possible at all.
    """
    if not registered and not tested:  # never "within noise" where no test was possible
        return Verdict("insufficient_data", "no_test", "no_test")
    noise = None if registered else "within_noise"
    if maintain:
        if direction < 0:
            return _by_chance(probability, False, "worsened")
        if meets_target:
            return Verdict("achieved", "kept", "kept")
        return _by_chance(probability, False, None if direction else noise)
    if direction < 0:
        return Verdict("off_track", "moved_away")
    if direction > 0:
        if meets_target:
            return Verdict("achieved", "met")
        return _by_chance(probability, better_than_baseline, None)
    return _by_chance(probability, False, noise)


def plan_significance(evidences: list[Evidence | None]) -> list[int]:
    """Each objective's direction of real change (+1 rise, -1 fall, 0 none) with the false
    discovery rate controlled across the plan (weighted Benjamini-Hochberg at :data:`ALPHA`).

    An objective's p-value is scaled by ``ALPHA / alpha_own``, where ``alpha_own`` is the
    two-sided level that matches its own threshold, so that alone it is significant exactly
    when ``|z|`` passes the threshold; the scaled values then go through the step-up
    procedure together.
    """
    scaled: list[tuple[float, int]] = []
    for i, e in enumerate(evidences):
        if e is None or e.z is None or not math.isfinite(e.z) or e.p_value is None:
            continue
        own = 2 * (sp.t.sf(e.threshold, e.df) if e.df else sp.norm.sf(e.threshold))
        scaled.append((e.p_value * ALPHA / own if own > 0 else math.inf, i))
    out = [0] * len(evidences)
    for i, e in enumerate(evidences):  # registered outputs: any change is real
        if e is not None and e.z is not None and math.isinf(e.z):
            out[i] = 1 if e.z > 0 else -1
    m = len(scaled)
    scaled.sort()
    cut = 0
    for rank, (p, _) in enumerate(scaled, start=1):
        if p <= ALPHA * rank / m:
            cut = rank
    for _p, i in scaled[:cut]:
        z = evidences[i].z  # type: ignore[union-attr]
        out[i] = 1 if z > 0 else -1
    return out
