"""Numbers, percentages and dates as people read them: Belgian format in Dutch, plain in English.

The one place figures become text, shared by the status reasons, the dashboard and the export.
"""

from __future__ import annotations

import datetime as dt
import math

MONTHS = {
    "nl": ["jan", "feb", "mrt", "apr", "mei", "jun", "jul", "aug", "sep", "okt", "nov", "dec"],
    "en": ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"],
}


def number(value: float | int | None, decimals: int = 0, lang: str = "nl") -> str:
    """A number: ``87.332`` and ``12,5`` in Dutch (Belgian), ``87,332`` and ``12.5`` in English."""
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return "–"
    text = f"{value:,.{decimals}f}"
    if lang == "nl":
        text = text.replace(",", "\u202f").replace(".", ",").replace("\u202f", ".")
    return text


def percent(value: float | None, decimals: int = 0, lang: str = "nl", signed: bool = False) -> str:
    """A fraction as a percentage with a space before the sign: ``-18 %``, ``12,5 %``."""
    if value is None or not math.isfinite(value):
        return "–"
    text = number(100 * value, decimals, lang)
    if signed and value > 0 and text.strip("0,.") != "":
        text = "+" + text
    if text in ("-0", "+0"):
        text = "0"
    return f"{text} %"


def p_value(p: float | None, lang: str = "nl") -> str:
    """A p-value as ``p = 0,003`` or ``p < 0,001``."""
    if p is None or not math.isfinite(p):
        return "–"
    if p < 0.001:
        return f"p < {number(0.001, 3, lang)}"
    return f"p = {number(p, 3 if p < 0.1 else 2, lang)}"


def date(value: dt.date | dt.datetime | None) -> str:
    """A date as dd/mm/yyyy (with the time for a date-time), the Belgian way in both languages."""
    if value is None:
        return "–"
    if isinstance(value, dt.datetime):
        return value.strftime("%d/%m/%Y %H:%M")
    return value.strftime("%d/%m/%Y")


def month(value: dt.date, lang: str = "nl") -> str:
    """A month as ``okt 2026`` / ``Oct 2026``."""
    return f"{MONTHS[lang][value.month - 1]} {value.year}"
