"""The plan (LIVP / ZVP): its YAML structure as a validated model.

This module checks the *structure* of a plan file (types, known phases, plans and dimensions,
unique ids) and reports every problem at once. Whether each objective is SMART, and how it
progresses, is judged elsewhere in this layer.
"""

from __future__ import annotations

import datetime as dt
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


class Objective(_Strict):
    """One objective of the plan."""

    id: str = Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")
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
    description: Text | None = None

    def comparison_areas(self, area_level: str | None) -> str | list[str] | None:
        """What the objective's areas are judged against: ``rest_of_city`` (the default for
        project areas), a list of control areas, or None."""
        if self.comparison == "none":
            return None
        if self.comparison is None:
            return "rest_of_city" if area_level == "project" else None
        return self.comparison


class PlanInfo(_Strict):
    """The plan version and its approval."""

    version: str
    title: str
    approved_on: dt.date | None = None
    approved_by: str | None = None


class PlanFile(_Strict):
    """A plan file: ``spec: 1``, the plan's version and its objectives."""

    spec: Literal[1] = 1
    plan: PlanInfo
    objectives: list[Objective] = Field(min_length=1)

    @model_validator(mode="after")
    def _unique_ids(self) -> PlanFile:
        seen: set[str] = set()
        for o in self.objectives:
            if o.id in seen:
                raise ValueError(f"objective id '{o.id}' appears twice")
            seen.add(o.id)
        return self


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
