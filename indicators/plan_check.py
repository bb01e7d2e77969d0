"""``ivm plan check``: a SMART linter for the plan.

For every objective it lists what is missing (Specific: indicator, area, owner; Measurable: an
indicator in the catalogue and a baseline; Achievable/Relevant: a target in the indicator's good
direction; Time-bound: a deadline after the baseline, an approved plan version), and warns when
the target cannot be told apart from noise before its deadline: for counts, even reaching the
target exactly would not make the change significant (e.g. -10 % on 12 incidents a year).
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass

import duckdb

from etl.taxonomy import area_levels
from indicators.catalog import Catalog
from indicators.plan import Objective, PlanFile
from indicators.progress import baseline_years
from indicators.refresh import objective_areas
from indicators.results import series

Z_95 = 1.959964


@dataclass(frozen=True)
class Finding:
    """One finding of the linter: ``error`` (a reference or date that makes no sense: the plan
    cannot be loaded), ``missing`` (not SMART) or ``warning`` (noise, direction)."""

    objective_id: str
    severity: str
    code: str
    message: str


def expected_z(ind_noise: str, baseline: float, change: float, base_years: float,
               plan_years: float, n_eff: float | None = None) -> float | None:
    """The test statistic a change of exactly ``change`` would give by the deadline.

    Counts: the log rate ratio over its standard error, with the baseline's ``base_years`` of
    counts against ``plan_years`` at the target rate. Shares: the pooled z-test of two waves of
    effective size ``n_eff``. None when it cannot be told (no noise model, no value).
    """
    if baseline is None or baseline <= 0 or change is None or change <= -1:
        return None
    if ind_noise == "poisson":
        target = baseline * (1 + change)
        var = 1 / (baseline * base_years) + 1 / (target * max(plan_years, 1e-9))
        return abs(math.log1p(change)) / math.sqrt(var)
    if ind_noise == "share" and n_eff:
        p0, p1 = baseline, min(max(baseline * (1 + change), 0.0), 1.0)
        pooled = (p0 + p1) / 2
        se = math.sqrt(pooled * (1 - pooled) * 2 / n_eff)
        return abs(p1 - p0) / se if se > 0 else None
    return None


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
    for obj in plan.objectives:
        out.extend(_dates(obj, approved, today))
        if areas:
            out.extend(_areas(obj, con))
        out.extend(_check(obj, catalog, con))
    return out


def errors(findings: list[Finding]) -> list[Finding]:
    """The findings that refuse a plan's load."""
    return [f for f in findings if f.severity == "error"]


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
    plan_years = max(obj.deadline.year - last, 1)
    base_years = last - first + 1
    known = {a for (a,) in con.execute("SELECT area_id FROM area").fetchall()}
    for area in objective_areas(con, obj):
        if area not in known:
            continue  # an error of its own (see _areas)
        data = series(con, ind, area)
        base = [p for p in data.years if first <= p.start.year <= last and p.complete]
        if not base or ind.kind.noise is None:
            continue
        if ind.kind.noise == "poisson":
            per_year = sum(p.numerator or 0 for p in base) / len(base)
            z = expected_z("poisson", per_year, obj.target.change, base_years, plan_years)
            size = f"{per_year:.0f} a year"
        else:
            n_eff = min(p.n_eff or 0 for p in base)
            value = base[-1].value
            z = expected_z(ind.kind.noise, value, obj.target.change, 1, 1, n_eff)
            size = f"effective n {n_eff:.0f}"
        if z is not None and z < Z_95:
            out.append(Finding(
                obj.id, "warning", "target_within_noise",
                f"{area}: a change of {obj.target.change:+.0%} on {size} cannot be told apart "
                f"from noise by {obj.deadline.year} (expected z = {z:.2f} < 1.96); use a larger "
                "area, a longer baseline or a larger target"))
    return out
