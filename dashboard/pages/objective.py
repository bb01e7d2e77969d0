"""Doelstelling / Objective: one objective of the plan in one area: its status and reason, the
indicator's definition, the series with its interval, baseline, target, straight path and
projection, the numbers behind it, the method in plain words, its partners and related
objectives; and its follow-up: the status over time, its actions and the owners' updates.

The URL is the state: ``/doelstelling/<id>?area=<area id>&series=years&lang=en``. ``area``
chooses the area of an objective with several areas (default: the first), ``series`` shows
calendar years instead of the default 12-month windows (facts only; a survey has waves).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from dash import Input, Output, State, callback, dcc, html

from access.roles import ANALYST_ROLES
from core.vocabulary import (
    CHANGE,
    DIMENSIONS,
    LEVELS,
    PHASES,
    SOURCE_KINDS,
    amount,
    between,
    date,
    number,
    p_value,
    period,
    pick,
    signed,
)
from dashboard.audience import data_of_app, is_public
from dashboard.branding import current_branding
from dashboard.components import (
    choice_group,
    frame,
    graph_config,
    href,
    status_badge,
    suppressed_note,
    table,
)
from dashboard.data import DashboardData
from dashboard.event_content import event_section
from dashboard.export.suppress import MARK
from dashboard.figures_objective import (
    period_text,
    public_figure,
    series_figure,
    trend_points,
)
from dashboard.i18n import lang_of, t
from dashboard.markup import Element
from dashboard.objective_follow_up import follow_up
from dashboard.registry import (
    EVERYONE,
    may_open_objective,
    path_of,
    register_page,
    request_lang,
)
from dashboard.steering import fill
from dashboard.viewer import current_viewer
from dashboard.views import cached_view
from indicators import Indicator, method_sentences, status_rules


def _title(objective_id: str | None = None, **_: Any) -> str:
    word = "Objective" if request_lang() == "en" else "Doelstelling"
    return f"{word} {objective_id or ''} — {current_branding().title}"


def _warm_views(data: DashboardData) -> list[dict[str, str]]:
    """Every objective's page (its default area and series), for the warm-up."""
    return [{"objective_id": i} for i in dict.fromkeys(r["id"] for r in data.status())]


register_page(__name__, key="objective", path="/doelstelling/<objective_id>",
              prefix="objective", internal=True, title={"nl": "Doelstelling", "en": "Objective"},
              roles=EVERYONE, document_title=_title, warm_views=_warm_views)

#: The series views: 12-month windows ending at the last complete month, or calendar years.
VIEWS = ("windows", "years")

