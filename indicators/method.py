"""The method in plain words: the one text that says how an objective's status came about.

The objective page (section "Methode in gewone woorden") and the council workbook's Methode
sheet both render what this module writes, in Dutch or English, so the two can never tell a
different story. Nothing here reads ``docs/``: the text ships with the package.
``docs/methods.md`` holds the formulas and references for analysts.

Three parts:

- :func:`sentences`: the sentences about one objective in one area (its status record, as
  ``ivm status --format json`` gives it, and its indicator): which test decided, its outcome,
  the progress measure, the position on the way to the target and where the trend leads. Each
  sentence is written by one function of :data:`SENTENCES`, in order; a function that has
  nothing to say returns None. To say more, add a function to the list (or insert it where
  it belongs): both surfaces show it at once.
- :data:`STATUS_RULES` and :func:`status_rules`: how a status is decided, rule by rule.
- :data:`TEST_TEXTS` and :func:`test_of`: which test a measure's noise model gets and how that
  test reads.

A record from the public audience has its suppressed figures taken out (``suppressed`` lists
them); the sentences then leave out what would give a small number away.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from core.vocabulary import (
    PROGRESS_CATEGORIES,
    STATUSES,
    Text,
    date,
    number,
    p_value,
    percent,
    pick,
    signed,
)
from indicators.catalog import Indicator

#: The significance level the status uses.
ALPHA = 0.05

#: The test each noise model gets (the id a status record carries in ``test``).
TEST_OF_NOISE: dict[str | None, str] = {
    "poisson": "poisson_exact", "share": "share_z", "mean": "welch_t", None: "none"}

#: What each test does, in a sentence.
TEST_TEXTS: dict[str, Text] = {
    "poisson_exact": {
        "nl": "De toets is de exacte toets voor twee Poisson-tellingen: alle volledige "
              "12-maandperiodes sinds de basisperiode samen tegenover de basisperiode, elk met "
              "hun blootstelling (bij een cijfer per inwoner of huishouden: persoonsjaren).",
        "en": "The test is the exact test for two Poisson counts: every whole 12-month window "
              "since the baseline period, pooled, against the baseline period, each with its "
              "exposure (for a rate per inhabitant or household: person-years)."},
    "share_z": {
        "nl": "De toets is de z-toets voor twee aandelen, tussen de laatste meting en de "
              "basisperiode, op de effectieve steekproefgrootte (Kish).",
        "en": "The test is the two-proportion z-test between the latest measurement and the "
              "baseline period, on the effective sample size (Kish)."},
    "welch_t": {
        "nl": "De toets is Welch' t-toets voor twee gemiddelden, op de effectieve "
              "steekproefgrootte.",
        "en": "The test is Welch's t-test for two means, on the effective sample size."},
    "none": {
        "nl": "Er is geen toets: geregistreerde prestaties en medianen hebben geen ruismodel.",
        "en": "There is no test: registered outputs and medians have no noise model."},
    "missing": {"nl": "Er is geen toets: onvoldoende gegevens.",
                "en": "There is no test: insufficient data."},
}

#: How a status is decided: the first rule that applies, in this order.
STATUS_RULES: list[tuple[str, Text]] = [
    ("insufficient_data", {
        "nl": "geen basiswaarde of huidige waarde, of minder respondenten of feiten achter een "
              "aandeel, gemiddelde of mediaan dan het minimum van de indicator; een klein "
              "aantal is geen gebrek aan gegevens (nul inbraken is een waarde).",
        "en": "no baseline or no current value, or fewer respondents or facts behind a share, "
              "mean or median than the indicator's minimum; a small count is not a lack of "
              "data (zero burglaries is a value)."}),
    ("achieved", {
        "nl": "de huidige waarde haalt het doel en de verandering is echt: significant, of de "
              "maat heeft geen ruismodel (geregistreerde prestaties, medianen), of de "
              "basiswaarde haalde het doel al en het niveau blijft behouden.",
        "en": "the current value meets the target and the change is real: significant, or the "
              "measure has no noise model (registered outputs, medians), or the baseline "
              "already met the target and the level is kept."}),
    ("within_noise", {
        "nl": "de maat heeft een ruismodel en de verandering sinds de basisperiode is niet "
              "significant (p ≥ 0,05).",
        "en": "the measure has a noise model and the change since the baseline is not "
              "significant (p ≥ 0.05)."}),
    ("on_track", {
        "nl": "de waargenomen jaarlijkse verandering is minstens 0,95 keer de nodige.",
        "en": "the observed yearly change is at least 0.95 times the one needed."}),
    ("at_risk", {
        "nl": "die verhouding ligt tussen 0,6 en 0,95.",
        "en": "that ratio lies between 0.6 and 0.95."}),
    ("off_track", {
        "nl": "die verhouding is kleiner dan 0,6, ook bij achteruitgang.",
        "en": "that ratio is below 0.6, including deterioration."}),
]


def status_rules(lang: str) -> list[tuple[str, str]]:
    """The status rules in ``lang`` as (status in words, rule), in the order they apply."""
    return [(pick(STATUSES, status, lang), rule.get(lang) or rule["nl"])
            for status, rule in STATUS_RULES]


def test_of(noise: str | None) -> str:
    """The test id of a noise model."""
    return TEST_OF_NOISE.get(noise, "none")


def test_text(test: str | None, lang: str) -> str:
    """What a test does, in a sentence (the "no test" sentence for an unknown one)."""
    return pick(TEST_TEXTS, test if test in TEST_TEXTS else "missing", lang)


# -- one objective ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Subject:
    """What the sentences are about: a status record, its indicator (None when unknown) and
    the language."""

    record: dict[str, Any]
    indicator: Indicator | None
    lang: str

    @property
    def nl(self) -> bool:
        """Whether the text is Dutch."""
        return self.lang == "nl"

    def value(self, x: float | None) -> str:
        """A value of the indicator as every surface shows it."""
        return self.indicator.text(x, self.lang) if self.indicator is not None else number(
            x, 1, self.lang)

    @property
    def share(self) -> bool:
        """Whether the indicator's values are shares (changes in percentage points)."""
        return self.indicator is not None and self.indicator.kind.is_share

    @property
    def hidden(self) -> set[str]:
        """The figures the public audience does not see."""
        return set(self.record.get("suppressed") or ())


