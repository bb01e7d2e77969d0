"""Today, as the steering cycle counts it: the system's date, or ``IVM_TODAY`` to show or test
another day. Every rule that depends on the day (open reporting periods, overdue actions,
reminders) asks :func:`today`."""

from __future__ import annotations

import datetime as dt

from core.errors import IvmError
from core.settings import setting


def today() -> dt.date:
    """The day it is for the reporting calendar (``IVM_TODAY`` or the system's date)."""
    value = setting("today").strip()
    if not value:
        return dt.date.today()
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise IvmError("bad_setting", f"IVM_TODAY is not a date: {value!r}",
                       hint="YYYY-MM-DD, or leave it empty for the system's date") from None
