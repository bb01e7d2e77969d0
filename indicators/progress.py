"""Progress and an honest status for one objective in one area (``docs/methods.md``).

Inputs are the indicator's annual values for the area: calendar years (for the baseline) and the
12-month windows that end at the source's last complete month each year (the current value and
the trend), or the survey's waves. The rules, in order:

1. **onvoldoende gegevens / insufficient data**: no baseline or no current value, or fewer
   respondents or facts behind a share, mean or median than the indicator's minimum;
2. **niet te onderscheiden van toeval / within noise**: the measure has a noise model and the
   change since the baseline is not significant (p >= 0.05);
3. **behaald / achieved**: the current value meets the target (checked before rule 2 when the
   change is significant, when the measure has no noise model, or when the baseline already met
   the target and it is being kept);
4. the Open SDG ratio of observed to required annual growth: >= 0.95 **op koers / on track**,
   >= 0.6 **risico / at risk**, below **niet op koers / off track**.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import asdict, dataclass

from core.vocabulary import month, number, p_value, percent
from indicators import stats
from indicators.catalog import Indicator
from indicators.plan import Objective

ALPHA = 0.05


@dataclass(frozen=True)
class Point:
    """An indicator's value in one period for one area, with what it is made of."""

    period: str
    start: dt.date
    end: dt.date
    value: float | None
    numerator: float | None = None
    denominator: float | None = None
    n: int = 0
    n_eff: float | None = None
    sd: float | None = None
    ci_low: float | None = None
    ci_high: float | None = None
    complete: bool = True

    @property
    def t(self) -> float:
        """The period's midpoint in years (2019.5 for the year 2019)."""
        mid = self.start + (self.end - self.start) / 2
        return mid.year + (mid.timetuple().tm_yday - 0.5) / (366 if _leap(mid.year) else 365)

    @property
    def years(self) -> float:
        """The period's length in years (exposure of a count): its whole months / 12."""
        months = (self.end.year - self.start.year) * 12 + self.end.month - self.start.month + 1
        return months / 12


def _leap(year: int) -> bool:
    return year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)


@dataclass(frozen=True)
class Series:
    """An indicator's annual values in one area: calendar years and 12-month windows."""

    years: list[Point]
    windows: list[Point]


@dataclass
class Progress:
    """Where an objective stands in one area, as stored in ``objective_progress``."""

    objective_id: str
    area_id: str
    indicator_id: str | None
    direction: str | None
    period_type: str | None
    baseline_period: str | None
    baseline_value: float | None
    target_value: float | None
    deadline: dt.date | None
    current_period: str | None
    current_value: float | None
    numerator: float | None
    denominator: float | None
    n: int | None
    n_eff: float | None
    ci_low: float | None
    ci_high: float | None
    test: str | None
    p_value: float | None
    position: float | None
    sdg_ratio: float | None
    sdg_category: str | None
    observed_per_year: float | None
    required_per_year: float | None
    projection: float | None
    gap: float | None
    status: str
    reason_nl: str
    reason_en: str

    def as_dict(self) -> dict:
        """The fields as a plain mapping."""
        return asdict(self)


def baseline_years(period: str) -> tuple[int, int]:
    """The years of a baseline period: ``2019`` or a range ``2017-2019``."""
    text = period.strip()
    if "-" in text:
        a, b = text.split("-", 1)
        first, last = int(a), int(b)
    else:
        first = last = int(text)
    if last < first:
        raise ValueError(f"baseline period '{period}' ends before it starts")
    return first, last


def _pool(points: list[Point], ind: Indicator) -> Point | None:
    """Several periods as one: sums of numerators, denominators and n; counts per year."""
    if not points:
        return None
    if len(points) == 1:
        return points[0]
    rule = ind.kind.value_rule
    num = sum(p.numerator or 0.0 for p in points)
    den = sum(p.denominator or 0.0 for p in points)
    n = sum(p.n for p in points)
    years = sum(p.years for p in points)
    if rule == "num":
        value = num / years
    elif rule == "rate":
        value = num / den * (ind.factor or 1.0) if den else None
    elif rule == "ratio":
        value = num / den if den else None
    else:  # medians and percentiles do not pool: the mean of the periods' values
        vals = [p.value for p in points if p.value is not None]
        value = sum(vals) / len(vals) if vals else None
    n_eff = sum(p.n_eff or 0.0 for p in points) or None
    sd = None
    if ind.kind.noise == "mean" and den:  # pooled sd from each period's sums
        sxx = sum((p.denominator or 0.0) * ((p.sd or 0.0) ** 2 + (p.value or 0.0) ** 2)
                  for p in points)
        sd = math.sqrt(max(sxx / den - (num / den) ** 2, 0.0))
    return Point(f"{points[0].period}-{points[-1].period}", points[0].start, points[-1].end,
                 value, num, den, n, n_eff, sd)


