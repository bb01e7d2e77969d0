"""Recurring events (``events.yaml``): the days an indicator can be limited to, per year."""

from __future__ import annotations

import datetime as dt
from importlib import resources

import yaml


def easter(year: int) -> dt.date:
    """Easter Sunday (Gregorian calendar, anonymous algorithm)."""
    a, b, c = year % 19, year // 100, year % 100
    d, e = b // 4, b % 4
    f = (b + 8) // 25
    g = (b - f + 1) // 3
    h = (19 * a + b - d - g + 15) % 30
    i, k = c // 4, c % 4
    m = (32 + 2 * e + 2 * i - h - k) % 7
    n = (a + 11 * h + 22 * m) // 451
    month = (h + m - 7 * n + 114) // 31
    day = (h + m - 7 * n + 114) % 31 + 1
    return dt.date(year, month, day)


def _load() -> dict[str, dict]:
    text = resources.files("indicators").joinpath("events.yaml").read_text(encoding="utf-8")
    return dict(yaml.safe_load(text)["events"])


EVENTS: dict[str, dict] = _load()


def event_days(event: str, first_year: int, last_year: int) -> list[dt.date]:
    """Every day of ``event`` in the years ``first_year`` to ``last_year``."""
    rule = EVENTS[event]
    days: list[dt.date] = []
    for year in range(first_year, last_year + 1):
        if "easter" in rule:
            lo, hi = rule["easter"]
            base = easter(year)
            start, end = base + dt.timedelta(days=lo), base + dt.timedelta(days=hi)
        else:
            lo, hi = (dt.date.fromisoformat(f"{year}-{md}") for md in rule["fixed"])
            start, end = lo, hi if hi >= lo else dt.date(year + 1, hi.month, hi.day)
        days.extend(start + dt.timedelta(days=i) for i in range((end - start).days + 1))
    return days
