"""The fact sources an indicator can count from, as SQLAlchemy Core selectables.

Each source names its date, the columns an indicator may filter on (with the values they may
take, where these are known), the timestamps a duration may run between, and its numeric value
columns. Indicator declarations are checked against this list, so a filter on an unknown column
or an unknown category is an error before any SQL runs.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import sqlalchemy as sa

from core.warehouse import schema
from etl.taxonomy import canonical_values, taxonomy


@dataclass(frozen=True)
class Filter:
    """A column an indicator may filter on, and the values it may take (None: any)."""

    column: str
    kind: type
    values: Callable[[], list] | None = None


@dataclass(frozen=True)
class Source:
    """One fact source (a load kind) as indicators see it."""

    name: str
    table: sa.Table
    date: str
    filters: dict[str, Filter]
    timestamps: tuple[str, ...] = ()
    values: tuple[str, ...] = ()
    survey: bool = False
    description: dict[str, str] = field(default_factory=dict)

    def column(self, name: str) -> sa.ColumnElement:
        """A column of the source's table."""
        return self.table.c[name]

    def day(self) -> sa.ColumnElement:
        """The date each fact falls on (a survey answer: the first of July of its wave)."""
        if self.survey:
            return sa.func.make_date(sa.cast(self.table.c.wave, sa.Integer), 7, 1)
        return sa.cast(self.table.c[self.date], sa.Date)


SOURCES: dict[str, Source] = {
    "incidents": Source(
        "incidents",
        schema.incident,
        "occurred_at",
        {
            "category": Filter("category", str, lambda: canonical_values("incidents")),
            "priority": Filter("priority", int, lambda: [1, 2, 3, 4]),
            "source": Filter("source", str),
        },
        timestamps=("occurred_at", "reported_at", "dispatched_at", "arrived_at"),
        description={"nl": "politie-incidenten", "en": "police incidents"},
    ),
    "nuisance": Source(
        "nuisance",
        schema.nuisance,
        "reported_at",
        {
            "type": Filter("type", str, lambda: canonical_values("nuisance")),
            "channel": Filter("channel", str),
            "gas_fine": Filter("gas_fine", bool, lambda: [True, False]),
            "source": Filter("source", str),
        },
        timestamps=("reported_at", "closed_at"),
        description={"nl": "overlastmeldingen", "en": "nuisance reports"},
    ),
    "activities": Source(
        "activities",
        schema.activity,
        "activity_date",
        {
            "partner": Filter("partner", str),
            "activity_type": Filter("activity_type", str),
            "unit": Filter("unit", str),
            "source": Filter("source", str),
        },
        values=("quantity",),
        description={"nl": "partneractiviteiten", "en": "partner activities"},
    ),
    "survey": Source(
        "survey",
        schema.survey_response,
        "wave",
        {
            "age_group": Filter("age_group", str, lambda: ["18-34", "35-49", "50-64", "65+"]),
            "source": Filter("source", str),
        },
        survey=True,
        description={"nl": "veiligheidsbevraging", "en": "resident survey"},
    ),
}


def category_names(kind: str) -> dict[str, dict[str, str]]:
    """The canonical categories of a fact kind (``incidents``, ``nuisance``) with their names
    in Dutch and English, from the taxonomy."""
    return {c["id"]: {"nl": c["nl"], "en": c.get("en") or c["nl"]}
            for c in taxonomy().get(kind, [])}
