"""Signalen / Alerts: the early warning per wijk. Where does a kind of incident or nuisance
report rise beyond its seasonal pattern in the last four weeks? Running alerts first, each in
plain words with the objectives (and their owners) it concerns; its weeks as a chart and a
table one click away. URL: ``gemeente`` (one municipality) and ``lang``.
"""

from __future__ import annotations

from typing import Any

from dash import ALL, MATCH, Input, Output, State, callback, dcc, html, no_update
from dash.exceptions import PreventUpdate

from access.steering.alert_notes import AlertNote, alert_key
from core.errors import IvmError
from core.vocabulary import date, number, pick
from dashboard.audience import data_of_app
from dashboard.components import empty, frame, href, table
from dashboard.figures_alerts import alert_figure
from dashboard.i18n import lang_of
from dashboard.registry import INTERNAL, path_of, register_page
from dashboard.steering import steering
from dashboard.viewer import current_viewer
from dashboard.views import cached_view
from indicators import alert_objectives, alert_words

PAGE = register_page(__name__, key="alerts", path="/signalen", prefix="alerts",
                     title={"nl": "Signalen", "en": "Alerts"}, roles=INTERNAL, nav=4)

#: At most this many alerts on the page (a national warehouse has more; pick a municipality).
SHOWN = 30

TEXT = {
    "intro": {
        "nl": "Een signaal betekent: in de laatste vier weken telde deze wijk duidelijk meer "
              "feiten of meldingen van deze soort dan gewoonlijk in dezelfde weken van vorige "
              "jaren, rekening houdend met de trend. Zonder echte verandering krijgt een wijk "
              "hoogstens ongeveer één vals signaal per jaar.",
        "en": "An alert means: in the last four weeks this neighbourhood counted clearly more "
              "offences or reports of this kind than usual in the same weeks of earlier years, "
              "allowing for the trend. Without a real change a neighbourhood gets at most about "
              "one false alert a year."},
    "none": {"nl": "Geen signalen: geen enkele wijk wijkt nu duidelijk af van haar "
                   "seizoenspatroon.",
             "en": "No alerts: no neighbourhood now departs clearly from its seasonal pattern."},
    "running": {"nl": "Loopt", "en": "Running"},
    "over": {"nl": "Voorbij", "en": "Over"},
    "concerns": {"nl": "Betreft:", "en": "Concerns:"},
    "owner": {"nl": "eigenaar {o}", "en": "owner {o}"},
    "no_objective": {"nl": "Geen doelstelling van het plan telt deze soort apart.",
                     "en": "No objective of the plan counts this kind on its own."},
    "weeks": {"nl": "De weken in een grafiek en een tabel",
              "en": "The weeks as a chart and a table"},
    "week": {"nl": "4 weken tot", "en": "4 weeks to"},
    "count": {"nl": "Aantal", "en": "Count"},
    "expected": {"nl": "Gewoonlijk", "en": "Usual"},
    "upper": {"nl": "Drempel", "en": "Threshold"},
    "p": {"nl": "Kans bij toeval", "en": "Chance by chance"},
    "exceeds": {"nl": "Signaal", "en": "Alert"},
    "yes": {"nl": "ja", "en": "yes"}, "no": {"nl": "nee", "en": "no"},
    "municipality": {"nl": "Gemeente", "en": "Municipality"},
    "all": {"nl": "alle gemeenten", "en": "all municipalities"},
    "more": {"nl": "{n} signalen; de eerste {k} staan hier. Kies een gemeente.",
             "en": "{n} alerts; the first {k} are shown. Pick a municipality."},
    "closed": {"nl": "Afgesloten door {who} op {day}: ", "en": "Closed by {who} on {day}: "},
    "close_label": {"nl": "Wat werd gevonden of gedaan? (notitie bij het afsluiten)",
                    "en": "What was found or done? (note on closing)"},
    "close": {"nl": "Signaal afsluiten met deze notitie", "en": "Close the alert with this note"},
    "saved": {"nl": "Afgesloten.", "en": "Closed."},
    "method": {"nl": "Methode: naar de Farrington-methode uit de bewaking van de volksgezondheid "
                     "(Farrington e.a. 1996; Noufaily e.a. 2013), aangepast aan tellingen van "
                     "feiten; de volledige uitleg staat in de methodenota van ivmonitor.",
               "en": "Method: after the Farrington method of public health surveillance "
                     "(Farrington et al. 1996; Noufaily et al. 2013), adapted to counts of "
                     "offences; the full explanation is in ivmonitor's methods note."},
}


