"""The status history: every refresh stores each objective's status with what it rests on
(value, baseline, target, chance, rule, qualifier, reason), its as-of date and the data version,
so the objective page can say since when an objective is off track and the overview and the
council pack what changed since the last reporting period.

Recorded by the command line after each refresh is published (a refresh that is not published
leaves no history); recording the same refresh twice adds nothing.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import and_, func, insert, select, tuple_
from sqlalchemy.engine import Engine

from access.app_db import reading
from access.steering.tables import status_history


@dataclass(frozen=True)
class Point:
    """One objective's status in one area as of one day."""

    as_of: dt.date
    status: str
    qualifier: str | None
    probability: float | None
    current_value: float | None
    data_version: str
    plan_version: str | None


def _day(value: Any) -> str:
    return value.isoformat() if isinstance(value, dt.date) else str(value)[:10]


class StatusHistory:
    """The status history of one application store."""

    def __init__(self, engine: Engine, now: Callable[[], str]):
        self.engine, self._now = engine, now

    def record(self, records: list[dict[str, Any]], version: dict[str, Any],
               as_of: dt.date | None = None) -> int:
        """Store every record's status as of ``as_of`` (default: the version's) under the data
        version; the number of rows added (0 when this refresh is recorded already)."""
        if not records:
            return 0
        day = _day(as_of or version["as_of"])
        key = and_(status_history.c.as_of == day,
                   status_history.c.load_id == version["load_id"],
                   status_history.c.refresh_id == version["refresh_id"])
        stamp = self._now()
        rows = [{
            "recorded_at": stamp, "as_of": day, "load_id": version["load_id"],
            "refresh_id": version["refresh_id"], "plan_version": r.get("plan_version"),
            "objective_id": r["id"], "area_id": r["area"]["id"], "status": r["status"],
            "qualifier": r.get("qualifier"), "rule": r.get("rule"),
            "probability": r.get("probability"), "current_value": r["current"].get("value"),
            "current_period": r["current"].get("period"),
            "baseline_value": r["baseline"].get("value"),
            "target_value": r["target"].get("value"), "progress": r.get("progress"),
            "reason_nl": r["reason"]["nl"], "reason_en": r["reason"]["en"],
        } for r in records]
        with self.engine.begin() as con:
            done = con.execute(select(func.count()).select_from(status_history).where(
                key)).scalar_one()
            if done:
                return 0
            con.execute(insert(status_history), rows)
        return len(rows)

    def timeline(self, objective_id: str, area_id: str) -> list[Point]:
        """The objective's status in the area at every recorded as-of date, oldest first (the
        latest recording of a date counts)."""
        return self.timelines([(objective_id, area_id)]).get((objective_id, area_id), [])

    def timelines(self, keys: list[tuple[str, str]]) -> dict[tuple[str, str], list[Point]]:
        """:meth:`timeline` of every (objective, area) of ``keys`` that has one, from one
        query (a page showing every objective asks once, not once per objective)."""
        if not keys:
            return {}
        q = select(status_history).where(
            tuple_(status_history.c.objective_id, status_history.c.area_id).in_(keys)
        ).order_by(status_history.c.history_id)
        by_key: dict[tuple[str, str], dict[str, Any]] = {}
        with reading(self.engine).connect() as con:
            for r in con.execute(q):
                by_key.setdefault((r.objective_id, r.area_id), {})[r.as_of] = r
        return {key: [Point(dt.date.fromisoformat(d), r.status, r.qualifier, r.probability,
                            r.current_value, f"{r.load_id}.{r.refresh_id}", r.plan_version)
                      for d, r in sorted(days.items())]
                for key, days in by_key.items()}

    def at(self, day: dt.date) -> dict[tuple[str, str], Point]:
        """Every objective and area's status as of the last recorded date on or before
        ``day``: what the data said then."""
        q = select(status_history).where(status_history.c.as_of <= day.isoformat()).order_by(
            status_history.c.as_of, status_history.c.history_id)
        out: dict[tuple[str, str], Point] = {}
        with reading(self.engine).connect() as con:
            for r in con.execute(q):
                out[(r.objective_id, r.area_id)] = Point(
                    dt.date.fromisoformat(r.as_of), r.status, r.qualifier, r.probability,
                    r.current_value, f"{r.load_id}.{r.refresh_id}", r.plan_version)
        return out

    def rows(self, limit: int = 100_000) -> list[dict[str, Any]]:
        """The history as rows (for the CSV download), oldest first."""
        q = select(status_history).order_by(status_history.c.history_id).limit(limit)
        with reading(self.engine).connect() as con:
            return [dict(r._mapping) for r in con.execute(q)]


def since(points: list[Point]) -> Point | None:
    """The first point of the last run of equal statuses: the objective has had that status
    since its as-of date (None for an empty timeline)."""
    if not points:
        return None
    first = points[-1]
    for p in reversed(points):
        if p.status != first.status:
            break
        first = p
    return first


__all__ = ["Point", "StatusHistory", "since"]
