"""What a profile may say, checked before any file is read (``ivm profile check``).

The model (:class:`etl.profile.Profile`) checks the shape of a profile; this module checks its
meaning against the code: every field a kind's ``columns:`` or ``constants:`` names is a field
of that kind, every category it maps to is a category id of the taxonomy, every level is a
known area level, every date format is a format, every kind that places rows in areas says how.
Each problem is one line that names the valid values.
"""

from __future__ import annotations

import datetime as dt
import difflib
import re
from pathlib import Path

from core.errors import IvmError, Where
from etl.kinds.fields import FACT_KINDS
from etl.profile import KINDS, KindProfile, Profile
from etl.taxonomy import area_levels, canonical_values

#: The words for a canonical field's type (in docs/formats.md and the draft).
FIELD_TYPES = {
    "text": "text",
    "int": "whole number",
    "number": "number",
    "datetime": "date and time",
    "date": "date",
    "bool": "yes/no",
    "category": "category id (mapped by `categories:`)",
    "area": "the row's area: an area code or longitude and latitude (the `area:` rule)",
    "geometry": "polygon (the `geometry` of GeoJSON, shapefile or GeoPackage)",
    "parents": "parent area codes (the `parents:` columns)",
}
#: The column keys of the areas and events kinds (their loaders have no field list of a fact
#: kind): (field, type, required).
_AREA_FIELDS = [("code", "text", True), ("name", "text", False), ("level", "text", False),
                ("parents", "parents", False), ("geometry", "geometry", False)]
_EVENT_FIELDS = [("event", "text", True), ("first_day", "date", True),
                 ("last_day", "date", True), ("edition", "int", False),
                 ("name_nl", "text", False), ("name_en", "text", False),
                 ("area", "text", False), ("cancelled", "bool", False), ("note", "text", False)]
SKIP = "_skip"


def kind_fields(kind: str) -> list[tuple[str, str, bool]]:
    """The canonical fields of ``kind``: (name, type, required), in the loader's order."""
    if kind == "areas":
        return list(_AREA_FIELDS)
    if kind == "events":
        return list(_EVENT_FIELDS)
    spec = FACT_KINDS[kind]
    fields = [(f.name, f.type, f.required) for f in spec.fields]
    if spec.has_area:
        fields.append(("area", "area", True))
    return fields


def column_keys(kind: str) -> list[str]:
    """The keys ``columns:`` and ``constants:`` may have for ``kind``."""
    return [n for n, t, _ in kind_fields(kind) if t not in ("area", "parents", "geometry")]


def check_profile(profile: Profile, file: str = "") -> list[IvmError]:
    """Every problem of meaning in ``profile`` (empty: it is fit to load with)."""
    problems: list[IvmError] = []

    def add(code: str, field: str, message: str, hint: str = "") -> None:
        problems.append(IvmError(code, message, Where(file or profile.name, field=field), hint))

    problems += _date_format_problems(profile.date_formats, "date_formats", file, profile)
    levels = area_levels()
    for kind, kp in profile.kinds.items():
        keys = column_keys(kind)
        for section in ("columns", "constants"):
            for name in getattr(kp, section):
                if name not in keys:
                    close = difflib.get_close_matches(name, keys, n=1)
                    add("profile_field", f"kinds.{kind}.{section}.{name}",
                        f"'{name}' is not a field of {kind}"
                        + (f" (did you mean '{close[0]}'?)" if close else ""),
                        "fields: " + ", ".join(keys))
        problems += _category_problems(kind, kp, file or profile.name)
        if kp.date_formats:
            problems += _date_format_problems(kp.date_formats, f"kinds.{kind}.date_formats",
                                              file, profile)
        needs_area = kind in FACT_KINDS and FACT_KINDS[kind].has_area
        if needs_area and (kp.area is None or not (
                kp.area.code or (kp.area.longitude and kp.area.latitude))):
            add("profile_area", f"kinds.{kind}.area",
                f"{kind} needs an area rule: a code column, or longitude and latitude columns",
                "e.g. area: {code: area_code} or area: {longitude: lon, latitude: lat}")
        named_levels = [(f"kinds.{kind}.level", kp.level)] if kp.level else []
        named_levels += [(f"kinds.{kind}.level_by_code.{p}", lvl)
                         for p, lvl in kp.level_by_code.items()]
        if kp.area and kp.area.levels:
            named_levels += [(f"kinds.{kind}.area.levels", lvl) for lvl in kp.area.levels]
        for field, level in named_levels:
            if level not in levels:
                add("profile_level", field, f"'{level}' is not an area level",
                    "levels: " + ", ".join(levels))
        for pattern in kp.level_by_code:
            try:
                re.compile(pattern)
            except re.error as exc:
                add("profile_pattern", f"kinds.{kind}.level_by_code",
                    f"'{pattern}' is not a regular expression: {exc}")
    return problems