def _tx(key: str, lang: str, **kw: Any) -> str:
    return pick(TEXT, key, lang).format(**kw) if kw else pick(TEXT, key, lang)


@cached_view("alerts")
def layout(lang: str | None = None, gemeente: str | None = None, **query: Any) -> html.Div:
    """Every stored alert (of one municipality with ``?gemeente=``), running ones first."""
    lang = lang_of(lang)
    data = data_of_app()
    if not data.available():
        return frame(PAGE.key, lang, {}, [html.H1(PAGE.name(lang)), empty(lang)])
    found = data.alerts()
    towns = sorted({(a["municipality"], a["municipality_name"] or a["municipality"])
                    for a in found if a["municipality"]}, key=lambda x: x[1])
    if gemeente:
        found = [a for a in found if a["municipality"] == gemeente]
    children: list = [html.H1(PAGE.name(lang)), html.P(_tx("intro", lang), className="intro")]
    if len(towns) > 1:
        children.append(html.Nav([
            html.Span(_tx("municipality", lang) + ": "),
            html.Ul([html.Li(html.A(_tx("all", lang), href=href(PAGE.path, lang)))]
                    + [html.Li(html.A(name, href=href(PAGE.path, lang, gemeente=code),
                                      **({"aria-current": "page"} if code == gemeente else {})))
                       for code, name in towns], className="inline-list")],
            **{"aria-label": _tx("municipality", lang)}))
    if not found:
        children.append(html.P(_tx("none", lang), id="alerts-none"))
    elif len(found) > SHOWN:
        children.append(html.P(_tx("more", lang, n=len(found), k=SHOWN), className="hint"))
    records = data.status()
    catalog = data.catalog()
    names = {k: data.category_names(k) for k in ("incidents", "nuisance")}
    children += [_alert(data, a, records, catalog, names, lang) for a in found[:SHOWN]]
    children.append(html.P(_tx("method", lang), className="hint"))
    children.append(dcc.Store(id="alerts-lang", data=lang))
    return frame(PAGE.key, lang, {"gemeente": gemeente}, children, as_of=data.as_of())


def _alert(data: Any, a: dict[str, Any], records: list[dict[str, Any]], catalog: dict,
           names: dict, lang: str) -> html.Section:
    """One alert: what, where, since when, whom it concerns; its weeks one click away."""
    kind_name = names[a["kind"]].get(a["category"], {}).get(lang, a["category"])
    concerned = alert_objectives(records, catalog, a["kind"], a["category"])
    if concerned:
        items: list = []
        for r in concerned:
            items += [", " if items else "",
                      html.A(r["id"], href=href(path_of("objective", objective_id=r["id"]),
                                                lang)),
                      f" ({_tx('owner', lang, o=r['owner'])})" if r.get("owner") else ""]
        who: Any = html.P([_tx("concerns", lang), " ", *items, "."])
    else:
        who = html.P(_tx("no_objective", lang), className="hint")
    state = "running" if a["running"] else "over"
    weeks = data.alert_weeks(a["area_id"], a["kind"], a["category"])
    rows = [[date(w["week_end"]), number(w["count"], 0, lang), number(w["expected"], 1, lang),
             number(w["upper"], 0, lang),
             "–" if w["p_value"] is None else number(w["p_value"], 4, lang),
             _tx("yes" if w["exceeds"] else "no", lang)] for w in weeks]
    ident = f"alert-{a['area_id']}-{a['kind']}-{a['category']}"
    key = alert_key(a)
    return html.Section([
        html.H2([f"{kind_name} – {a['area_name'] or a['area_id']}",
                 html.Span(f" {'▲' if a['running'] else '△'} {_tx(state, lang)}",
                           className=f"alert-state alert-{state}")]),
        html.P(alert_words(a, lang)),
        who,
        html.Div(id={"type": "alerts-note", "key": key}, **{"aria-live": "polite"}),
        html.Details([
            html.Summary(_tx("weeks", lang)),
            dcc.Graph(figure=alert_figure(weeks, lang), config={"displaylogo": False},
                      id={"type": "alerts-graph", "key": key}),
            table([_tx(k, lang) for k in ("week", "count", "expected", "upper", "p",
                                           "exceeds")], rows, {1, 2, 3, 4},
                  table_id=f"{ident}-table"),
        ]),
    ], className="alert", id=ident)


