"""Reading the Excel plan (the template of :mod:`indicators.plan_xlsx`, filled in): every sheet,
row and cell checked, the objectives and actions validated with the same model as a YAML plan
(:class:`indicators.plan.PlanFile`); every problem is reported at once with the sheet, the row
number Excel shows and the column's (Dutch) header.

One job over more than 500 lines: the cell readers, the sheets' row readers and the placing of
the model's problems on a sheet, row and column are one reader; apart, each would need the
others' internals.
"""

from __future__ import annotations

import datetime as dt
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from openpyxl import load_workbook
from openpyxl.utils import get_column_letter
from pydantic import ValidationError

from core.errors import DeclarationError, IvmError, Where
from core.vocabulary import REPORTING_FREQUENCIES
from etl.readers.xlsx import check_zip, value_text
from indicators.plan import DIMENSIONS, DIRECTIONS, FREQUENCIES, PHASES, PLANS, PlanFile
from indicators.plan_xlsx import (
    ACTION_ALIASES,
    ACTION_BY_NAME,
    ACTION_COLUMNS,
    ACTION_FIELD_COLUMN,
    ACTION_STATE_WORDS,
    ACTIONS_SHEET,
    ALIASES,
    BY_NAME,
    COLUMNS,
    DATE_TEXT,
    FIELD_COLUMN,
    HEADER_SCAN,
    ISO_DATE,
    MAX_BYTES,
    OBJECTIVES_SHEET,
    PLAN_ALIASES,
    PLAN_KEYS,
    PLAN_SHEET,
    SPLIT,
)

# ------------------------------------------------------------------------------------ reading


class _Problems:
    """Every problem found while reading, in the order found."""

    def __init__(self, file: str):
        self.file = file
        self.items: list[IvmError] = []

    def add(self, code: str, sheet: str, message: str, row: int | None = None,
            column: str | None = None, hint: str = "") -> None:
        self.items.append(
            IvmError(code, f"sheet '{sheet}': {message}", Where(self.file, row=row, column=column),
                     hint)
        )


def read_plan_xlsx(path: str | Path) -> PlanFile:
    """Read an Excel plan (see :func:`write_template`) and validate it like a YAML plan.

    Raises :class:`DeclarationError` listing every problem, each with the Excel row number and
    the column's (Dutch) header.
    """
    path = Path(path)
    file = str(path)
    size = path.stat().st_size
    if size > MAX_BYTES:
        raise DeclarationError([IvmError(
            "file_too_large",
            f"the plan workbook is {size / 2**20:.1f} MiB, more than the "
            f"{MAX_BYTES // 2**20} MiB a plan may be", Where(file),
            hint="a plan workbook holds only the plan and its objectives",
        )])
    try:
        check_zip(path)
    except IvmError as exc:
        raise DeclarationError([exc]) from None
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)
            wb = load_workbook(path, read_only=True, data_only=False)
    except Exception as exc:  # openpyxl raises many kinds on a broken workbook
        raise DeclarationError([IvmError(
            "unreadable_xlsx", f"the workbook cannot be opened: {type(exc).__name__}: {exc}",
            Where(file), hint="open and save it again in Excel",
        )]) from None
    problems = _Problems(file)
    try:
        plan_rows = _sheet_rows(wb, PLAN_SHEET, problems)
        objective_rows = _sheet_rows(wb, OBJECTIVES_SHEET, problems)
        action_rows = _sheet_rows(wb, ACTIONS_SHEET, problems, optional=True)
    finally:
        wb.close()
    info, info_rows = ({}, {}) if plan_rows is None else _read_info(plan_rows, problems)
    objectives: list[dict] | None = None
    numbers: list[int] = []
    if objective_rows is not None:
        objectives, numbers = _read_rows(objective_rows, problems, _OBJECTIVES)
    actions: list[dict] | None = []
    action_numbers: list[int] = []
    if action_rows:
        actions, action_numbers = _read_rows(action_rows, problems, _ACTIONS)
    data = {"spec": 1, "plan": info, "objectives": objectives or [], "actions": actions or []}
    try:
        plan = PlanFile.model_validate(data)
    except ValidationError as exc:
        _model_problems(exc, info_rows, {"objectives": numbers, "actions": action_numbers},
                        problems, plan_rows is not None,
                        objectives is not None and actions is not None)
        plan = None
    if problems.items:
        raise DeclarationError(problems.items)
    assert plan is not None
    return plan


