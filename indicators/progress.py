"""Progress and an honest status for one objective in one area (``docs/methods.md``, section 3).

The inputs are the indicator's values for the area: its months (for counts and rates), calendar
years (for the baseline) and 12-month windows ending at the source's last complete month (the
current value), or the survey's waves; with them the dispersion of the area's level
(:mod:`indicators.noise`), the city's seasonal pattern and, for a project, the comparison
area's values.

:func:`evaluate` measures: the baseline and target, the current value, the comparison that
decides a claim (:mod:`indicators.evidence`), the forecast to the deadline with the chance of
reaching the target (:mod:`indicators.forecast`) and the Open SDG progress ratio (shown for
reference). :func:`finalize` takes every evaluation of the plan together, controls the plan's
claims for false discoveries and gives each its status (:mod:`indicators.judge`) and its
sentence (:mod:`indicators.reasons`). :func:`assess` does both for a single objective.
"""

from __future__ import annotations

import datetime as dt
import json
import math
from dataclasses import asdict, dataclass, field, replace

import numpy as np

from core.vocabulary import month as month_name
from core.vocabulary import number
from indicators import judge, stats
from indicators.catalog import Indicator
from indicators.evidence import (
    WINDOW_MONTHS,
    Evidence,
    RecentCounts,
    count_evidence,
    gaussian_evidence,
    transform,
)
from indicators.forecast import (
    NO_FORECAST,
    CountPath,
    Forecast,
    count_forecast,
    count_probability,
    gaussian_forecast,
)
from indicators.noise import POISSON, Dispersion
from indicators.periods import add_months, deadline_month_end, month_end, months_between
from indicators.plan import Objective, Target
from indicators.reasons import reasons

STATUSES = judge.STATUSES
#: Months of the plan before a first judgement (a full 12-month window after the baseline).
FIRST_JUDGEMENT_MONTHS = 12


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
    """An indicator's values in one area: calendar years, 12-month windows and months."""

    years: list[Point]
    windows: list[Point]
    months: list[Point] = field(default_factory=list)


@dataclass(frozen=True)
class Context:
    """What the assessment of one objective in one area needs besides its own values: the
    dispersion of its counts, the city's seasonal factor per calendar month (January first,
    mean 1), and the comparison area's values and dispersion (a project judged against the rest
    of the city or control areas; ``comparison_name`` says which), and the last day of the
    source's last complete month (``anchor``: months up to it without a stored value had no
    facts; None: the current value's last month)."""

    dispersion: Dispersion = POISSON
    season: tuple[float, ...] = (1.0,) * 12
    comparison: Series | None = None
    comparison_dispersion: Dispersion = POISSON
    comparison_name: str | None = None
    anchor: dt.date | None = None


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
    probability: float | None = None
    change: float | None = None
    comparison: str | None = None
    comparison_change: float | None = None
    dispersion: float | None = None
    projection_low: float | None = None
    projection_high: float | None = None
    qualifier: str | None = None
    rule: str | None = None
    evidence: str | None = None  # JSON: the comparison and test that decided, with its counts

    def as_dict(self) -> dict:
        """The fields as a plain mapping."""
        return asdict(self)

    def evidence_record(self) -> dict | None:
        """The stored evidence as a mapping (None when there was no test)."""
        return json.loads(self.evidence) if self.evidence else None


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
    lo = hi = None
    if rule == "direct":  # the mean of the years' interval half-widths, shrunk by sqrt(k)
        widths = [(p.ci_high - p.ci_low) for p in points
                  if p.ci_low is not None and p.ci_high is not None]
        if widths and value is not None:
            half = sum(widths) / len(widths) / 2 / math.sqrt(len(points))
            lo, hi = value - half, value + half
    return Point(f"{points[0].period}-{points[-1].period}", points[0].start, points[-1].end,
                 value, num, den, n, n_eff, sd, lo, hi)


