"""Source profiles: how a supplier's file maps to the canonical fields of a kind (YAML).

A profile says, per kind it covers, which source column gives each canonical field (one name or
a list of alternatives, matched case-insensitively), constants for fields the file lacks, the
date formats, the category mapping to the canonical taxonomy, and how a row finds its area (a
code column, coordinates, or both). Built-in profiles live in ``etl/profiles/*.yaml``;
``--profile`` also takes a path to a YAML file.
"""

from __future__ import annotations

import re
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from core.errors import DeclarationError, IvmError, Where
from core.vocabulary import SOURCE_KINDS

#: The kinds a profile maps: every source kind of the vocabulary but the plan and the partner
#: register (their own formats, no profile).
KINDS = tuple(k for k in SOURCE_KINDS if k not in ("plan", "partners"))

DEFAULT_DATE_FORMATS = [
    "%d/%m/%Y %H:%M:%S",
    "%d/%m/%Y %H:%M",
    "%d/%m/%Y",
    "%d-%m-%Y %H:%M:%S",
    "%d-%m-%Y %H:%M",
    "%d-%m-%Y",
    "%d.%m.%Y",
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%dT%H:%M:%S",
    "%Y-%m-%d %H:%M",
    "%Y-%m-%d",
]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)


class AreaRule(_Strict):
    """How a row finds its area: by ``code`` (any level), else by point in polygon."""

    code: str | list[str] | None = Field(
        default=None, description="column of the area code (one name or alternatives)")
    longitude: str | list[str] | None = Field(
        default=None, description="column of the WGS84 longitude (point in polygon)")
    latitude: str | list[str] | None = Field(
        default=None, description="column of the WGS84 latitude (point in polygon)")
    levels: list[str] | None = Field(
        default=None, description="area levels a code may be of / polygons to test, finest first"
    )
    unknown: Literal["quarantine", "skip"] = Field(
        default="quarantine",
        description="a row whose area is not found: quarantined (`unknown_area`, "
        "`outside_areas`) or skipped")


class KindProfile(_Strict):
    """The mapping of one kind."""

    source: str = Field(description="namespace of the source ids, e.g. 'politie-aalst'")
    columns: dict[str, str | list[str]] = Field(
        default_factory=dict,
        description="canonical field -> source column (one name or alternatives, any case); "
        "a field not named is looked for under its own name")
    constants: dict[str, Any] = Field(
        default_factory=dict, description="canonical field -> value for every row (a field "
        "the file lacks, e.g. `type: general`)")
    categories: dict[str, str] = Field(
        default_factory=dict,
        description="source value -> category id of `etl/taxonomy.yaml` (`_skip`: the row "
        "belongs to another kind); matched case-insensitively")
    date_formats: list[str] | None = Field(
        default=None, description="date formats of this kind (strftime), else the profile's")
    date_precision: Literal["auto", "day", "month"] = Field(
        default="auto",
        description="month: every date stands for its whole month (police.uk publishes "
        "months); auto: month when every date is the first of a month at midnight",
    )
    area: AreaRule | None = Field(
        default=None, description="how a row finds its area: a code column, coordinates, or "
        "both (the code first)")
    level: str | None = Field(default=None, description="areas: level of every row")
    level_by_code: dict[str, str] = Field(
        default_factory=dict, description="areas: regex on the code -> level"
    )
    parents: list[str] | None = Field(default=None, description="areas: parent code columns")
    questions: list[str] | str | None = Field(
        default=None, description="survey: question columns, or a prefix ending in '*'"
    )


