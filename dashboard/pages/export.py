"""Export: the council workbook (the same code path as ``ivm export council``), the frozen
council packs (the bestuur and the beheerder freeze one for a council date of the reporting
calendar, like ``ivm export council --meeting``; every role downloads the packs of the audiences
it may export for) and a CSV of every table this viewer may have, for the internal or the public
audience. Tables are named in
words with a line on what they hold; a CSV opens as columns in Belgian Excel by default
(semicolons, a decimal comma, UTF-8 with a byte-order mark), or as plain comma CSV for
scripts. URL: ``audience`` and ``lang``."""

from __future__ import annotations

import datetime as dt

import dash
from dash import Input, Output, State, dcc, html
from flask import abort

from access.downloads import may_freeze_pack
from core.clock import today
from core.errors import IvmError
from core.vocabulary import (
    LANGUAGE_NAMES,
    PACK,
    STEERING,
    TABLES,
    date,
    pick,
    reporting_period,
)
from dashboard.audience import data_of_app
from dashboard.auth import guard_of_app
from dashboard.components import choice_group, frame
from dashboard.downloads import (
    audiences,
    council_periods,
    council_workbook,
    freeze,
    frozen_packs,
    pack_file,
    table,
    tables,
)
from dashboard.export.tables import DIALECTS
from dashboard.i18n import lang_of, t
from dashboard.registry import EVERYONE, register_page
from dashboard.viewer import current_viewer
from dashboard.views import cached_view

PAGE = register_page(__name__, key="export", path="/export", prefix="export",
              title={"nl": "Export", "en": "Export"}, roles=EVERYONE, nav=6)

TEXT = {
    "title": {"nl": "Export", "en": "Export"},
    "council": {"nl": "Werkboek voor de gemeenteraad", "en": "Council workbook"},
    "council_help": {
        "nl": "Een Excel-bestand met een samenvatting per fase, de details met grafieken, de "
              "vergelijking van de wijken, de uitleg van de methode en de bronnen: dezelfde "
              "cijfers als op deze website.",
        "en": "An Excel file with a summary by phase, the details with charts, the comparison "
              "of the areas, the explanation of the method and the sources: the same figures "
              "as on this website.",
    },
    "internal": {"nl": "Intern: alle cijfers, alleen voor intern gebruik",
                 "en": "Internal: every figure, for internal use only"},
    "public": {"nl": "Publiek: kleine aantallen afgeschermd, klaar om te publiceren",
               "en": "Public: small numbers hidden, ready to publish"},
    "download": {"nl": "Werkboek downloaden (.xlsx)", "en": "Download the workbook (.xlsx)"},
    "tables": {"nl": "Tabellen als CSV", "en": "Tables as CSV"},
    "tables_help": {
        "nl": "Elke tabel die u mag downloaden, als CSV-bestand. Tekst die met =, +, -, @ "
              "begint wordt nooit als formule gelezen. De publieke versie bevat geen gegevens "
              "per feit of per persoon, en schermt kleine aantallen af.",
        "en": "Every table you may download, as a CSV file. Text starting with =, +, -, @ is "
              "never read as a formula. The public version holds no data per offence or per "
              "person, and hides small numbers.",
    },
    "table": {"nl": "Tabel", "en": "Table"},
    "download_csv": {"nl": "CSV downloaden", "en": "Download CSV"},
    "audience": {"nl": "Voor wie is de export?", "en": "Who is the export for?"},
    "dialect": {"nl": "Soort CSV", "en": "Kind of CSV"},
    "excel": {"nl": "Voor Excel (puntkomma's, decimale komma)",
              "en": "For Excel in Belgium (semicolons, decimal comma)"},
    "comma": {"nl": "Voor scripts (komma's, decimale punt)",
              "en": "For scripts (commas, decimal point)"},
}


def _checked(audience: str | None) -> str:
    """The audience asked for, refused (403) when the viewer may not have it."""
    if audience not in audiences(current_viewer()):
        abort(403)
    return str(audience)


