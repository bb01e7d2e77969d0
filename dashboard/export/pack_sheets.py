"""The council pack's own sheets, added to the council workbook right after its summary: what
changed since the previous meeting, the owners' updates and the actions (the rows of
:mod:`dashboard.export.pack_rows`, every text written as text, never a formula)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from openpyxl import Workbook
from openpyxl.worksheet.worksheet import Worksheet

from core.vocabulary import PACK, STEERING, date, pick
from dashboard.export.figures import Figures
from dashboard.export.pack_rows import (
    ACTION_COLUMNS,
    CHANGE_COLUMNS,
    UPDATE_COLUMNS,
    action_rows,
    change_rows,
    column_words,
    update_rows,
)
from dashboard.export.safe import put_text
from dashboard.export.sheet import (
    NOTE_FONT,
    WRAP,
    finish_table,
    put_header,
    set_widths,
    title_block,
)

if TYPE_CHECKING:
    from dashboard.export.pack import PackContent


def add_pack_sheets(wb: Workbook, f: Figures, c: PackContent) -> None:
    """Add the sheets Wijzigingen, Updates and Acties after the workbook's first sheet."""
    lang = c.lang
    _changes(wb.create_sheet(pick(PACK, "sheet_changes", lang), 1), f, c)
    _table(wb.create_sheet(pick(PACK, "sheet_updates", lang), 2), f, c,
           pick(STEERING, "updates", lang), column_words(UPDATE_COLUMNS, lang),
           update_rows(c, lang), [9, 30, 20, 16, 50, 40, 22, 36, 20, 14, 17], (5, 6, 8))
    _table(wb.create_sheet(pick(STEERING, "actions", lang), 3), f, c,
           pick(STEERING, "actions", lang), column_words(ACTION_COLUMNS, lang),
           action_rows(c, lang), [12, 11, 44, 22, 11, 11, 22], (3,))


def _meeting_line(c: PackContent) -> str:
    return pick(PACK, "for_meeting", c.lang).format(d=date(c.meeting))


def _changes(ws: Worksheet, f: Figures, c: PackContent) -> None:
    lang = c.lang
    row = title_block(ws, f, lang, pick(PACK, "changes", lang))
    since = (pick(PACK, "changes_since", lang).format(d=date(c.previous_meeting))
             if c.previous_meeting else pick(PACK, "first_meeting", lang))
    put_text(ws.cell(row=4, column=1), f"{_meeting_line(c)}. {since}").font = NOTE_FONT
    header = row
    put_header(ws, header, column_words(CHANGE_COLUMNS, lang))
    for rows in change_rows(c, lang).values():
        for values in rows:
            row += 1
            for col, v in enumerate(values, start=1):
                put_text(ws.cell(row=row, column=col), v).alignment = WRAP
    set_widths(ws, [26, 11, 44, 26, 22, 22])
    finish_table(ws, header, len(CHANGE_COLUMNS), row, freeze_col=3)


def _table(ws: Worksheet, f: Figures, c: PackContent, subtitle: str, columns: list[str],
           rows: list[list[str]], widths: list[float], wrapped: tuple[int, ...]) -> None:
    row = title_block(ws, f, c.lang, subtitle)
    put_text(ws.cell(row=4, column=1), _meeting_line(c)).font = NOTE_FONT
    header = row
    put_header(ws, header, columns)
    for values in rows:
        row += 1
        for col, v in enumerate(values, start=1):
            if not v:
                continue
            cell = put_text(ws.cell(row=row, column=col), v)
            if col in wrapped or col == 2:
                cell.alignment = WRAP
    set_widths(ws, widths)
    finish_table(ws, header, len(columns), row, freeze_col=3)


__all__ = ["add_pack_sheets"]
