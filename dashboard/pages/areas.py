"""Wijken / Areas: one indicator on a map of the areas of a level, a ranked table that says which
areas differ from their city beyond noise, a selected area's profile across every indicator,
its CompStat windows, and every area's value per year (a table with bars).

The URL is the state: ``indicator``, ``level``, ``period_type``, ``period``, ``area`` and
``lang``. Every control starts from it; every change redraws the content and writes it back to
the page's own ``dcc.Location`` (no reload), so a view can be shared and a reload restores it.
"""

from __future__ import annotations

from typing import Any

from dash import ALL, Input, Output, State, callback, ctx, dcc, html
from dash.exceptions import PreventUpdate

from core.vocabulary import pick
from dashboard import public_areas
from dashboard.areas_content import (
    TEXT,
    area_content,
    main_content,
    options_of,
    period_list,
    period_options,
    resolve,
    warm_profile_reads,
)
from dashboard.audience import data_of_app, is_public
from dashboard.components import frame, graph_config, href
from dashboard.figures_map import area_ids
from dashboard.i18n import lang_of, t
from dashboard.registry import EVERYONE, register_page
from dashboard.views import cached_view
from indicators import default_period

PATH = "/wijken"
PAGE = register_page(__name__, key="areas", path=PATH, prefix="areas", public_prefix="pubareas",
              internal=True, title={"nl": "Wijken", "en": "Areas"}, roles=EVERYONE, nav=3,
              warm_reads=warm_profile_reads)

def _control(label: str, component: Any) -> html.Label:
    return html.Label([label, component])


@cached_view("areas")
def layout(lang: str | None = None, **query: str) -> html.Div:
    """The page for the view in the URL; ``?lang=en`` switches to English. The public
    audience gets the public workbook's table per wijk and year instead."""
    lang = lang_of(lang)
    data = data_of_app()
    if is_public(data):
        return public_areas.layout(data, lang, query)
    if not data.available() or not data.catalog():
        return frame("areas", lang, query, [html.H1(pick(TEXT, "title", lang)),
                                            html.P(t("no_results", lang))], path=PATH)
    view = resolve(data, query)
    opts = options_of(data, view, lang)
    main = main_content(data, view, lang)
    profile, compstat = area_content(data, view, lang)
    controls = html.Div([
        _control(t("indicator", lang), dcc.Dropdown(
            id="areas-indicator", options=opts["indicator"], value=view.indicator,
            clearable=False, className="areas-indicator")),
        _control(t("level", lang), dcc.Dropdown(
            id="areas-level", options=opts["level"], value=view.level, clearable=False,
            searchable=False)),
        _control(pick(TEXT, "period_type", lang), dcc.Dropdown(
            id="areas-period-type", options=opts["period_type"], value=view.period_type,
            clearable=False, searchable=False)),
        _control(t("period", lang), dcc.Dropdown(
            id="areas-period", options=opts["period"], value=view.period, clearable=False)),
        html.Button(pick(TEXT, "clear", lang), id="areas-clear", n_clicks=0,
                    className="areas-clear"),
    ], className="filters areas-controls")
    return frame("areas", lang, query, [
        dcc.Location(id="areas-url", refresh=False),
        dcc.Store(id="areas-lang", data=lang),
        # "" rather than None for no area: a memory Store mounted with null data reports a
        # change (undefined -> null) and would redraw the page once for nothing
        dcc.Store(id="areas-area", data=view.area or ""),
        html.H1(pick(TEXT, "title", lang)),
        html.P(pick(TEXT, "intro", lang), className="hint"),
        controls,
        html.H2(main["heading"], id="areas-heading"),
        html.Div([
            html.Section([
                html.H3(pick(TEXT, "map", lang)),
                dcc.Store(id="areas-map-ids", data=area_ids(main["figure"])),
                dcc.Graph(id="areas-map", figure=main["figure"],
                          config=graph_config(lang, scrollZoom=True,
                                              modeBarButtonsToRemove=["select2d", "lasso2d"]),
                          responsive=True,
                          style={"height": f"{main['figure'].layout.height or 520}px"}),
                html.Div(main["notes"], id="areas-map-notes"),
            ], className="areas-map-box"),
            html.Section([html.H3(pick(TEXT, "ranked", lang)),
                          html.Div(main["table"], id="areas-table")],
                         className="areas-table-box"),
        ], className="areas-main"),
        html.Section(main["index"], id="areas-index"),
        html.Section(main["peers"], id="areas-peers"),
        # a click computes the profile (seconds, the first time): say so where it will appear,
        # and bring that place into view (assets/areas.js)
        dcc.Loading(html.Section(profile, id="areas-profile"), id="areas-profile-loading",
                    target_components={"areas-profile": "children"}, delay_show=150,
                    overlay_style={"visibility": "visible", "opacity": 0.35},
                    custom_spinner=html.P(pick(TEXT, "profile_loading", lang),
                                          className="profile-loading", role="status")),
        html.Section(compstat, id="areas-compstat"),
        html.Section([html.H2(pick(TEXT, "multiples", lang)),
                      html.Div(main["multiples"], id="areas-multiples")]),
    ], as_of=data.as_of(), path=PATH)