TEXT = {
    "unknown": {"nl": "Onbekende doelstelling", "en": "Unknown objective"},
    "public_numbers": {"nl": "Cijfers per jaar (publieke versie)",
                       "en": "Figures per year (public version)"},
    "public_help": {
        "nl": "Dezelfde cijfers als het werkboek voor de gemeenteraad in de publieke versie. "
              "De marge zegt waar de echte waarde met 95 % zekerheid ligt.",
        "en": "The same figures as the public version of the council workbook. The margin "
              "says where the true value lies with 95 % certainty."},
    "margin": {"nl": "Foutenmarge (95 %)", "en": "Margin of error (95 %)"},
    "suppressed": {"nl": "afgeschermd", "en": "suppressed"},
    "value": {"nl": "Waarde", "en": "Value"},
    "test_hidden": {"nl": "De uitkomst van de toets is afgeschermd: ze zou een klein aantal "
                          "prijsgeven.",
                    "en": "The test's outcome is withheld: it would reveal a small number."},
    "interval": {"nl": "95%-betrouwbaarheidsinterval", "en": "95% confidence interval"},
    "window": {"nl": "laatste 12 maanden", "en": "last 12 months"},
    "unknown_text": {"nl": "Er is geen doelstelling '{id}' in het plan dat nu geldt.",
                     "en": "There is no objective '{id}' in the plan in force."},
    "back": {"nl": "Terug naar het overzicht", "en": "Back to the overview"},
    "unknown_area": {"nl": "Gebied '{area}' hoort niet bij deze doelstelling; getoond: {name}.",
                     "en": "Area '{area}' is not part of this objective; shown: {name}."},
    "pick_area": {"nl": "Gebied", "en": "Area"},
    "pick_series": {"nl": "Reeks", "en": "Series"},
    "windows": {"nl": "12-maandperiodes (tot de laatste volledige maand)",
                "en": "12-month windows (to the last complete month)"},
    "years": {"nl": "kalenderjaren", "en": "calendar years"},
    "waves": {"nl": "bevragingsgolven", "en": "survey waves"},
    "definition": {"nl": "Definitie", "en": "Definition"},
    "measure": {"nl": "Maat", "en": "Measure"},
    "factor": {"nl": "Factor", "en": "Factor"},
    "unit": {"nl": "Eenheid", "en": "Unit"},
    "plan_version": {"nl": "Planversie", "en": "Plan version"},
    "both": {"nl": "LIVP en ZVP", "en": "LIVP and ZVP"},
    "series": {"nl": "Verloop", "en": "Over time"},
    "numbers": {"nl": "De cijfers", "en": "The numbers"},
    "method": {"nl": "Hoe berekend?", "en": "How is it computed?"},
    "partners": {"nl": "Partners", "en": "Partners"},
    "contributors": {"nl": "Meewerkende partners", "en": "Contributing partners"},
    "none": {"nl": "geen", "en": "none"},
    "related": {"nl": "Verwante doelstellingen", "en": "Related objectives"},
    "same_indicator": {"nl": "Zelfde indicator", "en": "Same indicator"},
    "same_area": {"nl": "Zelfde gebied", "en": "Same area"},
    "same_owner": {"nl": "Zelfde eigenaar", "en": "Same owner"},
    "no_related": {"nl": "Geen andere doelstellingen.", "en": "No other objectives."},
    "n_eff": {"nl": "Effectieve n", "en": "Effective n"},
    "complete": {"nl": "Volledig", "en": "Complete"},
    "yes": {"nl": "ja", "en": "yes"},
    "no": {"nl": "nee", "en": "no"},
    "incomplete_note": {
        "nl": "Onvolledige periodes, niet in de grafiek (ontbrekende maanden zijn geen daling): "
              "{periods}.",
        "en": "Incomplete periods, left out of the graph (missing months are not a drop): "
              "{periods}."},
    "plot_note": {
        "nl": "Elke waarde staat in het midden van haar periode; het doel is de jaarwaarde in "
              "het jaar van de deadline.",
        "en": "Each value is placed at the middle of its period; the target is the annual value "
              "in the deadline's year."},
    "band": {"nl": "De band is het 95 %-betrouwbaarheidsinterval.",
             "en": "The band is the 95 % confidence interval."},
    "no_band": {"nl": "Voor deze maat wordt geen onzekerheidsmarge berekend.",
                "en": "No margin of uncertainty is computed for this measure."},
    "docs": {"nl": "De volledige uitleg, met formules en bronnen, staat op het blad 'Methode' "
                   "van het werkboek voor de gemeenteraad (pagina Export).",
             "en": "The full explanation, with formulas and references, is on the 'Method' "
                   "sheet of the council workbook (Export page)."},
    "rules": {"nl": "Hoe de status wordt bepaald", "en": "How the status is decided"},
    "boundaries": {"nl": "De gebiedsgrenzen veranderden sinds het plan werd goedgekeurd. De "
                         "status meet dit doel op de grenzen van {d}, zoals het werd gesteld; "
                         "de grafiek en de tabel tonen elke periode op de grenzen van die tijd.",
                   "en": "Area boundaries changed since the plan was approved. The status "
                         "measures this objective on the boundaries of {d}, as it was set; the "
                         "chart and the table show each period on the boundaries of its time."},
    "around": {"nl": "Verschoof het naar de omgeving?",
               "en": "Did it move to the surroundings?"},
    "around_numbers": {"nl": "De toets in cijfers", "en": "The test in numbers"},
    "place": {"nl": "Plaats", "en": "Place"},
    "before": {"nl": "Voor ({p})", "en": "Before ({p})"},
    "after": {"nl": "Na ({p})", "en": "After ({p})"},
    "expected": {"nl": "Verwacht zonder project", "en": "Expected without the project"},
    "difference": {"nl": "Verschil", "en": "Difference"},
    "p_value": {"nl": "p-waarde", "en": "p-value"},
    "project_area": {"nl": "Projectgebied", "en": "Project area"},
    "buffer": {"nl": "Omliggende straten ({n} sectoren)",
               "en": "Surrounding streets ({n} sectors)"},
    "control": {"nl": "Vergelijking ({n} sectoren)", "en": "Control ({n} sectors)"},
    "together": {"nl": "Project en omgeving samen", "en": "Project and surroundings together"},
    "wdq": {"nl": "Gewogen verschuivingsquotiënt (WDQ): {q}. Positief: de omgeving verbeterde "
                  "mee; negatief: verschuiving; onder -1: meer verschoven dan gewonnen.",
            "en": "Weighted displacement quotient (WDQ): {q}. Positive: the surroundings "
                  "improved too; negative: displacement; below -1: more moved than gained."},
    "around_method": {
        "nl": "Gewogen verschuivingsverschil (Bowers & Johnson 2003) met de toets van Wheeler "
              "& Ratcliffe (2018); de vergelijking is geschaald naar elk gebied, de variantie "
              "houdt rekening met de extra spreiding (φ = {phi}).",
        "en": "Weighted displacement difference (Bowers & Johnson 2003) with the test of "
              "Wheeler & Ratcliffe (2018); the control is scaled to each area, the variance "
              "allows for extra variation (φ = {phi})."},
}

