"""The plan (LIVP / ZVP): its YAML structure as a validated model.

This module checks the *structure* of a plan file (types, known phases, plans and dimensions,
unique ids) and reports every problem at once. Whether each objective is SMART, and how it
progresses, is judged elsewhere in this layer.
"""

from __future__ import annotations

import datetime as dt
import difflib
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from core import vocabulary
from core.errors import DeclarationError, IvmError, Where

#: The keys of the vocabulary's tables: the safety chain's phases in order, the dimensions,
#: the plans and the directions an objective may name.
PHASES = tuple(vocabulary.PHASES)
DIMENSIONS = tuple(vocabulary.DIMENSIONS)
PLANS = tuple(vocabulary.PLANS)
DIRECTIONS = tuple(vocabulary.DIRECTIONS)
#: An action's states, and the reporting calendar's frequencies (keys of the vocabulary).
ACTION_STATES = tuple(vocabulary.ACTION_STATES)
FREQUENCIES = tuple(vocabulary.REPORTING_FREQUENCIES)
#: Ids of objectives, actions and partners: letters, digits, '-', '_' or '.'.
ID_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_.-]*$"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)


class Text(_Strict):
    """A text in Dutch and (optionally) English."""

    nl: str = Field(min_length=1, description="the text in Dutch")
    en: str | None = Field(default=None, description="the text in English")


class Baseline(_Strict):
    """Where the objective starts: a period and a value, or ``from_data``."""

    period: str = Field(description="the baseline period: a year (`2023`) or a range of years "
                        "(`2021-2023`)")
    value: float | Literal["from_data"] = Field(
        default="from_data", description="the value then; `from_data`: computed from the "
        "loaded data")


class Target(_Strict):
    """Where the objective must arrive: an absolute value or a relative change (-0.15)."""

    value: float | None = Field(default=None, description="the value to reach (give this or "
                                "`change`)")
    change: float | None = Field(default=None, description="the relative change from the "
                                 "baseline to reach: -0.15 is 15 % lower")

    @model_validator(mode="after")
    def _one_of(self) -> Target:
        if (self.value is None) == (self.change is None):
            raise ValueError("give exactly one of value or change")
        return self


class Milestone(Target):
    """An intermediate target (streefwaarde): the value (or change from the baseline) to reach
    in a calendar year before the deadline."""

    year: int = Field(ge=1900, le=2200, description="the calendar year of the milestone, "
                      "before the deadline")


class Objective(_Strict):
    """One objective of the plan."""

    id: str = Field(pattern=ID_PATTERN, max_length=64,
                    description="the objective's id (letters, digits, `-`, `_`, `.`)")
    title: Text = Field(description="the objective in a sentence")
    plan: Literal[PLANS] = Field(  # type: ignore[valid-type]
        description="the plan it belongs to: the city's LIVP, the police zone's ZVP, or both")
    phase: Literal[PHASES] = Field(  # type: ignore[valid-type]
        description="its phase of the safety chain")
    dimension: Literal[DIMENSIONS] | None = Field(  # type: ignore[valid-type]
        default=None, description="the safety dimension it addresses")
    owner: str | None = Field(default=None, description="the partner that owns it (an id of "
                              "the partner register)")
    partners: list[str] = Field(default_factory=list,
                                description="partners that contribute (ids)")
    indicator: str | None = Field(default=None, description="the catalogue indicator that "
                                  "measures it (`ivm indicators list`)")
    areas: list[str] = Field(default_factory=list, description="area codes it applies to; "
                             "default: the city")
    area_level: str | None = Field(default=None, description="the level of those areas "
                                   "(`wijk`, `project`, ...)")
    baseline: Baseline | None = Field(default=None, description="where it starts")
    target: Target | None = Field(default=None, description="where it must arrive")
    deadline: dt.date | None = Field(default=None, description="when the target is to be "
                                     "reached (YYYY-MM-DD)")
    direction: Literal[DIRECTIONS] | None = Field(  # type: ignore[valid-type]
        default=None, description="which way is better; default: the indicator's")
    comparison: Literal["rest_of_city", "none"] | list[str] | None = Field(
        default=None, description="what its areas are judged against: `rest_of_city` (the "
        "default for project areas), control area codes, or `none`")
    buffer: list[str] | None = Field(default=None, description="a project area's surrounding "
                                     "streets or areas, for the displacement check")
    milestones: list[Milestone] = Field(default_factory=list, description="intermediate "
                                        "targets, one per year, in order")
    description: Text | None = Field(default=None, description="a longer explanation")

    @model_validator(mode="after")
    def _milestones_in_order(self) -> Objective:
        years = [m.year for m in self.milestones]
        if years != sorted(set(years)):
            raise ValueError("milestones: one per year, in order of year")
        if self.deadline is not None and years and years[-1] >= self.deadline.year:
            raise ValueError(f"milestone {years[-1]} is not before the deadline "
                             f"{self.deadline.year}")
        if self.target is not None and self.milestones and (
                (self.target.change is None) != (self.milestones[0].change is None)):
            raise ValueError("milestones are given like the target: all as a value or all as "
                             "a change")
        return self

    def milestone_ahead(self, year: int) -> Milestone | None:
        """The first milestone of ``year`` or later (None: only the final target is ahead)."""
        return next((m for m in self.milestones if m.year >= year), None)

    def milestone_behind(self, year: int) -> Milestone | None:
        """The latest milestone before ``year``."""
        return next((m for m in reversed(self.milestones) if m.year < year), None)

    def comparison_areas(self, area_level: str | None) -> str | list[str] | None:
        """What the objective's areas are judged against: ``rest_of_city`` (the default for
        project areas), a list of control areas, or None."""
        if self.comparison == "none":
            return None
        if self.comparison is None:
            return "rest_of_city" if area_level == "project" else None
        return self.comparison