class Profile(_Strict):
    """A source profile."""

    spec: Literal[1] = Field(default=1, description="version of the profile format")
    name: str = Field(description="the name `--profile` takes")
    description: str = Field(default="", description="one line for `ivm profiles`")
    encoding: str = Field(
        default="auto", description="text encoding of CSV files (`utf-8`, `cp1252`, ...); "
        "auto: detected (UTF-8 with or without BOM, UTF-16, else Windows-1252)")
    delimiter: str = Field(
        default="auto", description="field separator of CSV files; auto: detected from the "
        "first lines (`;`, `,`, tab, `|`), tab for .tsv")
    decimal: Literal[",", ".", "auto"] = Field(
        default="auto",
        description="decimal separator; auto: ',' in ';'-separated files, else '.'",
    )
    sheet: str | None = Field(
        default=None, description="XLSX: the sheet to read; default: the first visible one")
    layer: str | None = Field(
        default=None, description="GeoPackage: the layer to read; default: the only layer "
        "with geometry, else the only polygon layer")
    date_formats: list[str] = Field(
        default_factory=lambda: list(DEFAULT_DATE_FORMATS),
        description="date formats tried in order (strftime: `%d/%m/%Y`, `%Y-%m`, ...)")
    kinds: dict[str, KindProfile] = Field(description="kind -> its mapping (see below)")

    @field_validator("kinds")
    @classmethod
    def _known_kinds(cls, value: dict[str, KindProfile]) -> dict[str, KindProfile]:
        unknown = sorted(set(value) - set(KINDS))
        if unknown:
            raise ValueError(f"unknown kind(s) {unknown}; known: {list(KINDS)}")
        return value

    def kind(self, kind: str, where: Where) -> KindProfile:
        """The mapping for ``kind``, or an error naming the kinds this profile covers."""
        if kind not in self.kinds:
            raise IvmError(
                "profile_kind",
                f"profile '{self.name}' has no mapping for {kind}",
                where,
                hint=f"it covers {', '.join(self.kinds)}; choose another --profile",
            )
        return self.kinds[kind]

    def formats_for(self, kind: str) -> list[str]:
        """Date formats for ``kind``: the kind's own list, else the profile's."""
        return self.kinds[kind].date_formats or self.date_formats


def _builtin_dir():
    return resources.files("etl").joinpath("profiles")


def builtin_profiles() -> dict[str, Profile]:
    """Every built-in profile by name."""
    found = {}
    for entry in sorted(_builtin_dir().iterdir(), key=lambda e: e.name):
        if entry.name.endswith(".yaml"):
            prof = _parse(entry.read_text(encoding="utf-8"), entry.name, trusted=True)
            found[prof.name] = prof
    return found


@cache
def _builtin_cached() -> dict[str, Profile]:
    return builtin_profiles()


@cache
def _builtin_named(name: str) -> Profile | None:
    """The built-in profile of that name when it is in ``<name>.yaml`` (as every built-in is):
    one file parsed instead of all of them."""
    if not re.fullmatch(r"[A-Za-z0-9_-]+", name):
        return None
    entry = _builtin_dir().joinpath(f"{name}.yaml")
    if not entry.is_file():
        return None
    prof = _parse(entry.read_text(encoding="utf-8"), entry.name, trusted=True)
    return prof if prof.name == name else None


def load_profile(name_or_path: str) -> Profile:
    """A built-in profile by name, or a profile YAML file by path, checked as ``ivm profile
    check`` checks it (:mod:`etl.profile_check`): a problem refuses it."""
    named = _builtin_named(name_or_path)
    if named is not None:
        return named
    builtins = _builtin_cached()
    if name_or_path in builtins:
        return builtins[name_or_path]
    path = Path(name_or_path)
    if path.suffix in (".yaml", ".yml") and path.is_file():
        profile = _parse(path.read_text(encoding="utf-8"), str(path))
        from etl.profile_check import check_profile

        problems = check_profile(profile, str(path))
        if problems:  # a misspelt field or category would otherwise be ignored, or quarantine
            raise DeclarationError(problems)
        return profile
    raise IvmError(
        "unknown_profile",
        f"no profile '{name_or_path}'",
        hint=f"built-in: {', '.join(builtins)}; or give a path to a .yaml file",
    )


#: libyaml's parser when PyYAML has it: ten times faster than the pure-Python one, used for
#: the built-in files only (a user's file gets the pure-Python parser and its error messages).
_FAST_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def _parse(text: str, file: str, trusted: bool = False) -> Profile:
    try:
        data = yaml.load(text, Loader=_FAST_LOADER) if trusted else yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        row = mark.line + 1 if mark else None
        raise DeclarationError(
            [IvmError("invalid_yaml", f"not valid YAML: {exc}", Where(file, row=row))]
        ) from None
    if not isinstance(data, dict):
        raise DeclarationError(
            [IvmError("invalid_profile", "a profile is a YAML mapping", Where(file))]
        )
    try:
        return Profile.model_validate(data)
    except ValidationError as exc:
        problems = [
            IvmError(
                "invalid_profile",
                err["msg"],
                Where(file, field=".".join(str(p) for p in err["loc"])),
            )
            for err in exc.errors()
        ]
        raise DeclarationError(problems) from None