def _sheet_rows(wb: Any, name: str, problems: _Problems,
                optional: bool = False) -> list[tuple[int, list]] | None:
    """The sheet's non-empty rows as (Excel row number, cells), or None when it is missing
    (a problem unless the sheet is ``optional``)."""
    names = [ws.title for ws in wb.worksheets]
    found = next((n for n in names if n.strip().casefold() == name.casefold()), None)
    if found is None and optional:
        return None
    if found is None:
        shown = ", ".join(f"'{n}'" for n in names) or "no sheets"
        problems.items.append(IvmError(
            "missing_sheet", f"the workbook has no sheet '{name}' (it has: {shown})",
            Where(problems.file), hint="start from the template: ivm plan template",
        ))
        return None
    ws = wb[found]
    ws.reset_dimensions()
    rows = []
    for number, cells in enumerate(ws.iter_rows(min_row=1), start=1):
        cells = list(cells)
        if any(c.value is not None and not (isinstance(c.value, str) and not c.value.strip())
               for c in cells):
            rows.append((number, cells))
    return rows


def _read_info(rows: list[tuple[int, list]], problems: _Problems) -> tuple[dict, dict]:
    """The Plan sheet as PlanInfo's mapping, and the row of each field."""
    info: dict[str, Any] = {}
    where: dict[str, int] = {}
    by_key = {nl: attr for nl, _en, attr, _ in PLAN_KEYS}
    for number, cells in rows:
        position = next((i for i, c in enumerate(cells) if c.value is not None), None)
        if position is None:
            continue
        key_cell = cells[position]
        value_cell = cells[position + 1] if position + 1 < len(cells) else None
        key = str(key_cell.value).strip().casefold()
        if key in ("veld", "field"):
            continue
        if key not in PLAN_ALIASES:
            if value_cell is not None and value_cell.value is not None:
                problems.add("unknown_field", PLAN_SHEET,
                             f"unknown field '{key_cell.value}'", number, "veld",
                             hint="one of " + ", ".join(nl for nl, *_ in PLAN_KEYS))
            continue
        nl = PLAN_ALIASES[key]
        attr = by_key[nl]
        if attr in where:
            problems.add("duplicate_field", PLAN_SHEET,
                         f"'{nl}' appears twice (rows {where[attr]} and {number})", number, nl)
            continue
        where[attr] = number
        if value_cell is None or value_cell.value is None:
            continue
        value = _cell(value_cell, _INFO_READERS.get(attr, _text), PLAN_SHEET, number, nl,
                      problems)
        if value is None:
            continue
        if attr.startswith("reporting."):
            info.setdefault("reporting", {})[attr.split(".", 1)[1]] = value
        else:
            info[attr] = value
    return info, where


def _frequency(c: Any) -> str | None:
    """A reporting frequency from its key or its Dutch or English words."""
    text = _text(c)
    if text is None:
        return None
    folded = str(text).strip().casefold()
    for key in FREQUENCIES:
        words = REPORTING_FREQUENCIES[key]
        if folded in (key, words["nl"].casefold(), words["en"].casefold()):
            return key
    return str(text)


def _integer(c: Any) -> int | None:
    number = _number(c)
    if number is None:
        return None
    if number == "from_data" or float(number) != int(float(number)):
        raise _Bad(f"'{c.value}' is not a whole number of days")
    return int(float(number))


def _dates(c: Any) -> list[dt.date] | None:
    """One date cell, or dates as text separated by commas."""
    if not isinstance(c.value, str):
        day = _date(c)
        return [day] if day else None
    out = []
    for part in SPLIT.split(c.value):
        if part.strip():
            out.append(_date(_Value(part.strip())))
    return out or None


class _Value:
    """A text read as if it were a cell (one part of a cell that lists several values)."""

    def __init__(self, value: str):
        self.value = value


@dataclass(frozen=True)
class _Sheet:
    """A sheet of rows (objectives, actions): its name, columns and how a row becomes the YAML
    plan's mapping."""

    name: str
    columns: tuple
    aliases: dict[str, str]
    by_name: dict[str, Any]
    row: Callable[..., dict[str, Any]]
    item: str