# -- callbacks ------------------------------------------------------------------------------


@callback(
    Output("areas-period", "options"),
    Output("areas-period", "value"),
    Input("areas-indicator", "value"),
    Input("areas-level", "value"),
    Input("areas-period-type", "value"),
    State("areas-period", "value"),
    State("areas-lang", "data"),
    prevent_initial_call=True,
)
@cached_view("areas.periods")
def update_periods(indicator: str, level: str, ptype: str, period: str | None, lang: str):
    """The periods of the chosen indicator, level and type; keep the period when it exists."""
    data = data_of_app()
    if indicator not in data.catalog():
        raise PreventUpdate
    periods = period_list(data, indicator, ptype, level)
    if period not in {p for p, _ in periods}:
        period = default_period(periods)
    return period_options(periods, lang_of(lang)), period


@callback(
    Output("areas-map", "figure"),
    Output("areas-map-ids", "data"),
    Output("areas-map-notes", "children"),
    Output("areas-table", "children"),
    Output("areas-multiples", "children"),
    Output("areas-heading", "children"),
    Output("areas-peers", "children"),
    Output("areas-index", "children"),
    Output("areas-url", "search"),
    Output("lang-switch", "href", allow_duplicate=True),
    Input("areas-indicator", "value"),
    Input("areas-level", "value"),
    Input("areas-period-type", "value"),
    Input("areas-period", "value"),
    Input("areas-area", "data"),
    State("areas-lang", "data"),
    prevent_initial_call=True,
)
@cached_view("areas.view")
def update_view(indicator: str, level: str, ptype: str, period: str | None, area: str | None,
                lang: str):
    """Redraw map, table and multiples and write the view to the URL."""
    data = data_of_app()
    lang = lang_of(lang)
    view = resolve(data, {"indicator": indicator, "level": level, "period_type": ptype,
                          "period": period, "area": area})
    main = main_content(data, view, lang)
    link = href(PATH, lang, **view.query())
    search = link[len(PATH):] or ""
    other = href(PATH, "en" if lang == "nl" else "nl", **view.query())
    return (main["figure"], area_ids(main["figure"]), main["notes"], main["table"],
            main["multiples"], main["heading"], main["peers"], main["index"], search, other)


@callback(
    Output("areas-profile", "children"),
    Output("areas-compstat", "children"),
    Input("areas-area", "data"),
    Input("areas-period-type", "value"),
    State("areas-level", "value"),
    State("areas-indicator", "value"),
    State("areas-lang", "data"),
    prevent_initial_call=True,
)
@cached_view("areas.area")
def update_area(area: str | None, ptype: str, level: str, indicator: str, lang: str):
    """The selected area's profile and CompStat windows."""
    data = data_of_app()
    view = resolve(data, {"indicator": indicator, "level": level, "period_type": ptype,
                          "area": area})
    return area_content(data, view, lang_of(lang))


@callback(
    Output("areas-area", "data"),
    Input("areas-map", "clickData"),
    Input({"type": "areas-row", "index": ALL}, "n_clicks"),
    Input("areas-clear", "n_clicks"),
    State("areas-area", "data"),
    State("areas-map-ids", "data"),
    prevent_initial_call=True,
)
def select_area(click: dict | None, rows: list, clear: int, current: str | None,
                ids: list | None):
    """A click on the map or on a row selects that area; "show the city" clears it. A click
    on the map names the clicked trace; ``ids`` (:func:`area_ids`) says whose area it is."""
    trigger = ctx.triggered_id
    if trigger == "areas-clear":
        if not clear or not current:
            raise PreventUpdate
        return ""
    if trigger == "areas-map":
        points = (click or {}).get("points") or []
        curve = points[0].get("curveNumber") if points else None
        area = (ids[curve] if isinstance(curve, int) and ids and 0 <= curve < len(ids)
                else None)
    elif isinstance(trigger, dict) and trigger.get("type") == "areas-row":
        if not any(ctx.triggered[i]["value"] for i in range(len(ctx.triggered))):
            raise PreventUpdate
        area = trigger["index"]
    else:
        raise PreventUpdate
    if not area or area == current:
        raise PreventUpdate
    return area
