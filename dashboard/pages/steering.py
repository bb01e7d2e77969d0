"""Opvolging / Steering: the reporting cycle of the plan, for the mayor's office and the
partners.

The reporting period to report on now (its deadline and council date); for the bestuur and the
beheerder what needs attention; the completeness board (per owner partner, the updates written
and missing); the form to write an owner's update (what was done, what is next, an own
judgement and why) for the objectives the viewer answers for; the form to change an action's
state; the actions and the updates of the period the viewer may read. Every write is checked on
the server (:class:`access.steering.reports.Reports`: the owner's accounts, the beheerder and
the bestuur), kept with its author and time, and in the audit log. For the bestuur and the
beheerder, the plan's versions and what changed from the previous one. URL: ``objective`` (the
objective preselected in the form), ``partner`` and ``lang``.
"""

from __future__ import annotations

from typing import Any

from dash import Input, Output, State, callback, dcc, html
from dash.exceptions import PreventUpdate

from access.steering.state import PlanState
from access.steering.store import Steering
from core.errors import IvmError
from core.settings import setting
from core.vocabulary import ACTION_STATES, ACTION_SYMBOLS, JUDGEMENTS, pick
from dashboard.components import empty, frame
from dashboard.components_steering import (
    actions_table,
    attention_section,
    board_table,
    changes_section,
    period_line,
    plan_versions_section,
    update_card,
    w,
)
from dashboard.i18n import lang_of
from dashboard.registry import register_page
from dashboard.steering import (
    ATTENTION_ROLES,
    attention_items,
    board,
    catalog,
    changes_since,
    partner_names,
    plan_history,
    plan_state,
    steering,
    today,
    visible,
    writable,
)
from dashboard.viewer import current_viewer

PAGE = register_page(__name__, key="steering", path="/opvolging", prefix="steering",
                     title={"nl": "Opvolging", "en": "Steering"},
                     roles={"beheerder", "bestuur", "dienst"}, nav=2)


def _title(o: Any, lang: str) -> str:
    return f"{o.id} {getattr(o.title, lang, None) or o.title.nl}"


def _updates(state: PlanState, records: Steering, lang: str) -> list:
    """The updates that count for the current period, those the viewer may read."""
    viewer = current_viewer()
    period = state.current(today())
    if period is None:
        return []
    names = partner_names(records, lang)
    latest = records.reports.latest(period.key)
    return [update_card(u, state.computed_status(oid), names, lang)
            for oid, u in sorted(latest.items()) if visible(viewer, state, oid)]


def _actions(state: PlanState, records: Steering, lang: str) -> Any:
    """The actions the viewer may read: a ``dienst`` account its partner's."""
    viewer = current_viewer()
    if state.plan is None:
        return []
    shown = [a for a in state.plan.actions
             if visible(viewer, state, a.objective) or viewer.may_report_for(
                 state.action_owner(a))]
    owners = {a.id: state.action_owner(a) for a in shown}
    return actions_table(shown, records.reports.action_states(state), owners,
                         partner_names(records, lang), catalog(), today(), lang,
                         "steering-actions")


def _board(state: PlanState, records: Steering, lang: str) -> list:
    period, rows = board(state, records, today())
    if period is None:
        return [html.P(w("board_none", lang), className="hint")]
    return [board_table(rows, partner_names(records, lang), lang)]


def _forms(state: PlanState, objective: str | None, lang: str) -> list:
    viewer = current_viewer()
    own = writable(viewer, state)
    limit = int(setting("update_max_chars"))
    if not own:
        return [html.P(w("nothing_to_write", lang), className="hint")]
    ids = [o.id for o in own]
    chosen = objective if objective in ids else ids[0]
    actions = [a for a in (state.plan.actions if state.plan else [])
               if viewer.may_report_for(state.action_owner(a))]

    def area(name: str, key: str) -> html.Label:
        return html.Label([w(key, lang), dcc.Textarea(id=f"steering-{name}", value="",
                                                      maxLength=limit, rows=3)],
                          className="steering-field")

    update_form = html.Section([
        html.H2(w("write_update", lang)),
        html.Label([w("objective", lang), dcc.Dropdown(
            id="steering-objective", value=chosen, clearable=False,
            options=[{"label": _title(o, lang), "value": o.id} for o in own])],
            className="steering-field"),
        area("done", "done"), area("next", "next"),
        html.Fieldset([html.Legend(w("judgement", lang)), dcc.RadioItems(
            id="steering-judgement", inline=True, value=None,
            options=[{"label": pick(JUDGEMENTS, k, lang), "value": k} for k in JUDGEMENTS])],
            className="steering-field"),
        area("reason", "judgement_reason"),
        html.Button(w("save", lang), id="steering-save", n_clicks=0),
        html.P(id="steering-message", role="status", className="steering-message"),
    ], id="steering-write", className="steering-form")
    action_form = html.Section([
        html.H2(w("change_action", lang)),
        html.Label([w("action", lang), dcc.Dropdown(
            id="steering-action", clearable=False, value=actions[0].id if actions else None,
            options=[{"label": f"{a.id} {getattr(a.title, lang, None) or a.title.nl}",
                      "value": a.id} for a in actions])], className="steering-field"),
        html.Fieldset([html.Legend(w("action_state", lang)), dcc.RadioItems(
            id="steering-state", inline=True, value=None,
            options=[{"label": f"{ACTION_SYMBOLS[k]} {pick(ACTION_STATES, k, lang)}",
                      "value": k} for k in ACTION_STATES])], className="steering-field"),
        html.Label([w("note", lang), dcc.Input(id="steering-note", value="", maxLength=limit,
                                                type="text")], className="steering-field"),
        html.Button(w("save", lang), id="steering-action-save", n_clicks=0),
        html.P(id="steering-action-message", role="status", className="steering-message"),
    ], id="steering-change", className="steering-form", hidden=not actions)
    return [update_form, action_form]


