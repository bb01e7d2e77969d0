"""Measure kinds: the small registry an indicator's ``measure:`` key names.

A kind says which declaration keys it needs, which rows of the source it counts and how it
aggregates them. Additive kinds produce sums (``n``, ``num``, ``den``, ``sw2``, ``sx2``) per area
and month that add up over areas and months, so every area level and period is computed from
summed numerators and denominators, never from averaged rates. Non-additive kinds (median,
percentile) give one value per row and are aggregated per area and period directly.

Every built-in kind registers through :func:`measure`, the same decorator a new kind would use,
with its words: a short label in Dutch and English, what it measures in Dutch (the English is
the function's docstring) and the value style its values are shown in (a name of
:data:`core.vocabulary.STYLES`: ``whole``, ``decimal1``, ``decimal2``, ``percent1``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

import sqlalchemy as sa

from core.vocabulary import STYLES, Text, value_text

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
    style: str = "decimal1"
    label: Text | None = None
    doc_nl: str = ""

    @property
    def additive(self) -> bool:
        """Whether the kind's sums add up over areas and months."""
        return self.value_rule != "direct"

    @property
    def is_share(self) -> bool:
        """Whether the kind's values are fractions shown as percentages."""
        return STYLES[self.style].percent

    def description(self, lang: str) -> str:
        """What the kind measures, in ``lang`` (the docstring in English)."""
        return self.doc_nl if lang == "nl" and self.doc_nl else self.doc

    def title(self, lang: str) -> str:
        """The kind's short label in ``lang`` (its name when it has none)."""
        return (self.label or {}).get(lang) or self.name

    def text(self, value: float | None, lang: str = "nl") -> str:
        """A value of this kind as people read it."""
        return value_text(value, self.style, lang)

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
    style: str,
    label: Text,
    doc_nl: str,
    needs: tuple[str, ...] = (),
    takes: tuple[str, ...] = (),
    survey: bool | None = False,
) -> Callable[[Callable[[Indicator, Rows], dict[str, Any]]], Callable]:
    """Register a measure kind; the decorated function builds its aggregates from rows, its
    docstring says in English what the kind measures, ``doc_nl`` in Dutch; ``label`` is its
    short name (nl, en) and ``style`` the value style its values are shown in."""
    if style not in STYLES:
        raise ValueError(f"measure '{name}': unknown style '{style}' (one of "
                         f"{', '.join(STYLES)})")

    def register(fn: Callable[[Indicator, Rows], dict[str, Any]]) -> Callable:
        doc = " ".join((fn.__doc__ or "").split())
        MEASURES[name] = MeasureKind(name, doc, needs, takes, survey, value, noise, fn, style,
                                     dict(label), " ".join(doc_nl.split()))
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


@measure("count", value="num", noise="poisson", style="whole",
         label={"nl": "aantal (de teller per periode)", "en": "count (the numerator per period)"},
         doc_nl="het aantal feiten (incidenten, meldingen, activiteiten) dat aan de filters "
                "voldoet")
def count(ind: Indicator, rows: Rows) -> dict[str, Any]:
    """The number of facts (incidents, reports, activities) that pass the filters."""
    return _count(ind, rows)


@measure("rate", value="rate", noise="poisson", needs=("population", "factor"), style="decimal1",
         label={"nl": "teller / noemer × factor", "en": "numerator / denominator × factor"},
         doc_nl="het aantal feiten per zoveel inwoners, huishoudens, dagbevolking of bezoekers "
                "van het gebied: aantal en bevolking eerst opgeteld over de sectoren (de "
                "dagbevolking en de bezoekers zoals geleverd per gebied), dan gedeeld")
def rate(ind: Indicator, rows: Rows) -> dict[str, Any]:
    """The number of facts per ``factor`` inhabitants, households, day population or visitors
    of the area: the count and the inhabitants (households) are each summed over the area's
    sectors before dividing; a day population and visitors are the area's as delivered."""
    return _count(ind, rows)