@dataclass
class Evaluation:
    """Everything :func:`evaluate` measured for one objective in one area; :func:`finalize`
    turns a plan's evaluations into statuses. ``done`` is set when no judgement is possible
    (the status is then insufficient data, with its reason)."""

    progress: Progress
    obj: Objective
    ind: Indicator | None
    evidence: Evidence | None = None
    forecast: Forecast = NO_FORECAST
    maintain: bool = False
    registered: bool = False
    meets_target: bool = False
    better_than_baseline: bool = False
    note: tuple[str, str] = ("", "")
    done: bool = False
    milestone: int | None = None  # the intermediate target judged (its year), if any
    milestone_before: tuple[int, bool] | None = None  # the latest past one: year, met


def _with_milestone(obj: Objective, as_of: dt.date) -> Objective:
    """The objective as judged now: a milestone of this year or later replaces the target and
    deadline (the yearly streefwaarde is what the year is steered on); else the objective."""
    step = obj.milestone_ahead(as_of.year)
    if step is None:
        return obj
    return obj.model_copy(update={
        "target": Target(value=step.value, change=step.change),
        "deadline": dt.date(step.year, 12, 31), "milestones": []})


def _milestone_met(obj: Objective, ind: Indicator, series: Series, baseline: float | None,
                   as_of: dt.date) -> tuple[int, bool] | None:
    """The latest past milestone with a complete calendar year: its year and whether the
    year's value met it."""
    step = obj.milestone_behind(as_of.year)
    if step is None or baseline is None:
        return None
    year = next((p for p in series.years if p.start.year == step.year and p.complete
                 and p.value is not None), None)
    if year is None:
        return None
    goal = step.value if step.value is not None else baseline * (1 + (step.change or 0.0))
    lower = (obj.direction or ind.direction) == "lower"
    return step.year, (year.value <= goal if lower else year.value >= goal)


_EMPTY_FIELDS = ("baseline_value", "target_value", "current_period", "current_value",
                 "numerator", "denominator", "n", "n_eff", "ci_low", "ci_high", "test",
                 "p_value", "position", "sdg_ratio", "sdg_category", "observed_per_year",
                 "required_per_year", "projection", "gap")


def evaluate(obj: Objective, ind: Indicator | None, area_id: str, series: Series,
             as_of: dt.date, context: Context | None = None) -> Evaluation:
    """Measure objective ``obj`` in ``area_id`` as of ``as_of`` (see the module docstring).
    With milestones, the one of this year or later is judged (:func:`_with_milestone`), and
    the latest past one is checked against its year's value."""
    judged = _with_milestone(obj, as_of)
    e = _evaluate(judged, ind, area_id, series, as_of, context)
    if judged is not obj:
        e.obj, e.milestone = obj, judged.deadline.year
        e.progress.deadline = obj.deadline
    if ind is not None and obj.milestones:
        e.milestone_before = _milestone_met(obj, ind, series, e.progress.baseline_value, as_of)
    return e


