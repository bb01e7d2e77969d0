"""Methode / Method: how the monitor measures the plan's progress, in plain words, for everyone
(the public too): where the figures come from, when an objective is on track, what a margin of
error says and why a figure is sometimes an x; the statistics one click further (the council
workbook's Methode sheet on the Export page, and each objective's "Hoe berekend?"). Linked from
every page's footer. URL: ``lang``.
"""

from __future__ import annotations

from typing import Any

from dash import dcc, html

from core.vocabulary import pick
from dashboard.audience import data_of_app
from dashboard.components import frame, href, suppressed_note
from dashboard.components_overview import coverage_line
from dashboard.export.suppress import Thresholds, rules
from dashboard.i18n import lang_of
from dashboard.registry import EVERYONE, PAGES, may_open, register_page
from dashboard.viewer import current_viewer
from indicators import status_rules

PAGE = register_page(__name__, key="method", path="/methode", prefix="method",
                     title={"nl": "Methode", "en": "Method"}, roles=EVERYONE)

TEXT = {
    "title": {"nl": "Hoe meten we de voortgang?", "en": "How do we measure progress?"},
    "intro": {
        "nl": "Het veiligheidsplan heeft doelstellingen met een cijfer, een doel en een "
              "deadline. Deze monitor zet de cijfers van de partners naast die doelen en zegt "
              "per doelstelling of ze op koers ligt.",
        "en": "The safety plan has objectives with a figure, a target and a deadline. This "
              "monitor sets the partners' figures beside those targets and says for each "
              "objective whether it is on track.",
    },
    "sources_h": {"nl": "Waar de cijfers vandaan komen", "en": "Where the figures come from"},
    "sources": {
        "nl": "Geregistreerde feiten van de politiezone, meldingen van overlast bij de stad, "
              "de veiligheidsbevraging bij inwoners, bevolkingscijfers en de activiteiten van "
              "de partners. Elke bron loopt tot een eigen datum; een maand telt pas mee als "
              "ze volledig is.",
        "en": "Offences recorded by the police zone, nuisance reports to the city, the safety "
              "survey of residents, population figures and the partners' activities. Each "
              "source runs to its own date; a month only counts once it is complete.",
    },
    "status_h": {"nl": "Wanneer ligt een doelstelling op koers?",
                 "en": "When is an objective on track?"},
    "status": {
        "nl": "Elke doelstelling krijgt één status: de eerste regel hieronder die geldt. Een "
              "verandering is 'meer dan toeval' als ze te groot is om door gewone schommelingen "
              "van jaar tot jaar te komen.",
        "en": "Every objective gets one status: the first rule below that applies. A change "
              "is 'more than chance' when it is too large to come from the usual ups and downs "
              "from year to year.",
    },
    "margin_h": {"nl": "Wat zegt een foutenmarge?", "en": "What does a margin of error say?"},
    "margin": {
        "nl": "De bevraging ondervraagt een deel van de inwoners, niet iedereen. Daarom staat "
              "bij een cijfer uit de bevraging een marge, bijvoorbeeld 'tussen 38 % en 51 %': "
              "de echte waarde voor alle inwoners ligt met 95 % zekerheid daartussen. Hoe "
              "minder antwoorden, hoe breder de marge.",
        "en": "The survey asks some of the residents, not everyone. So a figure from the "
              "survey comes with a margin, for example 'between 38 % and 51 %': the true value "
              "for all residents lies within it with 95 % certainty. The fewer the answers, "
              "the wider the margin.",
    },
    "hidden_h": {"nl": "Waarom staat er soms een x?", "en": "Why is there sometimes an x?"},
    "hidden": {
        "nl": "Wat iedereen kan zien, mag niets over een persoon verraden. De publieke versie "
              "volgt deze regels:",
        "en": "What everyone can see must not give away anything about a person. The public "
              "version follows these rules:",
    },
    "stats_h": {"nl": "De statistiek", "en": "The statistics"},
    "stats": {
        "nl": "Per indicator de definitie, de bron, de toets en de regel voor de status, en "
              "per doelstelling de berekening in woorden: het blad Methode van het werkboek "
              "voor de gemeenteraad, te downloaden op de pagina ",
        "en": "For every indicator its definition, source, test and status rule, and for "
              "every objective the computation in words: the Method sheet of the council "
              "workbook, to download on the page ",
    },
    "per_objective": {
        "nl": "Op de pagina van elke doelstelling staat de berekening onder 'Hoe berekend?'.",
        "en": "Each objective's page shows its computation under 'How is it computed?'.",
    },
}


def layout(lang: str | None = None, **_query: Any) -> html.Div:
    """The method in plain words."""
    lang = lang_of(lang)
    data = data_of_app()
    viewer = current_viewer()
    stats: list = [pick(TEXT, "stats", lang)]
    export = PAGES.get("export")
    if export is not None and may_open(viewer, "export"):
        stats.append(dcc.Link(export.name(lang), href=href(export.path, lang),
                              id="method-export"))
    stats.append(".")
    coverage = data.coverage() if data.available() else []
    return frame(PAGE.key, lang, {}, [
        html.H1(pick(TEXT, "title", lang)),
        html.P(pick(TEXT, "intro", lang)),
        html.H2(pick(TEXT, "sources_h", lang)),
        html.P(pick(TEXT, "sources", lang)),
        coverage_line(coverage, lang) if coverage else None,
        html.H2(pick(TEXT, "status_h", lang)),
        html.P(pick(TEXT, "status", lang)),
        html.Dl([x for label, rule in status_rules(lang)
                 for x in (html.Dt(label), html.Dd(rule))], id="method-status-rules"),
        html.H2(pick(TEXT, "margin_h", lang)),
        html.P(pick(TEXT, "margin", lang)),
        html.H2(pick(TEXT, "hidden_h", lang)),
        suppressed_note(lang),
        html.P(pick(TEXT, "hidden", lang)),
        html.Ul([html.Li(r) for r in rules(Thresholds.from_settings(), lang)],
                id="method-suppression"),
        html.H2(pick(TEXT, "stats_h", lang)),
        html.P(stats, id="method-statistics"),
        html.P(pick(TEXT, "per_objective", lang)) if may_open(viewer, "objective") else None,
    ], as_of=data.as_of() if data.available() else None)
