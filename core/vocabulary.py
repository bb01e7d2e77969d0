"""The one vocabulary: how a value reads, and every word of the domain, in Dutch and English.

Every surface reads it: the dashboard's pages, the command line, the council workbook and the
plan template. Two surfaces that print the same value differently would be a bug, so there is
one rule per kind of value (a :class:`ValueStyle`): a count is whole, a rate has one decimal, a
share is a percentage with one decimal, a mean has two decimals. A measure kind names its style
when it registers (:func:`indicators.measures.measure`); the text (:func:`value_text`), the
Excel number format (:func:`excel_format`) and the rounded value of a CSV or table
(:func:`rounded`) all derive from that one style.

Dutch is Belgian (``1.234,5``, ``12,5 %``, ``31/12/2026``); English writes ``1,234.5``,
``12.5 %`` and dates the Belgian way too. The domain's words (phases of the safety chain,
dimensions, statuses, plans, area levels, source kinds, period types, tests, directions, a
partner's part in an objective, the names of an objective's fields) are tables of
``{key: {"nl": ..., "en": ...}}``, read with :func:`pick`. A measure kind's own words (its name
and what it measures) are part of its registration, next to its computation.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from zoneinfo import ZoneInfo

LANGS = ("nl", "en")
#: The languages by their English names, as the audit log (written in English) names them: a
#: bare code such as "en" would read as the Dutch word on the Beheer page.
LANGUAGE_NAMES: dict[str, str] = {"nl": "Dutch", "en": "English"}
#: A text in both languages.
Text = Mapping[str, str]
#: Shown for a missing value (never NaN or "inf").
MISSING = "–"


def pick(table: Mapping[str, Text], key: str | None, lang: str) -> str:
    """``table[key]`` in ``lang`` (Dutch when that language is missing; the key when the
    table does not know it)."""
    entry = table.get(key or "")
    if entry is None:
        return key or ""
    return entry.get(lang) or entry.get("nl") or (key or "")


def in_lang(text: Text | None, lang: str) -> str:
    """A ``{nl, en}`` text (a dict or an object with ``nl``/``en``) in ``lang``."""
    if not text:
        return ""
    if isinstance(text, Mapping):
        return text.get(lang) or text.get("nl") or ""
    return getattr(text, lang, None) or getattr(text, "nl", "") or ""


# -- numbers and dates --------------------------------------------------------------------------

MONTHS = {
    "nl": ["jan", "feb", "mrt", "apr", "mei", "jun", "jul", "aug", "sep", "okt", "nov", "dec"],
    "en": ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"],
}


def finite(value: object) -> bool:
    """Whether ``value`` is a real number to show (not None, NaN, infinite or a bool)."""
    return (isinstance(value, int | float) and not isinstance(value, bool)
            and math.isfinite(value))


def number(value: float | int | None, decimals: int = 0, lang: str = "nl") -> str:
    """A number: ``87.332`` and ``12,5`` in Dutch (Belgian), ``87,332`` and ``12.5`` in English."""
    if not finite(value):
        return MISSING
    text = f"{value:,.{decimals}f}"
    if text.lstrip("-").strip("0.,") == "":
        text = text.lstrip("-")  # no "-0,0"
    if lang == "nl":
        text = text.replace(",", "\u202f").replace(".", ",").replace("\u202f", ".")
    return text


def percent(value: float | None, decimals: int = 0, lang: str = "nl", signed: bool = False) -> str:
    """A fraction as a percentage with a space before the sign: ``-18 %``, ``12,5 %``."""
    if not finite(value):
        return MISSING
    text = number(100 * value, decimals, lang)
    if signed and value > 0 and text.strip("0,.") != "":
        text = "+" + text
    return f"{text} %"


def signed(text: str, value: float) -> str:
    """``text`` with a ``+`` before it when ``value`` is above zero and the text is not 0."""
    return "+" + text if value > 0 and text.strip("0,.– %") else text


def p_value(p: float | None, lang: str = "nl") -> str:
    """A p-value as ``p = 0,003`` or ``p < 0,001``."""
    if not finite(p):
        return MISSING
    if p < 0.001:
        return f"p < {number(0.001, 3, lang)}"
    return f"p = {number(p, 3 if p < 0.1 else 2, lang)}"


#: The time zone dates and times are shown in (stored times are UTC).
LOCAL_ZONE = "Europe/Brussels"


def between(low: str, high: str, lang: str = "nl") -> str:
    """A margin of error in words: ``tussen 38 % en 51 %``, ``between 38 % and 51 %``."""
    return f"tussen {low} en {high}" if lang == "nl" else f"between {low} and {high}"


def date(value: dt.date | dt.datetime | str | None) -> str:
    """A date as dd/mm/yyyy (with the time for a date-time, in Belgian time), the Belgian way in
    both languages; an ISO date or date-time text is read first (``2026-12-04T12:25:01Z`` reads
    ``04/12/2026 13:25``)."""
    if isinstance(value, str):
        text = value.strip()
        try:
            value = (dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
                     if len(text) > 10 else dt.date.fromisoformat(text))
        except ValueError:
            return value
    if value is None:
        return MISSING
    if isinstance(value, dt.datetime):
        if value.tzinfo is not None:
            value = value.astimezone(ZoneInfo(LOCAL_ZONE))
        return value.strftime("%d/%m/%Y %H:%M")
    return value.strftime("%d/%m/%Y")


def month(value: dt.date, lang: str = "nl") -> str:
    """A month as ``okt 2026`` / ``Oct 2026``."""
    return f"{MONTHS[lang][value.month - 1]} {value.year}"


def period(text: str | None, lang: str = "nl") -> str:
    """A stored period as people read it: ``2025``, ``2025-K1`` (``2025-Q1`` in English),
    ``mrt 2025`` for ``2025-03``
    and ``nov 2025 – okt 2026`` for the 12-month window ``2025-11/2026-10``."""
    if not text:
        return MISSING
    m = re.fullmatch(r"(\d{4})-(\d{2})/(\d{4})-(\d{2})", text)
    if m:
        y1, m1, y2, m2 = (int(x) for x in m.groups())
        return f"{month(dt.date(y1, m1, 1), lang)} – {month(dt.date(y2, m2, 1), lang)}"
    m = re.fullmatch(r"(\d{4})-(\d{2})", text)
    if m:
        return month(dt.date(int(m[1]), int(m[2]), 1), lang)
    m = re.fullmatch(r"(\d{4})-Q([1-4])", text)
    if m:
        return quarter(int(m[1]), int(m[2]), lang)
    return text


def quarter(year: int, number_: int, lang: str = "nl") -> str:
    """A quarter the Belgian way: ``2026-K3`` in Dutch, ``2026-Q3`` in English."""
    return f"{year}-{'K' if lang == 'nl' else 'Q'}{number_}"


# -- values: one rule per style ---------------------------------------------------------------


@dataclass(frozen=True)
class ValueStyle:
    """How the values of one kind read: ``decimals`` after the separator (of the percentage
    when ``percent``); ``whole`` values show no decimals (a count that happens to be a mean of
    counts shows one)."""

    name: str
    decimals: int
    percent: bool = False
    whole: bool = False
    signed: bool = False

    def places(self, value: float | None = None) -> int:
        """The decimals shown for ``value``."""
        if self.whole:
            return 0 if value is None or abs(value - round(value)) <= 1e-9 * max(1, abs(value)) \
                else 1
        if self.signed and value is not None and float(round(100 * value, 9)).is_integer():
            return 0
        return self.decimals

    def text(self, value: float | None, lang: str = "nl") -> str:
        """``value`` as people read it."""
        if not finite(value):
            return MISSING
        if self.percent:
            return percent(value, self.places(value), lang, signed=self.signed)
        return number(value, self.places(value), lang)

    def excel(self, value: float | None = None) -> str:
        """The Excel number format showing the same digits as :meth:`text` (Excel shows the
        reader's own separators)."""
        places = self.places(value)
        fraction = "." + "0" * places if places else ""
        if self.percent:
            body = f"0{fraction}%"
            return f"+{body};-{body};{body}" if self.signed else body
        return f"#,##0{fraction}"

    @property
    def max_places(self) -> int:
        """The most decimals a value of this style is rounded to (of the fraction, for a
        percentage)."""
        return max(self.decimals, 1 if self.whole else 0) + (2 if self.percent else 0)

    def rounded(self, value: float | None) -> float | None:
        """``value`` rounded to the digits shown (for CSV files and tables)."""
        if not finite(value):
            return None
        places = self.places(value) + (2 if self.percent else 0)
        out = round(float(value), places)
        return int(out) if places == 0 else out


STYLES: dict[str, ValueStyle] = {s.name: s for s in [
    ValueStyle("whole", 0, whole=True),
    ValueStyle("decimal1", 1),
    ValueStyle("decimal2", 2),
    ValueStyle("percent1", 1, percent=True),
    ValueStyle("change", 1, percent=True, signed=True),
]}
#: The style of a value whose indicator is unknown.
DEFAULT_STYLE = "decimal1"
#: A numerator, denominator or n: whole when whole, else one decimal (weighted sums).
AMOUNT = STYLES["whole"]
#: A relative change (a target's ``change``): ``-15 %``, ``+12,5 %``.
CHANGE = STYLES["change"]
EXCEL_DATE = "dd/mm/yyyy"
EXCEL_DATETIME = "dd/mm/yyyy hh:mm"
EXCEL_INT = "#,##0"


def style(name: str) -> ValueStyle:
    """The style called ``name``; KeyError names the known ones."""
    try:
        return STYLES[name]
    except KeyError:
        raise KeyError(f"unknown value style '{name}' (one of {', '.join(STYLES)})") from None


def value_text(value: float | None, style_name: str, lang: str = "nl") -> str:
    """A value of the given style as people read it (see :class:`ValueStyle`)."""
    return style(style_name).text(value, lang)


def excel_format(style_name: str, value: float | None = None) -> str:
    """The Excel number format of a value of the given style."""
    return style(style_name).excel(value)


def rounded(value: float | None, style_name: str) -> float | None:
    """A value rounded to the digits its style shows."""
    return style(style_name).rounded(value)


def amount(value: float | None, lang: str = "nl") -> str:
    """A numerator, denominator or n (see :data:`AMOUNT`)."""
    return AMOUNT.text(value, lang)


# -- the words of the domain --------------------------------------------------------------------

#: The phases of the safety chain, in the chain's order.
PHASES: dict[str, Text] = {
    "proactie": {"nl": "Proactie", "en": "Proaction"},
    "preparatie": {"nl": "Preparatie", "en": "Preparation"},
    "preventie": {"nl": "Preventie", "en": "Prevention"},
    "reactie": {"nl": "Reactie", "en": "Reaction"},
    "nazorg": {"nl": "Nazorg", "en": "Follow-up"},
}

DIMENSIONS: dict[str, Text] = {
    "criminaliteit": {"nl": "Criminaliteit", "en": "Crime"},
    "overlast": {"nl": "Overlast", "en": "Nuisance"},
    "onveiligheidsgevoel": {"nl": "Onveiligheidsgevoel", "en": "Feeling of insecurity"},
    "andere": {"nl": "Andere", "en": "Other"},
}

#: An objective's status, in the order the overview shows them.
STATUSES: dict[str, Text] = {
    "achieved": {"nl": "behaald", "en": "achieved"},
    "on_track": {"nl": "op koers", "en": "on track"},
    "at_risk": {"nl": "risico", "en": "at risk"},
    "off_track": {"nl": "niet op koers", "en": "off track"},
    "insufficient_data": {"nl": "onvoldoende gegevens", "en": "insufficient data"},
}
#: The Open SDG progress categories (the progress measure of an objective's method).
PROGRESS_CATEGORIES: dict[str, Text] = {
    "target_achieved": {"nl": "doel bereikt", "en": "target achieved"},
    "substantial": {"nl": "aanzienlijke vooruitgang", "en": "substantial progress"},
    "moderate": {"nl": "matige vooruitgang", "en": "moderate progress"},
    "limited": {"nl": "beperkte vooruitgang", "en": "limited progress"},
    "deterioration": {"nl": "achteruitgang", "en": "deterioration"},
    "insufficient_data": STATUSES["insufficient_data"],
}
#: Symbols that carry the status without colour.
STATUS_SYMBOLS: dict[str, str] = {
    "achieved": "✔", "on_track": "▲", "at_risk": "◆", "off_track": "✖",
    "insufficient_data": "?",
}
#: Words that qualify a status (never a status of their own; ``docs/methods.md``, section 3).
QUALIFIERS: dict[str, Text] = {
    "within_noise": {"nl": "niet te onderscheiden van toeval", "en": "within noise"},
    "no_test": {"nl": "geen toets mogelijk", "en": "no test possible"},
    "worsened": {"nl": "wordt slechter", "en": "getting worse"},
    "kept": {"nl": "gehandhaafd", "en": "kept"},
}

PLANS: dict[str, Text] = {
    "LIVP": {"nl": "LIVP", "en": "LIVP"},
    "ZVP": {"nl": "ZVP", "en": "ZVP"},
    "both": {"nl": "LIVP en ZVP", "en": "LIVP and ZVP"},
}
#: The plans with what their letters stand for (filters, help).
PLANS_LONG: dict[str, Text] = {
    "LIVP": {"nl": "LIVP (lokaal integraal veiligheidsplan)",
             "en": "LIVP (local integral safety plan)"},
    "ZVP": {"nl": "ZVP (zonaal veiligheidsplan)", "en": "ZVP (police zone safety plan)"},
    "both": {"nl": "beide plannen (gedeeld)", "en": "both plans (shared)"},
}

#: Area levels, coarse to fine (then the levels of other countries' open data).
LEVELS: dict[str, Text] = {
    "gemeente": {"nl": "gemeente", "en": "municipality"},
    "deelgemeente": {"nl": "deelgemeente", "en": "former municipality"},
    "wijk": {"nl": "wijk", "en": "neighbourhood"},
    "project": {"nl": "projectgebied", "en": "project area"},
    "sector": {"nl": "statistische sector", "en": "statistical sector"},
    "district": {"nl": "district", "en": "district"},
    "ward": {"nl": "ward", "en": "ward"},
}

#: What can be loaded (``ivm load KIND``); the fact kinds are also the indicators' sources.
SOURCE_KINDS: dict[str, Text] = {
    "areas": {"nl": "gebieden", "en": "areas"},
    "population": {"nl": "bevolking", "en": "population"},
    "day_population": {"nl": "dagbevolking en bezoekers", "en": "day population and visitors"},
    "incidents": {"nl": "incidenten", "en": "incidents"},
    "nuisance": {"nl": "overlast", "en": "nuisance"},
    "survey": {"nl": "bevraging", "en": "survey"},
    "activities": {"nl": "partneractiviteiten", "en": "partner activities"},
    "events": {"nl": "evenementen", "en": "events"},
    "plan": {"nl": "plan", "en": "plan"},
    "partners": {"nl": "partnerregister", "en": "partner register"},
}

#: The sources as people name them (a load's ``source``); an unknown source shows as stored.
SOURCE_NAMES: dict[str, Text] = {
    "areas": {"nl": "gebiedsindeling", "en": "area boundaries"},
    "population": {"nl": "bevolkingscijfers", "en": "population figures"},
    "events": {"nl": "evenementenkalender", "en": "events calendar"},
    "day_population": {"nl": "dagbevolking en bezoekers", "en": "day population and visitors"},
    "politie": {"nl": "politiezone: geregistreerde feiten", "en": "police zone: recorded offences"},
    "meldingen": {"nl": "stad: meldingen van overlast", "en": "city: nuisance reports"},
    "veiligheidsmonitor": {"nl": "veiligheidsmonitor: bevraging", "en": "safety survey"},
    "partners": {"nl": "partners: activiteiten", "en": "partners: activities"},
    "canonical": {"nl": "het plan (eigen formaat)", "en": "the plan (own format)"},
}

#: The warehouse's tables as the export page offers them: a name and a one-line description.
TABLES: dict[str, dict[str, Text]] = {
    "indicator_value": {
        "name": {"nl": "Cijfers per indicator", "en": "Figures per indicator"},
        "about": {"nl": "Elke indicator per gebied en periode, met teller, noemer en marge.",
                  "en": "Every indicator per area and period, with numerator, denominator and "
                        "margin."}},
    "objective_progress": {
        "name": {"nl": "Voortgang van de doelstellingen",
                 "en": "Progress of the objectives"},
        "about": {"nl": "Per doelstelling: basiswaarde, doel, huidige waarde, status en "
                        "toelichting.",
                  "en": "Per objective: baseline, target, current value, status and reason."}},
    "objective": {
        "name": {"nl": "Doelstellingen van het plan", "en": "The plan's objectives"},
        "about": {"nl": "Titel, fase, eigenaar, partners, gebied en doel van elke "
                        "doelstelling.",
                  "en": "Title, phase, owner, partners, area and target of every objective."}},
    "plan_version": {
        "name": {"nl": "Versies van het plan", "en": "Versions of the plan"},
        "about": {"nl": "Welke versie van het plan geldt, en wanneer ze is goedgekeurd.",
                  "en": "Which version of the plan applies, and when it was approved."}},
    "indicator": {
        "name": {"nl": "Indicatoren", "en": "Indicators"},
        "about": {"nl": "Wat elke indicator meet, in welke eenheid en uit welke bron.",
                  "en": "What each indicator measures, in which unit and from which source."}},
    "area": {
        "name": {"nl": "Gebieden", "en": "Areas"},
        "about": {"nl": "De stad, deelgemeenten, wijken en sectoren, met hun grenzen.",
                  "en": "The city, its districts, neighbourhoods and sectors, with their "
                        "boundaries."}},
    "area_link": {
        "name": {"nl": "Gebieden in elkaar", "en": "Areas within areas"},
        "about": {"nl": "Welk gebied in welk groter gebied ligt.",
                  "en": "Which area lies in which larger area."}},
    "area_population": {
        "name": {"nl": "Inwoners en huishoudens per gebied",
                 "en": "Inhabitants and households per area"},
        "about": {"nl": "Per gebied en jaar: het aantal inwoners en huishoudens.",
                  "en": "Per area and year: the number of inhabitants and households."}},
    "population": {
        "name": {"nl": "Bevolkingscijfers zoals geladen", "en": "Population figures as loaded"},
        "about": {"nl": "De bevolkingscijfers per sector zoals de bron ze gaf.",
                  "en": "The population figures per sector as the source gave them."}},
    "category_map": {
        "name": {"nl": "Indeling van de feiten", "en": "Classification of offences"},
        "about": {"nl": "Hoe elke categorie van een bron in de eigen indeling valt.",
                  "en": "How each category of a source maps to the monitor's own."}},
    "compstat": {
        "name": {"nl": "Vergelijking met vorige periodes (CompStat)",
                 "en": "Comparison with earlier periods (CompStat)"},
        "about": {"nl": "Aantallen nu en in dezelfde periode ervoor, per gebied en categorie.",
                  "en": "Counts now and in the same period before, per area and category."}},
    "source_coverage": {
        "name": {"nl": "Periode per bron", "en": "Period per source"},
        "about": {"nl": "Van wanneer tot wanneer elke bron gegevens heeft.",
                  "en": "From when to when each source has data."}},
    "survey_question": {
        "name": {"nl": "Vragen van de bevraging", "en": "Survey questions"},
        "about": {"nl": "De vragen van de veiligheidsbevraging.",
                  "en": "The questions of the safety survey."}},
    "refresh_log": {
        "name": {"nl": "Berekeningen", "en": "Computations"},
        "about": {"nl": "Wanneer de resultaten berekend zijn, en met welke catalogus.",
                  "en": "When the results were computed, and with which catalogue."}},
    "incident": {
        "name": {"nl": "Geregistreerde feiten (per feit)", "en": "Recorded offences (each)"},
        "about": {"nl": "Elk feit van de politie, zonder persoonsgegevens.",
                  "en": "Every offence recorded by the police, without personal data."}},
    "nuisance": {
        "name": {"nl": "Meldingen van overlast (per melding)",
                 "en": "Nuisance reports (each)"},
        "about": {"nl": "Elke melding van overlast bij de stad, zonder persoonsgegevens.",
                  "en": "Every nuisance report to the city, without personal data."}},
    "survey_response": {
        "name": {"nl": "Antwoorden op de bevraging (per persoon)",
                 "en": "Survey responses (each respondent)"},
        "about": {"nl": "Per anonieme respondent: golf, gebied, gewicht en leeftijdsgroep.",
                  "en": "Per anonymous respondent: wave, area, weight and age group."}},
    "survey_answer": {
        "name": {"nl": "Antwoorden per vraag", "en": "Answers per question"},
        "about": {"nl": "Het antwoord van elke anonieme respondent op elke vraag.",
                  "en": "Every anonymous respondent's answer to every question."}},
    "activity": {
        "name": {"nl": "Activiteiten van partners", "en": "Partners' activities"},
        "about": {"nl": "Elke geregistreerde activiteit van een partner.",
                  "en": "Every recorded activity of a partner."}},
    "quarantine": {
        "name": {"nl": "Rijen in quarantaine", "en": "Quarantined rows"},
        "about": {"nl": "Rijen die bij het laden geweigerd zijn, met de reden.",
                  "en": "Rows refused while loading, with the reason."}},
    "load_log": {
        "name": {"nl": "Laadlogboek", "en": "Load log"},
        "about": {"nl": "Welke bestanden geladen zijn, wanneer en met welk resultaat.",
                  "en": "Which files were loaded, when and with what outcome."}},
}


#: The one line that says what an ``x`` in place of a figure means, wherever one appears.
SUPPRESSED_NOTE: Text = {
    "nl": "x = niet getoond: een klein aantal, of een cijfer waaruit een klein aantal af te "
          "leiden is (ter bescherming van de privacy).",
    "en": "x = not shown: a small number, or a figure from which a small number could be "
          "worked out (to protect privacy).",
}


#: The language people write in where the app keeps their own words (owners' updates): the
#: city's. Pages mark such text with it (``lang``, WCAG 3.1.2) when they speak the other one.
WRITTEN_IN = "nl"


#: Who approves a plan, as the plan names them (``approved_by``); others show as written.
APPROVERS: dict[str, Text] = {
    "gemeenteraad": {"nl": "gemeenteraad", "en": "city council"},
    "college": {"nl": "college van burgemeester en schepenen",
                "en": "board of mayor and aldermen"},
    "college van burgemeester en schepenen": {"nl": "college van burgemeester en schepenen",
                                              "en": "board of mayor and aldermen"},
    "burgemeester": {"nl": "burgemeester", "en": "mayor"},
    "zoneraad": {"nl": "politieraad", "en": "police council"},
    "politieraad": {"nl": "politieraad", "en": "police council"},
}


def approver(name: str | None, lang: str) -> str:
    """Who approved the plan, in ``lang`` when the vocabulary knows the body."""
    if not name:
        return ""
    return pick(APPROVERS, name.strip().lower(), lang) if name.strip().lower() in APPROVERS \
        else name


#: The events of the audit log, as the Beheer page names them.
AUDIT_EVENTS: dict[str, Text] = {
    "login": {"nl": "aangemeld", "en": "signed in"},
    "login_failed": {"nl": "aanmelden mislukt", "en": "sign-in failed"},
    "login_blocked": {"nl": "aanmelden geblokkeerd", "en": "sign-in blocked"},
    "logout": {"nl": "afgemeld", "en": "signed out"},
    "access_denied": {"nl": "toegang geweigerd", "en": "access refused"},
    "export": {"nl": "gegevens gedownload", "en": "data downloaded"},
    "load": {"nl": "gegevens geladen", "en": "data loaded"},
    "load_failed": {"nl": "laden mislukt", "en": "load failed"},
    "user_added": {"nl": "gebruiker toegevoegd", "en": "user added"},
    "user_disabled": {"nl": "gebruiker uitgeschakeld", "en": "user disabled"},
    "user_enabled": {"nl": "gebruiker ingeschakeld", "en": "user enabled"},
    "password_changed": {"nl": "wachtwoord gewijzigd", "en": "password changed"},
    "pack_frozen": {"nl": "raadsdossier bevroren", "en": "council pack frozen"},
    "pack_replaced": {"nl": "raadsdossier vervangen", "en": "council pack replaced"},
    "alert_closed": {"nl": "signaal afgesloten", "en": "alert closed"},
}

#: Plotly's own words in Dutch (its ``nl`` locale: the toolbar, its notes, month names and
#: number formats on the axes), passed to every chart in its configuration.
PLOTLY_NL: dict[str, dict] = {
    "dictionary": {
        "Autoscale": "Automatisch schalen",
        "Box Select": "Rechthoek selecteren",
        "Click to enter Plot title": "Klik om een titel in te vullen",
        "Compare data on hover": "Vergelijk de gegevens onder de muis",
        "Double-click to zoom back out": "Dubbelklik om uit te zoomen",
        "Download plot as a PNG": "Grafiek bewaren als PNG",
        "Download plot": "Grafiek bewaren",
        "Lasso Select": "Lasso-selectie",
        "Pan": "Verschuiven",
        "Produced with Plotly.js": "Gemaakt met Plotly.js",
        "Reset axes": "Assen herstellen",
        "Reset view": "Beeld herstellen",
        "Show closest data on hover": "Toon de dichtste gegevens onder de muis",
        "Snapshot succeeded": "Afbeelding gemaakt",
        "Taking snapshot - this may take a few seconds": "Afbeelding wordt gemaakt, even geduld",
        "Toggle Spike Lines": "Hulplijnen aan of uit",
        "Toggle show closest data on hover": "Dichtste gegevens onder de muis aan of uit",
        "Zoom": "Inzoomen op een gebied",
        "Zoom in": "Inzoomen",
        "Zoom out": "Uitzoomen",
        "max:": "maximum:",
        "mean:": "gemiddelde:",
        "median:": "mediaan:",
        "min:": "minimum:",
        "new text": "nieuwe tekst",
        "trace": "reeks",
    },
    "format": {
        "days": ["zondag", "maandag", "dinsdag", "woensdag", "donderdag", "vrijdag",
                 "zaterdag"],
        "shortDays": ["zo", "ma", "di", "wo", "do", "vr", "za"],
        "months": ["januari", "februari", "maart", "april", "mei", "juni", "juli", "augustus",
                   "september", "oktober", "november", "december"],
        "shortMonths": ["jan", "feb", "mrt", "apr", "mei", "jun", "jul", "aug", "sep", "okt",
                        "nov", "dec"],
        "date": "%d/%m/%Y",
        "decimal": ",",
        "thousands": ".",
        "year": "%Y",
        "month": "%b %Y",
        "dayMonth": "%-d %b",
        "dayMonthYear": "%-d %b %Y",
    },
}


def plotly_locale(lang: str) -> dict:
    """A chart's language settings for Plotly: ``{"locale": "nl", "locales": {...}}``."""
    if lang == "nl":
        return {"locale": "nl", "locales": {"nl": PLOTLY_NL}}
    return {"locale": "en"}


LOAD_OUTCOMES: dict[str, Text] = {
    "loaded": {"nl": "✔ geladen", "en": "✔ loaded"},
    "unchanged": {"nl": "＝ ongewijzigd", "en": "＝ unchanged"},
    "rejected": {"nl": "✖ geweigerd", "en": "✖ rejected"},
}

#: How a load read its file (``load_log.profile``); a source's own profile shows as named.
LOAD_PROFILES: dict[str, Text] = {
    "canonical": {"nl": "eigen formaat", "en": "own format"},
}

#: An indicator's period types.
PERIOD_TYPES: dict[str, Text] = {
    "year": {"nl": "kalenderjaar", "en": "calendar year"},
    "quarter": {"nl": "kwartaal", "en": "quarter"},
    "month": {"nl": "maand", "en": "month"},
    "r12": {"nl": "12 maanden (voortschrijdend)", "en": "12 months (rolling)"},
    "ytd": {"nl": "jaar tot nu", "en": "year to date"},
}
#: The kinds of point in an objective's series.
SERIES_KINDS: dict[str, Text] = {
    "year": {"nl": "kalenderjaar", "en": "calendar year"},
    "wave": {"nl": "bevragingsgolf", "en": "survey wave"},
    "window": {"nl": "laatste 12 maanden", "en": "last 12 months"},
}

DIRECTIONS: dict[str, Text] = {
    "lower": {"nl": "lager", "en": "lower"},
    "higher": {"nl": "hoger", "en": "higher"},
}
POPULATIONS: dict[str, Text] = {
    "inhabitants": {"nl": "inwoners", "en": "inhabitants"},
    "households": {"nl": "huishoudens", "en": "households"},
}

#: The statistical tests, by the id a status record carries in ``test``.
TESTS: dict[str, Text] = {
    "poisson_exact": {"nl": "exacte toets van twee Poisson-tarieven",
                      "en": "exact test of two Poisson rates"},
    "share_z": {"nl": "z-toets van twee aandelen (Kish effectieve n)",
                "en": "z-test of two shares (Kish effective n)"},
    "welch_t": {"nl": "Welch t-toets (effectieve n)", "en": "Welch t-test (effective n)"},
    "none": {"nl": "geen (geen ruismodel)", "en": "none (no noise model)"},
}

#: What comparing an area with the rest of its city says (:mod:`indicators.compare`).
COMPARISONS: dict[str, Text] = {
    "higher": {"nl": "hoger ▲", "en": "higher ▲"},
    "lower": {"nl": "lager ▼", "en": "lower ▼"},
    "same": {"nl": "niet te onderscheiden ≈", "en": "indistinguishable ≈"},
    "na": {"nl": "n.v.t.", "en": "n/a"},
    "insufficient": {"nl": "onvoldoende gegevens ?", "en": "insufficient data ?"},
}
#: What an area is compared with.
AGAINST: dict[str, Text] = {
    "rest": {"nl": "tegenover de rest van de stad", "en": "against the rest of the city"},
}

#: A partner's part in an objective.
PARTNER_ROLES: dict[str, Text] = {
    "owner": {"nl": "eigenaar", "en": "owner"},
    "contributing": {"nl": "bijdragend", "en": "contributing"},
}

#: The names of an objective's and an indicator's fields, as headings and labels.
FIELDS: dict[str, Text] = {
    "id": {"nl": "Id", "en": "Id"},
    "objective": {"nl": "Doelstelling", "en": "Objective"},
    "plan": {"nl": "Plan", "en": "Plan"},
    "phase": {"nl": "Fase", "en": "Phase"},
    "dimension": {"nl": "Dimensie", "en": "Dimension"},
    "owner": {"nl": "Eigenaar", "en": "Owner"},
    "partners": {"nl": "Partners", "en": "Partners"},
    "indicator": {"nl": "Indicator", "en": "Indicator"},
    "unit": {"nl": "Eenheid", "en": "Unit"},
    "area": {"nl": "Gebied", "en": "Area"},
    "area_code": {"nl": "Gebiedscode", "en": "Area code"},
    "level": {"nl": "Niveau", "en": "Level"},
    "period": {"nl": "Periode", "en": "Period"},
    "baseline": {"nl": "Basiswaarde", "en": "Baseline"},
    "baseline_period": {"nl": "Basisperiode", "en": "Baseline period"},
    "target": {"nl": "Doel", "en": "Target"},
    "deadline": {"nl": "Deadline", "en": "Deadline"},
    "current": {"nl": "Huidige waarde", "en": "Current value"},
    "value": {"nl": "Waarde", "en": "Value"},
    "status": {"nl": "Status", "en": "Status"},
    "symbol": {"nl": "Symbool", "en": "Symbol"},
    "chance": {"nl": "Kans om het doel te halen", "en": "Chance of reaching the target"},
    "reason": {"nl": "Toelichting", "en": "Reason"},
    "numerator": {"nl": "Teller", "en": "Numerator"},
    "denominator": {"nl": "Noemer", "en": "Denominator"},
    "interval": {"nl": "95 %-interval", "en": "95 % interval"},
    "ci_low": {"nl": "Ondergrens 95 %", "en": "Lower 95 %"},
    "ci_high": {"nl": "Bovengrens 95 %", "en": "Upper 95 %"},
    "n_eff": {"nl": "Effectieve n", "en": "Effective n"},
    "source": {"nl": "Bron", "en": "Source"},
    "measure": {"nl": "Maat", "en": "Measure"},
    "test": {"nl": "Toets", "en": "Test"},
    "direction": {"nl": "Beter", "en": "Better"},
    "cutoff": {"nl": "Gegevens tot", "en": "Data up to"},
    "as_of": {"nl": "Stand op", "en": "As of"},
}


def status_text(status: str, lang: str) -> str:
    """A status as symbol and words: ``▲ op koers``."""
    return f"{STATUS_SYMBOLS[status]} {pick(STATUSES, status, lang)}"


# -- the steering cycle: partners, actions, owners' updates, the reporting calendar ------------

#: The kinds of partner in the partner register.
PARTNER_KINDS: dict[str, Text] = {
    "police_zone": {"nl": "politiezone", "en": "police zone"},
    "city_service": {"nl": "stadsdienst", "en": "city service"},
    "external": {"nl": "externe partner", "en": "external partner"},
}
#: The level of government (or of the network) a partner belongs to.
PARTNER_LEVELS: dict[str, Text] = {
    "local": {"nl": "lokaal", "en": "local"},
    "provincial": {"nl": "provinciaal", "en": "provincial"},
    "flemish": {"nl": "Vlaams", "en": "Flemish"},
    "federal": {"nl": "federaal", "en": "federal"},
}
#: An action's states, in the order an action goes through them.
ACTION_STATES: dict[str, Text] = {
    "planned": {"nl": "gepland", "en": "planned"},
    "ongoing": {"nl": "lopend", "en": "ongoing"},
    "done": {"nl": "afgerond", "en": "done"},
    "postponed": {"nl": "uitgesteld", "en": "postponed"},
    "cancelled": {"nl": "geschrapt", "en": "cancelled"},
}
#: Symbols that carry an action's state without colour.
ACTION_SYMBOLS: dict[str, str] = {
    "planned": "○", "ongoing": "◐", "done": "●", "postponed": "◷", "cancelled": "⊘",
}
#: An owner's own judgement of an objective: three of the statuses, in the owner's words.
JUDGEMENTS: dict[str, Text] = {k: STATUSES[k] for k in ("on_track", "at_risk", "off_track")}
#: How often owners report on their objectives.
REPORTING_FREQUENCIES: dict[str, Text] = {
    "month": {"nl": "maandelijks", "en": "monthly"},
    "quarter": {"nl": "per kwartaal", "en": "quarterly"},
    "half_year": {"nl": "per halfjaar", "en": "half-yearly"},
    "year": {"nl": "jaarlijks", "en": "yearly"},
}
#: What needs the mayor's attention (the overview's list), most urgent first.
ATTENTION_KINDS: dict[str, Text] = {
    "worse": {"nl": "slechter sinds de vorige rapportering",
              "en": "worse since the last reporting period"},
    "off_track": {"nl": "niet op koers", "en": "off track"},
    "at_risk": {"nl": "risico", "en": "at risk"},
    "disagrees": {"nl": "eigen oordeel wijkt af van de cijfers",
                  "en": "own judgement differs from the data"},
    "missing_update": {"nl": "update ontbreekt", "en": "update missing"},
    "overdue_action": {"nl": "actie over tijd", "en": "action overdue"},
    "alert": {"nl": "signaal in een wijk", "en": "alert in a neighbourhood"},
}
#: The words of the steering cycle (owners' updates, actions, the council pack).
STEERING: dict[str, Text] = {
    "done": {"nl": "Wat werd gedaan", "en": "What was done"},
    "next": {"nl": "Wat volgt", "en": "What is next"},
    "judgement": {"nl": "Eigen oordeel", "en": "Own judgement"},
    "judgement_reason": {"nl": "Waarom", "en": "Why"},
    "computed": {"nl": "Status volgens de cijfers", "en": "Status from the data"},
    "disagrees": {"nl": "wijkt af van de cijfers", "en": "differs from the data"},
    "author": {"nl": "Door", "en": "By"},
    "written_at": {"nl": "Geschreven op", "en": "Written on"},
    "reporting_period": {"nl": "Rapporteringsperiode", "en": "Reporting period"},
    "council_date": {"nl": "Gemeenteraad", "en": "Council meeting"},
    "update_due": {"nl": "Update uiterlijk", "en": "Update due"},
    "update": {"nl": "Update van de eigenaar", "en": "Owner's update"},
    "updates": {"nl": "Updates van de eigenaars", "en": "Owners' updates"},
    "no_update": {"nl": "geen update", "en": "no update"},
    "action": {"nl": "Actie", "en": "Action"},
    "actions": {"nl": "Acties", "en": "Actions"},
    "action_state": {"nl": "Stand", "en": "State"},
    "start": {"nl": "Start", "en": "Start"},
    "due": {"nl": "Einddatum", "en": "Due"},
    "outputs": {"nl": "Output (wat de acties opleveren)", "en": "Outputs (what the actions "
                                                                "produce)"},
    "overdue": {"nl": "over tijd", "en": "overdue"},
    "changes": {"nl": "Wat veranderde sinds de vorige rapportering",
                "en": "What changed since the last reporting period"},
    "no_changes": {"nl": "Geen enkele status veranderde.", "en": "No status changed."},
    "status_before": {"nl": "Status toen", "en": "Status then"},
    "status_now": {"nl": "Status nu", "en": "Status now"},
    "since": {"nl": "sinds", "en": "since"},
    "timeline": {"nl": "Verloop van de status", "en": "Status over time"},
    "missing": {"nl": "ontbreekt", "en": "missing"},
    "written": {"nl": "geschreven", "en": "written"},
    "partner": {"nl": "Partner", "en": "Partner"},
    "partner_kind": {"nl": "Soort", "en": "Kind"},
    "partner_level": {"nl": "Niveau", "en": "Level"},
    "contact": {"nl": "Contactadres", "en": "Contact address"},
    "name_nl": {"nl": "Naam", "en": "Name (Dutch)"},
    "name_en": {"nl": "Naam (Engels)", "en": "Name"},
    "data_version": {"nl": "Gegevensversie", "en": "Data version"},
    "plan_change": {"nl": "Wijziging van het plan", "en": "Change of the plan"},
    "added": {"nl": "toegevoegd", "en": "added"},
    "dropped": {"nl": "geschrapt", "en": "dropped"},
    "changed": {"nl": "gewijzigd", "en": "changed"},
    "in_force": {"nl": "van kracht", "en": "in force"},
    "attention": {"nl": "Vraagt aandacht", "en": "Needs attention"},
    "attention_none": {"nl": "Niets vraagt nu uw aandacht.",
                       "en": "Nothing needs your attention now."},
    "board": {"nl": "Volledigheid van de updates", "en": "Completeness of the updates"},
    "board_none": {"nl": "Het plan heeft geen rapporteringskalender.",
                   "en": "The plan has no reporting calendar."},
    "objectives": {"nl": "Doelstellingen", "en": "Objectives"},
    "objective": {"nl": "Doelstelling", "en": "Objective"},
    "write_update": {"nl": "Update schrijven", "en": "Write an update"},
    "change_action": {"nl": "Stand van een actie wijzigen", "en": "Change an action's state"},
    "note": {"nl": "Toelichting", "en": "Note"},
    "save": {"nl": "Opslaan", "en": "Save"},
    "saved": {"nl": "Opgeslagen.", "en": "Saved."},
    "nothing_to_write": {"nl": "U schrijft voor geen enkele doelstelling van het plan.",
                         "en": "You write for none of the plan's objectives."},
    "owner": {"nl": "Eigenaar", "en": "Owner"},
    "no_history": {"nl": "Nog geen statusgeschiedenis.", "en": "No status history yet."},
    "as_of": {"nl": "Stand op", "en": "As of"},
    "open_page": {"nl": "Opvolging", "en": "Steering"},
    "plan_versions": {"nl": "Versies van het plan", "en": "Versions of the plan"},
    "version": {"nl": "Versie", "en": "Version"},
    "title": {"nl": "Titel", "en": "Title"},
    "approved_on": {"nl": "Goedgekeurd op", "en": "Approved on"},
    "approved_by": {"nl": "Goedgekeurd door", "en": "Approved by"},
    "plan": {"nl": "Plan", "en": "Plan"},
    "no_change": {"nl": "geen wijzigingen", "en": "no changes"},
    "partners_register": {"nl": "Partnerregister", "en": "Partner register"},
    "partner_id": {"nl": "Code", "en": "Id"},
    "active": {"nl": "Actief", "en": "Active"},
    "origin": {"nl": "Herkomst", "en": "Origin"},
    "edit_partner": {"nl": "Partner toevoegen of wijzigen", "en": "Add or change a partner"},
    "outputs_outcome": {"nl": "Wat de acties opleveren, naast de uitkomst",
                        "en": "What the actions produce, next to the outcome"},
    "outcome": {"nl": "uitkomst", "en": "outcome"},
    "year": {"nl": "Jaar", "en": "Year"},
}

#: The words of the council pack (raadsdossier): its PDF's sections and the workbook's extra
#: sheets.
PACK: dict[str, Text] = {
    "title": {"nl": "Raadsdossier", "en": "Council pack"},
    "for_meeting": {"nl": "Gemeenteraad van {d}", "en": "City council of {d}"},
    "contents": {"nl": "Inhoud", "en": "Contents"},
    "summary": {"nl": "Samenvatting", "en": "Summary"},
    "changes": {"nl": "Wat veranderde sinds de vorige gemeenteraad",
                "en": "What changed since the previous council meeting"},
    "changes_since": {"nl": "Sinds de gemeenteraad van {d}.",
                      "en": "Since the council meeting of {d}."},
    "first_meeting": {"nl": "Dit is de eerste gemeenteraad van de rapporteringskalender.",
                      "en": "This is the first council meeting of the reporting calendar."},
    "status_changes": {"nl": "Statussen die veranderden", "en": "Statuses that changed"},
    "targets_revised": {"nl": "Herziene doelen en einddatums", "en": "Targets and deadlines "
                                                                       "revised"},
    "new_actions": {"nl": "Nieuwe acties", "en": "New actions"},
    "completed_actions": {"nl": "Afgeronde acties", "en": "Actions completed"},
    "none": {"nl": "Geen.", "en": "None."},
    "board": {"nl": "Volledigheid van de updates", "en": "Completeness of the updates"},
    "objectives_of": {"nl": "Doelstellingen: {p}", "en": "Objectives: {p}"},
    "values": {"nl": "Waarden per jaar", "en": "Values per year"},
    "method": {"nl": "Methode en bronnen", "en": "Method and sources"},
    "method_text": {
        "nl": "De status van elke doelstelling volgt uit de cijfers, met de regels van de "
              "methode: het werkboek van dit dossier (blad Methode) legt ze per doelstelling "
              "uit, met elke bron en de goedkeuring van het plan.",
        "en": "Each objective's status follows from the data by the rules of the method: this "
              "pack's workbook (sheet Method) explains them per objective, with every source "
              "and the plan's approval.",
    },
    "frozen": {"nl": "Bevroren op {d} door {u}; gegevensversie {v}, cijfers tot {a}.",
               "en": "Frozen on {d} by {u}; data version {v}, figures up to {a}."},
    "frozen_public": {"nl": "Bevroren op {d}; gegevensversie {v}, cijfers tot {a}.",
                      "en": "Frozen on {d}; data version {v}, figures up to {a}."},
    "page": {"nl": "Pagina {n} van {m}", "en": "Page {n} of {m}"},
    "freeze": {"nl": "Raadsdossier bevriezen", "en": "Freeze the council pack"},
    "freeze_help": {
        "nl": "Bevriest het dossier voor een gemeenteraad: het werkboek en de pdf, intern en "
              "publiek, met de gegevensversie van vandaag. Een bevroren dossier blijft "
              "ongewijzigd na nieuwe gegevens.",
        "en": "Freezes the pack for a council meeting: the workbook and the PDF, internal and "
              "public, with today's data version. A frozen pack stays unchanged after new "
              "data.",
    },
    "replace": {"nl": "Het bestaande dossier van deze gemeenteraad vervangen",
                "en": "Replace this meeting's existing pack"},
    "frozen_packs": {"nl": "Bevroren raadsdossiers", "en": "Frozen council packs"},
    "no_packs": {"nl": "Nog geen bevroren raadsdossier.", "en": "No frozen council pack yet."},
    "download_pdf": {"nl": "pdf", "en": "PDF"},
    "download_xlsx": {"nl": "werkboek", "en": "workbook"},
    "meeting": {"nl": "Gemeenteraad", "en": "Council meeting"},
    "kind": {"nl": "Soort", "en": "Kind"},
    "what": {"nl": "Wat", "en": "What"},
    "before": {"nl": "Was", "en": "Was"},
    "after": {"nl": "Wordt", "en": "Becomes"},
    "done_on": {"nl": "Afgerond op", "en": "Done on"},
    "frozen_ok": {"nl": "Het raadsdossier van {d} is bevroren (gegevensversie {v}).",
                  "en": "The council pack of {d} is frozen (data version {v})."},
    "may_not_freeze": {"nl": "Alleen het bestuur en de beheerder bevriezen een raadsdossier.",
                       "en": "Only the bestuur and the beheerder freeze a council pack."},
    "choose_meeting": {"nl": "Kies een gemeenteraad.", "en": "Choose a council meeting."},
    "pack_exists": {"nl": "Het raadsdossier van {d} is al bevroren; het blijft ongewijzigd. "
                          "Vink 'vervangen' aan om het te vervangen.",
                    "en": "The council pack of {d} is frozen already; it stays as it is. Tick "
                          "'replace' to replace it."},
    "pack": {"nl": "Dossier", "en": "Pack"},
    "kind_of_file": {"nl": "Bestand", "en": "File"},
    "download": {"nl": "Raadsdossier downloaden", "en": "Download the council pack"},
    "sheet_changes": {"nl": "Wijzigingen", "en": "Changes"},
    "sheet_updates": {"nl": "Updates", "en": "Updates"},
}


def action_state_key(text: str) -> str:
    """An action's state key from its key or its Dutch or English word (``afgerond`` ->
    ``done``); an unknown text is returned as it is (the model then names the choices)."""
    folded = text.strip().casefold()
    for key, words in ACTION_STATES.items():
        if folded in (key, words["nl"].casefold(), words["en"].casefold()):
            return key
    return text


def reporting_period(key: str | None, lang: str = "nl") -> str:
    """A reporting period as people read it: ``2026-Q3`` -> ``3e kwartaal 2026`` / ``Q3 2026``;
    ``2026-H1`` -> ``1e halfjaar 2026``; a month ``2026-03`` -> ``mrt 2026``; a year as is."""
    if not key:
        return MISSING
    m = re.fullmatch(r"(\d{4})-Q([1-4])", key)
    if m:
        return f"{m[2]}e kwartaal {m[1]}" if lang == "nl" else f"Q{m[2]} {m[1]}"
    m = re.fullmatch(r"(\d{4})-H([12])", key)
    if m:
        return f"{m[2]}e halfjaar {m[1]}" if lang == "nl" else f"H{m[2]} {m[1]}"
    return period(key, lang)