def _evaluate(obj: Objective, ind: Indicator | None, area_id: str, series: Series,
              as_of: dt.date, context: Context | None = None) -> Evaluation:
    context = context or Context()
    base_kw = dict(objective_id=obj.id, area_id=area_id, indicator_id=obj.indicator,
                   deadline=obj.deadline,
                   baseline_period=obj.baseline.period if obj.baseline else None,
                   comparison=context.comparison_name)
    known: dict = {}

    def insufficient(nl: str, en: str) -> Evaluation:
        fields = {**dict.fromkeys(_EMPTY_FIELDS), **known}
        p = Progress(**base_kw, direction=fields.pop("direction", None),
                     period_type=fields.pop("period_type", None), **fields,
                     status="insufficient_data", reason_nl=nl, reason_en=en,
                     rule="insufficient")
        return Evaluation(p, obj, ind, done=True)

    if ind is None:
        return insufficient(f"indicator '{obj.indicator}' staat niet in de catalogus",
                            f"indicator '{obj.indicator}' is not in the catalogue")
    direction = obj.direction or ind.direction
    survey = ind.source == "survey"
    known.update(direction=direction, period_type="year" if survey else "r12")
    if obj.baseline is None or obj.target is None or obj.deadline is None:
        return insufficient("doelstelling zonder basiswaarde, doel of deadline",
                            "objective without baseline, target or deadline")
    try:
        first, last = baseline_years(obj.baseline.period)
    except ValueError:
        return insufficient(f"basisperiode '{obj.baseline.period}' is geen jaar of jaren",
                            f"baseline period '{obj.baseline.period}' is not a year or years")
    by_year = {p.start.year: p for p in series.years if p.complete}
    base_points = [by_year[y] for y in range(first, last + 1) if y in by_year]
    note = ("", "")
    if not base_points:  # Open SDG: the first later year with data becomes the base
        later = sorted(y for y in by_year if y > last)
        if later:
            base_points = [by_year[later[0]]]
            note = (f" (basisjaar {obj.baseline.period} ontbreekt, {later[0]} gebruikt)",
                    f" (base year {obj.baseline.period} missing, {later[0]} used)")
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
    if baseline_value is None or base_pooled is None or target is None:
        return insufficient(f"geen waarde voor de basisperiode {obj.baseline.period}",
                            f"no value for the baseline period {obj.baseline.period}")
    candidates = series.years if survey else series.windows
    complete = [p for p in candidates if p.complete and p.value is not None]
    deadline_end = deadline_month_end(obj.deadline)
    final = [p for p in complete if p.end <= deadline_end]
    if not final:
        return insufficient("geen recente waarde", "no recent value")
    current = final[-1]
    known.update(current_period=current.period, current_value=current.value,
                 numerator=current.numerator, denominator=current.denominator, n=current.n,
                 n_eff=current.n_eff, ci_low=current.ci_low, ci_high=current.ci_high)
    counts = ind.kind.noise == "poisson"
    registered = ind.kind.noise is None and ind.kind.value_rule == "num"
    if not counts and not registered:
        small = min(current.n_eff or current.n, base_pooled.n_eff or base_pooled.n)
        if small < ind.min_n:
            return insufficient(
                f"te weinig waarnemingen (n = {number(small, 0, 'nl')}, minimum {ind.min_n})",
                f"too few observations (n = {number(small, 0, 'en')}, minimum {ind.min_n})")
    base_end = dt.date(base_points[-1].end.year, 12, 31)
    months = months_between(base_end, current.end)
    if months < FIRST_JUDGEMENT_MONTHS:
        first_day = add_months(base_end + dt.timedelta(days=1), FIRST_JUDGEMENT_MONTHS - 1)
        if survey:
            return insufficient(
                "nog geen bevraging na de basisperiode: een eerste oordeel volgt na de "
                "volgende bevraging",
                "no survey wave after the baseline yet: a first judgement follows the next "
                "wave")
        return insufficient(
            f"het plan loopt pas {months} maanden: een eerste oordeel volgt na 12 maanden "
            f"({month_name(month_end(first_day), 'nl')})",
            f"the plan has run only {months} months: a first judgement follows after 12 "
            f"months ({month_name(month_end(first_day), 'en')})")
    lower = direction == "lower"
    maintain = (baseline_value <= target) if lower else (baseline_value >= target)
    meets = (current.value <= target) if lower else (current.value >= target)
    better = (current.value < baseline_value) if lower else (current.value > baseline_value)
    plan_start = base_end + dt.timedelta(days=1)
    if counts:
        ratio = target / baseline_value if baseline_value else 1.0
        evidence, forecast = _counts(ind, obj, series, context, base_points, plan_start,
                                     current, target, ratio, lower)
    elif registered:
        evidence, forecast = _registered(ind, obj, series, base_points, base_pooled, plan_start,
                                         current, target, lower, months)
    else:
        evidence, forecast = _sampled(ind, obj, series, base_points, base_pooled, plan_start,
                                      current, target, lower, months, survey)
    if current.end >= deadline_end - dt.timedelta(days=1):  # the deadline's value is known
        forecast = replace(forecast, probability=1.0 if meets else 0.0,
                           value=current.value, low=current.value, high=current.value)
    t_base = base_pooled.start.year + (base_pooled.end.year - base_pooled.start.year + 1) / 2
    t_deadline = obj.deadline.year + (obj.deadline.timetuple().tm_yday / 365.25) - 0.5
    sdg = stats.sdg_progress(baseline_value, current.value, target, t_base, current.t,
                             t_deadline, direction)
    position = ((current.value - baseline_value) / (target - baseline_value)
                if target != baseline_value else None)
    projection = forecast.value
    progress = Progress(
        **base_kw, direction=direction, period_type=known["period_type"],
        baseline_value=baseline_value, target_value=target, current_period=current.period,
        current_value=current.value, numerator=current.numerator,
        denominator=current.denominator, n=current.n, n_eff=current.n_eff,
        ci_low=current.ci_low, ci_high=current.ci_high,
        test=evidence.test if evidence else None,
        p_value=evidence.p_value if evidence else None, position=position,
        sdg_ratio=sdg.ratio, sdg_category=sdg.category, observed_per_year=sdg.observed,
        required_per_year=sdg.required, projection=projection,
        gap=projection - target if projection is not None else None,
        status="insufficient_data", reason_nl="", reason_en="",
        probability=forecast.probability, change=evidence.change if evidence else None,
        comparison_change=evidence.comparison_change if evidence else None,
        dispersion=context.dispersion.phi if counts else None,
        projection_low=forecast.low, projection_high=forecast.high,
    )
    return Evaluation(progress, obj, ind, evidence, forecast, maintain, registered, meets,
                      better, note)