Sentence = Callable[[Subject], str | None]


def _test(s: Subject) -> str | None:
    return test_text(s.record.get("test"), s.lang)


def _outcome(s: Subject) -> str | None:
    test, p = s.record.get("test"), s.record.get("p_value")
    if "reason" in s.hidden:
        return ("De uitkomst van de toets is afgeschermd: ze zou een klein aantal prijsgeven."
                if s.nl else "The test's outcome is withheld: it would reveal a small number.")
    if test not in ("poisson_exact", "share_z", "welch_t"):
        return None
    if p is None:
        return "De toets kon niet worden uitgevoerd." if s.nl else "The test could not be run."
    alpha = number(ALPHA, 2, s.lang)
    if p < ALPHA:
        return (f"Uitkomst: {p_value(p, s.lang)}, kleiner dan {alpha}: een verandering die "
                "toeval alleen zelden geeft (significant)." if s.nl else
                f"Result: {p_value(p, s.lang)}, below {alpha}: a change chance alone rarely "
                "gives (significant).")
    return (f"Uitkomst: {p_value(p, s.lang)}, niet kleiner dan {alpha}: de verandering kan "
            "toeval zijn." if s.nl else
            f"Result: {p_value(p, s.lang)}, not below {alpha}: the change may be chance.")


def _points(s: Subject, x: float) -> str:
    """A change of a share in percentage points."""
    return signed(number(x * 100, 2, s.lang), x) + (" procentpunt" if s.nl
                                                     else " percentage points")