@cached_view("export", daily=True)
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
    names = ordered(tables(viewer, audience))
    choices = [{"label": pick(TEXT, a, lang), "value": a} for a in allowed]
    return frame("export", lang, {**query, "audience": audience}, [
        dcc.Store(id="export-lang", data=lang),
        html.H1(pick(TEXT, "title", lang)),
        html.Div(choice_group(pick(TEXT, "audience", lang),
                              dcc.RadioItems(id="export-audience", options=choices,
                                             value=audience, className="export-choices")),
                 className="export-audience"),
        html.Section([
            html.H2(pick(TEXT, "council", lang)),
            html.P(pick(TEXT, "council_help", lang)),
            html.P(f"{t('as_of', lang)} {date(data.as_of())}", className="hint"),
            html.Button(pick(TEXT, "download", lang), id="export-council-button",
                        className="button"),
            dcc.Download(id="export-council-file"),
        ], className="export-card"),
        pack_card(viewer.role.name, lang),
        html.Section([
            html.H2(pick(TEXT, "tables", lang)),
            html.P(pick(TEXT, "tables_help", lang)),
            html.Div([
                html.Label([pick(TEXT, "table", lang),
                            dcc.Dropdown(id="export-table", options=table_options(names, lang),
                                         value=names[0] if names else None, clearable=False,
                                         searchable=False)], className="export-table"),
                choice_group(pick(TEXT, "dialect", lang),
                             dcc.RadioItems(id="export-dialect", value="excel",
                                            className="export-choices", options=[
                                                {"label": pick(TEXT, d, lang), "value": d}
                                                for d in DIALECTS])),
            ], className="export-options"),
            html.P(table_about(names[0], lang) if names else "", id="export-table-about",
                   className="hint"),
            html.Button(pick(TEXT, "download_csv", lang), id="export-csv-button",
                        className="button"),
            dcc.Download(id="export-csv-file"),
        ], className="export-card"),
    ], as_of=data.as_of())


def pack_card(role: str, lang: str) -> html.Section:
    """The council packs: freeze one for a council date (the bestuur and the beheerder), and
    download the frozen ones (filled per request: packs are frozen between data versions)."""
    children: list = [html.H2(pick(PACK, "title", lang))]
    if may_freeze_pack(role):
        periods = council_periods()
        day = today()
        coming = [p for p in periods if p.council >= day]
        default = (coming[0] if coming else periods[-1]).council if periods else None
        options = [{"label": f"{date(p.council)} ({reporting_period(p.key, lang)})",
                    "value": p.council.isoformat()} for p in periods]
        children += [
            html.P(pick(PACK, "freeze_help", lang)),
            html.Div([
                html.Label([pick(PACK, "meeting", lang),
                            dcc.Dropdown(id="export-pack-meeting", options=options,
                                         value=default.isoformat() if default else None,
                                         clearable=False)], className="export-table"),
                dcc.Checklist(id="export-pack-replace", value=[], className="export-choices",
                              options=[{"label": pick(PACK, "replace", lang),
                                        "value": "replace"}]),
            ], className="export-options"),
            html.Button(pick(PACK, "freeze", lang), id="export-pack-freeze",
                        className="button"),
        ]
    children += [
        html.P(id="export-pack-message", role="status", **{"aria-live": "polite"}),
        html.H3(pick(PACK, "frozen_packs", lang)),
        html.Div([
            html.Label([pick(PACK, "pack", lang),
                        dcc.Dropdown(id="export-pack-choice", options=[], value=None,
                                     clearable=False, searchable=False,
                                     placeholder=pick(PACK, "no_packs", lang))],
                       className="export-table"),
            choice_group(pick(PACK, "kind_of_file", lang),
                         dcc.RadioItems(id="export-pack-kind", value="pdf",
                                        className="export-choices", options=[
                                            {"label": pick(PACK, "download_pdf", lang),
                                             "value": "pdf"},
                                            {"label": pick(PACK, "download_xlsx", lang),
                                             "value": "xlsx"}])),
        ], className="export-options"),
        html.Button(pick(PACK, "download", lang), id="export-pack-download",
                    className="button"),
        dcc.Download(id="export-pack-file"),
    ]
    return html.Section(children, className="export-card")


def pack_options(lang: str) -> list[dict[str, str]]:
    """The frozen packs as the dropdown offers them: meeting, period and data version."""
    return [{"label": f"{date(p.meeting)}"
                      + (f" ({reporting_period(p.period, lang)})" if p.period else "")
                      + f" · {pick(STEERING, 'data_version', lang).lower()} {p.data_version}",
             "value": str(p.pack_id)} for p in frozen_packs()]


def ordered(names: list[str]) -> list[str]:
    """The tables in the vocabulary's order: the published figures first, bookkeeping last."""
    order = list(TABLES)
    return sorted(names, key=lambda n: (order.index(n) if n in order else len(order), n))


def table_options(names: list[str], lang: str) -> list[dict[str, str]]:
    """The tables as the dropdown offers them: by their name in words."""
    return [{"label": pick(TABLES[n], "name", lang) if n in TABLES else n, "value": n}
            for n in names]