def _tx(key: str, lang: str, **kw: Any) -> str:
    return pick(TEXT, key, lang).format(**kw) if kw else pick(TEXT, key, lang)


def _day(value: Any) -> dt.date | None:
    try:
        return dt.date.fromisoformat(str(value)) if value else None
    except ValueError:
        return None


# -- the page ---------------------------------------------------------------------------------


def layout(objective_id: str | None = None, lang: str | None = None, **query: str) -> Any:
    """The objective's page; ``?area=`` picks the area, ``?series=years`` calendar years. Its
    follow-up (status timeline, actions, owners' updates) is filled in per request: people
    write it between loads."""
    view = cached_layout(objective_id=objective_id, lang=lang, **query)
    section = follow_up(objective_id or "", query.get("area"), lang_of(lang))
    return view if section is None else fill(view, "objective-steering", section)


@cached_view("objective")
def cached_layout(objective_id: str | None = None, lang: str | None = None,
                  **query: str) -> html.Div:
    """The objective's figures (per data version and role)."""
    lang = lang_of(lang)
    data = data_of_app()
    objective_id = objective_id or ""
    path = path_of("objective", objective_id=objective_id)
    records = [r for r in data.status() if r["id"] == objective_id]
    if not records:
        return frame("objective", lang, {}, [
            html.H1(_tx("unknown", lang), id="objective-unknown"),
            html.P(_tx("unknown_text", lang, id=objective_id)),
            dcc.Link(_tx("back", lang), href=href("/", lang), id="objective-back"),
        ], path=path)
    rec, note = _chosen(records, query.get("area"), lang)
    ind = data.indicator(rec["indicator"] or "")
    if is_public(data):
        return frame("objective", lang, {"area": rec["area"]["id"] if len(records) > 1
                                         else None}, [
            html.H1([html.Span(rec["id"], className="objective-id"), " ",
                     rec["title"][lang]], id="objective-title"),
            _area_links(records, rec, lang, path),
            html.P(note, className="hint", id="objective-note") if note else None,
            html.Div(public_body(data, rec, ind, lang), id="objective-body"),
            html.Div(id="objective-steering"),
        ], as_of=data.as_of(), path=path)
    survey = ind is not None and ind.source == "survey"
    view = "years" if survey else (query.get("series") if query.get("series") in VIEWS
                                   else "windows")
    several = len(records) > 1
    state = {"area": rec["area"]["id"] if several else None,
             "series": view if view != "windows" and not survey else None}
    area_picker = html.Label(
        [_tx("pick_area", lang),
         dcc.Dropdown(id="objective-area", value=rec["area"]["id"], clearable=False,
                      searchable=False, options=[
                          {"label": _area_name(r, lang), "value": r["area"]["id"]}
                          for r in records])],
        className="objective-control", hidden=not several)
    series_picker = html.Div(
        choice_group(_tx("pick_series", lang),
                     dcc.RadioItems(id="objective-series", value=view, inline=True,
                                    className="objective-radio", options=[
                                        {"label": _tx(v, lang), "value": v} for v in VIEWS])),
        className="objective-control", hidden=survey)
    return frame("objective", lang, state, [
        html.H1([html.Span(rec["id"], className="objective-id"), " ",
                 rec["title"][lang]], id="objective-title"),
        html.Div([area_picker, series_picker], className="objective-controls"),
        html.P(note, className="hint", id="objective-note") if note else None,
        html.Div(body(data, records, rec, ind, view, lang), id="objective-body"),
        html.Div(id="objective-steering"),
        dcc.Location(id="objective-url", refresh=False),
        dcc.Store(id="objective-key", data={"id": objective_id, "lang": lang}),
    ], as_of=data.as_of(), path=path)


