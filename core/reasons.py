"""Quarantine reason codes: the one registry the loading SQL, the docs and the tests read.

A row that fails validation is kept back in ``quarantine`` with one or more reasons, each
``code: what is wrong``. The code is stable (scripts and the data page group by it); the text
says the value and the fix. Every code a load can write is declared here, with what it means
(the docs' table) and a short label in Dutch and English (the dashboard's data page). The SQL
that writes a reason builds it with :func:`reason_sql`, Python with :func:`reason_text`; both
refuse an undeclared code, so a new check cannot write a code nobody documented.

``docs/formats.md`` holds the table between the markers ``<!-- reasons -->`` and
``<!-- /reasons -->``, rendered by ``python -m core.reasons``; a test checks it.
"""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass
from pathlib import Path

from core.sqltext import lit


@dataclass(frozen=True)
class ReasonCode:
    """One reason a row is kept back."""

    code: str
    meaning: str
    nl: str
    en: str


REASONS: dict[str, ReasonCode] = {r.code: r for r in [
    ReasonCode("missing_value", "a required field (or an area's code) is empty",
               "verplicht veld leeg", "required field empty"),
    ReasonCode("invalid_int", "the text is not a whole number",
               "geen geheel getal", "not a whole number"),
    ReasonCode("invalid_number", "the text (or a coordinate) is not a number",
               "geen getal", "not a number"),
    ReasonCode("invalid_datetime", "not a date-time in the profile's formats, or a year "
               "without four digits", "ongeldige datum en tijd", "invalid date-time"),
    ReasonCode("invalid_date", "not a date in the profile's formats, or a year without four "
               "digits", "ongeldige datum", "invalid date"),
    ReasonCode("invalid_bool", "not yes/no (ja/nee, 1/0, true/false, oui/non)",
               "geen ja/nee", "not yes/no"),
    ReasonCode("unknown_category", "the category is not in the profile's category map",
               "onbekende categorie", "unknown category"),
    ReasonCode("garbled_text", "the text looks garbled by a wrong text encoding (mojibake)",
               "verminkte tekst (codering)", "garbled text (encoding)"),
    ReasonCode("field_too_long", "a field holds more characters than `IVM_MAX_FIELD_CHARS`",
               "veld te lang", "field too long"),
    ReasonCode("future_date", "the fact's date lies in the future",
               "datum in de toekomst", "date in the future"),
    ReasonCode("bad_sequence", "two timestamps are in the wrong order (e.g. arrival before "
               "dispatch)", "tijdstippen in verkeerde volgorde", "timestamps out of order"),
    ReasonCode("out_of_range", "a number lies outside its allowed range (priority 1-5, weight "
               "above 0, ...)", "waarde buiten bereik", "value out of range"),
    ReasonCode("no_area", "the row has neither an area code nor coordinates",
               "geen gebied", "no area"),
    ReasonCode("unknown_area", "the area code is not a loaded area",
               "onbekende gebiedscode", "unknown area code"),
    ReasonCode("invalid_coordinates", "the coordinates are not a WGS84 longitude and latitude",
               "ongeldige coördinaten", "invalid coordinates"),
    ReasonCode("outside_areas", "the point lies outside every loaded area",
               "punt buiten alle gebieden", "point outside every area"),
    ReasonCode("coordinates_swapped", "the point lies outside every area, but inside one with "
               "longitude and latitude swapped", "lengte en breedte verwisseld",
               "longitude and latitude swapped"),
    ReasonCode("duplicate_id", "the same id appears on more than one row of the file",
               "dubbele id", "duplicate id"),
    ReasonCode("repeated_header", "the header appears again as a data row",
               "herhaalde kopregel", "repeated header"),
    ReasonCode("too_few_fields", "the record has fewer fields than the header (a truncated "
               "row?)", "te weinig velden", "too few fields"),
    ReasonCode("too_many_fields", "the record has more fields than the header",
               "te veel velden", "too many fields"),
    ReasonCode("formula_without_value", "a spreadsheet cell holds a formula without a "
               "computed value", "formule zonder waarde", "formula without value"),
    ReasonCode("unknown_parent", "an area's parent area is not loaded",
               "bovenliggend gebied onbekend", "unknown parent area"),
    ReasonCode("unknown_level", "an area's level is missing or unknown",
               "onbekend gebiedsniveau", "unknown area level"),
    ReasonCode("wrong_geometry", "an area's geometry is not a (valid) polygon",
               "ongeldige geometrie", "invalid geometry"),
    ReasonCode("not_a_feature", "an item of a GeoJSON file is not a Feature",
               "geen GeoJSON-feature", "not a GeoJSON feature"),
    ReasonCode("number_overflow", "a number too large to hold (it would overflow to infinity, "
               "or a whole number of 2^53 or more would be rounded)",
               "getal te groot", "number too large"),
    ReasonCode("implausible_date", "a date before the earliest plausible one "
               "(`IVM_EARLIEST_DATE`, default 1990-01-01)",
               "onwaarschijnlijke datum", "implausible date"),
    ReasonCode("implausible_duration", "a dispatch or arrival more than a week after the "
               "report", "onwaarschijnlijke duur", "implausible duration"),
    ReasonCode("implausible_value", "a count, weight or quantity beyond what one row can hold "
               "(more than 100 million inhabitants, a weight above a million, ...)",
               "onwaarschijnlijke waarde", "implausible value"),
    ReasonCode("invalid_wave", "a survey wave that is not a year from the earliest plausible "
               "one to next year", "ongeldige meting", "invalid survey wave"),
    ReasonCode("implausible_geometry", "an area's polygon spans more than 10 degrees (a "
               "whole-world rectangle, unprojected coordinates)",
               "onwaarschijnlijke geometrie", "implausible geometry"),
    ReasonCode("outside_period", "the row's date lies outside the period its delivery "
               "declares (`--period-start`/`--period-end`)",
               "buiten de geleverde periode", "outside the delivered period"),
    ReasonCode("parent_cycle", "an area's parents would make it its own ancestor",
               "kringverwijzing in gebieden", "parent cycle"),
]}