def _years_since(day: dt.date, start: dt.date) -> float:
    return (day - start).days / 365.25


# -- counts and rates -------------------------------------------------------------------------


def _count_months(ind: Indicator, series: Series, season: tuple[float, ...], first: dt.date,
                  last: dt.date) -> tuple[list[Point], np.ndarray, np.ndarray]:
    """Every month from ``first`` (or the series' first month) to ``last`` (the last complete
    month of the source), with its count and exposure (years, or person-years for a rate,
    times the seasonal factor): a month without a stored value had no facts (0, as for an
    event indicator outside its event's days). Incomplete months are left out."""
    rate = ind.kind.value_rule == "rate"
    have = {p.start: p for p in series.months}
    if not have:
        return [], np.zeros(0), np.zeros(0)
    lo, hi = max(first, min(have)), last
    pts: list[Point] = []
    den = None
    m = lo.replace(day=1)
    while m <= hi:
        p = have.get(m)
        if p is None:
            p = Point(f"{m:%Y-%m}", m, month_end(m), 0.0, 0.0, den, 0)
        den = p.denominator if p.denominator is not None else den
        if p.complete:
            pts.append(p if p.denominator is not None or not rate else replace(p, denominator=den))
        m = add_months(m, 1)
    y = np.array([p.numerator or 0.0 for p in pts], dtype=float)
    x = np.array([((p.denominator or 0.0) if rate else 1.0) / 12.0 * season[p.start.month - 1]
                  for p in pts], dtype=float)
    keep = x > 0
    return [p for p, k in zip(pts, keep, strict=True) if k], y[keep], x[keep]


def _recent(ind: Indicator, series: Series, season: tuple[float, ...], base_points: list[Point],
            plan_start: dt.date, anchor_end: dt.date) -> tuple[RecentCounts, list[Point],
                                                                 np.ndarray, np.ndarray] | None:
    first = dt.date(base_points[0].start.year, 1, 1)
    pts, y, x = _count_months(ind, series, season, first, anchor_end)
    if not pts:
        return None
    plan = np.array([p.start >= plan_start for p in pts])
    base = ~plan & np.array([p.start.year in {b.start.year for b in base_points} for p in pts])
    if not plan.any() or not base.any():
        return None
    rc = RecentCounts(y[plan], x[plan], float(y[base].sum()), float(x[base].sum()))
    return rc, pts, y, x


