"""Writing the council workbook's sheets: cells with their number formats, headers, widths,
frozen and filtered tables, print setup, the title block every sheet starts with.

A value of an indicator gets the Excel number format of its measure kind's value style
(:func:`core.vocabulary.excel_format`), so it reads as on the dashboard; text from data goes
through :func:`dashboard.export.safe.put_text`, so Excel never evaluates it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from core.vocabulary import (
    DEFAULT_STYLE,
    EXCEL_DATE,
    FIELDS,
    approver,
    date,
    excel_format,
    pick,
)
from dashboard.export.council_text import (
    T,
)
from dashboard.export.figures import Figures
from dashboard.export.safe import put_text
from dashboard.export.suppress import MARK
from indicators import (
    Indicator,
)

HEAD_FONT = Font(bold=True)
HEAD_FILL = PatternFill("solid", fgColor="DDE3EA")
TITLE_FONT = Font(bold=True, size=14)
SUB_FONT = Font(bold=True, size=12)
NOTE_FONT = Font(italic=True, color="555555")
HIDDEN_FONT = Font(color="7F7F7F")
WRAP = Alignment(wrap_text=True, vertical="top")
TOP = Alignment(vertical="top")
LINE = Border(top=Side(style="thin", color="808080"))
#: Pastel fills behind the status words (never the only sign: symbol and words carry it).
STATUS_FILL = {
    "achieved": "C6EFCE", "on_track": "DDEBF7", "at_risk": "FFEB9C", "off_track": "F8CBAD",
    "insufficient_data": "FFFFFF",
}


def plain_number(x: float) -> str:
    return str(int(x)) if float(x).is_integer() else str(x)


def value_format(ind: Indicator | None, value: float | None = None) -> str:
    """The number format of an indicator's value: its measure kind's value style."""
    return excel_format(ind.style if ind is not None else DEFAULT_STYLE, value)


def column_names(fields: Sequence[str], lang: str) -> list[str]:
    """Column headings: the vocabulary's field names (the sheet's own words for the rest)."""
    return [pick(FIELDS, f, lang) if f in FIELDS else T[lang][f] for f in fields]


def put(ws: Worksheet, row: int, col: int, value: Any, fmt: str | None = None) -> Any:
    """A cell: text through :func:`put_text`, numbers and dates with their format."""
    cell = ws.cell(row=row, column=col)
    if value is None:
        return cell
    if isinstance(value, str):
        put_text(cell, value)
    elif isinstance(value, dt.date):
        cell.value = value
        cell.number_format = EXCEL_DATE
    else:
        cell.value = value
        if fmt:
            cell.number_format = fmt
    return cell


def put_hidden(ws: Worksheet, row: int, col: int) -> None:
    cell = put_text(ws.cell(row=row, column=col), MARK)
    cell.font = HIDDEN_FONT
    cell.alignment = Alignment(horizontal="right")


def put_header(ws: Worksheet, row: int, names: Sequence[str], col: int = 1) -> None:
    for i, name in enumerate(names):
        c = put_text(ws.cell(row=row, column=col + i), name)
        c.font = HEAD_FONT
        c.fill = HEAD_FILL
        c.alignment = Alignment(wrap_text=True, vertical="center")


def set_widths(ws: Worksheet, widths: Sequence[float], col: int = 1) -> None:
    for i, w in enumerate(widths):
        ws.column_dimensions[get_column_letter(col + i)].width = w


def finish_table(ws: Worksheet, header_row: int, ncols: int, last_row: int,
           freeze_col: int = 1) -> None:
    """Frozen header, filter, print setup (landscape, fit to width, repeated header row)."""
    last = get_column_letter(ncols)
    ws.freeze_panes = f"{get_column_letter(freeze_col)}{header_row + 1}"
    ws.auto_filter.ref = f"A{header_row}:{last}{max(last_row, header_row)}"
    print_setup(ws, header_row)


def print_setup(ws: Worksheet, header_row: int | None) -> None:
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_options.gridLines = False
    if header_row:
        ws.print_title_rows = f"{header_row}:{header_row}"
    ws.oddFooter.left.text = "&A"
    ws.oddFooter.right.text = "&P / &N"
    ws.page_margins.left = ws.page_margins.right = 0.4


def title_block(ws: Worksheet, f: Figures, lang: str, subtitle: str) -> int:
    """Rows 1-4: title, plan version and approval, as-of date, audience. Returns the next row."""
    t = T[lang]
    plan = f.plan or {}
    title = f"{plan.get('title') or t['doc_title']}: {subtitle}"
    put_text(ws.cell(row=1, column=1), title).font = TITLE_FONT
    if plan.get("approved_on"):
        line = t["version"].format(v=plan.get("version"),
                                   by=approver(plan.get("approved_by"), lang) or "?",
                                   on=date(plan["approved_on"]))
    else:
        line = t["not_approved"].format(v=plan.get("version"))
    put_text(ws.cell(row=2, column=1), f"{line}. {t['as_of'].format(d=date(f.as_of))}.")
    note = put_text(ws.cell(row=3, column=1),
                    t["public"] if f.audience == "public" else t["internal"])
    note.font = NOTE_FONT
    return 5


def put_value(ws: Worksheet, row: int, col: int, value: float | None, ind: Indicator | None,
            hidden: bool) -> None:
    if value is None:
        return
    if hidden:
        put_hidden(ws, row, col)
        return
    put(ws, row, col, value, value_format(ind, value))


def date_of(text: Any) -> dt.date | None:
    if text is None:
        return None
    if isinstance(text, dt.date):
        return text
    return dt.date.fromisoformat(str(text)[:10])
