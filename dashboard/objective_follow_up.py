"""An objective's follow-up, beside its page (:mod:`dashboard.pages.objective`): the status over
time, the actions under it with their state and outputs, and the owners' updates of every
reporting period, read per request from the application store.
"""

from __future__ import annotations

from typing import Any

from dash import dcc, html

from dashboard.components import href
from dashboard.components_steering import actions_table, timeline_section, update_card, w
from dashboard.registry import path_of
from dashboard.steering import catalog, partner_names, plan_state, steering, today
from dashboard.viewer import current_viewer


def follow_up(objective_id: str, area: str | None, lang: str) -> html.Section | None:
    """The objective's status over time ("niet op koers sinds maart 2026"), its actions with
    their state and outputs, and the owners' updates of every period, the own judgement beside
    the status from the data (None when there is nothing to show)."""
    state, records = plan_state(), steering()
    if state is None or records is None or state.objective(objective_id) is None:
        return None
    obj = state.objective(objective_id)
    areas = [r["area"]["id"] for r in state.records_of(objective_id)]
    if not areas:
        return None
    area_id = area if area in areas else areas[0]
    names = partner_names(records, lang)
    actions = state.plan.actions_of(objective_id) if state.plan else []
    owners = {a.id: state.action_owner(a) for a in actions}
    updates = records.reports.updates(objective_id=objective_id)
    latest: dict[str, Any] = {}
    for u in updates:
        latest.setdefault(u.period, u)
    viewer = current_viewer()
    children: list = [html.H2(w("open_page", lang)),
                      html.H3(w("timeline", lang)),
                      timeline_section(records.history.timeline(objective_id, area_id), lang)]
    if actions:
        children += [html.H3(w("actions", lang)),
                     actions_table(actions, records.reports.action_states(state), owners,
                                   names, catalog(), today(), lang, "objective-actions")]
    children.append(html.H3(w("updates", lang)))
    computed = state.computed_status(objective_id)
    children += [update_card(u, u.computed_status if i else computed, names, lang)
                 for i, u in enumerate(latest.values())] or [
        html.P(w("no_update", lang), className="hint")]
    if viewer.may_report_for(obj.owner):
        children.append(dcc.Link(w("write_update", lang), id="objective-write",
                                 href=href(path_of("steering"), lang, objective=objective_id)))
    return html.Section(children, className="steering")
