"""The steering cycle in the dashboard: what people wrote (owners' updates, actions' states, the
status history, from the application store) beside the plan in force, for the current viewer.

What people write changes between loads, so it is never part of a view cached per data version:
a cached page leaves an empty place (an element with an id) that :func:`fill` fills per request.
The plan's state (:class:`access.steering.state.PlanState`) is read once per data version.
Pure components are in :mod:`dashboard.components_steering`.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from access.roles import Viewer
from access.steering.alert_notes import alert_key
from access.steering.attention import (
    Attention,
    StatusChange,
    attention,
    completeness,
    status_changes,
)
from access.steering.history import since
from access.steering.state import PlanState
from access.steering.store import Steering
from core.clock import today
from dashboard.auth import guard_of_app
from dashboard.sites import current_site
from dashboard.view_cache import json_ready
from indicators import (
    Change,
    alert_objectives,
    alert_words,
    diff_plans,
    plan_versions,
    stored_plan,
)

#: The roles whose overview opens with what needs attention.
ATTENTION_ROLES = frozenset({"bestuur", "beheerder"})


def plan_state() -> PlanState | None:
    """The plan in force with its status records and reporting periods (per data version);
    None without stored results."""
    data = current_site().data
    if not data.available():
        return None
    return data.cached_query(("steering_plan_state",), PlanState.read)


def plan_history() -> tuple[list[dict[str, Any]], str | None, list[Change]]:
    """Every stored plan version (newest approval first), the version the one in force
    follows, and what changed between them (per data version)."""
    data = current_site().data
    if not data.available():
        return [], None, []

    def read(con: Any) -> tuple[list[dict[str, Any]], str | None, list[Change]]:
        versions = plan_versions(con)
        state = plan_state()
        current = state.plan_version if state else None
        names = [v["version"] for v in versions]
        if current not in names or names.index(current) + 1 >= len(names):
            return versions, None, []
        before = names[names.index(current) + 1]
        return versions, before, diff_plans(stored_plan(con, before), stored_plan(con, current))

    return data.cached_query(("steering_plan_history",), read)


def catalog() -> dict[str, Any]:
    """The indicators of the stored results, by id (the names of the actions' outputs)."""
    return current_site().data.catalog()


def steering() -> Steering | None:
    """The steering records of the running app's application store (None without sign-in)."""
    guard = guard_of_app()
    return None if guard is None else Steering(guard.store)


def partner_title(partner_id: str, lang: str) -> str:
    """A partner's name in ``lang`` from the partner register (its id when the register does not
    know it, or there is none)."""
    records = steering()
    found = records.partners.get(partner_id) if records is not None else None
    return found.name(lang) if found is not None else partner_id


def partner_names(records: Steering, lang: str) -> dict[str, str]:
    """Every partner's name in ``lang``, by id."""
    return records.partners.names(lang)


def attention_items(state: PlanState, records: Steering, day: dt.date) -> list[Attention]:
    """What needs the mayor's attention on ``day``: see :func:`access.steering.attention`."""
    period = state.current(day)
    latest = records.reports.latest(period.key) if period else {}
    previous = state.previous(day)
    before = records.history.at(previous.end) if previous else {}
    timelines = records.history.timelines([(r["id"], r["area"]["id"]) for r in state.records])
    firsts = {key: point for key, points in timelines.items()
              if (point := since(points)) is not None}
    names = {p.partner_id: {"nl": p.name("nl"), "en": p.name("en")}
             for p in records.partners.all()}
    return attention(state, latest, records.reports.action_states(state), before, day, names,
                     firsts) + alert_items(state)


def alert_items(state: PlanState) -> list[Attention]:
    """The early warning's running alerts in the plan's municipalities that no owner closed
    with a note yet, each for the owner of the objective that counts its kind of facts
    (:func:`indicators.alert_objectives`; none when no objective counts it apart)."""
    data = current_site().data
    towns = {r["area"]["id"][:5] for r in state.records}
    catalog = data.catalog()
    records = steering()
    closed = records.alerts.notes() if records is not None else {}
    out = []
    for a in data.alerts():
        if (not a["running"] or (a["municipality"] or "")[:5] not in towns
                or alert_key(a) in closed):
            continue
        concerned = alert_objectives(state.records, catalog, a["kind"], a["category"])
        owner = next((r for r in concerned if r.get("owner")), None)
        kind = data.category_names(a["kind"]).get(a["category"], {})
        out.append(Attention(
            "alert", {lang: f"{kind.get(lang, a['category'])} – {a['area_name'] or a['area_id']}"
                      f": {alert_words(a, lang)}" for lang in ("nl", "en")},
            objective_id=owner["id"] if owner else None, area_id=a["area_id"],
            partner=owner["owner"] if owner else None))
    return out


def changes_since(state: PlanState, records: Steering,
                  day: dt.date) -> tuple[Any, list[StatusChange]]:
    """The reporting period the council saw last and every objective (and area) whose status
    differs from the one recorded at that period's end (none before any such period)."""
    previous = state.previous(day)
    if previous is None:
        return None, []
    before = records.history.at(previous.end)
    return previous, [c for c in status_changes(state.records, before) if c.before]


def board(state: PlanState, records: Steering, day: dt.date) -> tuple[Any, list]:
    """The current reporting period and its completeness board."""
    period = state.current(day)
    if period is None:
        return None, []
    return period, completeness(state, period.key, records.reports.latest(period.key))


def visible(viewer: Viewer, state: PlanState, objective_id: str) -> bool:
    """Whether ``viewer`` may read what was written about an objective (a ``dienst`` account:
    only its partner's objectives, owned or contributed to)."""
    if not viewer.role.own_objectives_only:
        return True
    return any(viewer.may_see_objective(r) for r in state.records_of(objective_id))


def writable(viewer: Viewer, state: PlanState) -> list[Any]:
    """The objectives of the plan in force ``viewer`` may write the update of."""
    if state.plan is None:
        return []
    return [o for o in state.plan.objectives if viewer.may_report_for(o.owner)]


def fill(view: Any, element_id: str, children: Any) -> Any:
    """A copy of a cached view (plain values) with the element ``element_id``'s children set
    (components, made plain values too: the answer is then encoded in one call, see
    :func:`dashboard.view_cache.json_ready`); the cached view itself is never changed (only the
    path to the element is copied)."""
    return _filled(view, element_id, json_ready(children))


def _filled(view: Any, element_id: str, children: Any) -> Any:
    if isinstance(view, list):
        for i, item in enumerate(view):
            new = _filled(item, element_id, children)
            if new is not item:
                return [*view[:i], new, *view[i + 1:]]
        return view
    if not isinstance(view, dict):
        return view
    props = view.get("props")
    if not isinstance(props, dict):
        return view
    if props.get("id") == element_id:
        return {**view, "props": {**props, "children": children}}
    kids = props.get("children")
    new = _filled(kids, element_id, children)
    if new is kids:
        return view
    return {**view, "props": {**props, "children": new}}


__all__ = ["ATTENTION_ROLES", "attention_items", "board", "catalog", "changes_since", "fill",
           "partner_names", "partner_title", "plan_history", "plan_state", "steering",
           "today", "visible", "writable"]
