"""``ivm plan check``: a SMART linter for the plan.

For every objective it lists what is missing (Specific: indicator, area, owner; Measurable: an
indicator in the catalogue and a baseline; Achievable/Relevant: a target in the indicator's good
direction; Time-bound: a deadline after the baseline, an approved plan version), and states for
every objective with a noise model the chance of showing its target by the deadline: if the
indicator moves on a straight path from the baseline to the target, how likely the status's own
test (:mod:`indicators.evidence`, with the dispersion of the area's level and the boundary for
repeated looks) calls the change real at the deadline. Below 50 % the target cannot be told
apart from noise (a warning), below 80 % it is hard to show (e.g. -10 % on 12 incidents a
year: about 10 %).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import duckdb
import numpy as np
from scipy import stats as sp

from etl.taxonomy import area_levels
from indicators.availability import loaded_denominators, unavailable_reason
from indicators.catalog import Catalog
from indicators.evidence import RecentCounts, count_evidence, gaussian_evidence
from indicators.periods import deadline_month_end, months_between
from indicators.plan import Objective, PlanFile
from indicators.progress import baseline_years
from indicators.refresh import PlanContexts, objective_areas
from indicators.results import Tables, series


@dataclass(frozen=True)
class Finding:
    """One finding of the linter: ``error`` (a reference or date that makes no sense: the plan
    cannot be loaded), ``missing`` (not SMART), ``warning`` (noise, direction) or ``info`` (the
    chance of showing the target, when it is good)."""

    objective_id: str
    severity: str
    code: str
    message: str


#: Latest deadline a plan may set, in years after its approval (or today).
MAX_PLAN_YEARS = 30


def check_plan(plan: PlanFile, catalog: Catalog,
               con: duckdb.DuckDBPyConnection | None = None,
               today: dt.date | None = None, in_force: bool = False) -> list[Finding]:
    """Every finding for every objective; with a warehouse, areas must be loaded (once any is,
    or always for a plan to be put ``in_force``) and baselines come from the data."""
    today = today or dt.date.today()
    out: list[Finding] = []
    approved = plan.plan.approved_on
    if approved is None:
        out.append(Finding("(plan)", "missing", "no_approval",
                           "the plan version has no council approval date (approved_on)"))
    elif approved > today:
        out.append(Finding("(plan)", "error", "approved_in_future",
                           f"the approval date {approved} lies in the future"))
    areas = con is not None and (
        in_force or bool(con.execute("SELECT count(*) FROM area").fetchall()[0][0]))
    if con is not None and not areas:
        out.append(Finding("(plan)", "warning", "no_areas_yet", "no areas are loaded yet: the "
                           "objectives' areas are checked once they are (and on activation)"))
    facts = con is not None and (in_force or _facts_loaded(con))
    denominators = loaded_denominators(con) if con is not None else set()
    for obj in plan.objectives:
        dated = _dates(obj, approved, today)
        out.extend(dated)
        if areas:
            out.extend(_areas(obj, con))
        if con is not None:
            out.extend(_computable(obj, catalog, denominators, facts))
        # a deadline that makes no sense has no chance to be computed
        out.extend(_check(obj, catalog, con if not errors(dated) else None))
    return out


def errors(findings: list[Finding]) -> list[Finding]:
    """The findings that refuse a plan's load."""
    return [f for f in findings if f.severity == "error"]


def _facts_loaded(con: duckdb.DuckDBPyConnection) -> bool:
    """Whether facts or population are loaded (then what a rate needs must be there too)."""
    return bool(con.execute(
        "SELECT count(*) FROM load_log WHERE outcome = 'loaded' "
        "AND kind NOT IN ('areas', 'plan')").fetchall()[0][0])


def _computable(obj: Objective, catalog: Catalog, denominators: set[str],
                facts: bool) -> list[Finding]:
    """An objective on an indicator the warehouse can never compute (a rate whose denominator
    is not loaded): refused once facts are loaded (or for a plan put in force), a warning
    before."""
    ind = catalog.indicators.get(obj.indicator) if obj.indicator else None
    reason = unavailable_reason(ind, denominators) if ind is not None else None
    if reason is None:
        return []
    if facts:
        return [Finding(obj.id, "error", "no_denominator", f"indicator '{ind.id}' is "
                        f"{reason.en}")]
    return [Finding(obj.id, "warning", "no_denominator_yet", f"indicator '{ind.id}' needs "
                    f"{ind.population}, not loaded yet: the objective is checked again once "
                    "data are loaded (and on activation)")]


