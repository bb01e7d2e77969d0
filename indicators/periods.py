"""Periods: month, quarter, year, rolling 12 months and year-to-date, and what counts as complete.

Every period is a set of whole months. Month, quarter and year are calendar periods. Rolling 12
months (``r12``) and year-to-date (``ytd``) end at the last complete month of a source's data
(its *anchor*), and again at the same month in each earlier year, so the latest window can be
set against the same window a year earlier. A period is complete when the source's deliveries
cover it from its first to its last day; a period after a source's cut-off, before its first
delivery or in a gap between two is incomplete and is never read as a drop (or a rise).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

PERIOD_TYPES = ("month", "quarter", "year", "r12", "ytd")


@dataclass(frozen=True)
class Coverage:
    """What a source's data covers: first day, cut-off (last day), row count, and the spans of
    days its deliveries cover (a gap between two deliveries is not covered: missing, never a
    zero; no spans: from the first day to the cut-off)."""

    kind: str
    data_start: dt.date
    cutoff: dt.date
    rows: int
    spans: tuple[tuple[dt.date, dt.date], ...] = ()

    def covers(self, start: dt.date, end: dt.date) -> bool:
        """Whether the source's deliveries cover every day from ``start`` to ``end``."""
        spans = self.spans or ((self.data_start, self.cutoff),)
        return any(s <= start and end <= e for s, e in spans)

    @property
    def anchor(self) -> dt.date:
        """The first day of the last complete month up to the cut-off."""
        nxt = self.cutoff + dt.timedelta(days=1)
        first = self.cutoff.replace(day=1)
        return first if nxt.month != self.cutoff.month else add_months(first, -1)


def add_months(month: dt.date, k: int) -> dt.date:
    """The first day of the month ``k`` months after ``month`` (negative: before)."""
    index = month.year * 12 + month.month - 1 + k
    return dt.date(index // 12, index % 12 + 1, 1)


def month_end(month: dt.date) -> dt.date:
    """The last day of ``month``."""
    return add_months(month, 1) - dt.timedelta(days=1)


def deadline_month_end(deadline: dt.date) -> dt.date:
    """The last day of a deadline's last whole month (the deadline itself when it is a month's
    last day): the end of the 12 months whose value says whether a target was met."""
    end = month_end(deadline.replace(day=1))
    return end if end == deadline else deadline.replace(day=1) - dt.timedelta(days=1)


def months_between(end: dt.date, later: dt.date) -> int:
    """Whole months after the month of ``end`` up to and including the month of ``later``."""
    return (later.year - end.year) * 12 + later.month - end.month


def months(first: dt.date, last: dt.date) -> list[dt.date]:
    """The first days of every month from ``first`` to ``last`` (both included)."""
    out, m = [], first.replace(day=1)
    while m <= last:
        out.append(m)
        m = add_months(m, 1)
    return out


def label(period_type: str, start: dt.date, end: dt.date) -> str:
    """A period's stable key: ``2024-03``, ``2024-Q1``, ``2024``, ``2025-11/2026-10``."""
    if period_type == "month":
        return f"{start:%Y-%m}"
    if period_type == "quarter":
        return f"{start.year}-Q{(start.month - 1) // 3 + 1}"
    if period_type == "year":
        return str(start.year)
    return f"{start:%Y-%m}/{end:%Y-%m}"


def parse_label(text: str) -> tuple[str, dt.date, dt.date]:
    """(period type, first day, last day) of a period key; ValueError when it is not one."""
    text = text.strip()
    if "/" in text:
        a, b = (dt.date.fromisoformat(p + "-01") for p in text.split("/"))
        kind = "ytd" if a.month == 1 and a.year == b.year and b.month < 12 else "r12"
        if kind == "r12" and add_months(a, 11) != b:
            raise ValueError(f"'{text}' is not a 12-month window")
        return kind, a, month_end(b)
    if "-Q" in text:
        year, q = text.split("-Q")
        start = dt.date(int(year), 3 * int(q) - 2, 1)
        return "quarter", start, month_end(add_months(start, 2))
    if len(text) == 4 and text.isdigit():
        return "year", dt.date(int(text), 1, 1), dt.date(int(text), 12, 31)
    start = dt.date.fromisoformat(text + "-01")
    return "month", start, month_end(start)


def period_rows(first: dt.date, last: dt.date, anchors: dict[str, dt.date]) -> list[tuple]:
    """Which periods each month belongs to: (month, kind, type, key, first day, last day).

    ``kind`` is None for calendar periods (every source) and the source kind for r12 and ytd,
    whose windows end at that source's anchor month and at the same month in earlier years.
    """
    rows: list[tuple] = []
    for m in months(first, last):
        q_start = dt.date(m.year, (m.month - 1) // 3 * 3 + 1, 1)
        for ptype, start, end in (
            ("month", m, month_end(m)),
            ("quarter", q_start, month_end(add_months(q_start, 2))),
            ("year", dt.date(m.year, 1, 1), dt.date(m.year, 12, 31)),
        ):
            rows.append((m, None, ptype, label(ptype, start, end), start, end))
    for kind, anchor in anchors.items():
        end = anchor
        while end >= first.replace(day=1):
            start = add_months(end, -11)
            for m in months(max(start, first), end):
                rows.append((m, kind, "r12", label("r12", start, end), start, month_end(end)))
            y_start = dt.date(end.year, 1, 1)
            if end.month < 12:  # a year-to-date to December is the calendar year
                for m in months(max(y_start, first), end):
                    rows.append((m, kind, "ytd", label("ytd", y_start, end), y_start,
                                 month_end(end)))
            end = add_months(end, -12)
    return rows
