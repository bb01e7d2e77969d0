"""XLSX: checked for zip bombs, then streamed with openpyxl in read-only mode.

The sheet read is the one a profile names, else the first visible one. The workbook is opened
twice, once for the computed values and once for the formulas, and the
two row streams are read side by side: a formula cell with no computed value cannot be read and
its row is reported as malformed. The header is the row among the first rows that best matches
the column names the profile expects; title rows above it are ignored.
"""

from __future__ import annotations

import datetime as dt
import math
import re
import warnings
import zipfile
from collections.abc import Iterator, Sequence
from decimal import Decimal
from itertools import chain, islice, repeat, zip_longest
from pathlib import Path
from typing import Any

import pyarrow as pa
from openpyxl import load_workbook
from openpyxl.styles.numbers import is_datetime
from openpyxl.utils import get_column_letter

from core.errors import FileRejected, Where
from core.settings import setting
from etl.readers.base import Malformed, RawTable, ReadOptions, header_names, string_batch
from etl.readers.sniff import FileFacts

_HEADER_SCAN = 30
_BATCH = 50_000
_MAX_RATIO = 200
_BIG_ENTRY = 10 << 20
_OLE_MAGIC = b"\xd0\xcf\x11\xe0"
_FORMULA_TAG = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?f[\s>/]")


def number_text(value: float, decimal: str = ",") -> str:
    """A float as plain text: ``12`` for 12.0, else the shortest exact digits (never an
    exponent) with ``decimal`` as decimal separator; NaN is empty (missing), infinities
    ``inf``/``-inf``."""
    if math.isnan(value):
        return ""
    if math.isinf(value):
        return "inf" if value > 0 else "-inf"
    if value.is_integer():
        return str(int(value))
    text = format(Decimal(repr(value)), "f")
    return text if decimal == "." else text.replace(".", decimal)


def value_text(value: Any, decimal: str = ",", date_only: bool = False) -> str:
    """A cell or attribute value as the text the later typed parsers read.

    ``None`` is empty; booleans ``true``/``false``; numbers without exponent and with
    ``decimal`` as separator; date-times ``YYYY-MM-DD HH:MM:SS`` (``YYYY-MM-DD`` when
    ``date_only`` and the time is midnight); times ``HH:MM:SS``.
    """
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return number_text(value, decimal)
    if isinstance(value, Decimal):
        text = format(value, "f")
        return text if decimal == "." else text.replace(".", decimal)
    if isinstance(value, dt.datetime):
        stamp = _whole_seconds(value).replace(tzinfo=None)
        if date_only and stamp.time() == dt.time(0):
            return stamp.date().isoformat()
        return stamp.isoformat(sep=" ", timespec="seconds")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, dt.time):
        full = dt.datetime.combine(dt.date(2000, 1, 1), value.replace(tzinfo=None))
        return _whole_seconds(full).time().isoformat(timespec="seconds")
    if isinstance(value, dt.timedelta):
        seconds = round(value.total_seconds())
        sign, seconds = ("-", -seconds) if seconds < 0 else ("", seconds)
        return f"{sign}{seconds // 3600:02d}:{seconds // 60 % 60:02d}:{seconds % 60:02d}"
    return str(value)


def _whole_seconds(value: dt.datetime) -> dt.datetime:
    rounded = value.replace(microsecond=0)
    if value.microsecond >= 500_000:
        rounded += dt.timedelta(seconds=1)
    return rounded


def check_zip(path: Path) -> None:
    """Refuse ``path`` unless it is a zip archive holding ``xl/workbook.xml`` whose parts unpack
    to a sane size (``max_xlsx_uncompressed_mb`` in all, no part both > 10 MiB and compressed
    more than 200 times)."""
    where = Where(str(path))
    try:
        with zipfile.ZipFile(path) as archive:
            infos = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError):
        with open(path, "rb") as fh:
            ole = fh.read(4) == _OLE_MAGIC
        raise FileRejected(
            "not_xlsx",
            "not an XLSX workbook (not a zip archive)",
            where,
            hint="an old .xls or a password-protected workbook: save it as .xlsx without password"
            if ole
            else "save the file as an Excel .xlsx workbook or export it as CSV",
        ) from None
    limit_mb = int(setting("max_xlsx_uncompressed_mb"))
    total = sum(info.file_size for info in infos)
    if total > limit_mb * 2**20:
        raise FileRejected(
            "zip_bomb",
            f"the workbook unpacks to {total / 2**20:.0f} MiB, more than the {limit_mb} MiB "
            "allowed",
            where,
            hint="export the data as CSV, or raise IVM_MAX_XLSX_MB if the file is genuine",
        )
    for info in infos:
        ratio = info.file_size / info.compress_size if info.compress_size else math.inf
        if info.file_size > _BIG_ENTRY and ratio > _MAX_RATIO:
            raise FileRejected(
                "zip_bomb",
                f"part '{info.filename}' unpacks to {info.file_size / 2**20:.0f} MiB, "
                f"{ratio:.0f} times its packed size (at most {_MAX_RATIO} expected)",
                where,
                hint="a possible zip bomb; export the data as CSV if the file is genuine",
            )
    if not any(info.filename == "xl/workbook.xml" for info in infos):
        raise FileRejected(
            "not_xlsx",
            "not an XLSX workbook: the zip archive holds no xl/workbook.xml",
            where,
            hint="save the file as an Excel .xlsx workbook or export it as CSV",
        )