def _read_rows(
    rows: list[tuple[int, list]], problems: _Problems, sheet: _Sheet
) -> tuple[list[dict] | None, list[int]]:
    """The sheet's rows (objectives or actions) as the YAML plan's mappings and the Excel row
    of each; None when the sheet cannot be read (no header, a required column missing)."""
    SHEET, COLUMNS, ALIASES, BY_NAME = sheet.name, sheet.columns, sheet.aliases, sheet.by_name  # noqa: N806
    header = _header_row(rows[:HEADER_SCAN], ALIASES)
    if header is None:
        problems.add("no_header", SHEET,
                     f"no header row in the first {HEADER_SCAN} rows (expected the column "
                     "names " + ", ".join(c.name for c in COLUMNS if c.required) + ", ...)")
        return None, []
    position, header_number, header_cells = header
    columns: dict[str, int] = {}
    for i, cell in enumerate(header_cells):
        text = "" if cell.value is None else str(cell.value).strip()
        if not text:
            continue
        name = ALIASES.get(text.casefold())
        if name is None:
            problems.add("unknown_column", SHEET, f"unknown column '{text}'",
                         header_number, text,
                         hint="the columns are " + ", ".join(c.name for c in COLUMNS))
        elif name in columns:
            problems.add("duplicate_column", SHEET, f"column '{name}' appears twice",
                         header_number, name)
        else:
            columns[name] = i
    missing = [c.name for c in COLUMNS if c.required and c.name not in columns]
    for name in missing:
        problems.add("missing_column", SHEET, f"required column '{name}' is missing",
                     header_number, name, hint="add the column to the header row")
    body = rows[position + 1:]
    if body and _is_english_header(body[0][1], columns, BY_NAME):
        body = body[1:]
    objectives, numbers = [], []
    first_row: dict[Any, int] = {}
    for number, cells in body:
        stray = [i for i, c in enumerate(cells)
                 if i not in columns.values() and c.value is not None and str(c.value).strip()]
        for i in stray:
            problems.add("value_without_column", SHEET,
                         f"cell {get_column_letter(i + 1)}{number} holds a value in a column "
                         "without a known header", number, get_column_letter(i + 1))
        if missing:
            continue
        cell = {name: cells[i] if i < len(cells) else None for name, i in columns.items()}
        objective = sheet.row(cell, number, problems)
        ident = objective.get("id")
        if ident is not None and ident in first_row:
            problems.add("duplicate_id", SHEET,
                         f"{sheet.item} id '{ident}' appears twice (rows {first_row[ident]} "
                         f"and {number})", number, "id")
        first_row.setdefault(ident, number)
        objectives.append(objective)
        numbers.append(number)
    return (None if missing else objectives), numbers


def _header_row(rows: list[tuple[int, list]],
                aliases: dict[str, str]) -> tuple[int, int, list] | None:
    """(position, Excel row, cells) of the row with the most known column names."""
    best, best_hits = None, 0
    for position, (number, cells) in enumerate(rows):
        hits = sum(1 for c in cells if isinstance(c.value, str)
                   and c.value.strip().casefold() in aliases)
        if hits > best_hits:
            best, best_hits = (position, number, cells), hits
    return best


def _is_english_header(cells: list, columns: dict[str, int], by_name: dict[str, Any]) -> bool:
    """Whether a row holds the English column names (the template's second header row)."""
    filled = matched = 0
    for name, i in columns.items():
        value = cells[i].value if i < len(cells) else None
        if value is None:
            continue
        filled += 1
        matched += str(value).strip().casefold() == by_name[name].english
    return filled > 0 and 2 * matched > filled


def _milestones(text: str, key: str, number: int, problems: _Problems) -> list[dict[str, Any]]:
    """``2024: -5%; 2026: -10%`` as the plan's milestones (a percentage is a fraction)."""
    out = []
    for part in (p.strip() for p in text.split(";")):
        if not part:
            continue
        year, _, amount = part.partition(":")
        raw = amount.strip().replace(" ", "")
        percent = raw.endswith("%")
        raw = raw.rstrip("%")
        if "," in raw and "." not in raw:
            raw = raw.replace(",", ".")
        try:
            value = float(raw) / (100 if percent else 1)
            out.append({"year": int(year.strip()), key: value})
        except ValueError:
            problems.add("bad_milestone", OBJECTIVES_SHEET,
                         f"'{part}' is not 'year: number' (e.g. 2024: -5%)", number,
                         "tussendoelen")
    return out