def _sdg(s: Subject) -> str | None:
    sdg = s.record.get("sdg") or {}
    if sdg.get("observed_per_year") is None:
        return None
    base, target = s.record["baseline"]["value"], s.record["target"]["value"]
    current = s.record["current"]["value"]
    linear = any(x is not None and x <= 0 for x in (base, target)) or (
        current is not None and current < 0)

    def growth(x: float | None) -> str:
        if x is None:
            return "–"
        if linear:
            return _points(s, x) if s.share else signed(number(x, 2, s.lang), x)
        return percent(x, 1, s.lang, signed=True)

    ratio = sdg.get("ratio")
    ratio_text = number(ratio, 2, s.lang) if ratio is not None else "–"
    category = pick(PROGRESS_CATEGORIES, sdg.get("category") or "insufficient_data", s.lang)
    observed = growth(sdg["observed_per_year"])
    if sdg.get("category") == "target_achieved":
        return (f"Open SDG-voortgangsmaat: {category}, de huidige waarde haalt het doel "
                f"(waargenomen verandering {observed} per jaar)." if s.nl else
                f"Open SDG progress measure: {category}, the current value meets the target "
                f"(observed change {observed} a year).")
    required = growth(sdg.get("required_per_year"))
    return (f"Open SDG-voortgangsmaat: waargenomen verandering {observed} per jaar, nodig "
            f"{required} per jaar; verhouding {ratio_text}: {category}." if s.nl else
            f"Open SDG progress measure: observed change {observed} a year, required "
            f"{required} a year; ratio {ratio_text}: {category}.")


def _position(s: Subject) -> str | None:
    rec, v = s.record, s.value
    base, target = rec["baseline"]["value"], rec["target"]["value"]
    current = rec["current"]["value"]
    lower = rec.get("direction") == "lower"
    kept = base is not None and target is not None and (
        base <= target if lower else base >= target)
    if kept:
        return (f"De basiswaarde ({v(base)}) haalde het doel ({v(target)}) al: het doel is dat "
                f"niveau te behouden; nu {v(current)}." if s.nl else
                f"The baseline ({v(base)}) already met the target ({v(target)}): the aim is to "
                f"keep that level; now {v(current)}.")
    position = rec.get("progress")
    if position is None:
        return None
    wrong = position < 0
    return (f"Positie: {percent(position, 0, s.lang)} van de weg van de basiswaarde ({v(base)}) "
            f"naar het doel ({v(target)}); nu {v(current)}"
            + (", de verkeerde richting uit." if wrong else ".") if s.nl else
            f"Position: {percent(position, 0, s.lang)} of the way from the baseline ({v(base)}) "
            f"to the target ({v(target)}); now {v(current)}"
            + (", the wrong way." if wrong else "."))


def _projection(s: Subject) -> str | None:
    rec = s.record
    projection = rec.get("projection") or {}
    proj, gap = projection.get("value"), projection.get("gap")
    if proj is None:
        return None
    lower = rec.get("direction") == "lower"
    deadline = date(_day(rec["target"].get("deadline")))
    reaches = gap is not None and (gap <= 0 if lower else gap >= 0)
    gap_text = "–"
    if gap is not None and s.share:
        gap_text = signed(number(gap * 100, 1, s.lang), gap) + (
            " procentpunt" if s.nl else " percentage points")
    elif gap is not None:
        unit = (rec.get("unit") or {}).get(s.lang, "")
        gap_text = (signed(s.value(abs(gap)), gap) if gap >= 0 else "-" + s.value(abs(gap))) + (
            f" {unit}" if unit else "")
    return (f"De gewogen trend (recente jaren wegen zwaarder, halveringstijd 2 jaar) komt uit "
            f"op {s.value(proj)} tegen {deadline}; verwachte kloof met het doel: {gap_text}, "
            + ("de trend haalt het doel." if reaches else "de trend haalt het doel niet.")
            if s.nl else
            f"The weighted trend (recent years weigh more, half-life 2 years) reaches "
            f"{s.value(proj)} by {deadline}; anticipated gap to the target: {gap_text}, "
            + ("the trend meets the target." if reaches else "the trend misses the target."))


#: The sentences of an objective's method, in the order they are shown.
SENTENCES: list[Sentence] = [_test, _outcome, _sdg, _position, _projection]


def sentences(record: dict[str, Any], indicator: Indicator | None, lang: str) -> list[str]:
    """The method of one objective in one area, sentence by sentence, in ``lang``."""
    subject = Subject(record, indicator, lang)
    return [text for write in SENTENCES if (text := write(subject))]


def _day(value: Any) -> dt.date | None:
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value)) if value else None
    except ValueError:
        return None


__all__ = ["ALPHA", "SENTENCES", "STATUS_RULES", "TEST_OF_NOISE",
           "TEST_TEXTS", "Subject", "sentences", "status_rules", "test_of", "test_text"]