def _category_problems(kind: str, kp: KindProfile, file: str) -> list[IvmError]:
    category = next((n for n, t, _ in kind_fields(kind) if t == "category"), None)
    if category is None:
        return [IvmError("profile_category", f"{kind} has no category field to map",
                         Where(file, field=f"kinds.{kind}.categories"))] if kp.categories else []
    valid = canonical_values(kind)
    problems = []
    targets = [(f"kinds.{kind}.categories.{value}", target, f"'{value}' is mapped to")
               for value, target in kp.categories.items()]
    if category in kp.constants:
        targets.append((f"kinds.{kind}.constants.{category}", str(kp.constants[category]),
                        f"the constant {category} is"))
    for field, target, what in targets:
        if target == SKIP or target in valid:
            continue
        close = difflib.get_close_matches(str(target), valid, n=1, cutoff=0.5)
        problems.append(IvmError(
            "profile_category",
            f"{what} '{target}', not a category id of {kind}"
            + (f" (did you mean '{close[0]}'?)" if close else ""),
            Where(file, field=field),
            hint=f"valid: {', '.join(valid)}, or {SKIP} for rows of another kind",
        ))
    return problems


def _date_format_problems(formats: list[str], field: str, file: str,
                          profile: Profile) -> list[IvmError]:
    problems = []
    for fmt in formats:
        reason = ""
        if not re.search(r"%[Yy]", fmt):
            reason = "has no year (%Y)"
        else:
            try:
                stamp = dt.datetime(2024, 11, 23, 14, 35, 6)
                if dt.datetime.strptime(stamp.strftime(fmt), fmt).year != 2024:
                    reason = "does not read back the year it writes"
            except ValueError as exc:
                reason = f"is not a date format ({exc})"
        if reason:
            problems.append(IvmError(
                "profile_date_format", f"'{fmt}' {reason}", Where(file or profile.name,
                                                                  field=field),
                hint="strftime codes, e.g. %d/%m/%Y %H:%M or %Y-%m"))
    return problems


def sample_problems(profile: Profile, kind: str, path: Path) -> list[IvmError]:
    """Whether the data file at ``path`` gives every required field of ``kind`` through
    ``profile`` (its header only is read): the missing ones, as a load would name them."""
    from etl.readers import inspect_file, read_table
    from etl.readers.base import ReadOptions
    from etl.stage import bind_fields, find_column

    where = Where(str(path))
    kp = profile.kind(kind, where)
    options = ReadOptions(encoding=profile.encoding, delimiter=profile.delimiter,
                          decimal="." if profile.decimal == "auto" else profile.decimal,
                          sheet=profile.sheet, layer=profile.layer)
    try:
        raw = read_table(inspect_file(path), options)
        if kind in FACT_KINDS:
            bind_fields(raw, FACT_KINDS[kind], kp, {})
            return []
        missing = [name for name, _, required in kind_fields(kind)
                   if required and name not in kp.constants
                   and find_column(raw.columns, kp.columns.get(name, name)) is None]
    except IvmError as exc:
        return [exc]
    return [IvmError("missing_column", f"missing the column for {name} "
                     f"({kp.columns.get(name, name)})", where,
                     hint="the file has: " + ", ".join(raw.columns[:30])) for name in missing]


__all__ = ["FIELD_TYPES", "KINDS", "check_profile", "column_keys", "kind_fields",
           "sample_problems"]