def _objective(cell: dict[str, Any], number: int, problems: _Problems) -> dict[str, Any]:
    """One objective row as the YAML plan's mapping (empty cells are left out)."""

    def get(name: str, reader: Any = None) -> Any:
        c = cell.get(name)
        if c is None or c.value is None:
            return None
        return _cell(c, reader or _text, OBJECTIVES_SHEET, number, name, problems)

    def choice(name: str, allowed: Sequence[str], aliases: dict[str, str] | None = None) -> Any:
        value = get(name)
        if value is None:
            return None
        folded = value.strip().casefold()
        for option in allowed:
            if option.casefold() == folded:
                return option
        return (aliases or {}).get(folded, value)

    title = {k: v for k, v in (("nl", get("titel_nl")), ("en", get("titel_en")))
             if v is not None}
    out: dict[str, Any] = {"id": get("id"), "title": title, "plan": choice("plan", PLANS),
                           "phase": choice("fase", PHASES)}
    optional = {
        "dimension": choice("dimensie", DIMENSIONS),
        "owner": get("eigenaar"),
        "indicator": get("indicator"),
        "area_level": get("gebiedsniveau"),
        "deadline": get("deadline", _date),
        "direction": choice("richting", DIRECTIONS, {"lager": "lower", "hoger": "higher"}),
    }
    out.update({k: v for k, v in optional.items() if v is not None})
    for key, name in (("partners", "partners"), ("areas", "gebieden")):
        if (text := get(name)) is not None:
            out[key] = [p.strip() for p in SPLIT.split(text) if p.strip()]
    period, value = get("basisperiode"), get("basiswaarde", _number)
    if period is not None or value is not None:
        out["baseline"] = {k: v for k, v in (("period", period), ("value", value))
                           if v is not None}
    target = {k: v for k, v in (("value", get("doelwaarde", _number)),
                                ("change", get("doelwijziging", _number))) if v is not None}
    if target:
        out["target"] = target
    if (text := get("tussendoelen")) is not None:
        key = "value" if "value" in target else "change"
        out["milestones"] = _milestones(text, key, number, problems)
    description = {k: v for k, v in (("nl", get("beschrijving_nl")),
                                     ("en", get("beschrijving_en"))) if v is not None}
    if description:
        out["description"] = description
    return {k: v for k, v in out.items() if v is not None}


def _action(cell: dict[str, Any], number: int, problems: _Problems) -> dict[str, Any]:
    """One action row as the YAML plan's mapping (empty cells are left out)."""

    def get(name: str, reader: Any = None) -> Any:
        c = cell.get(name)
        if c is None or c.value is None:
            return None
        return _cell(c, reader or _text, ACTIONS_SHEET, number, name, problems)

    title = {k: v for k, v in (("nl", get("titel_nl")), ("en", get("titel_en")))
             if v is not None}
    out: dict[str, Any] = {"id": get("id"), "objective": get("doelstelling"), "title": title,
                           "owner": get("eigenaar"), "start": get("start", _date),
                           "due": get("einddatum", _date)}
    state = get("stand")
    if state is not None:
        words = {w.casefold(): k for k, w in ACTION_STATE_WORDS.items()}
        out["state"] = words.get(str(state).strip().casefold(), state)
    if (text := get("output")) is not None:
        out["outputs"] = [p.strip() for p in SPLIT.split(text) if p.strip()]
    return {k: v for k, v in out.items() if v is not None}


_OBJECTIVES = _Sheet(OBJECTIVES_SHEET, COLUMNS, ALIASES, BY_NAME, _objective, "objective")
_ACTIONS = _Sheet(ACTIONS_SHEET, ACTION_COLUMNS, ACTION_ALIASES, ACTION_BY_NAME, _action,
                  "action")


class _Bad(ValueError):
    """A cell value that cannot be read as the column's type."""


def _cell(c: Any, reader: Any, sheet: str, number: int, column: str,
          problems: _Problems) -> Any:
    """The cell's value read by ``reader``; None (and a problem) for formulas, errors and values
    of the wrong type."""
    ref = f"{get_column_letter(c.column)}{number}" if getattr(c, "column", None) else column
    if c.data_type == "f":
        formula = c.value if isinstance(c.value, str) else getattr(c.value, "text", "?")
        problems.add("formula", sheet, f"cell {ref} holds formula {formula}; a plan holds values",
                     number, column,
                     hint="replace the formula by its value: copy, then paste as values")
        return None
    if c.data_type == "e":
        problems.add("cell_error", sheet, f"cell {ref} holds the Excel error {c.value}", number,
                     column)
        return None
    try:
        return reader(c)
    except _Bad as exc:
        problems.add("invalid_value", sheet, f"cell {ref}: {exc}", number, column)
        return None


