"""Veiligheidsketen / Safety chain: the phases of the chain against the dimensions (or, with
``?by=partner``, the partners), each cell with its objectives and their statuses, gaps marked.

A cell links to the overview filtered on its phase (and partner); each objective id links to its
detail page. URL: ``by`` (dimension, partner) and ``lang``.
"""

from __future__ import annotations

from typing import Any

from dash import Input, Output, State, callback, dcc, html

from core.vocabulary import pick
from dashboard.audience import data_of_app
from dashboard.components import choice_group, empty, frame, href
from dashboard.components_chain import BY, chain_legend, chain_table, gap_summary
from dashboard.components_overview import query_string
from dashboard.i18n import lang_of
from dashboard.registry import EVERYONE, register_page
from dashboard.views import cached_view
from indicators import chain_matrix

PAGE = register_page(__name__, key="chain", path="/keten", prefix="chain",
              title={"nl": "Veiligheidsketen", "en": "Safety chain"}, roles=EVERYONE, nav=2)

TEXT = {
    "intro": {"nl": "Welke fasen van de veiligheidsketen dekt het plan, en hoe staan de "
                    "doelstellingen ervoor? Een lege cel is een leemte in de keten.",
              "en": "Which phases of the safety chain does the plan cover, and how are its "
                    "objectives doing? An empty cell is a gap in the chain."},
    "by": {"nl": "Kolommen", "en": "Columns"},
    "dimension": {"nl": "dimensie", "en": "dimension"},
    "partner": {"nl": "partner", "en": "partner"},
}


def _matrix(by: str, lang: str) -> list:
    cells = chain_matrix(data_of_app().status(), by)
    return [gap_summary(cells, lang), chain_table(cells, by, lang)]


@cached_view("chain")
def layout(lang: str | None = None, by: str | None = None, **query: Any) -> html.Div:
    """The chain matrix for ``by`` in the URL; ``?lang=en`` switches to English."""
    lang = lang_of(lang)
    by = by if by in BY else "dimension"
    data = data_of_app()
    if not data.status():
        return frame(PAGE.key, lang, {}, [html.H1(PAGE.name(lang)), empty(lang)])
    return frame(PAGE.key, lang, {"by": None if by == "dimension" else by}, [
        dcc.Location(id="chain-url", refresh=False),
        dcc.Store(id="chain-lang", data=lang),
        html.H1(PAGE.name(lang)),
        html.P(pick(TEXT, "intro", lang), className="intro"),
        html.Div(choice_group(pick(TEXT, "by", lang),
                              dcc.RadioItems(id="chain-by", value=by, inline=True,
                                             options=[{"label": pick(TEXT, b, lang), "value": b}
                                                      for b in BY])),
                 className="filters chain-by"),
        html.Div(_matrix(by, lang), id="chain-matrix"),
        chain_legend(lang),
    ], as_of=data.as_of())


@callback(
    Output("chain-matrix", "children"),
    Output("chain-url", "search"),
    Output("lang-switch", "href", allow_duplicate=True),
    Input("chain-by", "value"),
    State("chain-lang", "data"),
    prevent_initial_call=True,
)
@cached_view("chain.switch")
def switch(by, lang):
    """Columns switched between dimensions and partners: new matrix, and the URL for it."""
    lang = lang_of(lang)
    by = by if by in BY else "dimension"
    keep = None if by == "dimension" else by
    other = "en" if lang == "nl" else "nl"
    return _matrix(by, lang), query_string(lang, by=keep), href(PAGE.path, other, by=keep)