def _chosen(records: list[dict[str, Any]], area: str | None,
            lang: str) -> tuple[dict[str, Any], str | None]:
    """The record of the requested area (the first when none or unknown) and a note."""
    for r in records:
        if r["area"]["id"] == area:
            return r, None
    note = (_tx("unknown_area", lang, area=area, name=_area_name(records[0], lang))
            if area else None)
    return records[0], note


def _area_links(records: list[dict[str, Any]], rec: dict[str, Any], lang: str,
                path: str) -> html.P | None:
    """Links to the objective's other areas (the public view has no pickers)."""
    if len(records) < 2:
        return None
    return html.P([x for r in records for x in (
        html.Strong(_area_name(r, lang)) if r is rec else
        dcc.Link(_area_name(r, lang), href=href(path, lang, area=r["area"]["id"])), " · ")][:-1],
        className="objective-controls", id="objective-areas")


def _area_name(rec: dict[str, Any], lang: str) -> str:
    area = rec["area"]
    name = area.get("name") or area["id"]
    return f"{name} ({pick(LEVELS, area['level'], lang)})" if area.get("level") else name


@callback(
    Output("objective-body", "children"),
    Output("objective-url", "search"),
    Output("lang-switch", "href", allow_duplicate=True),
    Input("objective-area", "value"),
    Input("objective-series", "value"),
    State("objective-key", "data"),
    prevent_initial_call=True,
)
@cached_view("objective.update")
def update(area: str | None, view: str | None, key: dict[str, str]):
    """A new area or series view: the content, the URL's query and the language link."""
    lang = lang_of(key.get("lang"))
    data = data_of_app()
    records = [r for r in data.status() if r["id"] == key.get("id")]
    if not records:
        return [], "", href("/", "en" if lang == "nl" else "nl")
    rec, _ = _chosen(records, area, lang)
    ind = data.indicator(rec["indicator"] or "")
    survey = ind is not None and ind.source == "survey"
    view = "years" if survey else (view if view in VIEWS else "windows")
    state = {"area": rec["area"]["id"] if len(records) > 1 else None,
             "series": view if view != "windows" and not survey else None}
    path = path_of("objective", objective_id=rec["id"])
    here = href(path, lang, **state)
    other = href(path, "en" if lang == "nl" else "nl", **state)
    return body(data, records, rec, ind, view, lang), here[len(path):], other


def body(data: DashboardData, records: list[dict[str, Any]], rec: dict[str, Any],
         ind: Indicator | None, view: str, lang: str) -> list:
    """Everything that depends on the area and the series view."""
    out = [_header(rec, ind, lang)]
    if ind is not None:
        out += _series_section(data, rec, ind, view, lang)
    if rec.get("boundaries"):
        out.append(html.P(_tx("boundaries", lang, d=date(rec["boundaries"])),
                          id="objective-boundaries", className="hint"))
    if rec.get("displacement"):
        out.append(_around(rec["displacement"], lang))
    if rec.get("event"):
        out.append(event_section(rec["event"], lang))
    out += [_method(rec, ind, lang), _partners(rec, lang),
            _related(data.status(), rec, lang)]
    return out