def _counts(ind: Indicator, obj: Objective, series: Series, ctx: Context,
            base_points: list[Point], plan_start: dt.date, current: Point, target: float,
            target_ratio: float, lower: bool) -> tuple[Evidence | None, Forecast]:
    anchor_end = max(current.end, ctx.anchor) if ctx.anchor else current.end
    mine = _recent(ind, series, ctx.season, base_points, plan_start, anchor_end)
    if mine is None:
        return None, NO_FORECAST
    rc, pts, y, x = mine
    window = min(rc.months, WINDOW_MONTHS)
    plan_label = f"{add_months(anchor_end.replace(day=1), 1 - window):%Y-%m}/{anchor_end:%Y-%m}"
    phi = ctx.dispersion.phi
    df = ctx.dispersion.df or None
    comp = None
    if ctx.comparison is not None:
        comp = _recent(ind, ctx.comparison, ctx.season, base_points, plan_start, anchor_end)
    evidence = count_evidence(rc, phi, df, plan_label, obj.baseline.period,
                              comp[0] if comp else None, ctx.comparison_dispersion.phi)
    if ind.kind.value_rule == "rate":  # rates per person-year as the indicator shows them
        factor = ind.factor or 1.0
        evidence = replace(evidence, now_value=_times(evidence.now_value, factor),
                           base_value=_times(evidence.base_value, factor))
    years = _month_years(pts, plan_start)
    deadline_end = deadline_month_end(obj.deadline)
    final_first = add_months(deadline_end.replace(day=1), -11)
    finals = [add_months(final_first, k) for k in range(12)]
    rate = ind.kind.value_rule == "rate"
    den = (pts[-1].denominator or 0.0) if rate else 1.0
    final_x = np.array([den / 12.0 * ctx.season[m.month - 1] for m in finals])
    final_years = _month_years(finals, plan_start)
    offset = final_offset = None
    offset_var = 0.0
    if comp is not None:
        rel = _relative(comp, ctx.comparison_dispersion.phi, plan_start, pts, finals,
                        final_x, final_years)
        if rel is None:
            return evidence, NO_FORECAST
        offset, final_offset, offset_var = rel
    path = CountPath(y, x, years, final_x, final_years, offset, final_offset, offset_var)
    base_rate = rc.base_count / rc.base_exposure if rc.base_exposure > 0 else 0.0
    per_count = ((ind.factor or 1.0) / den if rate and den else 1.0)
    # with a comparison, the target applies to the change relative to the comparison's
    forecast = count_forecast(path, phi, base_rate, per_count,
                              None if comp is not None else target, lower)
    if comp is not None and forecast.value is not None:
        forecast = _relative_forecast(forecast, path, phi, rc, target_ratio - 1.0, lower)
    return evidence, forecast


def _times(value: float | None, factor: float) -> float | None:
    return None if value is None else value * factor


def _month_years(months: list, plan_start: dt.date) -> np.ndarray:
    """Each month's middle in years since the plan started (months as points or dates)."""
    base = plan_start.year * 12 + plan_start.month - 1
    return np.array([((getattr(m, "start", m).year * 12 + getattr(m, "start", m).month - 1)
                      - base + 0.5) / 12.0 for m in months])


def _relative(comp: tuple, phi_c: float, plan_start: dt.date, pts: list[Point],
              finals: list[dt.date], final_x: np.ndarray, final_years: np.ndarray):
    """The comparison's fitted level relative to its baseline, as a log offset for each of the
    area's months and the deadline's months, and the variance of the comparison's own outcome
    at the deadline (its forecast's and its count's noise) on the log scale."""
    _, pts_c, y_c, x_c = comp
    years_c = _month_years(pts_c, plan_start)
    path_c = CountPath(y_c, x_c, years_c, final_x, final_years)
    try:
        fit = path_c.fit(phi_c)
    except ValueError:
        return None
    relative = path_c.relative_levels(fit)
    by_month = {p.start: r for p, r in zip(pts_c, relative, strict=True)}
    offset = np.array([by_month.get(p.start, 0.0) for p in pts])
    mean_c, var_c = path_c.final_mean(fit)
    return offset, path_c.final_relative_levels(fit), var_c + phi_c / max(mean_c, 1e-9)