def read_xlsx(facts: FileFacts, options: ReadOptions) -> RawTable:
    """Read one sheet of an XLSX workbook as a :class:`RawTable` (``_row`` = sheet row)."""
    path = facts.path
    where = Where(str(path))
    check_zip(path)
    values_wb = _open(path, data_only=True)
    workbooks = [values_wb]
    try:
        sheet = _sheet_name(values_wb, options.sheet, where)
        values_ws = values_wb[sheet]
        values_ws.reset_dimensions()
        formulas: Iterator[Any] = iter(())
        if _has_formulas(path, values_ws):
            formulas_wb = _open(path, data_only=False)
            workbooks.append(formulas_wb)
            formulas_ws = formulas_wb[sheet]
            formulas_ws.reset_dimensions()
            formulas = formulas_ws.iter_rows(min_row=1, values_only=True)
        rows = zip(values_ws.iter_rows(min_row=1), chain(formulas, repeat(())), strict=False)
        numbered = enumerate(rows, start=1)
        head = list(islice(numbered, 2 * _HEADER_SCAN))
        texts = [[_cell_text(c, options.decimal) for c in cells] for _, (cells, _) in head]
        index = _header_index(texts[:_HEADER_SCAN], options.expected_columns)
        if index is None:
            raise FileRejected(
                "no_header",
                f"no header row in the first {_HEADER_SCAN} rows of sheet '{sheet}' (expected a "
                "row with the column names, at least 2 filled cells)",
                where,
            )
        header_row = head[index][0]
        width = max(_filled_width(t) for t in texts[index : index + _HEADER_SCAN + 1])
        raw_header = [t or None for t in texts[index][:width]]
        raw_header += [None] * (width - len(raw_header))
        columns = header_names(raw_header, Where(str(path), row=header_row))
    except BaseException:
        for wb in workbooks:
            wb.close()
        raise
    table = RawTable(
        path=path,
        format="xlsx",
        columns=columns,
        batches=iter(()),
        first_data_row=header_row + 1,
        details={"sheet": sheet, "header_row": str(header_row)},
    )
    rest = chain(head[index + 1 :], numbered)
    table.batches = _batches(table, rest, options.decimal, workbooks)
    return table


def _open(path: Path, data_only: bool) -> Any:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)
            return load_workbook(path, read_only=True, data_only=data_only)
    except Exception as exc:  # openpyxl raises many kinds on a broken workbook
        raise FileRejected(
            "unreadable_xlsx",
            f"the workbook cannot be opened: {type(exc).__name__}: {exc}",
            Where(str(path)),
            hint="open and save it again in Excel, or export the sheet as CSV",
        ) from None


def _has_formulas(path: Path, ws: Any) -> bool:
    """Whether the sheet's XML holds a formula element (a fast byte scan; True when unsure)."""
    member = getattr(ws, "_worksheet_path", None)
    if not isinstance(member, str):
        return True
    try:
        with zipfile.ZipFile(path) as archive, archive.open(member.lstrip("/")) as part:
            tail = b""
            while chunk := part.read(1 << 20):
                if _FORMULA_TAG.search(tail + chunk):
                    return True
                tail = chunk[-64:]
    except (KeyError, zipfile.BadZipFile, OSError):
        return True
    return False


