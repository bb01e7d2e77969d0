"""Measure kinds: the small registry an indicator's ``measure:`` key names.

A kind says which declaration keys it needs, which rows of the source it counts and how it
aggregates them. Additive kinds produce sums (``n``, ``num``, ``den``, ``sw2``, ``sx2``) per area
and month that add up over areas and months, so every area level and period is computed from
summed numerators and denominators, never from averaged rates. Non-additive kinds (median,
percentile) give one value per row and are aggregated per area and period directly.

Every built-in kind registers through :func:`measure`, the same decorator a new kind would use.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

import sqlalchemy as sa

if TYPE_CHECKING:
    from indicators.catalog import Indicator
    from indicators.sources import Source

#: How the value follows from the sums: num; num / population x factor; num / den; direct.
ValueRule = Literal["num", "rate", "ratio", "direct"]
#: The noise model of a kind: Poisson counts, a (weighted) share, a mean, or none.
Noise = Literal["poisson", "share", "mean"] | None

_PARAMS = ("value", "population", "factor", "question", "counts", "answered", "where",
           "duration", "norm", "percentile")


@dataclass
class Rows:
    """The columns a measure can aggregate over one source's rows (built by the compiler)."""

    source: Source
    weight: sa.ColumnElement
    answer: sa.ColumnElement | None
    answer_number: sa.ColumnElement | None
    duration: sa.ColumnElement | None
    where: sa.ColumnElement | None

    def column(self, name: str) -> sa.ColumnElement:
        """A column of the source."""
        return self.source.column(name)


@dataclass(frozen=True)
class MeasureKind:
    """A registered measure kind."""

    name: str
    doc: str
    needs: tuple[str, ...]
    takes: tuple[str, ...]
    survey: bool | None
    value_rule: ValueRule
    noise: Noise
    build: Callable[[Indicator, Rows], dict[str, Any]]

    @property
    def additive(self) -> bool:
        """Whether the kind's sums add up over areas and months."""
        return self.value_rule != "direct"

    def check(self, ind: Indicator, source: Source) -> list[tuple[str, str]]:
        """(message, key) for every declaration key this kind needs, refuses or cannot use."""
        out = []
        for key in self.needs:
            if getattr(ind, key) is None:
                out.append((f"measure '{self.name}' needs '{key}'", key))
        for key in _PARAMS:
            if getattr(ind, key) is not None and key not in self.needs + self.takes:
                out.append((f"measure '{self.name}' does not use '{key}'", key))
        if self.survey is True and not source.survey:
            out.append((f"measure '{self.name}' needs the survey source", "source"))
        if self.survey is False and source.survey:
            out.append((f"measure '{self.name}' does not apply to the survey", "source"))
        if ind.value is not None and ind.value not in source.values:
            out.append((f"source '{source.name}' has no numeric column '{ind.value}'", "value"))
        if ind.duration is not None:
            for key, col in (("from", ind.duration.from_), ("to", ind.duration.to)):
                if col not in source.timestamps:
                    known = ", ".join(source.timestamps) or "none"
                    out.append((f"source '{source.name}' has no timestamp '{col}' "
                                f"(it has: {known})", f"duration.{key}"))
        if (ind.question or ind.counts) and not source.survey:
            out.append(("questions and answers belong to the survey source", "question"))
        if self.name in ("mean", "median", "percentile") and (ind.question is None) == (
            ind.duration is None
        ):
            out.append((f"measure '{self.name}' needs exactly one of question or duration",
                        "question"))
        if self.name == "share" and source.survey != (ind.where is None):
            key = "where" if source.survey else "counts"
            out.append(("a survey share counts answers (question, counts); a share of facts "
                        "counts rows (where)", key))
        if self.name == "share" and source.survey and (ind.question is None or not ind.counts):
            out.append(("a survey share needs question and counts", "counts"))
        return out


MEASURES: dict[str, MeasureKind] = {}