def public_body(data: Any, rec: dict[str, Any], ind: Indicator | None, lang: str) -> list:
    """The objective as the public audience sees it: the header with suppressed figures as
    x, the public workbook's figures per year and the last 12 months, method and partners."""
    out: list = [_header(rec, ind, lang)]
    f = data.figures()
    match = next((o for o in (f.objectives if f else [])
                  if o.record["id"] == rec["id"]
                  and o.record["area"]["id"] == rec["area"]["id"]), None)
    if match is not None and ind is not None and match.rows:
        def val(x: float | None) -> str:
            return ind.text(x, lang)

        rows = []
        for d in match.rows:
            label = (f"{_tx('window', lang)} ({period(d.period, lang)})"
                     if d.kind == "window" else period(d.period, lang))
            if f.is_hidden(d.cell):
                mark = html.Span(MARK, className="suppressed", title=_tx("suppressed", lang))
                rows.append([label, mark, mark])
                continue
            interval = ("–" if d.ci_low is None or d.ci_high is None
                        else between(val(d.ci_low), val(d.ci_high), lang))
            rows.append([label, val(d.value), interval])
        years = [(d.period, None if f.is_hidden(d.cell) else d.value)
                 for d in match.rows if d.kind != "window"]
        base_hidden = f.is_hidden(match.base_cell)
        chart = []
        if years:
            fig = public_figure(
                years, None if base_hidden else rec["baseline"]["value"],
                None if base_hidden and match.relative_target else rec["target"]["value"],
                ind, lang)
            chart = [dcc.Graph(id="objective-public-graph", figure=fig,
                               config=graph_config(lang), responsive=True,
                               style={"height": f"{fig.layout.height}px"})]
        out.append(html.Section([
            html.H2(_tx("public_numbers", lang)),
            html.P(_tx("public_help", lang), className="hint"),
            *chart,
            table([t("period", lang), _tx("value", lang), _tx("margin", lang)], rows, {1, 2},
                  table_id="objective-public-numbers"),
            # the header's note says it when the header hides a figure too
            suppressed_note(lang) if any(f.is_hidden(d.cell) for d in match.rows)
            and not rec.get("suppressed") else None,
        ]))
    if rec.get("displacement"):  # the verdict only: the counts of small areas stay private
        out.append(_around(rec["displacement"], lang, public=True))
    if rec.get("event"):
        out.append(event_section(rec["event"], lang, public=True))
    out += [_method(rec, ind, lang), _partners(rec, lang), _related(data.status(), rec, lang)]
    return out


# -- sections ---------------------------------------------------------------------------------


def _header(rec: dict[str, Any], ind: Indicator | None, lang: str) -> html.Section:
    def row(label: str, value: Any) -> list:
        return [html.Dt(label), html.Dd(value)]

    hidden = set(rec.get("suppressed") or ())

    def v(x: float | None, key: str = "") -> str:
        if key in hidden:
            return MARK
        return ind.text(x, lang) if ind is not None else number(x, 1, lang)

    plan = _tx("both", lang) if rec["plan"] == "both" else rec["plan"]
    unit = (rec.get("unit") or {}).get(lang, "")
    target = rec["target"]
    deadline = _day(target.get("deadline"))
    change = (f" ({CHANGE.text(target['change'], lang)})"
              if target.get("change") is not None else "")
    current = rec["current"]
    plan_items = [
        *row(t("plan", lang), f"{plan} — {_tx('plan_version', lang).lower()} "
                              f"{rec.get('plan_version') or '–'}"),
        *row(t("phase", lang), pick(PHASES, rec["phase"], lang)),
        *row(t("dimension", lang), pick(DIMENSIONS, rec.get("dimension") or "", lang)),
        *row(t("area", lang), _area_name(rec, lang)),
        *row(t("owner", lang), rec.get("owner") or "–"),
        *row(_tx("partners", lang), ", ".join(rec["partners"]) or _tx("none", lang)),
        *row(t("baseline", lang), f"{v(rec['baseline']['value'], 'baseline')} "
                                  f"({rec['baseline']['period'] or '–'})"),
        *row(t("target", lang), f"{v(target.get('value'), 'target')}{change} "
                                f"{'tegen' if lang == 'nl' else 'by'} {date(deadline)}"),
        *row(t("current", lang),
             f"{v(current.get('value'), 'current')} "
             f"({period(current.get('period'), lang)})"),
    ]
    ind_items = []
    if ind is not None:
        title = ind.title.nl if lang == "nl" else ind.title.en
        # the catalogue's id is for those who work with the catalogue
        ident = ([" ", html.Code(ind.id)] if current_viewer().role.name in ANALYST_ROLES
                 else [])
        ind_items += row(t("indicator", lang), [title, *ident])
        ind_items += row(_tx("unit", lang),
                         unit or (ind.unit.nl if lang == "nl" else ind.unit.en))
        ind_items += row(_tx("definition", lang), _definition(ind, lang))
        ind_items += row(t("source", lang), pick(SOURCE_KINDS, ind.source, lang))
    ind_items += [
        *row(t("cutoff", lang), date(_day(rec.get("cutoff")))),
        *row(t("as_of", lang), date(_day(rec.get("as_of")))),
    ]
    return html.Section([
        html.P([status_badge(rec["status"], lang), " ",
                html.Span(rec["reason"][lang], className="objective-reason")],
               className="objective-status", id="objective-status"),
        html.Div([html.Dl(plan_items, className="objective-meta", id="objective-meta"),
                  html.Dl(ind_items, className="objective-meta", id="objective-indicator")],
                 className="objective-meta-columns"),
        suppressed_note(lang) if hidden else None,
    ], className="objective-header")


