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

LANGS = ("nl", "en")
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


def date(value: dt.date | dt.datetime | str | None) -> str:
    """A date as dd/mm/yyyy (with the time for a date-time), the Belgian way in both languages;
    an ISO date text is read first."""
    if isinstance(value, str):
        try:
            value = dt.date.fromisoformat(value[:10])
        except ValueError:
            return value
    if value is None:
        return MISSING
    if isinstance(value, dt.datetime):
        return value.strftime("%d/%m/%Y %H:%M")
    return value.strftime("%d/%m/%Y")


def month(value: dt.date, lang: str = "nl") -> str:
    """A month as ``okt 2026`` / ``Oct 2026``."""
    return f"{MONTHS[lang][value.month - 1]} {value.year}"


def period(text: str | None, lang: str = "nl") -> str:
    """A stored period as people read it: ``2025``, ``2025-Q1``, ``mrt 2025`` for ``2025-03``
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
    return text


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
    "incidents": {"nl": "incidenten", "en": "incidents"},
    "nuisance": {"nl": "overlast", "en": "nuisance"},
    "survey": {"nl": "bevraging", "en": "survey"},
    "activities": {"nl": "partneractiviteiten", "en": "partner activities"},
    "plan": {"nl": "plan", "en": "plan"},
}

LOAD_OUTCOMES: dict[str, Text] = {
    "loaded": {"nl": "✔ geladen", "en": "✔ loaded"},
    "unchanged": {"nl": "＝ ongewijzigd", "en": "＝ unchanged"},
    "rejected": {"nl": "✖ geweigerd", "en": "✖ rejected"},
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