def table_about(name: str | None, lang: str) -> str:
    """One line on what a table holds."""
    return pick(TABLES[name], "about", lang) if name in TABLES else ""


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
    _audit(f"council workbook ({audience}, {LANGUAGE_NAMES[lang]})")
    suffix = "" if audience == "internal" else "-publiek"
    name = f"ivmonitor-gemeenteraad-{as_of:%Y-%m-%d}{suffix}.xlsx"
    return dcc.send_bytes(body, name)


@dash.callback(
    Output("export-csv-file", "data"),
    Input("export-csv-button", "n_clicks"),
    State("export-table", "value"),
    State("export-audience", "value"),
    State("export-dialect", "value"),
    prevent_initial_call=True,
)
def download_csv(_: int, name: str, audience: str, dialect: str):
    """One table as a safe CSV for the chosen audience, in the chosen dialect (Belgian Excel
    unless another is asked for)."""
    audience = _checked(audience)
    viewer = current_viewer()
    dialect = dialect or "excel"
    if name not in tables(viewer, audience) or dialect not in DIALECTS:
        abort(403)
    body = table(viewer, name, audience, dialect)
    _audit(f"table {name} ({audience}, {dialect})")
    suffix = "" if audience == "internal" else "-publiek"
    return dcc.send_bytes(body, f"{name}{suffix}.csv")


@dash.callback(
    Output("export-table", "options"),
    Output("export-table", "value"),
    Input("export-audience", "value"),
    State("export-table", "value"),
    State("export-lang", "data"),
    prevent_initial_call=True,
)
def tables_for(audience: str, current: str | None, lang: str):
    """The tables the chosen audience may download."""
    audience = _checked(audience)
    viewer = current_viewer()
    names = ordered(tables(viewer, audience))
    return (table_options(names, lang_of(lang)),
            current if current in names else (names[0] if names else None))


@dash.callback(
    Output("export-table-about", "children"),
    Input("export-table", "value"),
    State("export-lang", "data"),
    prevent_initial_call=True,
)
def about_table(name: str | None, lang: str) -> str:
    """What the chosen table holds."""
    return table_about(name, lang_of(lang))


@dash.callback(
    Output("export-pack-choice", "options"),
    Output("export-pack-choice", "value"),
    Input("export-pack-message", "children"),
    State("export-lang", "data"),
)
def list_packs(_: object, lang: str):
    """The frozen packs (again after a pack was frozen), the newest meeting first."""
    options = pack_options(lang_of(lang))
    return options, options[0]["value"] if options else None


@dash.callback(
    Output("export-pack-message", "children"),
    Input("export-pack-freeze", "n_clicks"),
    State("export-pack-meeting", "value"),
    State("export-pack-replace", "value"),
    State("export-lang", "data"),
    prevent_initial_call=True,
)
def freeze_pack(clicks: int | None, meeting: str | None, replace: list[str] | None,
                lang: str) -> str:
    """Freeze the pack of the chosen meeting (the bestuur and the beheerder only, checked on
    the server); a meeting with a pack is replaced only when asked."""
    lang = lang_of(lang)
    viewer = current_viewer()
    if not may_freeze_pack(viewer.role.name):
        guard = guard_of_app()
        if guard is not None and clicks:
            guard.store.audit("access_denied", viewer.name, viewer.role.name,
                              detail="freeze council pack")
        return pick(PACK, "may_not_freeze", lang)
    if not clicks:
        return ""
    try:
        day = dt.date.fromisoformat(str(meeting))
    except ValueError:
        return pick(PACK, "choose_meeting", lang)
    try:
        pack = freeze(viewer, day, lang, bool(replace))
    except IvmError as exc:
        if exc.code == "pack_frozen":
            return pick(PACK, "pack_exists", lang).format(d=date(day))
        return exc.one_line()
    return pick(PACK, "frozen_ok", lang).format(d=date(day), v=pack.data_version)


@dash.callback(
    Output("export-pack-file", "data"),
    Input("export-pack-download", "n_clicks"),
    State("export-pack-choice", "value"),
    State("export-pack-kind", "value"),
    State("export-audience", "value"),
    prevent_initial_call=True,
)
def download_pack(clicks: int | None, pack_id: str | None, kind: str | None, audience: str):
    """A frozen pack's PDF or workbook for the chosen audience, byte for byte as frozen."""
    audience = _checked(audience)
    if not clicks or not pack_id or kind not in ("pdf", "xlsx"):
        return dash.no_update
    try:
        name, body = pack_file(current_viewer(), int(pack_id), audience, kind)
    except (PermissionError, ValueError):
        abort(403)
    except IvmError:
        return dash.no_update
    _audit(f"council pack {pack_id} ({audience}, {kind})")
    return dcc.send_bytes(body, name)


def _audit(what: str) -> None:
    guard = guard_of_app()
    if guard is not None:
        guard.audit_export(what)
