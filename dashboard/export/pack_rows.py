"""The council pack's tables in words, one language at a time: what changed since the previous
meeting, the owners' updates and the actions. The workbook's sheets
(:mod:`dashboard.export.pack_sheets`) and the PDF (:mod:`dashboard.export.pack_pdf`) both write
these rows, so they cannot differ. Every text is as people wrote it: the writers show it as
text (never markup, never a formula)."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from core.vocabulary import (
    ACTION_STATES,
    ACTION_SYMBOLS,
    FIELDS,
    JUDGEMENTS,
    MISSING,
    PACK,
    STEERING,
    date,
    number,
    percent,
    pick,
    reporting_period,
    status_text,
)

if TYPE_CHECKING:
    from dashboard.export.pack import PackContent

#: Columns of the changes table.
CHANGE_COLUMNS = ("kind", "objective", "title", "what", "then", "now")
#: Columns of the updates table.
UPDATE_COLUMNS = ("objective", "title", "owner", "period", "done", "next", "judgement",
                  "judgement_reason", "computed", "author", "written_at")
#: Columns of the actions table.
ACTION_COLUMNS = ("action", "objective", "title", "owner", "start", "due", "action_state")


def column_words(columns: tuple[str, ...], lang: str) -> list[str]:
    """The columns' headings from the vocabulary."""
    words = {"kind": PACK["kind"], "what": PACK["what"], "before": PACK["before"],
             "after": PACK["after"], "done_on": PACK["done_on"],
             "then": STEERING["status_before"],
             "now": STEERING["status_now"], "title": STEERING["title"],
             "period": STEERING["reporting_period"]}
    return [pick(words, c, lang) if c in words else
            pick(STEERING, c, lang) if c in STEERING else pick(FIELDS, c, lang)
            for c in columns]


def _title(text: Any, lang: str) -> str:
    if text is None:
        return ""
    if isinstance(text, dict):
        return text.get(lang) or text.get("nl") or ""
    return getattr(text, lang, None) or getattr(text, "nl", "") or ""


def _value(path: str | None, value: Any, lang: str) -> str:
    """A plan field's value: a relative change as a percentage, a date the Belgian way."""
    if value is None:
        return MISSING
    if path and path.endswith("change") and isinstance(value, int | float):
        return percent(value, 0, lang, signed=True)
    if path == "deadline" or isinstance(value, dt.date):
        return date(value)
    if isinstance(value, float):
        return number(value, 2, lang)
    return str(value)


def _field(path: str | None, lang: str) -> str:
    """A plan field in words: ``target.change`` -> ``Doel``."""
    head = (path or "").partition(".")[0]
    return pick(FIELDS, head, lang) if head in FIELDS else head


def action_state_text(state: str, lang: str) -> str:
    """An action's state as symbol and words: ``● afgerond``."""
    return f"{ACTION_SYMBOLS.get(state, '')} {pick(ACTION_STATES, state, lang)}".strip()


#: Per part of the changes, its columns after the kind (the PDF shows one table per part).
PART_COLUMNS: dict[str, tuple[str, ...]] = {
    "status_changes": ("objective", "title", "area", "then", "now"),
    "targets_revised": ("objective", "title", "what", "before", "after"),
    "new_actions": ("objective", "action", "owner", "start", "action_state"),
    "completed_actions": ("objective", "action", "owner", "done_on", "action_state"),
}


def change_rows(c: PackContent, lang: str) -> dict[str, list[list[str]]]:
    """What changed since the previous meeting, per part (``status_changes``,
    ``targets_revised``, ``new_actions``, ``completed_actions``), each a list of rows of
    :data:`CHANGE_COLUMNS`."""
    status = [[pick(PACK, "status_changes", lang), ch.objective_id,
               ch.record["title"][lang], ch.record["area"].get("name") or ch.area_id,
               status_text(ch.before.status, lang) if ch.before else MISSING,
               status_text(ch.now, lang)] for ch in c.status_changes]
    titles = {o.id: _title(o.title, lang) for o in (c.state.plan.objectives
                                                     if c.state.plan else [])}
    revised = []
    for ch in c.plan_changes:
        if ch.kind in ("added", "dropped"):
            revised.append([pick(PACK, "targets_revised", lang), ch.ident,
                            titles.get(ch.ident, ""), pick(STEERING, ch.kind, lang), "", ""])
        else:
            revised.append([pick(PACK, "targets_revised", lang), ch.ident,
                            titles.get(ch.ident, ""), _field(ch.field, lang),
                            _value(ch.field, ch.old, lang), _value(ch.field, ch.new, lang)])
    new = [[pick(PACK, "new_actions", lang), a.objective, _title(a.title, lang),
            c.partner(c.state.action_owner(a)), date(a.start) if a.start else "",
            action_state_text(c.action_states.get(a.id, a.state), lang)]
           for a in c.new_actions]
    done = [[pick(PACK, "completed_actions", lang), a.objective, _title(a.title, lang),
             c.partner(c.state.action_owner(a)), date(ch.changed_at[:10]),
             action_state_text("done", lang)] for a, ch in c.completed_actions]
    return {"status_changes": status, "targets_revised": revised, "new_actions": new,
            "completed_actions": done}


def update_row(c: PackContent, objective_id: str, lang: str) -> list[str]:
    """An objective's owner's update for the pack's period (:data:`UPDATE_COLUMNS`); "geen
    update" when the owner wrote none."""
    obj = c.state.objective(objective_id)
    title = _title(obj.title, lang) if obj else ""
    owner = c.partner(obj.owner if obj else None)
    period = reporting_period(c.period.key, lang) if c.period else MISSING
    u = c.updates.get(objective_id)
    computed = c.state.computed_status(objective_id)
    if u is None:
        return [objective_id, title, owner, period, pick(STEERING, "no_update", lang), "", "",
                "", status_text(computed, lang) if computed else "", "", ""]
    judgement = pick(JUDGEMENTS, u.judgement, lang)
    if u.disagrees(computed):
        judgement += f" ({pick(STEERING, 'disagrees', lang)})"
    return [objective_id, title, owner, period, u.done, u.next or "", judgement,
            u.reason or "", status_text(computed, lang) if computed else "", u.author,
            date(u.written_at)]


def update_rows(c: PackContent, lang: str) -> list[list[str]]:
    """Every objective's update row, in the plan's order."""
    plan = c.state.plan
    return [update_row(c, o.id, lang) for o in (plan.objectives if plan else [])]


def action_rows(c: PackContent, lang: str, objective_id: str | None = None,
                today: dt.date | None = None) -> list[list[str]]:
    """The plan's actions (of one objective) with their state now (:data:`ACTION_COLUMNS`);
    an action past its due date and not done says so."""
    from access.steering.reports import overdue

    day = today or c.meeting
    plan = c.state.plan
    out = []
    for a in plan.actions if plan else []:
        if objective_id is not None and a.objective != objective_id:
            continue
        state = c.action_states.get(a.id, a.state)
        words = action_state_text(state, lang)
        if overdue(a.due, state, day):
            words += f" ({pick(STEERING, 'overdue', lang)})"
        out.append([a.id, a.objective, _title(a.title, lang),
                    c.partner(c.state.action_owner(a)), date(a.start) if a.start else "",
                    date(a.due) if a.due else "", words])
    return out


__all__ = ["ACTION_COLUMNS", "CHANGE_COLUMNS", "PART_COLUMNS", "UPDATE_COLUMNS", "action_rows",
           "action_state_text", "change_rows", "column_words", "update_row", "update_rows"]
