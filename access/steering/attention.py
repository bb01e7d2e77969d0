"""What needs the mayor's attention, how complete the owners' reporting is, and what changed
since the council saw the plan last: pure functions of the plan's state (:class:`PlanState`),
what people wrote and the status history.

- :func:`attention`: one line per item, most urgent first: objectives that turned worse since
  the last reporting period, those off track or at risk, owners' judgements that differ from
  the data, missing updates (one line per partner), overdue actions.
- :func:`completeness`: per owner partner, which objectives have their update for a period
  and which miss it.
- :func:`status_changes`: every objective whose status differs from the one the council saw.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from access.steering.history import Point
from access.steering.reports import Update, overdue
from access.steering.state import RANK, PlanState, disagrees, worse
from core.vocabulary import (
    ACTION_STATES,
    JUDGEMENTS,
    STATUSES,
    Text,
    date,
    month,
    pick,
    reporting_period,
)


@dataclass(frozen=True)
class Attention:
    """One thing that needs attention: its kind (:data:`core.vocabulary.ATTENTION_KINDS`), the
    objective (and area) or partner it is about, and its line in both languages."""

    kind: str
    text: Text
    objective_id: str | None = None
    area_id: str | None = None
    partner: str | None = None
    action_id: str | None = None


def _title(rec: dict[str, Any], lang: str, several: bool) -> str:
    area = f" ({rec['area'].get('name') or rec['area']['id']})" if several else ""
    return f"{rec['id']} {rec['title'][lang]}{area}"


def _both(make: Any) -> dict[str, str]:
    return {lang: make(lang) for lang in ("nl", "en")}


def attention(state: PlanState, latest: dict[str, Update], action_states: dict[str, str],
              before: dict[tuple[str, str], Point], today: dt.date,
              partner_names: dict[str, dict[str, str]] | None = None,
              since: dict[tuple[str, str], Point] | None = None) -> list[Attention]:
    """Every item that needs attention, most urgent first. ``latest``: the updates that count
    for the current reporting period; ``before``: the statuses the council saw last (the status
    history at the end of the previous reporting period); ``since``: per objective and area the
    first point of its current status (for "niet op koers sinds maart 2026")."""
    names = partner_names or {}
    areas: dict[str, int] = {}
    for r in state.records:
        areas[r["id"]] = areas.get(r["id"], 0) + 1
    seen: set[tuple[str, str]] = set()
    out: list[Attention] = []

    def since_text(rec: dict[str, Any], lang: str) -> str:
        point = (since or {}).get((rec["id"], rec["area"]["id"]))
        if point is None or point.status != rec["status"]:
            return ""
        word = "sinds" if lang == "nl" else "since"
        return f" {word} {month(point.as_of, lang)}"

    for r in state.records:
        key = (r["id"], r["area"]["id"])
        then = before.get(key)
        if then is not None and worse(then.status, r["status"]):
            seen.add(key)
            out.append(Attention("worse", _both(lambda lang, r=r, then=then: (
                f"{_title(r, lang, areas[r['id']] > 1)}: "
                f"{pick(STATUSES, then.status, lang)} → {pick(STATUSES, r['status'], lang)}")),
                r["id"], r["area"]["id"]))
    for status in ("off_track", "at_risk"):
        for r in state.records:
            key = (r["id"], r["area"]["id"])
            if r["status"] == status and key not in seen:
                seen.add(key)
                out.append(Attention(status, _both(lambda lang, r=r: (
                    f"{_title(r, lang, areas[r['id']] > 1)}: "
                    f"{pick(STATUSES, r['status'], lang)}{since_text(r, lang)}")),
                    r["id"], r["area"]["id"]))
    for objective_id, u in sorted(latest.items()):
        computed = state.computed_status(objective_id)
        if state.objective(objective_id) is not None and disagrees(u.judgement, computed):
            obj = state.objective(objective_id)
            out.append(Attention("disagrees", _both(lambda lang, obj=obj, u=u, c=computed: (
                f"{obj.id} {_in(obj.title, lang)}: "
                + (f"eigenaar zegt {pick(JUDGEMENTS, u.judgement, lang)}, de cijfers zeggen "
                   f"{pick(STATUSES, c, lang)}" if lang == "nl" else
                   f"owner says {pick(JUDGEMENTS, u.judgement, lang)}, the data say "
                   f"{pick(STATUSES, c, lang)}"))), objective_id, partner=u.owner))
    period = state.current(today)
    if period is not None:
        for row in completeness(state, period.key, latest):
            if not row.missing or row.partner is None:
                continue
            name = names.get(row.partner, {})
            out.append(Attention("missing_update", _both(lambda lang, row=row, name=name: (
                f"{name.get(lang) or row.partner}: "
                + (f"{len(row.missing)} van {len(row.objectives)} updates ontbreken voor "
                   f"{reporting_period(period.key, lang)}" if lang == "nl" else
                   f"{len(row.missing)} of {len(row.objectives)} updates missing for "
                   f"{reporting_period(period.key, lang)}")
                + (f" ({'uiterlijk' if lang == 'nl' else 'due'} {date(period.due)})"
                   if period.due else ""))), partner=row.partner))
    if state.plan is not None:
        for a in state.plan.actions:
            now = action_states.get(a.id, a.state)
            if overdue(a.due, now, today):
                out.append(Attention("overdue_action", _both(lambda lang, a=a, now=now: (
                    f"{a.objective} · {_in(a.title, lang)}: "
                    + (f"einddatum {date(a.due)} voorbij, {pick(ACTION_STATES, now, lang)}"
                       if lang == "nl" else
                       f"due {date(a.due)}, {pick(ACTION_STATES, now, lang)}"))),
                    a.objective, partner=state.action_owner(a), action_id=a.id))
    return out


def _in(text: Any, lang: str) -> str:
    return (getattr(text, lang, None) or text.nl) if text is not None else ""


@dataclass
class BoardRow:
    """One owner partner on the completeness board: its objectives, those with an update for
    the period and those without."""

    partner: str | None
    objectives: list[str] = field(default_factory=list)
    written: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)

    @property
    def complete(self) -> bool:
        """Whether every update is in."""
        return not self.missing


def completeness(state: PlanState, period: str, latest: dict[str, Update]) -> list[BoardRow]:
    """Per owner partner (by id; objectives without an owner under None): which objectives
    have an update for ``period`` and which miss one."""
    rows: dict[str | None, BoardRow] = {}
    if state.plan is None:
        return []
    for o in state.plan.objectives:
        row = rows.setdefault(o.owner, BoardRow(o.owner))
        row.objectives.append(o.id)
        (row.written if o.id in latest and latest[o.id].period == period
         else row.missing).append(o.id)
    return sorted(rows.values(), key=lambda r: (r.partner is None, r.partner or ""))


@dataclass(frozen=True)
class StatusChange:
    """An objective in an area whose status differs from the one the council saw."""

    objective_id: str
    area_id: str
    record: dict[str, Any]
    before: Point | None
    now: str

    @property
    def worse(self) -> bool:
        """Whether it turned worse."""
        return self.before is not None and worse(self.before.status, self.now)

    @property
    def better(self) -> bool:
        """Whether it turned better."""
        return (self.before is not None and self.before.status in RANK and self.now in RANK
                and RANK[self.now] > RANK[self.before.status])


def status_changes(records: list[dict[str, Any]],
                   before: dict[tuple[str, str], Point]) -> list[StatusChange]:
    """Every record whose status differs from ``before`` (new objectives have no before)."""
    out = []
    for r in records:
        then = before.get((r["id"], r["area"]["id"]))
        if then is None or then.status != r["status"]:
            out.append(StatusChange(r["id"], r["area"]["id"], r, then, r["status"]))
    return out


__all__ = ["Attention", "BoardRow", "StatusChange", "attention", "completeness",
           "status_changes"]
