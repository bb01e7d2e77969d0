"""Toegankelijkheid / Accessibility: the accessibility statement, as Flemish government sites
publish one (the decree of 7 December 2018 on the accessibility of public bodies' websites):
how far the monitor meets WCAG 2.1 AA, what does not yet, how that is checked, and whom to
contact (the city's contact, ``IVM_CITY_CONTACT``). Open to everyone, linked from every page's
footer. URL: ``lang``.
"""

from __future__ import annotations

from typing import Any

from dash import html

from core.vocabulary import pick
from dashboard.branding import PRODUCT, current_branding
from dashboard.components import frame
from dashboard.i18n import lang_of
from dashboard.registry import EVERYONE, register_page

PAGE = register_page(__name__, key="accessibility", path="/toegankelijkheid", prefix="a11y",
                     title={"nl": "Toegankelijkheid", "en": "Accessibility"}, roles=EVERYONE)

TEXT = {
    "title": {"nl": "Toegankelijkheidsverklaring", "en": "Accessibility statement"},
    "intro": {
        "nl": "{who} wil deze monitor voor iedereen toegankelijk maken, zoals het decreet van 7 "
              "december 2018 over de toegankelijkheid van websites en mobiele toepassingen van "
              "overheidsinstanties vraagt. Deze verklaring geldt voor de monitor van het "
              "veiligheidsplan op deze website.",
        "en": "{who} wants this monitor to be accessible to everyone, as the Flemish decree of "
              "7 December 2018 on the accessibility of public bodies' websites and mobile "
              "applications asks. This statement covers the safety plan monitor on this "
              "website.",
    },
    "status_h": {"nl": "Nalevingsstatus", "en": "Compliance status"},
    "status": {
        "nl": "De monitor voldoet gedeeltelijk aan de Web Content Accessibility Guidelines "
              "(WCAG) 2.1, niveau AA: de onderdelen hieronder voldoen nog niet.",
        "en": "The monitor partially complies with the Web Content Accessibility Guidelines "
              "(WCAG) 2.1, level AA: the parts below do not comply yet.",
    },
    "limits_h": {"nl": "Wat nog niet toegankelijk is", "en": "What is not accessible yet"},
    "limits": {
        "nl": ["De kaart van de wijken is een afbeelding: kies een wijk met de knoppen in de "
               "tabel ernaast, die dezelfde cijfers toont.",
               "De grafieken hebben een tabel met dezelfde cijfers eronder; de knoppen in de "
               "grafiek zelf (inzoomen, bewaren als afbeelding) zijn met de muis bedoeld.",
               "Het Excel-werkboek voor de gemeenteraad is niet afzonderlijk op "
               "toegankelijkheid getoetst."],
        "en": ["The map of the areas is an image: pick an area with the buttons in the table "
               "beside it, which shows the same figures.",
               "Each chart has a table with the same figures below it; the buttons in the "
               "chart itself (zoom, save as image) are meant for a mouse.",
               "The council's Excel workbook has not been checked for accessibility on its "
               "own."],
    },
    "how_h": {"nl": "Hoe dit getoetst wordt", "en": "How this is checked"},
    "how": {
        "nl": "Bij elke wijziging van de software bezoekt een geautomatiseerde test elke pagina, "
              "voor elke rol, in het Nederlands en het Engels, op de breedte van een telefoon, "
              "een laptop en een groot scherm. Hij controleert met axe-core de regels van WCAG "
              "2.1 A en AA, en verder dat geen pagina zijwaarts schuift, dat elke pagina haar "
              "taal aangeeft en dat de eerste tab naar de link 'Naar de inhoud' gaat.",
        "en": "With every change to the software an automated test visits every page, for "
              "every role, in Dutch and in English, at a phone's, a laptop's and a large "
              "screen's width. It checks the WCAG 2.1 A and AA rules with axe-core, and also "
              "that no page scrolls sideways, that every page declares its language and that "
              "the first tab reaches the 'Skip to content' link.",
    },
    "contact_h": {"nl": "Feedback en contact", "en": "Feedback and contact"},
    "contact": {
        "nl": "Loopt u ergens vast, of mist u iets? Laat het ons weten: {contact}.",
        "en": "Are you stuck somewhere, or missing something? Let us know: {contact}.",
    },
    "no_contact": {"nl": "via de beheerder van deze monitor",
                   "en": "through the administrator of this monitor"},
    "appeal_h": {"nl": "Handhavingsprocedure", "en": "Enforcement procedure"},
    "appeal": {
        "nl": "Bent u niet tevreden met ons antwoord, dan kunt u een klacht indienen bij de "
              "Vlaamse Ombudsdienst.",
        "en": "If you are not satisfied with our answer, you can lodge a complaint with the "
              "Flemish Ombudsman (Vlaamse Ombudsdienst).",
    },
}


def layout(lang: str | None = None, **_query: Any) -> html.Div:
    """The accessibility statement."""
    lang = lang_of(lang)
    brand = current_branding()
    who = brand.name or PRODUCT
    if brand.contact:
        target = f"mailto:{brand.contact}" if "@" in brand.contact else None
        contact: Any = html.A(brand.contact, href=target) if target else brand.contact
    else:
        contact = pick(TEXT, "no_contact", lang)
    before, after = pick(TEXT, "contact", lang).split("{contact}")
    return frame(PAGE.key, lang, {}, [
        html.H1(pick(TEXT, "title", lang)),
        html.P(pick(TEXT, "intro", lang).format(who=who)),
        html.H2(pick(TEXT, "status_h", lang)),
        html.P(pick(TEXT, "status", lang), id="a11y-status"),
        html.H2(pick(TEXT, "limits_h", lang)),
        html.Ul([html.Li(item) for item in TEXT["limits"][lang]], id="a11y-limits"),
        html.H2(pick(TEXT, "how_h", lang)),
        html.P(pick(TEXT, "how", lang)),
        html.H2(pick(TEXT, "contact_h", lang)),
        html.P([before, contact, after], id="a11y-contact"),
        html.H2(pick(TEXT, "appeal_h", lang)),
        html.P([pick(TEXT, "appeal", lang), " ",
                html.A("www.vlaamseombudsdienst.be", href="https://www.vlaamseombudsdienst.be")]),
    ])
