"""Export: the council workbook (the same code path as ``ivm export council``) and a CSV of
every table, for the internal or the public audience."""

from __future__ import annotations

import dash
from dash import Input, Output, State, dcc, html
from flask import abort

from core.vocabulary import date, pick
from dashboard.audience import data_of_app
from dashboard.auth import guard_of_app
from dashboard.components import frame
from dashboard.downloads import audiences, council_workbook, table, tables
from dashboard.i18n import lang_of
from dashboard.registry import EVERYONE, register_page
from dashboard.viewer import current_viewer
from dashboard.views import cached_view

PAGE = register_page(__name__, key="export", path="/export", prefix="export",
              title={"nl": "Export", "en": "Export"}, roles=EVERYONE, nav=6)

TEXT = {
    "title": {"nl": "Export", "en": "Export"},
    "council": {"nl": "Werkboek voor de gemeenteraad", "en": "Council workbook"},
    "council_help": {
        "nl": "Samenvatting per fase, detail per fase met grafieken, wijkvergelijking, methode en "
              "bronnen; dezelfde cijfers als dit dashboard en `ivm status`.",
        "en": "Summary by phase, detail by phase with charts, area comparison, method and "
              "sources; the same figures as this dashboard and `ivm status`.",
    },
    "internal": {"nl": "Intern (alle cijfers)", "en": "Internal (all figures)"},
    "public": {"nl": "Publiek (kleine aantallen afgeschermd)",
               "en": "Public (small numbers suppressed)"},
    "download": {"nl": "Download werkboek (.xlsx)", "en": "Download workbook (.xlsx)"},
    "tables": {"nl": "Tabellen als CSV", "en": "Tables as CSV"},
    "tables_help": {
        "nl": "Elke tabel van het datawarehouse als CSV (UTF-8, komma's); tekst die met =, +, "
              "-, @ begint wordt nooit als formule gelezen. Het publiek krijgt geen rijen op "
              "incidentniveau en afgeschermde kleine aantallen.",
        "en": "Every warehouse table as CSV (UTF-8, commas); text starting with =, +, -, @ is "
              "never read as a formula. The public gets no incident-level rows and small "
              "numbers suppressed.",
    },
    "table": {"nl": "Tabel", "en": "Table"},
    "download_csv": {"nl": "Download CSV", "en": "Download CSV"},
    "audience": {"nl": "Publiek", "en": "Audience"},
}


def _checked(audience: str | None) -> str:
    """The audience asked for, refused (403) when the viewer may not have it."""
    if audience not in audiences(current_viewer()):
        abort(403)
    return str(audience)


@cached_view("export")
def layout(lang: str | None = None, audience: str | None = None, **query: str) -> html.Div:
    """The export page; ``audience=public`` preselects the public versions."""
    lang = lang_of(lang)
    viewer = current_viewer()
    allowed = audiences(viewer)
    audience = audience if audience in allowed else allowed[0]
    data = data_of_app()
    if not data.available():
        return frame("export", lang, query, [html.H1(pick(TEXT, "title", lang)),
                                             html.P(pick(TEXT, "council_help", lang))],)
    names = tables(viewer, audience)
    choices = [{"label": pick(TEXT, a, lang), "value": a} for a in allowed]
    return frame("export", lang, {**query, "audience": audience}, [
        dcc.Store(id="export-lang", data=lang),
        html.H1(pick(TEXT, "title", lang)),
        html.Label([pick(TEXT, "audience", lang),
                    dcc.RadioItems(id="export-audience", options=choices, value=audience,
                                   inline=True)], className="filters"),
        html.H2(pick(TEXT, "council", lang)),
        html.P(pick(TEXT, "council_help", lang)),
        html.P(f"{pick(TEXT, 'council', lang)}: {date(data.as_of())}", className="hint"),
        html.Button(pick(TEXT, "download", lang), id="export-council-button"),
        dcc.Download(id="export-council-file"),
        html.H2(pick(TEXT, "tables", lang)),
        html.P(pick(TEXT, "tables_help", lang)),
        html.Div([
            html.Label([pick(TEXT, "table", lang),
                        dcc.Dropdown(id="export-table", options=names, value=names[0]
                                     if names else None, clearable=False)]),
            html.Button(pick(TEXT, "download_csv", lang), id="export-csv-button"),
        ], className="filters"),
        dcc.Download(id="export-csv-file"),
    ], as_of=data.as_of())


@dash.callback(
    Output("export-council-file", "data"),
    Input("export-council-button", "n_clicks"),
    State("export-audience", "value"),
    State("export-lang", "data"),
    prevent_initial_call=True,
)
def download_council(_: int, audience: str, lang: str):
    """The council workbook for the chosen audience, in the page's language."""
    audience = _checked(audience)
    lang = lang_of(lang)
    data = data_of_app()
    body = council_workbook(audience, lang)
    as_of = data.as_of()
    _audit(f"council workbook ({audience}, {lang})")
    suffix = "" if audience == "internal" else "-publiek"
    name = f"ivmonitor-gemeenteraad-{as_of:%Y-%m-%d}{suffix}.xlsx"
    return dcc.send_bytes(body, name)


@dash.callback(
    Output("export-csv-file", "data"),
    Input("export-csv-button", "n_clicks"),
    State("export-table", "value"),
    State("export-audience", "value"),
    prevent_initial_call=True,
)
def download_csv(_: int, name: str, audience: str):
    """One table as a safe CSV for the chosen audience."""
    audience = _checked(audience)
    viewer = current_viewer()
    if name not in tables(viewer, audience):
        abort(403)
    body = table(viewer, name, audience)
    _audit(f"table {name} ({audience})")
    suffix = "" if audience == "internal" else "-publiek"
    return dcc.send_bytes(body, f"{name}{suffix}.csv")


@dash.callback(
    Output("export-table", "options"),
    Output("export-table", "value"),
    Input("export-audience", "value"),
    State("export-table", "value"),
    prevent_initial_call=True,
)
def tables_for(audience: str, current: str | None):
    """The tables the chosen audience may download."""
    audience = _checked(audience)
    viewer = current_viewer()
    names = tables(viewer, audience)
    return names, current if current in names else (names[0] if names else None)


def _audit(what: str) -> None:
    guard = guard_of_app()
    if guard is not None:
        guard.audit_export(what)
