"""Owners' updates and actions' states: what partners write about their objectives, with who
may write what, and every writing kept (author, time, audit log).

For each reporting period and objective, the owner's accounts (``dienst`` accounts of the
owner partner), the beheerder and the bestuur write a short update: what was done, what is
next, an own judgement (op koers / risico / niet op koers) and why. The judgement is kept
beside the computed status of that moment, never instead of it. An update is accepted only
while its period is open (:meth:`indicators.ReportingPeriod.is_open`), its texts are plain text
of bounded length (HTML or a formula stays text wherever it is shown), and a correction is a
new row: the newest counts, the older stay as history.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.engine import Engine

from access.app_db import reading
from access.roles import Viewer
from access.steering.state import PlanState, disagrees
from access.steering.tables import action_state, owner_update
from core.errors import IvmError, Where
from core.settings import setting
from core.vocabulary import ACTION_STATES, JUDGEMENTS, date, reporting_period


@dataclass(frozen=True)
class Update:
    """One owner's update as written."""

    update_id: int
    plan_version: str
    period: str
    objective_id: str
    owner: str | None
    done: str
    next: str | None
    judgement: str
    reason: str | None
    computed_status: str | None
    computed_as_of: str | None
    author: str
    role: str
    written_at: str

    def disagrees(self, computed: str | None = None) -> bool:
        """Whether the judgement differs from the status from the data (now, or when the
        update was written)."""
        return disagrees(self.judgement, computed or self.computed_status)

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready."""
        return dict(self.__dict__)


@dataclass(frozen=True)
class StateChange:
    """One change of an action's state."""

    change_id: int
    plan_version: str
    action_id: str
    objective_id: str
    state: str
    note: str | None
    author: str
    role: str
    changed_at: str


def clean_text(value: str | None, field: str, required: bool = False) -> str | None:
    """A text as people wrote it, checked: plain text (line breaks and tabs allowed, no other
    control characters), at most ``IVM_UPDATE_MAX_CHARS`` characters."""
    text = (value or "").replace("\r\n", "\n").strip()
    if not text:
        if required:
            raise IvmError("empty_text", f"'{field}' is empty", Where(field=field),
                           hint="write what was done")
        return None
    limit = int(setting("update_max_chars"))
    if len(text) > limit:
        raise IvmError("text_too_long", f"'{field}' has {len(text):,} characters; at most "
                       f"{limit:,} are kept", Where(field=field), hint="shorten it")
    bad = next((ch for ch in text if (ord(ch) < 32 and ch not in "\n\t")
                or 0x7F <= ord(ch) < 0xA0 or ch in "\u2028\u2029\ufeff"), None)
    if bad is not None:
        raise IvmError("bad_text", f"'{field}' holds the control character U+{ord(bad):04X}",
                       Where(field=field), hint="plain text only")
    return text


