"""The dashboard's own words (navigation, headings of the frame, messages), Dutch by default,
English on request.

The domain's words (phases, statuses, levels, an objective's fields, ...) and every number and
date format are the one vocabulary of :mod:`core.vocabulary`, shared with the CLI and the
workbooks; :func:`t` falls back to its field names.
"""

from __future__ import annotations

from core.vocabulary import FIELDS, pick

LABELS = {
    "title": {
        "nl": "ivmonitor — integraal veiligheidsplan",
        "en": "ivmonitor — integral safety plan",
    },
    "loads": {"nl": "Ladingen", "en": "Loads"},
    "sources": {"nl": "Bronnen en actualiteit", "en": "Sources and freshness"},
    "kind": {"nl": "Soort", "en": "Kind"},
    "file": {"nl": "Bestand", "en": "File"},
    "outcome": {"nl": "Resultaat", "en": "Outcome"},
    "read": {"nl": "Gelezen", "en": "Read"},
    "loaded": {"nl": "Geladen", "en": "Loaded"},
    "replaced": {"nl": "Vervangen", "en": "Replaced"},
    "skipped": {"nl": "Overgeslagen", "en": "Skipped"},
    "quarantined": {"nl": "In quarantaine", "en": "Quarantined"},
    "cutoff": {"nl": "Data tot en met", "en": "Data up to"},
    "finished": {"nl": "Geladen op", "en": "Loaded at"},
    "rows": {"nl": "Rijen", "en": "Rows"},
    "no_warehouse": {
        "nl": "Nog geen gegevens: de beheerder van de monitor laadt ze.",
        "en": "No data yet: the monitor's administrator loads them.",
    },
    "language": {"nl": "English", "en": "Nederlands"},
    "logout": {"nl": "Afmelden", "en": "Sign out"},
    "public_view": {"nl": "Publieke versie: kleine aantallen afgeschermd",
                    "en": "Public version: small numbers suppressed"},
    "no_results": {
        "nl": "Nog geen resultaten: de beheerder van de monitor laadt de gegevens en berekent "
              "de resultaten.",
        "en": "No results yet: the monitor's administrator loads the data and computes the "
              "results.",
    },
    "skip": {"nl": "Naar de inhoud", "en": "Skip to content"},
    "main_nav": {"nl": "Hoofdmenu", "en": "Main menu"},
    "contact": {"nl": "Contact", "en": "Contact"},
    "website": {"nl": "Website van de stad", "en": "City website"},
    "footer": {"nl": "Voettekst", "en": "Footer"},
    "approved": {"nl": "goedgekeurd op", "en": "approved on"},
    "current": {"nl": "Huidig", "en": "Current"},
    "incomplete": {"nl": "onvolledig", "en": "incomplete"},
}


def t(key: str, lang: str) -> str:
    """The label ``key`` in ``lang`` (nl or en): the dashboard's own, else an objective's or
    indicator's field name from the vocabulary."""
    return pick(LABELS if key in LABELS else FIELDS, key, lang)


def lang_of(value: str | None) -> str:
    """The language of a request: English on ``lang=en``, Dutch otherwise."""
    return "en" if value == "en" else "nl"

