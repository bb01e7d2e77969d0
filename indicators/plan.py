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

    nl: str = Field(min_length=1)
    en: str | None = None


class Baseline(_Strict):
    """Where the objective starts: a period and a value, or ``from_data``."""

    period: str
    value: float | Literal["from_data"] = "from_data"


class Target(_Strict):
    """Where the objective must arrive: an absolute value or a relative change (-0.15)."""

    value: float | None = None
    change: float | None = None

    @model_validator(mode="after")
    def _one_of(self) -> Target:
        if (self.value is None) == (self.change is None):
            raise ValueError("give exactly one of value or change")
        return self


class Milestone(Target):
    """An intermediate target (streefwaarde): the value (or change from the baseline) to reach
    in a calendar year before the deadline."""

    year: int = Field(ge=1900, le=2200)


class Objective(_Strict):
    """One objective of the plan."""

    id: str = Field(pattern=ID_PATTERN, max_length=64)
    title: Text
    plan: Literal[PLANS]  # type: ignore[valid-type]
    phase: Literal[PHASES]  # type: ignore[valid-type]
    dimension: Literal[DIMENSIONS] | None = None  # type: ignore[valid-type]
    owner: str | None = None
    partners: list[str] = Field(default_factory=list)
    indicator: str | None = None
    areas: list[str] = Field(default_factory=list)
    area_level: str | None = None
    baseline: Baseline | None = None
    target: Target | None = None
    deadline: dt.date | None = None
    direction: Literal[DIRECTIONS] | None = None  # type: ignore[valid-type]
    comparison: Literal["rest_of_city", "none"] | list[str] | None = None
    buffer: list[str] | None = None
    milestones: list[Milestone] = Field(default_factory=list)
    description: Text | None = None

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

    id: str = Field(pattern=ID_PATTERN, max_length=64)
    objective: str
    title: Text
    owner: str | None = None
    start: dt.date | None = None
    due: dt.date | None = None
    state: Literal[ACTION_STATES] = "planned"  # type: ignore[valid-type]
    outputs: list[str] = Field(default_factory=list)

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

    frequency: Literal[FREQUENCIES] = "quarter"  # type: ignore[valid-type]
    start: dt.date | None = None
    deadline_days: int = Field(14, ge=0, le=120)
    council_dates: list[dt.date] = Field(default_factory=list)

    @model_validator(mode="after")
    def _sorted(self) -> Reporting:
        if len(set(self.council_dates)) != len(self.council_dates):
            raise ValueError("a council date appears twice")
        self.council_dates = sorted(self.council_dates)
        return self


class PlanInfo(_Strict):
    """The plan version, its approval and its reporting calendar."""

    version: str = Field(pattern=ID_PATTERN, max_length=64)
    title: str
    approved_on: dt.date | None = None
    approved_by: str | None = None
    reporting: Reporting | None = None


class PlanFile(_Strict):
    """A plan file: ``spec: 1``, the plan's version, its objectives and their actions."""

    spec: Literal[1] = 1
    plan: PlanInfo
    objectives: list[Objective] = Field(min_length=1)
    actions: list[Action] = Field(default_factory=list)

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
