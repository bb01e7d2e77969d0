"""What the steering cycle needs to know about the plan in force, read once from the warehouse
through the indicators layer: the plan (objectives, actions, reporting calendar), its status
records and the data version they rest on.

Owners' updates and actions' states are checked against it (does the objective exist, is the
period open, who owns it), and the overview's attention list, the completeness board and the
council pack are computed from it together with what people wrote.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from core.vocabulary import STATUSES
from indicators import (
    Action,
    PlanFile,
    ReportingPeriod,
    current_period,
    data_version,
    find_period,
    plan_calendar,
    plan_in_force,
    previous_period,
    status_records,
)

#: How good a status is (higher is better); ``insufficient_data`` has no place in the order.
RANK = {"achieved": 4, "on_track": 3, "at_risk": 2, "off_track": 1}


@dataclass
class PlanState:
    """The plan in force, its status records, its reporting periods and the data version."""

    plan: PlanFile | None
    records: list[dict[str, Any]]
    version: dict[str, Any] | None = None
    periods: list[ReportingPeriod] = field(default_factory=list)

    @classmethod
    def read(cls, con: Any, records: list[dict[str, Any]] | None = None) -> PlanState:
        """The state of the warehouse behind ``con`` (``records``: the status records when
        the caller has them already)."""
        plan = plan_in_force(con)
        recs = records if records is not None else status_records(con)
        return cls(plan, recs, data_version(con), plan_calendar(plan) if plan else [])

    @property
    def plan_version(self) -> str | None:
        """The version of the plan in force."""
        return self.plan.plan.version if self.plan else None

    def objective(self, objective_id: str) -> Any:
        """The objective ``objective_id`` of the plan in force, or None."""
        if self.plan is None:
            return None
        return next((o for o in self.plan.objectives if o.id == objective_id), None)

    def action(self, action_id: str) -> Action | None:
        """The action ``action_id`` of the plan in force, or None."""
        if self.plan is None:
            return None
        return next((a for a in self.plan.actions if a.id == action_id), None)

    def action_owner(self, action: Action) -> str | None:
        """Who answers for an action: its owner, else its objective's owner."""
        if action.owner:
            return action.owner
        obj = self.objective(action.objective)
        return obj.owner if obj else None

    def records_of(self, objective_id: str) -> list[dict[str, Any]]:
        """The status records (one per area) of an objective."""
        return [r for r in self.records if r["id"] == objective_id]

    def computed_status(self, objective_id: str) -> str | None:
        """The objective's status from the data: the worst of its areas' (an area with
        insufficient data counts only when every area has too little)."""
        statuses = [r["status"] for r in self.records_of(objective_id)]
        ranked = [s for s in statuses if s in RANK]
        if ranked:
            return min(ranked, key=RANK.__getitem__)
        return statuses[0] if statuses else None

    def period(self, key: str) -> ReportingPeriod | None:
        """The reporting period ``key``."""
        return find_period(self.periods, key)

    def current(self, today: dt.date) -> ReportingPeriod | None:
        """The period to report on now."""
        return current_period(self.periods, today)

    def previous(self, today: dt.date) -> ReportingPeriod | None:
        """The period the council saw last."""
        return previous_period(self.periods, today)


def disagrees(judgement: str | None, computed: str | None) -> bool:
    """Whether an owner's own judgement differs from the status the data give (``op koers``
    for an objective the data call achieved is no disagreement; without a status from the data
    there is nothing to disagree with)."""
    if not judgement or computed not in RANK:
        return False
    return judgement != ("on_track" if computed == "achieved" else computed)


def worse(before: str | None, now: str | None) -> bool:
    """Whether a status turned worse (both ranked, the new one lower)."""
    return before in RANK and now in RANK and RANK[now] < RANK[before]


__all__ = ["RANK", "STATUSES", "PlanState", "disagrees", "worse"]