def _relative_forecast(forecast: Forecast, path: CountPath, phi: float, rc: RecentCounts,
                       change: float, lower: bool) -> Forecast:
    """The chance that the area's change relative to the comparison's meets a relative target
    ``change``: the deadline's count against the baseline rate, times the comparison's
    change, times ``1 + change``, with the comparison's own uncertainty."""
    fit = path.fit(phi)
    mean, var = path.final_mean(fit)
    without_effect = rc.base_count / rc.base_exposure * float(
        np.sum(path.final_exposure * np.exp(path.final_offset)))
    prob = count_probability(mean, var, phi, (1.0 + change) * without_effect, lower)
    return replace(forecast, probability=prob)


# -- registered outputs and sampled measures --------------------------------------------------


def _yearly_points(series: Series, base_points: list[Point], current: Point,
                   survey: bool) -> list[Point]:
    """The yearly values the forecast runs through: the baseline's years, complete later years
    that end before the current window starts, and the current value."""
    first = base_points[0].start
    pts = [p for p in series.years if p.complete and p.value is not None and p.start >= first]
    if not survey:
        pts = [p for p in pts if p.end < current.start]
        pts.append(current)
    return pts


def _registered(ind: Indicator, obj: Objective, series: Series, base_points: list[Point],
                base: Point, plan_start: dt.date, current: Point, target: float, lower: bool,
                months: int) -> tuple[Evidence, Forecast]:
    diff = (current.value or 0.0) - (base.value or 0.0)
    z = 0.0 if diff == 0 else math.copysign(math.inf, diff)
    evidence = Evidence("current_value", "registered", current.period, obj.baseline.period,
                        current.value, base.value,
                        current.value / base.value - 1.0 if base.value else None, z, None, 0.0,
                        months)
    pts = _yearly_points(series, base_points, current, False)
    pre = [math.log(p.value) for p in series.years
           if p.complete and p.value and p.value > 0 and p.end < plan_start]
    extra = float(np.var(pre, ddof=1)) if len(pre) >= 2 else 0.1 ** 2
    extra = max(extra, 0.05 ** 2)
    scale = "log" if all((p.value or 0) > 0 for p in pts) and target > 0 else "identity"
    if scale == "identity":
        extra *= max(abs(base.value or 1.0), 1.0) ** 2
    forecast = gaussian_forecast(
        np.array([_years_since(p.start + (p.end - p.start) / 2, plan_start) for p in pts]),
        np.array([p.value for p in pts]), np.zeros(len(pts)), scale,
        _years_since(deadline_month_end(obj.deadline) - dt.timedelta(days=182), plan_start),
        0.0, target, lower, extra_variance=extra)
    return evidence, forecast


def _variance(ind: Indicator, p: Point) -> float | None:
    """The sampling variance of a share, mean or median value."""
    if p.value is None:
        return None
    if ind.kind.noise == "share":
        n = p.n_eff or p.n
        return p.value * (1 - p.value) / n if n else None
    if ind.kind.noise == "mean":
        n = p.n_eff or p.n
        return (p.sd ** 2) / n if p.sd is not None and n and n > 1 else None
    if p.ci_low is not None and p.ci_high is not None:  # median: its order-statistic interval
        return max((p.ci_high - p.ci_low) / (2 * 1.959964), 1e-9) ** 2
    return None