def _sheet_name(wb: Any, wanted: str | None, where: Where) -> str:
    """The sheet to read: the one named (a profile's ``sheet``), else the first visible one (a
    hidden or very hidden sheet holds what its author keeps out of sight: old data, lookups)."""
    names = [ws.title for ws in wb.worksheets]
    if wanted is None:
        visible = [ws.title for ws in wb.worksheets
                   if getattr(ws, "sheet_state", "visible") == "visible"]
        if not visible:
            raise FileRejected(
                "no_sheet",
                "the workbook has no visible worksheet" if names else "the workbook has no "
                "worksheet",
                where,
                hint="name the sheet to read in the profile (sheet: NAME)" if names else "",
            )
        return visible[0]
    if wanted in names:
        return wanted
    for name in names:
        if name.strip().casefold() == wanted.strip().casefold():
            return name
    raise FileRejected(
        "unknown_sheet",
        f"sheet '{wanted}' not found; the workbook has: " + ", ".join(f"'{n}'" for n in names),
        where,
        hint="set sheet in the profile to one of these names",
    )


def _cell_text(cell: Any, decimal: str) -> str:
    value = cell.value
    if isinstance(value, dt.datetime) and value.time() == dt.time(0):
        return value_text(value, decimal, date_only=is_datetime(cell.number_format) == "date")
    return value_text(value, decimal)


def _filled_width(texts: Sequence[str]) -> int:
    for i in range(len(texts), 0, -1):
        if texts[i - 1].strip():
            return i
    return 0


def _header_index(rows: list[list[str]], expected: Sequence[str]) -> int | None:
    """The index of the header among ``rows``: most cells equal to an expected name, else the
    first row with at least two filled cells."""
    wanted = {e.strip().casefold() for e in expected if e.strip()}
    best, best_hits = None, 0
    for i, texts in enumerate(rows):
        hits = sum(1 for t in texts if t.strip().casefold() in wanted)
        if hits > best_hits:
            best, best_hits = i, hits
    if best is not None:
        return best
    for i, texts in enumerate(rows):
        if sum(1 for t in texts if t.strip()) >= 2:
            return i
    return None


def _batches(
    table: RawTable, rows: Iterator[Any], decimal: str, workbooks: list[Any]
) -> Iterator[pa.RecordBatch]:
    columns = table.columns
    width = len(columns)
    values: list[list[str]] = [[] for _ in columns]
    numbers: list[int] = []
    seen = 0
    where = Where(str(table.path))
    try:
        while True:
            try:
                item = next(rows, None)
            except Exception as exc:  # a broken part of the sheet XML
                raise FileRejected(
                    "unreadable_xlsx",
                    f"the sheet cannot be read after row {seen}: {type(exc).__name__}: {exc}",
                    where,
                ) from None
            if item is None:
                break
            number, (cells, formulas) = item
            texts = [_cell_text(c, decimal) for c in cells]
            problem = _missing_value(cells, formulas, number)
            if problem is None and not any(t.strip() for t in texts):
                continue
            if problem is None and _filled_width(texts) > width:
                extra = _filled_width(texts)
                problem = (
                    "too_many_fields",
                    f"cell {get_column_letter(extra)}{number} holds a value right of the "
                    f"header's {width} columns",
                )
            if problem is not None:
                shown = [
                    f if not t and isinstance(f, str) and f.startswith("=") else t
                    for t, f in zip_longest(texts, formulas, fillvalue="")
                ]
                raw = "\t".join(shown[: _filled_width(shown)])[:2000]
                table.malformed.append(Malformed(number, raw, *problem))
                continue
            texts += [""] * (width - len(texts))
            for column, text in zip(values, texts, strict=False):
                column.append(text)
            numbers.append(number)
            if len(numbers) >= _BATCH:
                seen += len(numbers)
                yield string_batch(columns, values, numbers)
                values, numbers = [[] for _ in columns], []
        if numbers:
            seen += len(numbers)
            yield string_batch(columns, values, numbers)
    finally:
        for wb in workbooks:
            wb.close()
    if seen == 0 and not table.malformed:
        raise FileRejected(
            "no_rows",
            "the sheet has a header but no data rows",
            Where(str(table.path), row=table.first_data_row - 1),
        )


def _missing_value(
    cells: Sequence[Any], formulas: Sequence[Any], number: int
) -> tuple[str, str] | None:
    """The first formula cell of a row that has no computed value, as (code, reason)."""
    for i, (cell, formula) in enumerate(zip(cells, formulas, strict=False), start=1):
        if formula is None or cell.value is not None:
            continue
        text = formula if isinstance(formula, str) else getattr(formula, "text", None)
        if not isinstance(text, str) or not text.startswith("="):
            continue
        if getattr(cell, "data_type", None) == "str":
            continue  # a computed empty text (Excel writes t="str" with an empty value)
        return (
            "formula_without_value",
            f"cell {get_column_letter(i)}{number} holds formula {text} with no computed value "
            "(open and save the file in Excel to compute it)",
        )
    return None
