"""Dutch by default, English available: labels and Belgian number and date formats."""

from __future__ import annotations

import datetime as dt

LABELS = {
    "title": {
        "nl": "ivmonitor — integraal veiligheidsplan",
        "en": "ivmonitor — integral safety plan",
    },
    "data": {"nl": "Gegevens", "en": "Data"},
    "loads": {"nl": "Ladingen", "en": "Loads"},
    "sources": {"nl": "Bronnen en actualiteit", "en": "Sources and freshness"},
    "kind": {"nl": "Soort", "en": "Kind"},
    "source": {"nl": "Bron", "en": "Source"},
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
        "nl": "Nog geen gegevens: voer `ivm init` en `ivm load` (of `make demo`) uit.",
        "en": "No data yet: run `ivm init` and `ivm load` (or `make demo`).",
    },
    "language": {"nl": "English", "en": "Nederlands"},
}


KINDS = {
    "areas": {"nl": "gebieden", "en": "areas"},
    "population": {"nl": "bevolking", "en": "population"},
    "incidents": {"nl": "incidenten", "en": "incidents"},
    "nuisance": {"nl": "overlast", "en": "nuisance"},
    "survey": {"nl": "bevraging", "en": "survey"},
    "activities": {"nl": "partneractiviteiten", "en": "partner activities"},
    "plan": {"nl": "plan", "en": "plan"},
}


def kind(value: str, lang: str) -> str:
    """A source kind's name in ``lang``."""
    return KINDS.get(value, {}).get(lang, value)


def t(key: str, lang: str) -> str:
    """The label ``key`` in ``lang`` (nl or en)."""
    return LABELS[key].get(lang, LABELS[key]["nl"])


def number(value: float | int | None, decimals: int = 0) -> str:
    """A number in Belgian format: 87.332 and 12,5."""
    if value is None:
        return "–"
    text = f"{value:,.{decimals}f}"
    return text.replace(",", "\u202f").replace(".", ",").replace("\u202f", ".")


def date(value: dt.date | dt.datetime | None) -> str:
    """A date as dd/mm/yyyy (with time for date-times)."""
    if value is None:
        return "–"
    if isinstance(value, dt.datetime):
        return value.strftime("%d/%m/%Y %H:%M")
    return value.strftime("%d/%m/%Y")
