"""Canonical fields per kind: type, whether required, and the checks beyond parsing.

Checks are SQL conditions over the parsed columns that must hold; a row where one is false is
quarantined with the check's reason code and text. They are fixed code, never user input (the
earliest plausible date, a setting, is filled in as a date literal). Besides the order of
events, they bound what is plausible: no fact before the earliest date or in the future, no
dispatch before the report, no response of more than a week, no negative or astronomic counts,
no survey wave that is not a year.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from core.errors import IvmError
from core.settings import setting


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
#: Placeholders a check's condition may hold, filled in by :func:`check_sql` from the settings.
_EARLIEST = "{earliest}"
_EARLIEST_YEAR = "{earliest_year}"


def _not_future(f: str) -> Check:
    return Check("future_date", _NOT_FUTURE.format(f=f), f"{f} lies in the future")


def _not_too_early(f: str) -> Check:
    return Check(
        "implausible_date",
        f"{f} IS NULL OR {f} >= {_EARLIEST}",
        f"{f} lies before the earliest plausible date (setting IVM_EARLIEST_DATE)",
    )


def _dated(*names: str) -> list[Check]:
    """Every one of ``names`` (dates) neither in the future nor before the earliest date."""
    return [c for f in names for c in (_not_future(f), _not_too_early(f))]


def earliest_date() -> dt.date:
    """The earliest plausible date of a fact (setting ``earliest_date``)."""
    text = setting("earliest_date")
    try:
        return dt.date.fromisoformat(text.strip())
    except ValueError:
        raise IvmError(
            "bad_setting", f"IVM_EARLIEST_DATE is not a date (YYYY-MM-DD): {text!r}"
        ) from None


def check_sql(condition: str) -> str:
    """A check's condition with its placeholders filled in from the settings."""
    earliest = earliest_date()
    return condition.replace(_EARLIEST, f"TIMESTAMP '{earliest.isoformat()}'").replace(
        _EARLIEST_YEAR, str(earliest.year)
    )


#: Most hours from a report to the patrol's arrival, or to its dispatch, that are plausible.
MAX_RESPONSE_HOURS = 7 * 24
#: Largest plausible count of inhabitants (or households) of one area, survey weight of one
#: respondent, and quantity of one partner activity.
MAX_INHABITANTS = 100_000_000
MAX_WEIGHT = 1_000_000
#: Largest plausible number of visits to one area in a year.
MAX_VISITORS = 10_000_000_000
MAX_QUANTITY = 1_000_000_000


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
            *_dated("occurred_at", "reported_at", "dispatched_at", "arrived_at"),
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
            Check(
                "bad_sequence",
                "dispatched_at IS NULL OR dispatched_at >= coalesce(reported_at, occurred_at)",
                "dispatched_at is before the incident was reported (or occurred)",
            ),
            Check(
                "bad_sequence",
                "arrived_at IS NULL OR arrived_at >= coalesce(reported_at, occurred_at)",
                "arrived_at is before the incident was reported (or occurred)",
            ),
            Check(
                "implausible_duration",
                f"arrived_at IS NULL OR arrived_at <= coalesce(reported_at, occurred_at) "
                f"+ INTERVAL {MAX_RESPONSE_HOURS} HOUR",
                f"arrived_at lies more than {MAX_RESPONSE_HOURS // 24} days after the report",
            ),
            Check(
                "implausible_duration",
                f"dispatched_at IS NULL OR dispatched_at <= coalesce(reported_at, occurred_at) "
                f"+ INTERVAL {MAX_RESPONSE_HOURS} HOUR",
                f"dispatched_at lies more than {MAX_RESPONSE_HOURS // 24} days after the report",
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
            *_dated("reported_at", "closed_at"),
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
        checks=[
            Check(
                "invalid_wave",
                "wave IS NULL OR regexp_full_match(wave, '[0-9]{4}') AND TRY_CAST(wave AS INTEGER) "
                f"BETWEEN {_EARLIEST_YEAR} AND year(now()) + 1",
                "wave must be the year of the survey (e.g. 2024), from the earliest plausible "
                "year (setting IVM_EARLIEST_DATE) to next year",
            ),
            Check("out_of_range", "weight > 0", "weight must be above 0"),
            Check("implausible_value", f"NOT isfinite(weight) OR weight <= {MAX_WEIGHT}",
                  f"weight above {MAX_WEIGHT:,} is not plausible for one respondent"),
        ],
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
            *_dated("activity_date"),
            Check("out_of_range", "quantity >= 0", "quantity must not be negative"),
            Check("implausible_value", f"NOT isfinite(quantity) OR quantity <= {MAX_QUANTITY}",
                  f"quantity above {MAX_QUANTITY:,} is not plausible for one activity"),
        ],
    ),
    "day_population": KindSpec(
        "day_population",
        "day_population",
        [
            FieldSpec("year", "int", required=True),
            FieldSpec("day_population", "number"),
            FieldSpec("visitors", "number"),
        ],
        date_field=None,
        checks=[
            Check("out_of_range", "year BETWEEN 1900 AND 2100", "year must be 1900 to 2100"),
            Check("missing_value", "day_population IS NOT NULL OR visitors IS NOT NULL",
                  "a row needs day_population, visitors or both"),
            Check("out_of_range", "day_population IS NULL OR day_population >= 0",
                  "day_population must not be negative"),
            Check("out_of_range", "visitors IS NULL OR visitors >= 0",
                  "visitors must not be negative"),
            Check("implausible_value",
                  f"day_population IS NULL OR day_population <= {MAX_INHABITANTS}",
                  f"a day population above {MAX_INHABITANTS:,} is not plausible for one area"),
            Check("implausible_value", f"visitors IS NULL OR visitors <= {MAX_VISITORS}",
                  f"more than {MAX_VISITORS:,} visitors a year is not plausible for one area"),
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
            Check("out_of_range", "households IS NULL OR households >= 0",
                  "households must not be negative"),
            Check("implausible_value", f"inhabitants <= {MAX_INHABITANTS}",
                  f"more than {MAX_INHABITANTS:,} inhabitants is not plausible for one area"),
            Check(
                "out_of_range",
                "households IS NULL OR households <= inhabitants",
                "more households than inhabitants",
            ),
        ],
    ),
}
