"""Partners: what one partner owns and contributes to, with statuses and reasons.

Pick a partner in the list (every partner with its number of objectives, owned / contributing);
the default is the viewer's own partner (a ``dienst`` account), else the partner with most
objectives. URL: ``partner`` and ``lang``.
"""

from __future__ import annotations

from typing import Any

from dash import Input, Output, State, callback, dcc, html

from core.vocabulary import pick
from dashboard.audience import data_of_app
from dashboard.components import choice_group, empty, frame, href
from dashboard.components_overview import query_string
from dashboard.components_partners import (
    default_partner,
    partner_detail,
    partner_label,
    partner_summary,
)
from dashboard.i18n import lang_of
from dashboard.registry import EVERYONE, register_page
from dashboard.viewer import current_viewer
from dashboard.views import cached_view

PAGE = register_page(__name__, key="partners", path="/partners", prefix="partners",
              title={"nl": "Partners", "en": "Partners"}, roles=EVERYONE, nav=4)

TEXT = {
    "pick": {"nl": "Kies een partner", "en": "Pick a partner"},
    "intro": {"nl": "Wie trekt welke doelstelling, en wie draagt bij?",
              "en": "Who leads which objective, and who contributes?"},
}


def _partner(value: Any, records: list[dict[str, Any]]) -> str | None:
    """The partner asked for, when it is one of the plan's; else the viewer's own partner (a
    city service), else the default."""
    known = {s["partner"] for s in partner_summary(records)}
    if value in known:
        return value
    own = current_viewer().partner  # a city service opens on its own partner
    return own if own in known else default_partner(records)


@cached_view("partners")
def layout(lang: str | None = None, partner: str | None = None, **query: Any) -> html.Div:
    """The partner view for ``partner`` in the URL; ``?lang=en`` switches to English."""
    lang = lang_of(lang)
    data = data_of_app()
    records = data.status()
    if not records:
        return frame(PAGE.key, lang, {}, [html.H1(PAGE.name(lang)), empty(lang)])
    # a partner's account opens on its own partner
    chosen = _partner(partner or current_viewer().partner, records)
    picker = dcc.RadioItems(
        id="partners-partner", value=chosen, className="partner-list",
        options=[{"label": partner_label(s, lang), "value": s["partner"]}
                 for s in partner_summary(records)])
    return frame(PAGE.key, lang, {"partner": partner and chosen}, [
        dcc.Location(id="partners-url", refresh=False),
        dcc.Store(id="partners-lang", data=lang),
        html.H1(PAGE.name(lang)),
        html.P(pick(TEXT, "intro", lang), className="intro"),
        html.Div([
            html.Div(choice_group(pick(TEXT, "pick", lang), picker), className="partner-nav"),
            html.Div(partner_detail(records, chosen, lang), id="partners-detail",
                     className="partner-detail"),
        ], className="partner-layout"),
    ], as_of=data.as_of())


@callback(
    Output("partners-detail", "children"),
    Output("partners-url", "search"),
    Output("lang-switch", "href", allow_duplicate=True),
    Input("partners-partner", "value"),
    State("partners-lang", "data"),
    prevent_initial_call=True,
)
@cached_view("partners.choose")
def choose(partner, lang):
    """Another partner picked: its objectives, and the URL that shows them again."""
    lang = lang_of(lang)
    records = data_of_app().status()
    chosen = _partner(partner, records)
    other = "en" if lang == "nl" else "nl"
    return (partner_detail(records, chosen, lang), query_string(lang, partner=chosen),
            href(PAGE.path, other, partner=chosen))