def _dates(obj: Objective, approved: dt.date | None, today: dt.date) -> list[Finding]:
    """A deadline that lies before the plan's approval, or decades after it."""
    out: list[Finding] = []
    if obj.deadline is None:
        return out
    if approved is not None and obj.deadline < approved:
        out.append(Finding(obj.id, "error", "deadline_before_approval",
                           f"deadline {obj.deadline} lies before the plan's approval {approved}"))
    start = approved if approved is not None and approved <= today else today
    if obj.deadline.year > start.year + MAX_PLAN_YEARS:
        out.append(Finding(obj.id, "error", "deadline_too_far",
                           f"deadline {obj.deadline} lies more than {MAX_PLAN_YEARS} years "
                           "after the plan"))
    return out


def _areas(obj: Objective, con: duckdb.DuckDBPyConnection) -> list[Finding]:
    """Areas the objective names that are not loaded, or a level no area has."""
    out: list[Finding] = []
    levels = dict(con.execute("SELECT level, count(*) FROM area GROUP BY level").fetchall())
    if obj.areas:
        known = {a for (a,) in con.execute(
            "SELECT area_id FROM area WHERE area_id IN (SELECT unnest(?))",
            [list(obj.areas)]).fetchall()}
        for area in obj.areas:
            if area not in known:
                out.append(Finding(obj.id, "error", "unknown_area",
                                   f"area '{area}' is not loaded"))
    elif obj.area_level:
        if obj.area_level not in area_levels():
            out.append(Finding(obj.id, "error", "unknown_level",
                               f"area level '{obj.area_level}' is not one of "
                               + ", ".join(area_levels())))
        elif not levels.get(obj.area_level):
            out.append(Finding(obj.id, "warning", "no_areas_of_level",
                               f"no area of level '{obj.area_level}' is loaded yet"))
    return out


def _check(obj: Objective, catalog: Catalog,
           con: duckdb.DuckDBPyConnection | None) -> list[Finding]:
    found: list[Finding] = []

    def add(severity: str, code: str, message: str) -> None:
        found.append(Finding(obj.id, severity, code, message))

    if not obj.title.en:
        add("warning", "no_english_title", "no English title")
    if not obj.owner:
        add("missing", "no_owner", "no owner (who is accountable?)")
    if not obj.dimension:
        add("missing", "no_dimension", "no dimension (criminaliteit, overlast, ...)")
    if not obj.areas and not obj.area_level:
        add("missing", "no_area", "no area or area level")
    if not obj.indicator:
        add("missing", "no_indicator", "no indicator: the objective cannot be measured")
    ind = catalog.indicators.get(obj.indicator) if obj.indicator else None
    if obj.indicator and ind is None:
        add("error", "unknown_indicator",
            f"indicator '{obj.indicator}' is not in the catalogue")
    if obj.baseline is None:
        add("missing", "no_baseline", "no baseline (period and value or from_data)")
    if obj.target is None:
        add("missing", "no_target", "no target (value or relative change)")
    if obj.deadline is None:
        add("missing", "no_deadline", "no deadline")
    if obj.baseline is not None:
        try:
            first, last = baseline_years(obj.baseline.period)
        except ValueError:
            add("error", "bad_baseline", f"baseline period '{obj.baseline.period}' is not "
                "a year or a range of years")
            return found
        if obj.deadline is not None and obj.deadline.year <= last:
            add("error", "deadline_before_baseline",
                f"deadline {obj.deadline} is not after the baseline period")
    if ind is not None and ind.event is not None and con is not None and not con.execute(
            "SELECT 1 FROM event_edition WHERE event_id = ? AND NOT cancelled",
            [ind.event]).fetchall():
        add("missing", "unknown_event", f"indicator '{ind.id}' counts the days of event "
            f"'{ind.event}', but no held edition of it is loaded (`ivm load events FILE`)")
    if ind is None or obj.baseline is None or obj.target is None or obj.deadline is None:
        return found
    direction = obj.direction or ind.direction
    if obj.target.change is not None and obj.target.change != 0:
        good = obj.target.change < 0 if direction == "lower" else obj.target.change > 0
        if not good:
            add("warning", "target_wrong_way",
                f"the target moves the indicator the wrong way ({direction} is better)")
    if con is not None and obj.target.change is not None:
        found.extend(_noise_findings(obj, ind, con, first, last))
    return found