def _definition(ind: Indicator, lang: str) -> list:
    """The numerator and denominator in words, the measure and the factor."""
    def text(x: Any) -> str:
        return x.nl if lang == "nl" else x.en

    parts = [html.Div([html.Strong(t("numerator", lang) + ": "), text(ind.numerator)])]
    if ind.denominator is not None:
        parts.append(html.Div([html.Strong(t("denominator", lang) + ": "),
                               text(ind.denominator)]))
    measure = ind.kind.title(lang)
    if ind.factor:
        measure += f" ({_tx('factor', lang).lower()} {number(ind.factor, 0, lang)})"
    if ind.norm is not None and ind.duration is not None:
        measure += f", norm ≤ {number(ind.norm, 0, lang)} {ind.duration.unit}"
    parts.append(html.Div([html.Strong(_tx("measure", lang) + ": "), measure]))
    if ind.description is not None:
        parts.append(html.Div(text(ind.description), className="hint"))
    return parts


def _series_section(data: DashboardData, rec: dict[str, Any], ind: Indicator, view: str,
                    lang: str) -> list:
    series = data.series(ind.id, rec["area"]["id"])
    survey = ind.source == "survey"
    points = series.years if survey or view == "years" else series.windows
    fig = series_figure(points, trend_points(series, survey), rec, ind, lang,
                        "waves" if survey else view)
    incomplete = [period_text(p, lang) for p in points if not p.complete]
    notes = [_tx("plot_note", lang)]
    banded = any(p.ci_low is not None for p in points)
    notes.append(_tx("band" if banded else "no_band", lang))
    return [
        html.H2(_tx("series", lang)),
        dcc.Graph(id="objective-graph", figure=fig, config=graph_config(lang),
                  responsive=True, style={"height": f"{fig.layout.height or 430}px"}),
        html.P(_tx("incomplete_note", lang, periods=", ".join(incomplete)),
               className="objective-incomplete", id="objective-incomplete")
        if incomplete else None,
        html.P(" ".join(notes), className="hint"),
        html.H2(_tx("numbers", lang)),
        _numbers(points, ind, survey, lang),
    ]


def _numbers(points: list, ind: Indicator, survey: bool, lang: str) -> Element:
    header = [t("period", lang), t("value", lang), t("numerator", lang),
              t("denominator", lang), "n"]
    numeric = {1, 2, 3, 4, 5}
    if survey:
        header.append(_tx("n_eff", lang))
        numeric.add(6)
    header += [t("interval", lang), _tx("complete", lang)]
    rows = []
    for p in points:
        row = [period_text(p, lang), ind.text(p.value, lang),
               amount(p.numerator, lang), amount(p.denominator, lang), number(p.n, 0, lang)]
        if survey:
            row.append(number(p.n_eff, 0, lang))
        interval = (f"{ind.text(p.ci_low, lang)} – {ind.text(p.ci_high, lang)}"
                    if p.ci_low is not None and p.ci_high is not None else "–")
        row += [interval, _tx("yes" if p.complete else "no", lang)]
        rows.append(row)
    return table(header, rows, numeric, table_id="objective-table")


