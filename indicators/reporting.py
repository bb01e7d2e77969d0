"""The plan's reporting calendar: the periods owners report on, and the council meeting each
period is reported at.

A plan names its calendar (:class:`indicators.plan.Reporting`): a frequency (month, quarter,
half year, year), the first day of the first period, how many days before the council meeting
the updates are due, and the council dates. Each period is reported at the first council
meeting after it ends; a period is open for owners' updates from its first day until that
meeting (or, without a meeting yet, until a new one is set), and closed after it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from indicators.plan import PlanFile, Reporting

#: Months per period of each frequency.
MONTHS = {"month": 1, "quarter": 3, "half_year": 6, "year": 12}
#: Periods a calendar may hold (a monthly plan over 40 years).
MAX_PERIODS = 480


@dataclass(frozen=True)
class ReportingPeriod:
    """One reporting period: its key (``2026-Q3``), first and last day, the council meeting it
    is reported at and the day owners' updates are due (None while no meeting is set)."""

    key: str
    start: dt.date
    end: dt.date
    council: dt.date | None
    due: dt.date | None

    def is_open(self, today: dt.date) -> bool:
        """Whether owners may write updates for it on ``today``: from its first day until its
        council meeting."""
        return self.start <= today and (self.council is None or today <= self.council)

    def as_dict(self) -> dict[str, str | None]:
        """The period in JSON-ready form."""
        return {"key": self.key, "start": self.start.isoformat(), "end": self.end.isoformat(),
                "council": self.council.isoformat() if self.council else None,
                "due": self.due.isoformat() if self.due else None}


def _add_months(day: dt.date, months: int) -> dt.date:
    total = day.year * 12 + day.month - 1 + months
    return dt.date(total // 12, total % 12 + 1, 1)


def period_key(start: dt.date, frequency: str) -> str:
    """The key of the period of ``frequency`` that starts on ``start``."""
    if frequency == "month":
        return f"{start:%Y-%m}"
    if frequency == "quarter":
        return f"{start.year}-Q{(start.month - 1) // 3 + 1}"
    if frequency == "half_year":
        return f"{start.year}-H{(start.month - 1) // 6 + 1}"
    return str(start.year)


def _aligned(day: dt.date, frequency: str) -> dt.date:
    """The first day of the period of ``frequency`` that holds ``day``."""
    step = MONTHS[frequency]
    month = (day.month - 1) // step * step + 1
    return dt.date(day.year, month, 1)


def calendar(reporting: Reporting | None, approved_on: dt.date | None = None,
             until: dt.date | None = None) -> list[ReportingPeriod]:
    """Every reporting period of a calendar, oldest first: from its start (default: the
    period after the approval) to the later of ``until`` (the plan's last deadline) and the
    last council date."""
    if reporting is None:
        return []
    step = MONTHS[reporting.frequency]
    first = reporting.start or (_add_months(_aligned(approved_on, reporting.frequency), step)
                                if approved_on else None)
    if first is None:
        first = _aligned(reporting.council_dates[0], reporting.frequency) if \
            reporting.council_dates else None
    if first is None:
        return []
    first = _aligned(first, reporting.frequency)
    last = max([d for d in (until, *reporting.council_dates[-1:]) if d is not None],
               default=first)
    out = []
    start = first
    while start <= last and len(out) < MAX_PERIODS:
        nxt = _add_months(start, step)
        end = nxt - dt.timedelta(days=1)
        council = next((d for d in reporting.council_dates if d > end), None)
        due = council - dt.timedelta(days=reporting.deadline_days) if council else None
        out.append(ReportingPeriod(period_key(start, reporting.frequency), start, end, council,
                                   due))
        start = nxt
    return out


def plan_calendar(plan: PlanFile) -> list[ReportingPeriod]:
    """The reporting periods of a plan, up to its last objective's deadline."""
    deadlines = [o.deadline for o in plan.objectives if o.deadline]
    return calendar(plan.plan.reporting, plan.plan.approved_on, max(deadlines, default=None))


def current_period(periods: list[ReportingPeriod], today: dt.date) -> ReportingPeriod | None:
    """The period to report on now: of the periods that have ended and are still open, the one
    reported at the earliest meeting; else the period that holds ``today``."""
    ended = [p for p in periods if p.end < today and p.is_open(today)]
    if ended:
        return ended[0]
    return next((p for p in periods if p.start <= today <= p.end), None)


def previous_period(periods: list[ReportingPeriod], today: dt.date) -> ReportingPeriod | None:
    """The period reported at the last council meeting before ``today`` (the one the council
    saw last), or None."""
    done = [p for p in periods if p.council is not None and p.council < today]
    return done[-1] if done else None


def find_period(periods: list[ReportingPeriod], key: str) -> ReportingPeriod | None:
    """The period with ``key``."""
    return next((p for p in periods if p.key == key), None)


def meetings(periods: list[ReportingPeriod]) -> list[dt.date]:
    """The council meetings periods are reported at, in order."""
    return sorted({p.council for p in periods if p.council is not None})


__all__ = ["ReportingPeriod", "calendar", "current_period", "find_period", "meetings",
           "period_key", "plan_calendar", "previous_period"]
