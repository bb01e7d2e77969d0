"""Overzicht / Overview: the plan at a glance for the mayor.

The plan's title, version and approval; for the bestuur and the beheerder, what needs
attention (:mod:`dashboard.steering`); the date each source runs to; a tile per status with
its count (click one to filter on it); every objective grouped by phase of the safety chain with
baseline, target, current value, status and reason. Filters live in the URL: ``phase``,
``status``, ``partner`` (owner or contributing), ``plan`` (LIVP, ZVP, both) and ``q`` (title).
"""

from __future__ import annotations

from typing import Any

from dash import ALL, Input, Output, State, callback, ctx, dcc, html

from core.vocabulary import PHASES, STATUSES, pick
from dashboard.audience import data_of_app
from dashboard.components import empty, frame, href, suppressed_note
from dashboard.components_overview import (
    PLANS,
    all_partners,
    clean_query,
    coverage_line,
    filter_records,
    multi_area_ids,
    phase_groups,
    plan_header,
    query_string,
    tile_body,
    tile_class,
    tile_counts,
)
from dashboard.components_steering import attention_section
from dashboard.i18n import lang_of
from dashboard.registry import EVERYONE, path_of, register_page
from dashboard.steering import ATTENTION_ROLES, attention_items, fill, plan_state, steering, today
from dashboard.viewer import current_viewer
from dashboard.views import cached_view

PAGE = register_page(__name__, key="overview", path="/", prefix="overview",
              title={"nl": "Overzicht", "en": "Overview"}, roles=EVERYONE, nav=1)

TILES = ("all", *STATUSES)

TEXT = {
    "filters": {"nl": "Filters", "en": "Filters"},
    "phase": {"nl": "Fase van de veiligheidsketen", "en": "Phase of the safety chain"},
    "status": {"nl": "Status", "en": "Status"},
    "partner": {"nl": "Partner (eigenaar of bijdragend)", "en": "Partner (owner or contributing)"},
    "plan": {"nl": "Plan", "en": "Plan"},
    "q": {"nl": "Zoek in de titel", "en": "Search the title"},
    "q_hint": {"nl": "bv. inbraak", "en": "e.g. burglary"},
    "any": {"nl": "alle", "en": "all"},
    "tiles": {"nl": "Status van de doelstellingen (klik om te filteren)",
              "en": "Status of the objectives (click to filter)"},
}


def _view(records: list[dict[str, Any]], indicators: dict[str, Any], filters: dict[str, Any],
          lang: str) -> tuple[list, dict[str, int]]:
    """The grouped objectives for the filters, and the tile counts (every filter but status)."""
    others = {k: v for k, v in filters.items() if k != "status"}
    base = filter_records(records, **others)
    shown = filter_records(base, status=filters.get("status"))
    multi = multi_area_ids(records)
    return phase_groups(shown, indicators, lang, multi), tile_counts(
        data_of_app().counts(base))


def _dropdown(key: str, options: list[dict[str, str]], value: str | None, lang: str) -> html.Div:
    return html.Div([
        html.Label(pick(TEXT, key, lang), htmlFor=f"overview-{key}"),
        dcc.Dropdown(id=f"overview-{key}", options=options, value=value, clearable=True,
                     searchable=key == "partner", placeholder=pick(TEXT, "any", lang)),
    ], className="filter")


def _filters(f: dict[str, Any], partners: list[str], lang: str) -> html.Div:
    return html.Div([
        _dropdown("phase", [{"label": pick(PHASES, p, lang), "value": p} for p in PHASES],
                  f["phase"], lang),
        _dropdown("status", [{"label": pick(STATUSES, s, lang), "value": s}
                             for s in STATUSES], f["status"], lang),
        _dropdown("partner", [{"label": p, "value": p} for p in partners], f["partner"], lang),
        _dropdown("plan", [{"label": pick(PLANS, p, lang), "value": p} for p in PLANS],
                  f["plan"], lang),
        html.Div([html.Label(pick(TEXT, "q", lang), htmlFor="overview-q"),
                  dcc.Input(id="overview-q", type="search", value=f["q"] or "", debounce=True,
                            placeholder=pick(TEXT, "q_hint", lang))], className="filter"),
    ], className="filters", id="overview-filters")