class Reports:
    """Owners' updates and actions' states of one application store."""

    def __init__(self, engine: Engine, audit: Callable[..., None], now: Callable[[], str]):
        self.engine, self._audit, self._now = engine, audit, now

    # -- owners' updates ----------------------------------------------------------------------

    def write_update(self, viewer: Viewer, state: PlanState, period: str, objective_id: str,
                     done: str | None, next_steps: str | None, judgement: str | None,
                     reason: str | None, today: dt.date, at: str | None = None) -> Update:
        """Write an owner's update (checked: the objective, the period, the viewer's right,
        the texts); an error says what is wrong and nothing is stored."""
        obj = state.objective(objective_id)
        if obj is None:
            raise IvmError("unknown_objective", f"no objective '{objective_id}' in the plan "
                           "in force", Where(field="objective"))
        if not viewer.may_report_for(obj.owner):
            raise IvmError("not_allowed", f"{viewer.name or 'this user'} may not write the "
                           f"update of {objective_id} (owner: {obj.owner or 'none'})",
                           hint="the owner's accounts, the beheerder and the bestuur may")
        p = state.period(period)
        if p is None:
            raise IvmError("unknown_period", f"no reporting period '{period}' in the plan's "
                           "calendar", Where(field="period"))
        if not p.is_open(today):
            when = (f"it opens on {date(p.start)}" if today < p.start else
                    f"its council meeting was {date(p.council)}")
            raise IvmError("closed_period", f"the reporting period "
                           f"{reporting_period(p.key, 'en')} is closed: {when}",
                           Where(field="period"))
        if judgement not in JUDGEMENTS:
            raise IvmError("bad_judgement", f"own judgement '{judgement}' is not one of "
                           f"{', '.join(JUDGEMENTS)}", Where(field="judgement"))
        texts = {"done": clean_text(done, "done", required=True),
                 "next": clean_text(next_steps, "next"),
                 "reason": clean_text(reason, "reason")}
        computed = state.computed_status(objective_id)
        version = state.version or {}
        as_of = version.get("as_of")
        stamp = at or self._now()
        with self.engine.begin() as con:
            new_id = con.execute(insert(owner_update).values(
                plan_version=state.plan_version, period=p.key, objective_id=objective_id,
                owner=obj.owner, judgement=judgement, computed_status=computed,
                computed_as_of=as_of.isoformat() if as_of else None, author=viewer.name or "",
                role=viewer.role.name, written_at=stamp, **texts)).inserted_primary_key[0]
        flag = " (differs from the data)" if disagrees(judgement, computed) else ""
        self._audit("update_written", viewer.name, viewer.role.name,
                    detail=f"{objective_id} {p.key}: {judgement}{flag}, data {computed}")
        return self.update(int(new_id))  # type: ignore[return-value]

    def update(self, update_id: int) -> Update | None:
        """One update by its id."""
        with reading(self.engine).connect() as con:
            row = con.execute(select(owner_update).where(
                owner_update.c.update_id == update_id)).first()
        return Update(*row) if row else None

    def updates(self, objective_id: str | None = None, period: str | None = None,
                since: str | None = None) -> list[Update]:
        """Every writing, newest first (of one objective, one period, after a time)."""
        q = select(owner_update).order_by(owner_update.c.update_id.desc())
        if objective_id:
            q = q.where(owner_update.c.objective_id == objective_id)
        if period:
            q = q.where(owner_update.c.period == period)
        if since:
            q = q.where(owner_update.c.written_at > since)
        with reading(self.engine).connect() as con:
            return [Update(*r) for r in con.execute(q)]

    def latest(self, period: str) -> dict[str, Update]:
        """The update that counts for each objective in a period (the newest)."""
        out: dict[str, Update] = {}
        for u in self.updates(period=period):
            out.setdefault(u.objective_id, u)
        return out

    # -- actions' states ----------------------------------------------------------------------

    def set_action_state(self, viewer: Viewer, state: PlanState, action_id: str,
                         new_state: str, note: str | None = None,
                         at: str | None = None) -> StateChange:
        """Change an action's state (its owner's accounts, the beheerder and the bestuur)."""
        action = state.action(action_id)
        if action is None:
            raise IvmError("unknown_action", f"no action '{action_id}' in the plan in force",
                           Where(field="action"))
        owner = state.action_owner(action)
        if not viewer.may_report_for(owner):
            raise IvmError("not_allowed", f"{viewer.name or 'this user'} may not change the "
                           f"state of action {action_id} (owner: {owner or 'none'})",
                           hint="the owner's accounts, the beheerder and the bestuur may")
        if new_state not in ACTION_STATES:
            raise IvmError("bad_state", f"state '{new_state}' is not one of "
                           f"{', '.join(ACTION_STATES)}", Where(field="state"))
        text = clean_text(note, "note")
        stamp = at or self._now()
        with self.engine.begin() as con:
            new_id = con.execute(insert(action_state).values(
                plan_version=state.plan_version, action_id=action_id,
                objective_id=action.objective, state=new_state, note=text,
                author=viewer.name or "", role=viewer.role.name,
                changed_at=stamp)).inserted_primary_key[0]
        self._audit("action_changed", viewer.name, viewer.role.name,
                    detail=f"{action_id} ({action.objective}): {new_state}")
        return next(c for c in self.action_changes(action_id) if c.change_id == new_id)

    def action_changes(self, action_id: str | None = None,
                       since: str | None = None) -> list[StateChange]:
        """Every state change, newest first (of one action, after a time)."""
        q = select(action_state).order_by(action_state.c.change_id.desc())
        if action_id:
            q = q.where(action_state.c.action_id == action_id)
        if since:
            q = q.where(action_state.c.changed_at > since)
        with reading(self.engine).connect() as con:
            return [StateChange(*r) for r in con.execute(q)]

    def action_states(self, state: PlanState) -> dict[str, str]:
        """Every action of the plan in force with its state now (the newest change, else the
        plan's)."""
        latest: dict[str, str] = {}
        for c in self.action_changes():
            latest.setdefault(c.action_id, c.state)
        if state.plan is None:
            return {}
        return {a.id: latest.get(a.id, a.state) for a in state.plan.actions}


def overdue(due: dt.date | None, action_state_now: str, today: dt.date) -> bool:
    """Whether an action is overdue: past its due date and neither done nor cancelled."""
    return due is not None and due < today and action_state_now not in ("done", "cancelled")


__all__ = ["Reports", "StateChange", "Update", "clean_text", "overdue"]