def _text(c: Any) -> str | None:
    value = c.value
    if isinstance(value, str):
        return value.strip() or None
    return value_text(value, decimal=".", date_only=True)


def _number(c: Any) -> float | str | None:
    value = c.value
    if isinstance(value, bool):
        raise _Bad(f"{value} is not a number")
    if isinstance(value, int | float):
        return float(value)
    if not isinstance(value, str):
        raise _Bad(f"'{value_text(value)}' is not a number")
    text = value.strip().replace("\u00a0", "").replace(" ", "")
    if not text:
        return None
    if text.casefold() in ("from_data", "uit_data"):
        return "from_data"
    percent = text.endswith("%")
    digits = text.rstrip("%")
    if "," in digits and "." in digits:  # the last separator is the decimal one
        thousands = "." if digits.rfind(",") > digits.rfind(".") else ","
        digits = digits.replace(thousands, "")
    digits = digits.replace(",", ".")
    try:
        number = float(digits)
    except ValueError:
        raise _Bad(f"'{value}' is not a number (write e.g. 0,9 or -15%)") from None
    return number / 100 if percent else number


def _date(c: Any) -> dt.date | None:
    value = c.value
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        text = value.strip()
        try:
            if m := DATE_TEXT.match(text):
                return dt.date(int(m[3]), int(m[2]), int(m[1]))
            if ISO_DATE.match(text):
                return dt.date.fromisoformat(text)
        except ValueError:
            raise _Bad(f"'{text}' is not a valid date") from None
        raise _Bad(f"'{text}' is not a date (write dd/mm/yyyy or use a date cell)")
    raise _Bad(f"{value_text(value)} is not a date; format the cell as a date (dd/mm/yyyy)")


def _model_problems(
    exc: ValidationError, info_rows: dict[str, int], numbers: dict[str, list[int]],
    problems: _Problems, plan_read: bool, objectives_read: bool,
) -> None:
    """Add the model's problems, each placed at its sheet, Excel row and column (problems of a
    sheet that is missing or unreadable were reported already)."""
    places = {"objectives": (OBJECTIVES_SHEET, FIELD_COLUMN),
              "actions": (ACTIONS_SHEET, ACTION_FIELD_COLUMN)}
    for err in exc.errors():
        loc, msg = tuple(err["loc"]), err["msg"]
        if err["type"] in ("literal_error", "string_pattern_mismatch"):
            msg = f"{err['input']!r}: {msg}"
        if loc[:1] == ("plan",):
            if not plan_read:
                continue
            parts = [k for k in loc[1:3] if isinstance(k, str)]
            attr = ".".join(parts) if parts[:1] == ["reporting"] else (parts[0] if parts
                                                                       else None)
            key = next((nl for nl, _en, a, _ in PLAN_KEYS if a == attr),
                       "rapportering" if parts[:1] == ["reporting"] else None)
            text = f"'{key}' is missing or empty" if msg == "Field required" else f"{key}: {msg}"
            problems.add("invalid_plan", PLAN_SHEET, text,
                         info_rows.get(str(attr)) or info_rows.get("reporting.frequency"), key)
        elif not objectives_read:
            continue
        elif len(loc) >= 3 and loc[0] in places and isinstance(loc[1], int):
            sheet, field_column = places[str(loc[0])]
            fields = tuple(k for k in loc[2:] if isinstance(k, str))
            column = field_column.get(fields[:2]) or field_column.get(fields[:1])
            text = f"'{column}' is empty but required" if msg == "Field required" else msg
            problems.add("invalid_plan", sheet, text, numbers[str(loc[0])][loc[1]], column)
        elif loc[:1] == ("actions",) or (loc == () and msg.startswith("Value error, action")):
            problems.add("invalid_plan", ACTIONS_SHEET, msg.removeprefix("Value error, "))
        elif loc == ("objectives",):
            problems.add("no_objectives", OBJECTIVES_SHEET, "the sheet holds no objectives",
                         hint="fill in one row per objective below the header rows")
        elif loc == () and "appears twice" in msg:
            continue  # reported with its rows while reading
        else:
            problems.add("invalid_plan", OBJECTIVES_SHEET, msg)


#: How each Plan sheet field is read (text unless named here).
_INFO_READERS = {"approved_on": _date, "reporting.start": _date,
                 "reporting.frequency": _frequency, "reporting.deadline_days": _integer,
                 "reporting.council_dates": _dates}