def _noise_findings(obj: Objective, ind, con: duckdb.DuckDBPyConnection, first: int,
                    last: int) -> list[Finding]:
    out = []
    levels = dict(con.execute("SELECT area_id, level FROM area").fetchall())
    contexts = PlanContexts(con, Tables(), {})
    months = months_between(dt.date(last, 12, 31), deadline_month_end(obj.deadline))
    base_years = last - first + 1
    for area in objective_areas(con, obj):
        if area not in levels:
            continue  # an error of its own (see _areas)
        data = series(con, ind, area)
        base = [p for p in data.years if first <= p.start.year <= last and p.complete]
        if not base or ind.kind.noise is None or months < 1:
            continue
        if ind.kind.noise == "poisson":
            per_year = sum(p.numerator or 0 for p in base) / len(base)
            ctx = contexts.context(obj, ind, area, levels[area])
            power = count_power(per_year, obj.target.change, base_years, months,
                                ctx.dispersion.phi, ctx.dispersion.df or None)
            size = f"{per_year:.0f} a year"
            if ctx.dispersion.phi > 1:
                size += f", {ctx.dispersion.phi:.1f} x Poisson variation"
        else:
            p0 = base[-1]
            power = share_power(ind.kind.noise, p0.value, p0.sd, min(p.n_eff or p.n for p in base),
                                obj.target.change, months)
            size = f"effective n {min(p.n_eff or p.n for p in base):.0f}"
        if power is None:
            continue
        year = obj.deadline.year
        text = (f"{area}: chance of showing a change of {obj.target.change:+.0%} on {size} by "
                f"{year}, if the target is reached on a straight path: {power:.0%} (kans om dit "
                f"doel aan te tonen tegen {year}: {power:.0%})")
        if power < 0.5:
            out.append(Finding(obj.id, "warning", "target_within_noise",
                               f"{text}; it cannot be told apart from noise: use a larger area, "
                               "a broader category or a larger target"))
        elif power < 0.8:
            out.append(Finding(obj.id, "warning", "target_hard_to_show", text))
        else:
            out.append(Finding(obj.id, "info", "target_can_be_shown", text))
    return out


def count_power(per_year: float, change: float, base_years: float, months: int, phi: float,
                df: int | None) -> float | None:
    """The chance that the status's count test calls a change real at the deadline, when the
    yearly count moves on a straight line from ``per_year`` to ``per_year * (1 + change)`` over
    the ``months`` from the baseline's end to the deadline (expected counts, normal
    approximation: ``Phi(|E z| - threshold)``)."""
    if per_year <= 0 or change is None or change <= -1:
        return None
    h = (np.arange(months) + 0.5) / months
    expected = per_year * (1 + change * h) / 12
    series = RecentCounts(expected, np.full(months, 1 / 12), per_year * base_years,
                          float(base_years))
    e = count_evidence(series, phi, df, "", "")
    if e.z is None:
        return None
    return float(sp.norm.cdf(abs(e.z) - e.threshold))


def share_power(noise: str, value: float | None, sd: float | None, n_eff: float,
                change: float, months: int) -> float | None:
    """The same for a share (logit scale) or a mean (log scale) measured on ``n_eff``
    respondents or facts at the baseline and at the deadline."""
    if value is None or change is None or not n_eff or value <= 0:
        return None
    target = value * (1 + change)
    if noise == "share":
        if not 0 < target < 1:
            return None
        e = gaussian_evidence(target, target * (1 - target) / n_eff, value,
                              value * (1 - value) / n_eff, "logit", months, "", "")
    elif sd:
        e = gaussian_evidence(target, sd * sd / n_eff, value, sd * sd / n_eff, "log", months,
                              "", "")
    else:
        return None
    if e.z is None:
        return None
    return float(sp.norm.cdf(abs(e.z) - e.threshold))