_CODE = re.compile(r"^[a-z][a-z0-9_]*$")


def _known(code: str) -> str:
    if code not in REASONS:
        raise KeyError(f"quarantine reason '{code}' is not declared in core/reasons.py")
    return code


def reason_text(code: str, message: str) -> str:
    """A reason as stored: ``code: message``."""
    return f"{_known(code)}: {message}"


def reason_sql(code: str, message_sql: str = "") -> str:
    """SQL for a reason: the code's literal prefix followed by ``message_sql`` (a SQL text
    expression; fixed text goes in as :func:`core.sqltext.lit`)."""
    prefix = lit(f"{_known(code)}: ")
    return f"{prefix} || {message_sql}" if message_sql else lit(_known(code))


def label(code: str, lang: str) -> str:
    """The short label of a code in ``lang`` (the code itself when unknown)."""
    r = REASONS.get(code)
    if r is None:
        return code
    return r.en if lang == "en" else r.nl


def render_docs() -> str:
    """The table of ``docs/formats.md`` between its markers."""
    lines = ["| code | what it means |", "| --- | --- |"]
    lines += [f"| `{r.code}` | {r.meaning} |" for r in REASONS.values()]
    return "\n".join(lines)


START, END = "<!-- reasons -->", "<!-- /reasons -->"


def docs_with_table(text: str) -> str:
    """``text`` (docs/formats.md) with the table between the markers rendered anew."""
    head, rest = text.split(START, 1)
    _, tail = rest.split(END, 1)
    return f"{head}{START}\n{render_docs()}\n{END}{tail}"


def main() -> int:
    """Render the reason-code table into docs/formats.md (or the path given)."""
    target = Path(sys.argv[1]) if len(sys.argv) > 1 else Path("docs/formats.md")
    target.write_text(docs_with_table(target.read_text(encoding="utf-8")), encoding="utf-8")
    print(f"wrote {target}")
    return 0


assert all(_CODE.match(c) for c in REASONS)

if __name__ == "__main__":
    raise SystemExit(main())