@measure("sum", value="num", noise=None, needs=("value",), style="whole",
         label={"nl": "som van de geregistreerde prestaties",
                "en": "sum of the registered outputs"},
         doc_nl="de som van een getal (bv. prestaties van partners: bezoeken, uren, dossiers); "
                "geregistreerd, niet gesteekproefd: geen ruismodel")
def sum_(ind: Indicator, rows: Rows) -> dict[str, Any]:
    """The sum of a numeric column (e.g. partner outputs: visits, hours, files). Registered
    outputs are counted, not sampled: no noise model."""
    n = sa.func.count()
    return {"n": n, "num": sa.func.sum(rows.column(ind.value)), "den": sa.null(),
            "sw2": n, "sx2": sa.null()}


@measure("share", value="ratio", noise="share", takes=("question", "counts", "answered",
                                                        "where"), survey=None, style="percent1",
         label={"nl": "aandeel: teller / noemer", "en": "share: numerator / denominator"},
         doc_nl="een aandeel: van de respondenten die de vraag beantwoordden het gewogen aandeel "
                "met een antwoord dat telt (Kish effectieve n), of van de feiten het aandeel dat "
                "aan de voorwaarde voldoet")
def share(ind: Indicator, rows: Rows) -> dict[str, Any]:
    """A share: of survey respondents who answered the question, the weighted share whose
    answer counts (with Kish's effective n); or of facts, the share that meets ``where``."""
    if rows.answer is not None:
        return _rate_of(rows.answer.in_(ind.counts or []), rows)
    return _rate_of(rows.where, rows)


@measure("within_norm", value="ratio", noise="share", needs=("duration", "norm"),
         style="percent1",
         label={"nl": "aandeel binnen de norm: teller / noemer",
                "en": "share within the norm: numerator / denominator"},
         doc_nl="het aandeel feiten waarvan de duur (bv. melding tot aankomst) binnen de norm "
                "blijft, onder de feiten met gekende duur")
def within_norm(ind: Indicator, rows: Rows) -> dict[str, Any]:
    """The share of facts whose duration (e.g. call to arrival on site) is at most the norm,
    among the facts whose duration is known."""
    return _rate_of(rows.duration <= ind.norm, rows)


@measure("mean", value="ratio", noise="mean", takes=("question", "answered", "duration"),
         survey=None, style="decimal2",
         label={"nl": "gemiddelde: teller / noemer", "en": "mean: numerator / denominator"},
         doc_nl="het (gewogen) gemiddelde van een antwoord of een duur")
def mean(ind: Indicator, rows: Rows) -> dict[str, Any]:
    """The (weighted) mean of a numeric survey answer or of a duration."""
    x = rows.answer_number if rows.answer is not None else rows.duration
    w = rows.weight
    return {"n": sa.func.count(), "num": sa.func.sum(w * x), "den": sa.func.sum(w),
            "sw2": sa.func.sum(w * w), "sx2": sa.func.sum(w * x * x)}


@measure("median", value="direct", noise=None, takes=("question", "answered", "duration"),
         survey=None, style="decimal1", label={"nl": "mediaan", "en": "median"},
         doc_nl="de mediaan van een duur of een antwoord")
def median(ind: Indicator, rows: Rows) -> dict[str, Any]:
    """The median of a duration (e.g. days to close a nuisance report) or numeric answer."""
    x = rows.answer_number if rows.answer is not None else rows.duration
    return {"x": x, "q": 0.5}


@measure("percentile", value="direct", noise=None, needs=("percentile",),
         takes=("question", "answered", "duration"), survey=None, style="decimal1",
         label={"nl": "percentiel", "en": "percentile"},
         doc_nl="een percentiel van een duur of een antwoord")
def percentile(ind: Indicator, rows: Rows) -> dict[str, Any]:
    """A percentile (``percentile: 0.9``) of a duration or numeric answer."""
    x = rows.answer_number if rows.answer is not None else rows.duration
    return {"x": x, "q": ind.percentile}
