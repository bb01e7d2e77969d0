"""Canonical fields per kind: type, whether required, and the checks beyond parsing.

Checks are SQL conditions over the parsed columns that must hold; a row where one is false is
quarantined with the check's reason code and text. They are fixed code, never user input.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class FieldSpec:
    """One canonical field: ``type`` is text, int, number, datetime, date, bool or category."""

    name: str
    type: str
    required: bool = False


@dataclass(frozen=True)
class Check:
    """A row rule: ``condition`` (SQL over parsed fields) must not be false."""

    code: str
    condition: str
    message: str


@dataclass(frozen=True)
class KindSpec:
    """A fact kind: its table, fields, the field its date cut-off comes from, and its checks."""

    kind: str
    table: str
    fields: list[FieldSpec]
    date_field: str | None
    checks: list[Check] = field(default_factory=list)
    has_area: bool = True

    def field(self, name: str) -> FieldSpec:
        """The field called ``name``."""
        return next(f for f in self.fields if f.name == name)


_NOT_FUTURE = "{f} IS NULL OR {f} <= now()::TIMESTAMP + INTERVAL 1 DAY"


def _not_future(f: str) -> Check:
    return Check("future_date", _NOT_FUTURE.format(f=f), f"{f} lies in the future")


FACT_KINDS: dict[str, KindSpec] = {
    "incidents": KindSpec(
        "incidents",
        "incident",
        [
            FieldSpec("source_id", "text"),
            FieldSpec("category", "category", required=True),
            FieldSpec("occurred_at", "datetime", required=True),
            FieldSpec("reported_at", "datetime"),
            FieldSpec("priority", "int"),
            FieldSpec("dispatched_at", "datetime"),
            FieldSpec("arrived_at", "datetime"),
            FieldSpec("longitude", "number"),
            FieldSpec("latitude", "number"),
            FieldSpec("location", "text"),
        ],
        date_field="occurred_at",
        checks=[
            _not_future("occurred_at"),
            Check(
                "bad_sequence",
                "arrived_at IS NULL OR dispatched_at IS NULL OR arrived_at >= dispatched_at",
                "arrived_at is before dispatched_at",
            ),
            Check(
                "bad_sequence",
                "reported_at IS NULL OR reported_at >= occurred_at",
                "reported_at is before occurred_at",
            ),
            Check("out_of_range", "priority IS NULL OR priority BETWEEN 1 AND 5",
                  "priority must be 1 to 5"),
        ],
    ),
    "nuisance": KindSpec(
        "nuisance",
        "nuisance",
        [
            FieldSpec("source_id", "text"),
            FieldSpec("type", "category", required=True),
            FieldSpec("reported_at", "datetime", required=True),
            FieldSpec("closed_at", "datetime"),
            FieldSpec("channel", "text"),
            FieldSpec("gas_fine", "bool"),
            FieldSpec("longitude", "number"),
            FieldSpec("latitude", "number"),
            FieldSpec("location", "text"),
        ],
        date_field="reported_at",
        checks=[
            _not_future("reported_at"),
            Check(
                "bad_sequence",
                "closed_at IS NULL OR closed_at >= reported_at",
                "closed_at is before reported_at",
            ),
        ],
    ),
    "survey": KindSpec(
        "survey",
        "survey_response",
        [
            FieldSpec("source_id", "text", required=True),
            FieldSpec("wave", "text", required=True),
            FieldSpec("weight", "number", required=True),
            FieldSpec("age_group", "text"),
        ],
        date_field=None,
        checks=[Check("out_of_range", "weight > 0", "weight must be above 0")],
    ),
    "activities": KindSpec(
        "activities",
        "activity",
        [
            FieldSpec("source_id", "text"),
            FieldSpec("partner", "text", required=True),
            FieldSpec("activity_type", "text", required=True),
            FieldSpec("activity_date", "date", required=True),
            FieldSpec("quantity", "number", required=True),
            FieldSpec("unit", "text"),
        ],
        date_field="activity_date",
        checks=[
            _not_future("activity_date"),
            Check("out_of_range", "quantity >= 0", "quantity must not be negative"),
        ],
    ),
    "population": KindSpec(
        "population",
        "population",
        [
            FieldSpec("year", "int", required=True),
            FieldSpec("inhabitants", "int", required=True),
            FieldSpec("households", "int"),
        ],
        date_field=None,
        checks=[
            Check("out_of_range", "year BETWEEN 1900 AND 2100", "year must be 1900 to 2100"),
            Check("out_of_range", "inhabitants >= 0", "inhabitants must not be negative"),
            Check(
                "out_of_range",
                "households IS NULL OR households <= inhabitants",
                "more households than inhabitants",
            ),
        ],
    ),
}