# -- closing an alert with a note (not cached: notes are written by people) ----------------------


def _find(key: str) -> tuple[dict[str, Any] | None, list[str]]:
    """The alert of ``key`` and the owners of the objectives it concerns."""
    data = data_of_app()
    alert = next((a for a in data.alerts() if alert_key(a) == key), None)
    if alert is None:
        return None, []
    concerned = alert_objectives(data.status(), data.catalog(), alert["kind"], alert["category"])
    return alert, sorted({r["owner"] for r in concerned if r.get("owner")})


def _note_box(key: str, note: AlertNote | None, owners: list[str], lang: str,
              message: Any = None) -> list:
    """The closing note, or the form to close the alert for whoever may."""
    if note is not None:
        return [html.P([html.Strong(_tx("closed", lang, who=note.author,
                                        day=date(note.closed_at[:10]))),
                        html.Span(note.note, lang="nl")], className="alert-note"),
                *([message] if message else [])]
    viewer = current_viewer()
    if not any(viewer.may_report_for(o) for o in owners or [None]):
        return []
    return [html.Label([_tx("close_label", lang),
                        dcc.Textarea(id={"type": "alerts-text", "key": key}, value="",
                                     style={"width": "100%"})]),
            html.Button(_tx("close", lang), id={"type": "alerts-close", "key": key},
                        className="button"),
            *([message] if message else [])]


def _figure(key: str, note: AlertNote | None, lang: str) -> Any:
    if note is None:
        return no_update
    data = data_of_app()
    weeks = data.alert_weeks(note.area_id, note.kind, note.category)
    return alert_figure(weeks, lang, note)


@callback(
    Output({"type": "alerts-note", "key": ALL}, "children"),
    Output({"type": "alerts-graph", "key": ALL}, "figure"),
    Input("alerts-lang", "data"),
    State({"type": "alerts-note", "key": ALL}, "id"),
)
def show_notes(lang, ids):
    """Each alert's closing note (and its mark on the chart), or the form to close it."""
    records = steering()
    if records is None or not ids:
        raise PreventUpdate
    lang = lang_of(lang)
    notes = records.alerts.notes()
    boxes, figures = [], []
    for ident in ids:
        key = ident["key"]
        note = notes.get(key)
        _, owners = _find(key) if note is None else (None, [])
        boxes.append(_note_box(key, note, owners, lang))
        figures.append(_figure(key, note, lang))
    return boxes, figures


@callback(
    Output({"type": "alerts-note", "key": MATCH}, "children", allow_duplicate=True),
    Output({"type": "alerts-graph", "key": MATCH}, "figure", allow_duplicate=True),
    Input({"type": "alerts-close", "key": MATCH}, "n_clicks"),
    State({"type": "alerts-text", "key": MATCH}, "value"),
    State({"type": "alerts-close", "key": MATCH}, "id"),
    State("alerts-lang", "data"),
    prevent_initial_call=True,
)
def close_alert(clicks, text, ident, lang):
    """Close the alert with the note (checked on the server: who may, the text)."""
    records = steering()
    if not clicks or records is None:
        raise PreventUpdate
    lang = lang_of(lang)
    key = ident["key"]
    alert, owners = _find(key)
    if alert is None:
        raise PreventUpdate
    try:
        note = records.alerts.close(current_viewer(), alert, owners, text)
    except IvmError as exc:
        return (_note_box(key, records.alerts.notes().get(key), owners, lang,
                          html.P(exc.message, className="error", role="alert")), no_update)
    return (_note_box(key, note, owners, lang, html.P(_tx("saved", lang), role="status")),
            _figure(key, note, lang))