class Action(_Strict):
    """An action under an objective: what a partner does to move it, with its outputs (output
    indicators such as techno-prevention visits) and the state it starts in. Owners update the
    state in the dashboard; the plan's ``state`` is where it starts."""

    id: str = Field(pattern=ID_PATTERN, max_length=64, description="the action's id")
    objective: str = Field(description="the id of the objective it serves")
    title: Text = Field(description="what is done")
    owner: str | None = Field(default=None, description="the partner that does it (id)")
    start: dt.date | None = Field(default=None, description="when it starts")
    due: dt.date | None = Field(default=None, description="when it is due (not before start)")
    state: Literal[ACTION_STATES] = Field(  # type: ignore[valid-type]
        default="planned", description="the state it starts in (Dutch words accepted: "
        "gepland, lopend, afgerond, uitgesteld, geschrapt)")
    outputs: list[str] = Field(default_factory=list, description="ids of catalogue indicators "
                               "the action produces (output indicators)")

    @model_validator(mode="before")
    @classmethod
    def _dutch_state(cls, data: object) -> object:
        if isinstance(data, dict) and isinstance(data.get("state"), str):
            data = {**data, "state": vocabulary.action_state_key(data["state"])}
        return data

    @model_validator(mode="after")
    def _dates(self) -> Action:
        if self.start and self.due and self.due < self.start:
            raise ValueError(f"action {self.id}: due date {self.due} is before its start "
                             f"{self.start}")
        return self


class Reporting(_Strict):
    """The plan's reporting calendar: owners report every period (``frequency``) from
    ``start``; each period is reported at the first council meeting after it ends, and its
    updates are due ``deadline_days`` before that meeting."""

    frequency: Literal[FREQUENCIES] = Field(  # type: ignore[valid-type]
        default="quarter", description="how often owners report")
    start: dt.date | None = Field(default=None, description="the first day of the first "
                                  "reporting period")
    deadline_days: int = Field(14, ge=0, le=120, description="days before the council "
                               "meeting the updates are due")
    council_dates: list[dt.date] = Field(default_factory=list, description="the council "
                                         "meetings a period is reported at")

    @model_validator(mode="after")
    def _sorted(self) -> Reporting:
        if len(set(self.council_dates)) != len(self.council_dates):
            raise ValueError("a council date appears twice")
        self.council_dates = sorted(self.council_dates)
        return self


class PlanInfo(_Strict):
    """The plan version, its approval and its reporting calendar."""

    version: str = Field(pattern=ID_PATTERN, max_length=64, description="the plan version "
                         "(a revision is a new version)")
    title: str = Field(description="the plan's title")
    approved_on: dt.date | None = Field(default=None, description="the day the council "
                                        "approved it (not in the future)")
    approved_by: str | None = Field(default=None, description="who approved it")
    reporting: Reporting | None = Field(default=None, description="the reporting calendar")


class PlanFile(_Strict):
    """A plan file: ``spec: 1``, the plan's version, its objectives and their actions."""

    spec: Literal[1] = Field(default=1, description="version of the plan format")
    plan: PlanInfo = Field(description="the plan version and its approval")
    objectives: list[Objective] = Field(min_length=1, description="the objectives (at least "
                                        "one)")
    actions: list[Action] = Field(default_factory=list, description="the actions under the "
                                  "objectives")

    @model_validator(mode="after")
    def _unique_ids(self) -> PlanFile:
        seen: set[str] = set()
        for o in self.objectives:
            if o.id in seen:
                raise ValueError(f"objective id '{o.id}' appears twice")
            seen.add(o.id)
        actions: set[str] = set()
        for a in self.actions:
            if a.id in actions:
                raise ValueError(f"action id '{a.id}' appears twice")
            actions.add(a.id)
            if a.objective not in seen:
                close = difflib.get_close_matches(a.objective, sorted(seen), n=3)
                hint = f" (close: {', '.join(close)})" if close else ""
                raise ValueError(f"action {a.id}: objective '{a.objective}' is not in this "
                                 f"plan{hint}")
        return self

    def actions_of(self, objective_id: str) -> list[Action]:
        """The actions under one objective, in the plan's order."""
        return [a for a in self.actions if a.objective == objective_id]


def parse_plan(text: str, file: str) -> PlanFile:
    """Parse and validate a plan file's text; DeclarationError lists every problem."""
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise DeclarationError(
            [IvmError("invalid_yaml", f"not valid YAML: {getattr(exc, 'problem', exc)}",
                      Where(file, row=mark.line + 1 if mark else None))]
        ) from None
    if not isinstance(data, dict):
        raise DeclarationError(
            [IvmError("invalid_plan", "a plan file is a YAML mapping with plan and objectives",
                      Where(file))]
        )
    try:
        return PlanFile.model_validate(data)
    except ValidationError as exc:
        problems = []
        for err in exc.errors():
            path = _field_path(data, err["loc"])
            problems.append(IvmError("invalid_plan", err["msg"], Where(file, field=path)))
        raise DeclarationError(problems) from None


def _field_path(data: dict, loc: tuple) -> str:
    """A readable field path; objectives are named by their id where it is known."""
    parts: list[str] = []
    node: object = data
    for key in loc:
        if isinstance(key, int) and isinstance(node, list) and key < len(node):
            item = node[key]
            ident = item.get("id") if isinstance(item, dict) else None
            parts[-1] = f"{parts[-1]}[{ident or key}]"
            node = item
            continue
        parts.append(str(key))
        node = node.get(key) if isinstance(node, dict) else None
    return ".".join(parts)