def _around(d: dict[str, Any], lang: str, public: bool = False) -> html.Section:
    """A project's displacement check: plain words, and the test one click away."""
    words = d["words"][lang]
    if public:
        return html.Section([html.H2(_tx("around", lang)), html.P(words.split(":")[0] + ".")],
                            id="objective-around")

    def facts(x: float | None) -> str:
        return "–" if x is None else signed(number(x, 0, lang), x)

    ratio = d["control"]["after"] / d["control"]["before"]
    both = {k: d["treated"][k] + d["buffer"][k] for k in ("before", "after")}
    rows = []
    for label, counts, est in (
            (_tx("project_area", lang), d["treated"], d["local"]),
            (_tx("buffer", lang, n=d["buffer_areas"]), d["buffer"], d["displaced"]),
            (_tx("control", lang, n=d["control_areas"]), d["control"], None),
            (_tx("together", lang), both, d["total"])):
        rows.append([label, number(counts["before"], 0, lang), number(counts["after"], 0, lang),
                     "–" if est is None else number(counts["before"] * ratio, 1, lang),
                     "–" if est is None else facts(est["value"]),
                     "–" if est is None else f"{facts(est['low'])} – {facts(est['high'])}",
                     "–" if est is None else p_value(est["p_value"], lang)])
    header = [_tx("place", lang), _tx("before", lang, p=period(d["before"], lang)),
              _tx("after", lang, p=d["after"].replace("/", " – ")), _tx("expected", lang),
              _tx("difference", lang), t("interval", lang), _tx("p_value", lang)]
    return html.Section([
        html.H2(_tx("around", lang)),
        html.P(words, id="objective-around-words"),
        html.Details([
            html.Summary(_tx("around_numbers", lang)),
            table(header, rows, {1, 2, 3, 4, 5, 6}, table_id="objective-around-table"),
            html.P(_tx("wdq", lang, q="–" if d["wdq"] is None else number(d["wdq"], 2, lang))),
            html.P(_tx("around_method", lang, phi=number(d["phi"], 2, lang)), className="hint"),
        ]),
    ], id="objective-around")


def _method(rec: dict[str, Any], ind: Indicator | None, lang: str) -> html.Details:
    """How it is computed, one click away ("Hoe berekend?"): the method in plain words
    (:mod:`indicators.method`, the text the council workbook's Methode sheet has too), with its
    tests and figures, and how a status is decided."""
    return html.Details([
        html.Summary(html.H2(_tx("method", lang)), id="objective-how"),
        html.Div([html.P(s) for s in method_sentences(rec, ind, lang)], id="objective-method"),
        html.Details([html.Summary(_tx("rules", lang)),
                      html.Ol([html.Li(f"{label}: {rule}")
                               for label, rule in status_rules(lang)])]),
        html.P(_tx("docs", lang), className="hint"),
    ], className="objective-method")


def _partners(rec: dict[str, Any], lang: str) -> html.Section:
    return html.Section([
        html.H2(_tx("partners", lang)),
        html.Dl([html.Dt(t("owner", lang)), html.Dd(rec.get("owner") or "–"),
                 html.Dt(_tx("contributors", lang)),
                 html.Dd(", ".join(rec["partners"]) or _tx("none", lang))],
                className="objective-meta", id="objective-partners"),
    ])


def _related(all_records: list[dict[str, Any]], rec: dict[str, Any],
             lang: str) -> html.Section:
    """Other objectives with the same indicator, area or owner, each with badge and link."""
    areas_of: dict[str, int] = {}
    for r in all_records:
        areas_of[r["id"]] = areas_of.get(r["id"], 0) + 1
    others = [r for r in all_records if r["id"] != rec["id"]]
    groups = [
        ("same_indicator", [r for r in others if r["indicator"] == rec["indicator"]]),
        ("same_area", [r for r in others if r["area"]["id"] == rec["area"]["id"]]),
        ("same_owner", [r for r in others if rec.get("owner") and r["owner"] == rec["owner"]]),
    ]

    viewer = current_viewer()

    def item(r: dict[str, Any]) -> html.Li:
        area = r["area"]["id"] if areas_of[r["id"]] > 1 else None
        text = f"{r['id']} — {r['title'][lang]}"
        return html.Li([
            status_badge(r["status"], lang), " ",
            dcc.Link(text, href=href(path_of("objective", objective_id=r["id"]), lang, area=area),
                     className="objective-link") if may_open_objective(viewer, r)
            else html.Span(text),
            html.Span(f" ({_area_name(r, lang)})", className="muted"),
        ])

    children: list = [html.H2(_tx("related", lang))]
    for key, rows in groups:
        children.append(html.H3(_tx(key, lang)))
        children.append(html.Ul([item(r) for r in rows], className="objective-related")
                        if rows else html.P(_tx("no_related", lang), className="muted"))
    return html.Section(children, id="objective-related")