@dataclass(frozen=True)
class _Test:
    name: str
    p: float | None


def _noise_test(ind: Indicator, base: list[Point], since: list[Point], current: Point,
                base_pooled: Point) -> _Test:
    """Is the change since the baseline distinguishable from chance?"""
    noise = ind.kind.noise
    if noise is None:
        return _Test("none", None)
    if noise == "poisson":
        if not since:
            return _Test("poisson_exact", None)
        count_now = sum(p.numerator or 0.0 for p in since)
        count_base = sum(p.numerator or 0.0 for p in base)
        if ind.kind.value_rule == "rate":
            exp_now = sum((p.denominator or 0.0) * p.years for p in since)
            exp_base = sum((p.denominator or 0.0) * p.years for p in base)
        else:
            exp_now = sum(p.years for p in since)
            exp_base = sum(p.years for p in base)
        if exp_now <= 0 or exp_base <= 0:
            return _Test("poisson_exact", None)
        return _Test("poisson_exact", stats.poisson_rate_test(
            round(count_now), exp_now, round(count_base), exp_base))
    now = current if not since or ind.source == "survey" else _pool(since, ind) or current
    if now.value is None or base_pooled.value is None or not now.n_eff or not base_pooled.n_eff:
        return _Test(noise, None)
    if noise == "share":
        return _Test("share_z", stats.share_test(now.value, now.n_eff, base_pooled.value,
                                                 base_pooled.n_eff))
    if now.sd is None or base_pooled.sd is None:
        return _Test("welch_t", None)
    return _Test("welch_t", stats.mean_test(now.value, now.sd, now.n_eff, base_pooled.value,
                                            base_pooled.sd, base_pooled.n_eff))


def assess(obj: Objective, ind: Indicator | None, area_id: str, series: Series,
           as_of: dt.date) -> Progress:
    """The progress and status of objective ``obj`` in ``area_id`` as of ``as_of``."""
    empty = dict.fromkeys(
        ("baseline_value", "target_value", "current_period", "current_value", "numerator",
         "denominator", "n", "n_eff", "ci_low", "ci_high", "test", "p_value", "position",
         "sdg_ratio", "sdg_category", "observed_per_year", "required_per_year", "projection",
         "gap"))
    base_kw = dict(objective_id=obj.id, area_id=area_id, indicator_id=obj.indicator,
                   deadline=obj.deadline,
                   baseline_period=obj.baseline.period if obj.baseline else None)

    def insufficient(nl: str, en: str, **known) -> Progress:
        fields = {**empty, **known}
        return Progress(**base_kw, direction=fields.pop("direction", None),
                        period_type=fields.pop("period_type", None), **fields,
                        status="insufficient_data", reason_nl=nl, reason_en=en)

    if ind is None:
        return insufficient(f"indicator '{obj.indicator}' staat niet in de catalogus",
                            f"indicator '{obj.indicator}' is not in the catalogue")
    direction = obj.direction or ind.direction
    survey = ind.source == "survey"
    period_type = "year" if survey else "r12"
    known = {"direction": direction, "period_type": period_type}
    if obj.baseline is None or obj.target is None or obj.deadline is None:
        return insufficient("doelstelling zonder basiswaarde, doel of deadline",
                            "objective without baseline, target or deadline", **known)
    try:
        first, last = baseline_years(obj.baseline.period)
    except ValueError:
        return insufficient(f"basisperiode '{obj.baseline.period}' is geen jaar of jaren",
                            f"baseline period '{obj.baseline.period}' is not a year or years",
                            **known)
    by_year = {p.start.year: p for p in series.years if p.complete}
    base_points = [by_year[y] for y in range(first, last + 1) if y in by_year]
    note_nl = note_en = ""
    if not base_points:  # Open SDG: the first later year with data becomes the base
        later = sorted(y for y in by_year if y > last)
        if later:
            base_points = [by_year[later[0]]]
            note_nl = f" (basisjaar {obj.baseline.period} ontbreekt, {later[0]} gebruikt)"
            note_en = f" (base year {obj.baseline.period} missing, {later[0]} used)"
    base_pooled = _pool(base_points, ind)
    baseline_value = (obj.baseline.value if isinstance(obj.baseline.value, float | int)
                      else (base_pooled.value if base_pooled else None))
    known["baseline_value"] = baseline_value
    if obj.target.value is not None:
        target = float(obj.target.value)
    elif baseline_value is not None:
        target = baseline_value * (1.0 + float(obj.target.change or 0.0))
    else:
        target = None
    known["target_value"] = target
    if baseline_value is None or base_pooled is None:
        return insufficient(f"geen waarde voor de basisperiode {obj.baseline.period}",
                            f"no value for the baseline period {obj.baseline.period}", **known)
    candidates = series.years if survey else series.windows
    complete = [p for p in candidates if p.complete and p.value is not None]
    if not complete:
        return insufficient("geen recente waarde", "no recent value", **known)
    current = complete[-1]
    known.update(current_period=current.period, current_value=current.value,
                 numerator=current.numerator, denominator=current.denominator, n=current.n,
                 n_eff=current.n_eff, ci_low=current.ci_low, ci_high=current.ci_high)
    if ind.kind.noise != "poisson" and ind.kind.value_rule != "num":
        small = min(current.n_eff or current.n, base_pooled.n_eff or base_pooled.n)
        if small < ind.min_n:
            return insufficient(
                f"te weinig waarnemingen (n = {number(small, 0, 'nl')}, minimum {ind.min_n})",
                f"too few observations (n = {number(small, 0, 'en')}, minimum {ind.min_n})",
                **known)
    base_end = base_points[-1].end
    since = [p for p in complete if p.start > base_end] if not survey else []
    test = _noise_test(ind, base_points, since, current, base_pooled)
    t_base = base_pooled.start.year + (base_pooled.end.year - base_pooled.start.year + 1) / 2
    t_deadline = obj.deadline.year + (obj.deadline.timetuple().tm_yday / 365.25) - 0.5
    sdg = stats.sdg_progress(baseline_value, current.value, target, t_base, current.t,
                             t_deadline, direction)
    position = ((current.value - baseline_value) / (target - baseline_value)
                if target is not None and target != baseline_value else None)
    trend = [p for p in (series.years if survey else complete) if p.value is not None]
    projection = stats.project([p.t for p in trend], [p.value for p in trend], t_deadline)
    gap = projection - target if projection is not None and target is not None else None
    significant = test.p is not None and test.p < ALPHA
    baseline_met = target is not None and (
        baseline_value <= target if direction == "lower" else baseline_value >= target)
    if sdg.category == "target_achieved" and (
        test.name == "none" or significant or baseline_met
    ):
        status = "achieved"  # met, by a real change or kept at a level already reached
    elif test.name != "none" and not significant:
        status = "within_noise"
    elif sdg.category == "substantial":
        status = "on_track"
    elif sdg.category == "moderate":
        status = "at_risk"
    elif sdg.category == "insufficient_data":
        status = "insufficient_data"
    else:
        status = "off_track"
    reason_nl, reason_en = _reasons(ind, obj, baseline_value, current, target, test, status,
                                    note_nl, note_en)
    return Progress(
        **base_kw, direction=direction, period_type=period_type, baseline_value=baseline_value,
        target_value=target, current_period=current.period, current_value=current.value,
        numerator=current.numerator, denominator=current.denominator, n=current.n,
        n_eff=current.n_eff, ci_low=current.ci_low, ci_high=current.ci_high, test=test.name,
        p_value=test.p, position=position, sdg_ratio=sdg.ratio, sdg_category=sdg.category,
        observed_per_year=sdg.observed, required_per_year=sdg.required, projection=projection,
        gap=gap, status=status, reason_nl=reason_nl, reason_en=reason_en,
    )