def layout(lang: str | None = None, **query: Any) -> Any:
    """The overview for the filters in the URL; ``?lang=en`` switches to English. For the
    bestuur and the beheerder it opens with what needs attention (what people wrote changes
    between loads: filled in per request, never cached)."""
    view = cached_layout(lang=lang, **query)
    viewer = current_viewer()
    if viewer.role.name not in ATTENTION_ROLES:
        return view
    state, records = plan_state(), steering()
    if state is None or records is None or state.plan is None:
        return view
    items = attention_items(state, records, today())
    return fill(view, "overview-attention",
                attention_section(items, lang_of(lang), path_of("steering")))


@cached_view("overview")
def cached_layout(lang: str | None = None, **query: Any) -> html.Div:
    """The overview's figures for the filters in the URL (per data version and role)."""
    lang = lang_of(lang)
    data = data_of_app()
    records = data.status()
    if not records:
        return frame("overview", lang, {}, [*plan_header(data.plan(), lang), empty(lang)])
    viewer = current_viewer()
    if viewer.partner and "partner" not in query:  # a partner's account: its own preselected
        query = {**query, "partner": viewer.partner}
    f = clean_query(query, records)
    groups, counts = _view(records, data.catalog(), f, lang)
    tiles = html.Div([
        html.Button(tile_body(s, counts[s], lang), id={"type": "overview-tile", "status": s},
                    className=tile_class(s, f["status"]), n_clicks=0, title=(
                        pick(STATUSES, s, lang) if s != "all" else pick(TEXT, "any", lang)))
        for s in TILES
    ], className="tiles", id="overview-tiles", role="group",
        **{"aria-label": pick(TEXT, "tiles", lang)})
    return frame("overview", lang, f, [
        dcc.Location(id="overview-url", refresh=False),
        dcc.Store(id="overview-lang", data=lang),
        *plan_header(data.plan(), lang),
        html.Div(id="overview-attention"),
        coverage_line(data.coverage(), lang),
        tiles,
        _filters(f, all_partners(records), lang),
        html.Div(groups, id="overview-content"),
        suppressed_note(lang) if any(r.get("suppressed") for r in records) else None,
    ], as_of=data.as_of())


@callback(
    Output("overview-content", "children"),
    Output({"type": "overview-tile", "status": ALL}, "children"),
    Output({"type": "overview-tile", "status": ALL}, "className"),
    Output("overview-status", "value"),
    Output("overview-url", "search"),
    Output("lang-switch", "href", allow_duplicate=True),
    Input("overview-phase", "value"),
    Input("overview-status", "value"),
    Input("overview-partner", "value"),
    Input("overview-plan", "value"),
    Input("overview-q", "value"),
    Input({"type": "overview-tile", "status": ALL}, "n_clicks"),
    State("overview-lang", "data"),
    prevent_initial_call=True,
)
def update(phase, status, partner, plan, q, _clicks, lang):
    """A filter or tile changed: new rows and counts, and the URL that restores this view."""
    lang = lang_of(lang)
    trigger = ctx.triggered_id
    if isinstance(trigger, dict) and trigger.get("type") == "overview-tile":
        clicked = trigger["status"]
        status = None if clicked == "all" or clicked == status else clicked
    data = data_of_app()
    records = data.status()
    f = clean_query({"phase": phase, "status": status, "partner": partner, "plan": plan,
                     "q": q}, records)
    groups, counts = _view(records, data.catalog(), f, lang)
    order = [o["id"]["status"] for o in ctx.outputs_list[1]]
    other = "en" if lang == "nl" else "nl"
    return (groups, [tile_body(s, counts.get(s, 0), lang) for s in order],
            [tile_class(s, f["status"]) for s in order], f["status"],
            query_string(lang, **f), href("/", other, **f))
