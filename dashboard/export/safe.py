"""Text from data is never evaluated by a spreadsheet (formula or CSV injection).

One rule, :func:`formula_like`, decides for every export: a text that starts with ``=``, ``+``,
``-``, ``@``, a tab or a carriage return could be taken for a formula by Excel or LibreOffice.

- in an ``.xlsx`` (:func:`put_text`) such a text is stored as a string cell with Excel's
  *quote prefix* (the leading apostrophe a person would type), so Excel shows it as text and
  keeps it text when the cell is edited;
- in a CSV (:func:`csv_text`) it gets a leading apostrophe, the OWASP advice: spreadsheet
  programs then show it as text;
- DuckDB's own CSV writer applies the same rule through :func:`sql_csv_text`.
"""

from __future__ import annotations

import math
import re
from typing import Any

from openpyxl.cell.cell import Cell

#: The first characters that make a spreadsheet program read a text as a formula.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")

#: Control characters an .xlsx cannot hold (tab, line feed and carriage return are allowed).
_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def formula_like(text: str) -> bool:
    """Whether a spreadsheet program could evaluate ``text`` as a formula."""
    return text[:1] in FORMULA_STARTS


def csv_text(value: Any, decimal: str = ".") -> str:
    """A value as CSV text: numbers as they are (``decimal``: the decimal mark), text with a
    leading apostrophe when it is :func:`formula_like`, missing values empty."""
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value).replace(".", decimal) if isinstance(value, float) else str(value)
    if hasattr(value, "isoformat"):
        return value.isoformat()
    text = str(value)
    return "'" + text if formula_like(text) else text


def put_text(cell: Cell, text: Any) -> Cell:
    """Write ``text`` into an openpyxl cell as a string that Excel never evaluates."""
    value = _ILLEGAL.sub("\ufffd", "" if text is None else str(text))
    cell.value = value
    cell.data_type = "s"  # openpyxl takes "=..." for a formula and "#N/A" for an error
    if formula_like(value):
        cell.quotePrefix = True
    return cell


def sql_csv_text(expr: str) -> str:
    """A DuckDB SQL expression that applies :func:`csv_text`'s rule to a text expression."""
    starts = ", ".join(f"chr({ord(c)})" for c in FORMULA_STARTS)
    return f"CASE WHEN left({expr}, 1) IN ({starts}) THEN '''' || {expr} ELSE {expr} END"


__all__ = ["FORMULA_STARTS", "csv_text", "formula_like", "put_text", "sql_csv_text"]
