"""The indicator catalogue: one YAML file per indicator in ``indicators/catalog/``.

The file name is the indicator's id. A declaration names its source, a measure kind from the
registry (:mod:`indicators.measures`), filters on known columns, the numerator and denominator
in words, a direction and a period type. :func:`check_catalog` reports every problem of every
file at once (file, key, what is wrong); :func:`load_catalog` returns the valid catalogue or
raises a :class:`DeclarationError` listing them.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from core.errors import DeclarationError, IvmError, Where
from core.settings import setting
from etl.event_load import EVENT_ID
from indicators.measures import MEASURES
from indicators.sources import SOURCES

PERIOD_TYPES = ("month", "quarter", "year", "r12", "ytd")
#: What a rate may count per: inhabitants and households (summed over areas), a day population
#: and visitors (per area as delivered).
POPULATION_COLUMNS = ("inhabitants", "households", "day_population", "visitors")
FilterValue = str | int | bool


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)


class Text(_Strict):
    """A text in Dutch and English."""

    nl: str = Field(min_length=1)
    en: str = Field(min_length=1)


class Exclude(_Strict):
    """A filter that keeps every value except these."""

    not_: list[FilterValue] = Field(alias="not", min_length=1)


class Duration(_Strict):
    """The time between two timestamps of a fact, in a unit."""

    from_: str = Field(alias="from")
    to: str
    unit: Literal["minutes", "hours", "days"]


class Indicator(_Strict):
    """One indicator declaration (``spec: 1``)."""

    spec: Literal[1]
    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    title: Text
    description: Text | None = None
    unit: Text
    source: str
    measure: str
    numerator: Text
    denominator: Text | None = None
    filters: dict[str, list[FilterValue] | Exclude] = Field(default_factory=dict)
    event: str | None = None
    value: str | None = None
    population: Literal[POPULATION_COLUMNS] | None = None  # type: ignore[valid-type]
    factor: float | None = Field(default=None, gt=0)
    question: str | None = None
    counts: list[str] | None = None
    answered: list[str] | None = None
    where: dict[str, list[FilterValue]] | None = None
    duration: Duration | None = None
    norm: float | None = None
    percentile: float | None = Field(default=None, gt=0, lt=1)
    direction: Literal["lower", "higher"]
    period: Literal[PERIOD_TYPES] = "year"  # type: ignore[valid-type]
    min_n: int = Field(default=5, ge=0)

    @property
    def kind(self):
        """The measure kind this indicator uses."""
        return MEASURES[self.measure]

    @property
    def style(self) -> str:
        """The value style of its measure kind (see :mod:`core.vocabulary`)."""
        return self.kind.style

    @property
    def population_column(self) -> str:
        """The column of the area population tables a rate divides by (one of a closed set,
        so safe to name in SQL): inhabitants unless the declaration says otherwise."""
        return self.population or "inhabitants"

    def text(self, value: float | None, lang: str = "nl") -> str:
        """One of its values as people read it, on every surface."""
        return self.kind.text(value, lang)

    def filter_texts(self) -> list[str]:
        """Its filters, one text each: ``category in a, b``, ``priority not in 4``."""
        return [f"{col} not in {', '.join(map(str, spec.not_))}" if isinstance(spec, Exclude)
                else f"{col} in {', '.join(map(str, spec))}"
                for col, spec in self.filters.items()]


@dataclass
class Catalog:
    """The valid indicators, by id, and the folder they came from."""

    folder: Path
    indicators: dict[str, Indicator]

    def __getitem__(self, indicator_id: str) -> Indicator:
        try:
            return self.indicators[indicator_id]
        except KeyError:
            raise IvmError(
                "unknown_indicator", f"no indicator '{indicator_id}' in the catalogue",
                Where(str(self.folder)), hint="`ivm indicators list` shows the known ids",
            ) from None

    def __iter__(self):
        return iter(self.indicators.values())

    def __len__(self) -> int:
        return len(self.indicators)


def default_folder() -> Path:
    """The catalogue folder: ``IVM_CATALOG`` if set, else the built-in ``indicators/catalog``."""
    configured = setting("catalog")
    if configured:
        return Path(configured)
    return Path(str(resources.files("indicators").joinpath("catalog")))


def indicator_files(folder: Path) -> list[Path]:
    """The declaration files of a catalogue folder (``_*.yaml`` are templates, not indicators)."""
    return sorted(p for p in folder.glob("*.yaml") if not p.name.startswith("_"))


def parse_indicator(path: Path) -> tuple[Indicator | None, list[IvmError]]:
    """Parse and check one declaration; return it (or None) and every problem found."""
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        return None, [IvmError("wrong_encoding", f"an indicator file must be UTF-8 "
                               f"({exc.reason})", Where(str(path)))]
    return parse_indicator_text(text, str(path), path.stem)


def parse_indicator_text(
    text: str, file: str, stem: str
) -> tuple[Indicator | None, list[IvmError]]:
    """Parse and check one declaration's text (``file`` names it, ``stem`` is the id its file
    name gives); return it (or None) and every problem found."""
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        problem = " ".join(str(getattr(exc, "problem", None) or exc).split())
        return None, [IvmError("invalid_yaml", f"not valid YAML: {problem}",
                               Where(file, row=mark.line + 1 if mark else None))]
    if not isinstance(data, dict):
        return None, [IvmError("invalid_indicator", "an indicator is a YAML mapping",
                               Where(file))]
    try:
        ind = Indicator.model_validate(data)
    except ValidationError as exc:
        return None, [
            IvmError("invalid_indicator", err["msg"],
                     Where(file, field=".".join(str(k) for k in err["loc"])))
            for err in exc.errors()
        ]
    problems = _meaning(ind, file)
    if ind.id != stem:
        problems.append(IvmError(
            "id_not_file_name", f"id '{ind.id}' differs from the file name '{stem}'",
            Where(file, field="id"), hint=f"rename the file to {ind.id}.yaml or fix the id",
        ))
    return (None if problems else ind), problems


def _meaning(ind: Indicator, file: str) -> list[IvmError]:
    """What the model cannot see: known source, measure, columns, values and events."""
    problems: list[IvmError] = []

    def bad(code: str, field: str, message: str, hint: str = "") -> None:
        problems.append(IvmError(code, message, Where(file, field=field), hint))

    source = SOURCES.get(ind.source)
    if source is None:
        bad("unknown_source", "source", f"unknown source '{ind.source}'",
            f"one of {', '.join(SOURCES)}")
        return problems
    measure = MEASURES.get(ind.measure)
    if measure is None:
        bad("unknown_measure", "measure", f"unknown measure '{ind.measure}'",
            f"one of {', '.join(MEASURES)}")
        return problems
    for field, rows in (("filters", ind.filters), ("where", ind.where or {})):
        for column, spec in rows.items():
            known = source.filters.get(column)
            if known is None:
                bad("unknown_column", f"{field}.{column}",
                    f"source '{ind.source}' has no column '{column}' to filter on",
                    f"one of {', '.join(source.filters)}")
                continue
            values = spec.not_ if isinstance(spec, Exclude) else spec
            allowed = known.values() if known.values else None
            for v in values:
                if not isinstance(v, known.kind) or (known.kind is int and isinstance(v, bool)):
                    bad("bad_filter", f"{field}.{column}",
                        f"'{v}' is not a {known.kind.__name__}")
                elif allowed is not None and v not in allowed:
                    bad("unknown_value", f"{field}.{column}", f"unknown value '{v}'",
                        f"one of {', '.join(map(str, allowed))}")
    if ind.event is not None:
        if not EVENT_ID.fullmatch(ind.event):
            bad("bad_event", "event", f"'{ind.event}' is not an event id",
                "lower-case letters, digits and _, as in the events file (e.g. aalst_carnival)")
        if source.survey:
            bad("bad_event", "event", "a survey has waves, not days: no event filter")
    for message, field in measure.check(ind, source):
        bad("bad_measure", field, message)
    return problems


def check_catalog(folder: Path | None = None) -> tuple[dict[str, Indicator], list[IvmError]]:
    """Every valid indicator of a folder, and every problem of every file."""
    folder = folder or default_folder()
    if not folder.is_dir():
        return {}, [IvmError("no_catalog", "no such catalogue folder", Where(str(folder)))]
    found: dict[str, Indicator] = {}
    problems: list[IvmError] = []
    for path in indicator_files(folder):
        ind, errs = parse_indicator(path)
        problems.extend(errs)
        if ind is not None:
            found[ind.id] = ind
    return found, problems


def load_catalog(folder: Path | None = None) -> Catalog:
    """The valid catalogue; DeclarationError lists every problem when any file is invalid."""
    folder = folder or default_folder()
    found, problems = check_catalog(folder)
    if problems:
        raise DeclarationError(problems)
    return Catalog(folder, found)


@cache
def builtin_catalog() -> Catalog:
    """The built-in catalogue (cached)."""
    return load_catalog(Path(str(resources.files("indicators").joinpath("catalog"))))