def measure(
    name: str,
    *,
    value: ValueRule,
    noise: Noise,
    needs: tuple[str, ...] = (),
    takes: tuple[str, ...] = (),
    survey: bool | None = False,
) -> Callable[[Callable[[Indicator, Rows], dict[str, Any]]], Callable]:
    """Register a measure kind; the decorated function builds its aggregates from rows."""

    def register(fn: Callable[[Indicator, Rows], dict[str, Any]]) -> Callable:
        doc = " ".join((fn.__doc__ or "").split())
        MEASURES[name] = MeasureKind(name, doc, needs, takes, survey, value, noise, fn)
        return fn

    return register


def _count(ind: Indicator, rows: Rows) -> dict[str, Any]:
    n = sa.func.count()
    return {"n": n, "num": n, "den": sa.null(), "sw2": n, "sx2": sa.null()}


def _rate_of(counted: sa.ColumnElement, rows: Rows) -> dict[str, Any]:
    """A weighted share: counted rows over all rows, with the weights' sums for Kish's n."""
    w = rows.weight
    return {
        "n": sa.func.count(),
        "num": sa.func.sum(sa.case((counted, w), else_=0.0)),
        "den": sa.func.sum(w),
        "sw2": sa.func.sum(w * w),
        "sx2": sa.null(),
    }


@measure("count", value="num", noise="poisson")
def count(ind: Indicator, rows: Rows) -> dict[str, Any]:
    """The number of facts (incidents, reports, activities) that pass the filters."""
    return _count(ind, rows)


@measure("rate", value="rate", noise="poisson", needs=("population", "factor"))
def rate(ind: Indicator, rows: Rows) -> dict[str, Any]:
    """The number of facts per ``factor`` inhabitants or households of the area: the count
    and the population are each summed over the area's sectors before dividing."""
    return _count(ind, rows)


@measure("sum", value="num", noise=None, needs=("value",))
def sum_(ind: Indicator, rows: Rows) -> dict[str, Any]:
    """The sum of a numeric column (e.g. partner outputs: visits, hours, files). Registered
    outputs are counted, not sampled: no noise model."""
    n = sa.func.count()
    return {"n": n, "num": sa.func.sum(rows.column(ind.value)), "den": sa.null(),
            "sw2": n, "sx2": sa.null()}


@measure("share", value="ratio", noise="share", takes=("question", "counts", "answered",
                                                        "where"), survey=None)
def share(ind: Indicator, rows: Rows) -> dict[str, Any]:
    """A share: of survey respondents who answered the question, the weighted share whose
    answer counts (with Kish's effective n); or of facts, the share that meets ``where``."""
    if rows.answer is not None:
        return _rate_of(rows.answer.in_(ind.counts or []), rows)
    return _rate_of(rows.where, rows)


@measure("within_norm", value="ratio", noise="share", needs=("duration", "norm"))
def within_norm(ind: Indicator, rows: Rows) -> dict[str, Any]:
    """The share of facts whose duration (e.g. call to arrival on site) is at most the norm,
    among the facts whose duration is known."""
    return _rate_of(rows.duration <= ind.norm, rows)


@measure("mean", value="ratio", noise="mean", takes=("question", "answered", "duration"),
         survey=None)
def mean(ind: Indicator, rows: Rows) -> dict[str, Any]:
    """The (weighted) mean of a numeric survey answer or of a duration."""
    x = rows.answer_number if rows.answer is not None else rows.duration
    w = rows.weight
    return {"n": sa.func.count(), "num": sa.func.sum(w * x), "den": sa.func.sum(w),
            "sw2": sa.func.sum(w * w), "sx2": sa.func.sum(w * x * x)}


@measure("median", value="direct", noise=None, takes=("question", "answered", "duration"),
         survey=None)
def median(ind: Indicator, rows: Rows) -> dict[str, Any]:
    """The median of a duration (e.g. days to close a nuisance report) or numeric answer."""
    x = rows.answer_number if rows.answer is not None else rows.duration
    return {"x": x, "q": 0.5}


@measure("percentile", value="direct", noise=None, needs=("percentile",),
         takes=("question", "answered", "duration"), survey=None)
def percentile(ind: Indicator, rows: Rows) -> dict[str, Any]:
    """A percentile (``percentile: 0.9``) of a duration or numeric answer."""
    x = rows.answer_number if rows.answer is not None else rows.duration
    return {"x": x, "q": ind.percentile}
