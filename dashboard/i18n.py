"""Dutch by default, English available: labels and Belgian number and date formats."""

from __future__ import annotations

import datetime as dt

from indicators import formats

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
    "overview": {"nl": "Overzicht", "en": "Overview"},
    "objective": {"nl": "Doelstelling", "en": "Objective"},
    "areas": {"nl": "Wijken", "en": "Areas"},
    "chain": {"nl": "Veiligheidsketen", "en": "Safety chain"},
    "partners": {"nl": "Partners", "en": "Partners"},
    "export": {"nl": "Export", "en": "Export"},
    "admin": {"nl": "Beheer", "en": "Administration"},
    "logout": {"nl": "Afmelden", "en": "Sign out"},
    "public_view": {"nl": "Publieke versie: kleine aantallen afgeschermd",
                    "en": "Public version: small numbers suppressed"},
    "no_results": {
        "nl": "Nog geen resultaten: laad gegevens (`ivm load`, `make demo`) of voer `ivm refresh` "
              "uit.",
        "en": "No results yet: load data (`ivm load`, `make demo`) or run `ivm refresh`.",
    },
    "as_of": {"nl": "Stand op", "en": "As of"},
    "plan": {"nl": "Plan", "en": "Plan"},
    "approved": {"nl": "goedgekeurd op", "en": "approved on"},
    "indicator": {"nl": "Indicator", "en": "Indicator"},
    "area": {"nl": "Gebied", "en": "Area"},
    "level": {"nl": "Niveau", "en": "Level"},
    "period": {"nl": "Periode", "en": "Period"},
    "baseline": {"nl": "Basiswaarde", "en": "Baseline"},
    "target": {"nl": "Doel", "en": "Target"},
    "current": {"nl": "Huidig", "en": "Current"},
    "deadline": {"nl": "Deadline", "en": "Deadline"},
    "status": {"nl": "Status", "en": "Status"},
    "reason": {"nl": "Toelichting", "en": "Reason"},
    "owner": {"nl": "Eigenaar", "en": "Owner"},
    "phase": {"nl": "Fase", "en": "Phase"},
    "dimension": {"nl": "Dimensie", "en": "Dimension"},
    "value": {"nl": "Waarde", "en": "Value"},
    "numerator": {"nl": "Teller", "en": "Numerator"},
    "denominator": {"nl": "Noemer", "en": "Denominator"},
    "interval": {"nl": "95 %-interval", "en": "95 % interval"},
    "incomplete": {"nl": "onvolledig", "en": "incomplete"},
}

PHASES = {
    "proactie": {"nl": "Proactie", "en": "Proaction"},
    "preparatie": {"nl": "Preparatie", "en": "Preparation"},
    "preventie": {"nl": "Preventie", "en": "Prevention"},
    "reactie": {"nl": "Reactie", "en": "Reaction"},
    "nazorg": {"nl": "Nazorg", "en": "Follow-up"},
}

DIMENSIONS = {
    "criminaliteit": {"nl": "Criminaliteit", "en": "Crime"},
    "overlast": {"nl": "Overlast", "en": "Nuisance"},
    "onveiligheidsgevoel": {"nl": "Onveiligheidsgevoel", "en": "Feeling of insecurity"},
    "andere": {"nl": "Andere", "en": "Other"},
}

LEVELS = {
    "gemeente": {"nl": "gemeente", "en": "municipality"},
    "deelgemeente": {"nl": "deelgemeente", "en": "former municipality"},
    "wijk": {"nl": "wijk", "en": "neighbourhood"},
    "sector": {"nl": "statistische sector", "en": "statistical sector"},
    "project": {"nl": "projectgebied", "en": "project area"},
    "ward": {"nl": "ward", "en": "ward"},
    "district": {"nl": "district", "en": "district"},
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


def pick(table: dict[str, dict[str, str]], key: str, lang: str) -> str:
    """``table[key]`` in ``lang`` (Dutch when missing; the key itself when unknown)."""
    entry = table.get(key)
    if entry is None:
        return key
    return entry.get(lang) or entry.get("nl") or key


def lang_of(value: str | None) -> str:
    """The language of a request: English on ``lang=en``, Dutch otherwise."""
    return "en" if value == "en" else "nl"


def number(value: float | int | None, decimals: int = 0, lang: str = "nl") -> str:
    """A number in Belgian format (87.332 and 12,5), or English on request."""
    return formats.number(value, decimals, lang)


def date(value: dt.date | dt.datetime | None) -> str:
    """A date as dd/mm/yyyy (with time for date-times)."""
    return formats.date(value)
