"""An objective's follow-up, beside its page (:mod:`dashboard.pages.objective`): the status over
time, the actions under it with their state and outputs, and the owners' updates of every
reporting period, read per request from the application store; beside the outcome, the
yearly values of the outputs its actions produce (internal figures: not for the public
audience).
"""

from __future__ import annotations

from typing import Any

from dash import dcc, html

from dashboard.audience import data_of_app, is_public
from dashboard.components import href, table
from dashboard.components_steering import actions_table, timeline_section, update_card, w
from dashboard.markup import Element
from dashboard.registry import path_of
from dashboard.steering import catalog, partner_names, plan_state, steering, today
from dashboard.viewer import current_viewer

#: The outputs table shows this many of the latest complete years.
YEARS = 6


def follow_up(objective_id: str, area: str | None, lang: str) -> html.Section | None:
    """The objective's status over time ("niet op koers sinds maart 2026"), its actions with
    their state and outputs, and the owners' updates of every period, the own judgement beside
    the status from the data (None when there is nothing to show)."""
    if current_viewer().role.name == "publiek":
        return None  # the owners' updates name their authors: for the plan's partners only
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
        outputs = outputs_table(objective_id, area_id,
                                [o for a in actions for o in a.outputs], lang)
        if outputs is not None:
            children += [html.H3(w("outputs_outcome", lang)), outputs]
    children.append(html.H3(w("updates", lang)))
    computed = state.computed_status(objective_id)
    children += [update_card(u, u.computed_status if i else computed, names, lang)
                 for i, u in enumerate(latest.values())] or [
        html.P(w("no_update", lang), className="hint")]
    if viewer.may_report_for(obj.owner):
        children.append(dcc.Link(w("write_update", lang), id="objective-write",
                                 href=href(path_of("steering"), lang, objective=objective_id)))
    return html.Section(children, className="steering")


def outputs_table(objective_id: str, area_id: str, outputs: list[str],
                  lang: str) -> Element | None:
    """The outcome's yearly values next to those of the outputs its actions produce, in the
    objective's area (an output not registered there is left out); None for the public
    audience or without outputs."""
    data = data_of_app()
    if is_public(data) or not outputs:
        return None
    rec = next((r for r in data.status() if r["id"] == objective_id
                and r["area"]["id"] == area_id), None)
    outcome = data.indicator(rec["indicator"] or "") if rec else None
    if outcome is None:
        return None
    columns = [outcome] + [ind for ind in (data.indicator(i) for i in dict.fromkeys(outputs))
                           if ind is not None and ind.id != outcome.id]
    years: dict[str, dict[str, str]] = {}
    shown = []
    for ind in columns:
        points = [p for p in data.series(ind.id, area_id).years if p.complete]
        if ind is not outcome and not any(p.value for p in points):
            continue
        shown.append(ind)
        for p in points:
            years.setdefault(p.period, {})[ind.id] = ind.text(p.value, lang)
    if len(shown) < 2:
        return None
    rows = [[year, *(years[year].get(ind.id, "–") for ind in shown)]
            for year in sorted(years)[-YEARS:]]
    header = [w("year", lang)] + [
        f"{getattr(ind.title, lang, None) or ind.title.nl}"
        + (f" ({w('outcome', lang)})" if ind is outcome else "") for ind in shown]
    return table(header, rows, numeric=set(range(1, len(shown) + 1)),
                 table_id="objective-outputs")