def _inflation(ind: Indicator, series: Series, base_points: list[Point], scale: str) -> float:
    """Variation of the baseline's monthly values beyond their sampling variance (at least
    1): Pearson's chi-square of the months around their mean over its degrees of freedom."""
    years = {b.start.year for b in base_points}
    vals = []
    for p in series.months:
        if p.start.year in years and p.complete and p.value is not None:
            v = _variance(ind, p)
            if v and v > 0:
                vals.append(transform(p.value, v, scale))
    if len(vals) < 6:
        return 1.0
    g = np.array([a for a, _ in vals])
    w = 1.0 / np.array([b for _, b in vals])
    mean = float((w * g).sum() / w.sum())
    return max(1.0, float((w * (g - mean) ** 2).sum()) / (len(vals) - 1))


def _sampled(ind: Indicator, obj: Objective, series: Series, base_points: list[Point],
             base: Point, plan_start: dt.date, current: Point, target: float, lower: bool,
             months: int, survey: bool) -> tuple[Evidence | None, Forecast]:
    positive = (base.value or 0) > 0 and (current.value or 0) > 0
    scale = "logit" if ind.kind.noise == "share" else ("log" if positive else "identity")
    var_now, var_base = _variance(ind, current), _variance(ind, base)
    inflation = 1.0 if survey else _inflation(ind, series, base_points, scale)
    evidence = None
    if var_now and var_base and current.value is not None and base.value is not None:
        evidence = gaussian_evidence(current.value, var_now, base.value, var_base, scale,
                                     months, current.period, obj.baseline.period, inflation)
    pts = [p for p in _yearly_points(series, base_points, current, survey)
           if _variance(ind, p)]
    if len(pts) < 2 or not var_now:
        return evidence, NO_FORECAST
    forecast = gaussian_forecast(
        np.array([_years_since(p.start + (p.end - p.start) / 2, plan_start) for p in pts]),
        np.array([p.value for p in pts]),
        np.array([_variance(ind, p) * inflation for p in pts]), scale,
        _years_since(deadline_month_end(obj.deadline) - dt.timedelta(days=182), plan_start),
        var_now * inflation, target, lower)
    return evidence, forecast


# -- the plan together --------------------------------------------------------------------------


def finalize(evaluations: list[Evaluation]) -> list[Progress]:
    """Statuses and sentences for a plan's evaluations, with its claims controlled for false
    discoveries across the plan (:func:`indicators.judge.plan_significance`)."""
    live = [e for e in evaluations if not e.done]
    directions = judge.plan_significance([e.evidence for e in live])
    out: dict[int, Progress] = {}
    for e, rise in zip(live, directions, strict=True):
        lower = e.progress.direction == "lower"
        good = -rise if lower else rise
        verdict = judge.decide(
            maintain=e.maintain, direction=good, registered=e.registered,
            meets_target=e.meets_target, better_than_baseline=e.better_than_baseline,
            probability=e.forecast.probability,
            tested=e.evidence is not None and e.evidence.z is not None)
        p = e.progress
        p.status, p.rule, p.qualifier = verdict.status, verdict.rule, verdict.qualifier
        p.evidence = json.dumps(_evidence_record(e, rise), sort_keys=True, default=str)
        p.reason_nl, p.reason_en = reasons(e, verdict, rise)
        out[id(e)] = p
    return [out.get(id(e), e.progress) for e in evaluations]


def _evidence_record(e: Evaluation, rise: int) -> dict:
    rec = e.evidence.as_dict() if e.evidence else {}
    rec["significant"] = rise != 0
    if e.milestone is not None:
        rec["milestone"] = e.milestone
    if e.milestone_before is not None:
        rec["milestone_before"] = {"year": e.milestone_before[0], "met": e.milestone_before[1]}
    rec["forecast"] = e.forecast.as_dict()
    return rec


def assess(obj: Objective, ind: Indicator | None, area_id: str, series: Series,
           as_of: dt.date, context: Context | None = None) -> Progress:
    """The progress and status of objective ``obj`` in ``area_id`` as of ``as_of``, judged on
    its own (a plan's objectives are judged together by :func:`finalize`)."""
    return finalize([evaluate(obj, ind, area_id, series, as_of, context)])[0]
