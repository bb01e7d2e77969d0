"""The Wijken page's section "Tegenover andere steden": the city's count or rate in a calendar
year against its peer group (the funnel plot of :mod:`indicators.funnel`), in one sentence, with
the plot and the table one click away."""

from __future__ import annotations

from dash import dcc, html

from core.vocabulary import number, pick
from dashboard.components import table
from dashboard.data import DashboardData
from dashboard.figures_peers import funnel_figure

TEXT = {
    "title": {"nl": "Tegenover andere steden", "en": "Against other cities"},
    "groups": {"nl": {"centrumsteden": "de 13 centrumsteden", "all": "alle geladen gemeenten",
                      "list": "de gekozen gemeenten"},
               "en": {"centrumsteden": "the 13 Flemish centre cities",
                      "all": "every loaded municipality", "list": "the chosen municipalities"}},
    "bands": {"nl": {"inside": "zoals de andere steden", "rather_high": "wat hoger dan de "
                     "andere steden", "rather_low": "wat lager dan de andere steden",
                     "high": "duidelijk hoger dan de andere steden",
                     "low": "duidelijk lager dan de andere steden"},
              "en": {"inside": "like the other cities", "rather_high": "somewhat higher than "
                     "the other cities", "rather_low": "somewhat lower than the other cities",
                     "high": "clearly higher than the other cities",
                     "low": "clearly lower than the other cities"}},
    "sentence": {"nl": "{city}: {rate} per {per} in {year}, {band} ({group}: {theta} per {per}).",
                 "en": "{city}: {rate} per {per} in {year}, {band} ({group}: {theta} per {per})."},
    "per_inh": {"nl": "inwoners", "en": "inhabitants"},
    "per_hh": {"nl": "huishoudens", "en": "households"},
    "none": {"nl": "Geen vergelijking: dit kan voor aantallen en cijfers per kalenderjaar, met "
                   "minstens drie gemeenten geladen.",
             "en": "No comparison: it needs a count or rate per calendar year and at least "
                   "three loaded municipalities."},
    "details": {"nl": "De trechtergrafiek en de cijfers", "en": "The funnel plot and the numbers"},
    "method": {"nl": "Trechtergrafiek met grenzen die de gewone verschillen tussen steden "
                     "meerekenen (Spiegelhalter 2005): spreiding φ = {phi}, extra verschil "
                     "tussen steden τ = {tau} per {per}. Buiten de 99,8 %-grenzen: duidelijk "
                     "anders; tussen 95 % en 99,8 %: wat anders.",
               "en": "Funnel plot with limits that allow for the usual differences between "
                     "cities (Spiegelhalter 2005): dispersion φ = {phi}, extra difference "
                     "between cities τ = {tau} per {per}. Beyond the 99.8 % limits: clearly "
                     "different; between 95 % and 99.8 %: somewhat different."},
    "columns": {"nl": ["Gemeente", "Feiten", "Bevolking", "Per {per}", "z", "Oordeel"],
                "en": ["Municipality", "Facts", "Population", "Per {per}", "z", "Verdict"]},
}


def peers_section(data: DashboardData, indicator: str, period: str | None, city: str | None,
                  lang: str) -> list:
    """The section's children for ``indicator`` in the year ``period`` (when it is a year)."""
    title = html.H2(pick(TEXT, "title", lang))
    pf = data.peer_funnel(indicator, period) if period and period.isdigit() else None
    if pf is None:
        return [title, html.P(pick(TEXT, "none", lang), className="hint")]
    f = pf.funnel
    rows = sorted(pf.rows(), key=lambda r: -r["rate"])
    per = (f"{number(pf.factor, 0, lang)} "
           + pick(TEXT, "per_hh" if pf.indicator.population == "households" else "per_inh",
                  lang))
    mine = next((r for r in rows if r["area_id"] == city), None)
    children: list = [title]
    if mine is not None:
        children.append(html.P(pick(TEXT, "sentence", lang).format(
            city=mine["name"], rate=number(mine["rate"], 1, lang), per=per, year=period,
            band=TEXT["bands"][lang][mine["band"]], group=TEXT["groups"][lang][pf.group],
            theta=number(f.theta * pf.factor, 1, lang)), id="areas-peers-sentence"))
    bands = TEXT["bands"][lang]
    body = [[r["name"], number(r["observed"], 0, lang), number(r["population"], 0, lang),
             number(r["rate"], 1, lang), number(r["z"], 2, lang), bands[r["band"]]]
            for r in rows]
    header = [c.format(per=per) for c in TEXT["columns"][lang]]
    children.append(html.Details([
        html.Summary(pick(TEXT, "details", lang)),
        dcc.Graph(id="areas-peers-graph", figure=funnel_figure(pf, city, lang),
                  config={"displaylogo": False}),
        table(header, body, {1, 2, 3, 4}, table_id="areas-peers-table"),
        html.P(pick(TEXT, "method", lang).format(
            phi=number(f.phi, 1, lang), tau=number(f.tau2 ** 0.5 * pf.factor, 1, lang), per=per),
            className="hint"),
    ]))
    return children