def _reasons(ind: Indicator, obj: Objective, baseline: float, current: Point,
             target: float | None, test: _Test, status: str, note_nl: str,
             note_en: str) -> tuple[str, str]:
    """One line a mayor understands, in Dutch and English."""
    out = []
    window = {"nl": "laatste 12 maanden tot", "en": "12 months to"}
    for lang, note in (("nl", note_nl), ("en", note_en)):
        since, by, needed = ("sinds", "tegen", "nodig") if lang == "nl" else (
            "since", "by", "needed")
        deadline = obj.deadline.year if obj.deadline else "?"
        if obj.target.change is not None and baseline:
            change = current.value / baseline - 1 if current.value is not None else None
            head = (f"{percent(change, 0, lang, signed=True)} {since} {obj.baseline.period}, "
                    f"{needed} {percent(obj.target.change, 0, lang, signed=True)} {by} "
                    f"{deadline}")
        else:
            now_word, goal = ("nu", "doel") if lang == "nl" else ("now", "target")
            head = (f"{now_word} {ind.text(current.value, lang)} "
                    f"({obj.baseline.period}: {ind.text(baseline, lang)}), "
                    f"{goal} {ind.text(target, lang)} {by} {deadline}")
        if current.period and "/" in current.period:
            head += f" ({window[lang]} {month(current.end, lang)})"
        if test.name == "none":
            tail = ("geen ruismodel (geregistreerde prestaties of mediaan)" if lang == "nl"
                    else "no noise model (registered outputs or a median)")
        elif test.p is None:
            tail = "toets niet mogelijk" if lang == "nl" else "no test possible"
        elif test.p < ALPHA:
            tail = f"significant, {p_value(test.p, lang)}"
        else:
            tail = (f"niet te onderscheiden van toeval, {p_value(test.p, lang)}" if lang == "nl"
                    else f"not distinguishable from chance, {p_value(test.p, lang)}")
        out.append(f"{head}; {tail}{note}")
    return out[0], out[1]