def layout(lang: str | None = None, objective: str | None = None, **query: Any) -> html.Div:
    """The follow-up page for the current viewer (never cached: it shows what people wrote)."""
    lang = lang_of(lang)
    viewer = current_viewer()
    state, records = plan_state(), steering()
    if state is None or records is None or state.plan is None:
        return frame("steering", lang, {}, [html.H1(PAGE.name(lang)), empty(lang)])
    day = today()
    period = state.current(day)
    children: list = [html.H1(PAGE.name(lang)), dcc.Store(id="steering-lang", data=lang)]
    if period is not None:
        children.append(period_line(period, lang))
    if viewer.role.name in ATTENTION_ROLES:
        children.append(attention_section(attention_items(state, records, day), lang,
                                          PAGE.path))
        previous, changed = changes_since(state, records, day)
        if previous is not None:
            children.append(changes_section(previous, changed, lang))
        versions, before, changes = plan_history()
        plans = plan_versions_section(versions, state.plan_version, before, changes, lang)
    children += [
        html.Section([html.H2(w("board", lang)),
                      html.Div(_board(state, records, lang), id="steering-board-box")]),
        *(_forms(state, objective, lang) if period is not None else []),
        html.Section([html.H2(w("actions", lang)),
                      html.Div(_actions(state, records, lang), id="steering-actions-box")]),
        html.Section([html.H2(w("updates", lang)),
                      html.Div(_updates(state, records, lang), id="steering-updates")]),
    ]
    if viewer.role.name in ATTENTION_ROLES:
        children.append(plans)
    return frame("steering", lang, {"objective": objective}, children)


def _ready() -> tuple[PlanState, Steering, str]:
    state, records = plan_state(), steering()
    if state is None or records is None or state.plan is None:
        raise PreventUpdate
    period = state.current(today())
    if period is None:
        raise PreventUpdate
    return state, records, period.key


@callback(
    Output("steering-message", "children"),
    Output("steering-updates", "children"),
    Output("steering-board-box", "children"),
    Input("steering-save", "n_clicks"),
    State("steering-objective", "value"),
    State("steering-done", "value"),
    State("steering-next", "value"),
    State("steering-judgement", "value"),
    State("steering-reason", "value"),
    State("steering-lang", "data"),
    prevent_initial_call=True,
)
def save_update(clicks, objective, done, next_steps, judgement, reason, lang):
    """Write the owner's update (checked on the server); the message, the updates and the
    board."""
    if not clicks:
        raise PreventUpdate
    lang = lang_of(lang)
    state, records, period = _ready()
    try:
        records.reports.write_update(current_viewer(), state, period, str(objective or ""),
                                     done, next_steps, judgement, reason, today=today())
    except IvmError as exc:
        return (html.Span(exc.message, className="error", role="alert"),
                _updates(state, records, lang), _board(state, records, lang))
    return (w("saved", lang), _updates(state, records, lang), _board(state, records, lang))


@callback(
    Output("steering-action-message", "children"),
    Output("steering-actions-box", "children"),
    Input("steering-action-save", "n_clicks"),
    State("steering-action", "value"),
    State("steering-state", "value"),
    State("steering-note", "value"),
    State("steering-lang", "data"),
    prevent_initial_call=True,
)
def save_action(clicks, action, new_state, note, lang):
    """Change an action's state (checked on the server); the message and the actions."""
    if not clicks:
        raise PreventUpdate
    lang = lang_of(lang)
    state, records, _ = _ready()
    try:
        records.reports.set_action_state(current_viewer(), state, str(action or ""),
                                         str(new_state or ""), note)
    except IvmError as exc:
        return (html.Span(exc.message, className="error", role="alert"),
                _actions(state, records, lang))
    return w("saved", lang), _actions(state, records, lang)
