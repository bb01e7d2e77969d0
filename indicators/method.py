"""The method in plain words: the one text that says how an objective's status came about.

The objective page (section "Methode in gewone woorden") and the council workbook's Methode
sheet both render what this module writes, in Dutch or English, so the two can never tell a
different story. Nothing here reads ``docs/``: the text ships with the package.
``docs/methods.md`` holds the formulas and references for analysts.

Three parts:

- :func:`sentences`: the sentences about one objective in one area (its status record, as
  ``ivm status --format json`` gives it, and its indicator): which comparison and test decided,
  with its counts and periods and the boundary for repeated looks, the extra variation used,
  the comparison area, where the forecast leads and the chance of reaching the target, the
  position on the way to the target and the Open SDG measure (for reference). Each
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
    month,
    number,
    p_value,
    percent,
    pick,
    signed,
)
from indicators.catalog import Indicator
from indicators.reasons import chance_words

#: The significance level of the area-versus-rest comparison (the Wijken page); the status
#: has its own boundary (:func:`indicators.evidence.threshold`).
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
    "quasi_poisson_score": {
        "nl": "De toets vergelijkt het recente niveau (de laatste 24 volledige maanden, of de "
              "maanden sinds de start van het plan als dat minder is) met de basisperiode: de "
              "scoretoets voor twee Poisson-tellingen, met de extra spreiding van de tellingen "
              "en elke maand gewogen naar het seizoen (bij een cijfer per inwoner of huishouden: "
              "persoonsjaren).",
        "en": "The test compares the recent level (the last 24 complete months, or the months "
              "since the plan started when fewer) with the baseline period: the score test for "
              "two Poisson counts, with the counts' extra variation and each month weighted by "
              "its season (for a rate per inhabitant or household: person-years)."},
    "ratio_of_rate_ratios": {
        "nl": "De toets vergelijkt de verandering hier met die in het vergelijkingsgebied: "
              "het recente niveau (de laatste 24 volledige maanden) tegenover de basisperiode, "
              "hier en daar, met de extra spreiding van beide (een verhouding van "
              "verhoudingen).",
        "en": "The test compares the change here with the change in the comparison area: the "
              "recent level (the last 24 complete months) against the baseline period, here "
              "and there, with both areas' extra variation (a ratio of rate ratios)."},
    "logit_z": {
        "nl": "De toets vergelijkt de laatste meting met de basisperiode: een z-toets op de "
              "logit-schaal, op de effectieve steekproefgrootte (Kish).",
        "en": "The test compares the latest measurement with the baseline period: a z-test on "
              "the logit scale, on the effective sample size (Kish)."},
    "log_z": {
        "nl": "De toets vergelijkt de laatste waarde met de basisperiode: een z-toets op de "
              "log-schaal, met de standaardfout van het gemiddelde of het "
              "betrouwbaarheidsinterval van de mediaan.",
        "en": "The test compares the latest value with the baseline period: a z-test on the "
              "log scale, with the standard error of the mean or the median's interval."},
    "registered": {
        "nl": "Er is geen toets nodig: geregistreerde prestaties worden geteld, niet "
              "geschat; elke verandering is echt.",
        "en": "No test is needed: registered outputs are counted, not estimated; every change "
              "is real."},
    "none": {
        "nl": "Er is geen toets: geregistreerde prestaties en medianen hebben geen ruismodel.",
        "en": "There is no test: registered outputs and medians have no noise model."},
    "missing": {"nl": "Er is geen toets: onvoldoende gegevens.",
                "en": "There is no test: insufficient data."},
}

#: How a status is decided, in the order the rules apply (``docs/methods.md``, section 3).
STATUS_RULES: list[tuple[str, Text]] = [
    ("insufficient_data", {
        "nl": "geen basiswaarde, doel of deadline; minder respondenten of feiten achter een "
              "aandeel, gemiddelde of mediaan dan het minimum van de indicator; of het plan "
              "loopt nog geen 12 volledige maanden (bij een bevraging: nog geen meting na de "
              "basisperiode). Een klein aantal is geen gebrek aan gegevens (nul inbraken is "
              "een waarde).",
        "en": "no baseline, target or deadline; fewer respondents or facts behind a share, "
              "mean or median than the indicator's minimum; or the plan has not run 12 complete "
              "months (for a survey: no wave after the baseline). A small count is not a lack "
              "of data (zero burglaries is a value)."}),
    ("off_track", {
        "nl": "de indicator is meer dan toevallig de verkeerde kant op gegaan; of de kans om "
              "het doel te halen is ongeveer 3 op 10 of kleiner.",
        "en": "the indicator moved the wrong way by more than chance; or the chance of "
              "reaching the target is about 3 in 10 or less."}),
    ("achieved", {
        "nl": "de huidige waarde haalt het doel en de verandering sinds de basisperiode is meer "
              "dan toeval (of het doel was al gehaald bij de basisperiode en blijft gehaald, "
              "zonder echte verslechtering).",
        "en": "the current value meets the target and the change since the baseline is more "
              "than chance (or the baseline already met the target and it still does, without "
              "a real deterioration)."}),
    ("on_track", {
        "nl": "de verandering is meer dan toeval en de goede kant op, de huidige waarde ligt "
              "aan de goede kant van de basiswaarde, en de kans om het doel tegen de deadline "
              "te halen is ongeveer 7 op 10 of groter.",
        "en": "the change is more than chance and in the right direction, the current value "
              "lies on the good side of the baseline, and the chance of reaching the target by "
              "the deadline is about 7 in 10 or more."}),
    ("at_risk", {
        "nl": "de kans ligt tussen ongeveer 4 en 6 op 10; of ze is groter, maar de verandering "
              "is nog niet te onderscheiden van toeval.",
        "en": "the chance lies between about 4 and 6 in 10; or it is higher, but the change "
              "cannot yet be told apart from chance."}),
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


def _period(text: str | None, lang: str) -> str:
    if not text or "/" not in text:
        return text or "–"
    a, b = (dt.date.fromisoformat(x + "-01") for x in text.split("/"))
    return f"{month(a, lang)} – {month(b, lang)}"


def _outcome(s: Subject) -> str | None:
    ev = s.record.get("evidence") or {}
    if "reason" in s.hidden:
        return ("De uitkomst van de toets is afgeschermd: ze zou een klein aantal prijsgeven."
                if s.nl else "The test's outcome is withheld: it would reveal a small number.")
    if not ev or ev.get("test") == "registered":
        return None
    z, p = ev.get("z"), ev.get("p_value")
    if z is None:
        return "De toets kon niet worden uitgevoerd." if s.nl else "The test could not be run."
    counts = ev.get("counts") or {}
    compared = ""
    if "count" in counts:
        compared = (f"{number(counts['count'], 0, s.lang)} feiten in "
                    f"{_period(ev.get('now_period'), s.lang)} tegenover "
                    f"{number(counts['base_count'], 0, s.lang)} in {ev.get('base_period')}; "
                    if s.nl else
                    f"{number(counts['count'], 0, s.lang)} facts in "
                    f"{_period(ev.get('now_period'), s.lang)} against "
                    f"{number(counts['base_count'], 0, s.lang)} in {ev.get('base_period')}; ")
    limit = number(ev.get("threshold"), 2, s.lang)
    months = ev.get("months")
    real = bool(ev.get("significant"))
    head = (f"Uitkomst: {compared}z = {number(z, 2, s.lang)}, {p_value(p, s.lang)}. "
            if s.nl else f"Result: {compared}z = {number(z, 2, s.lang)}, {p_value(p, s.lang)}. ")
    boundary = (f"Na {months} maanden van het plan moet |z| minstens {limit} zijn (strenger in "
                "de eerste twee jaar, omdat elke maandelijkse verversing een nieuwe kans op "
                "toeval is; en samen met de andere doelstellingen van het plan gecontroleerd "
                "op valse ontdekkingen): "
                + ("meer dan toeval." if real else "niet te onderscheiden van toeval.")
                if s.nl else
                f"After {months} months of the plan |z| must be at least {limit} (stricter in "
                "the first two years, as every monthly refresh is another chance for noise; "
                "and controlled for false discoveries with the plan's other objectives): "
                + ("more than chance." if real else "not distinguishable from chance."))
    return head + boundary


def _dispersion(s: Subject) -> str | None:
    d = s.record.get("dispersion") or {}
    phi = d.get("phi")
    if phi is None:
        return None
    if phi <= 1.0:
        return ("Extra spreiding: de maandelijkse tellingen van de basisjaren schommelen niet "
                "meer dan toeval (Poisson)." if s.nl else
                "Extra variation: the baseline years' monthly counts vary no more than chance "
                "(Poisson).")
    return (f"Extra spreiding: de maandelijkse tellingen schommelen {number(phi, 2, s.lang)} "
            "keer zoveel als bij toeval alleen (geschat uit de basisjaren van dit "
            "gebiedsniveau); de toets en de kans houden daar rekening mee." if s.nl else
            f"Extra variation: the monthly counts vary {number(phi, 2, s.lang)} times as much "
            "as chance alone (estimated from this area level's baseline years); the test and "
            "the chance allow for it.")


def _comparison(s: Subject) -> str | None:
    comp = s.record.get("comparison")
    if not comp:
        return None
    where = ("de rest van de stad" if s.nl else "the rest of the city") if comp.get(
        "kind") == "rest_of_city" else ", ".join(comp.get("areas") or ())
    change = comp.get("change")
    return (f"Vergelijking: het doel geldt voor de verandering hier tegenover die in {where} "
            f"({percent(change, 0, s.lang, signed=True)} sinds de basisperiode); zo telt een "
            "daling die overal in de stad plaatsvond niet als effect van het project." if s.nl
            else
            f"Comparison: the target applies to the change here against the change in {where} "
            f"({percent(change, 0, s.lang, signed=True)} since the baseline); so a fall that "
            "happened all over the city does not count as the project's effect.")


def _chance(s: Subject) -> str | None:
    rec = s.record
    prob = rec.get("probability")
    projection = rec.get("projection") or {}
    proj, low, high = projection.get("value"), projection.get("low"), projection.get("high")
    if prob is None or proj is None:
        return None
    deadline = date(_day(rec["target"].get("deadline")))
    words = chance_words(prob, s.lang)
    return (f"Verwachting: een model van het verloop sinds de basisperiode (een sprong bij de "
            f"start van het plan en een trend sindsdien, beide naar 'geen verandering' "
            f"getrokken tenzij de gegevens ze duidelijk tonen; de trend gedempt doorgetrokken) "
            f"komt uit op {s.value(proj)} tegen {deadline} (80 %: {s.value(low)} tot "
            f"{s.value(high)}). Kans dat de waarde op de deadline het doel haalt: {words} "
            f"({percent(prob, 0, s.lang)})." if s.nl else
            f"Forecast: a model of the course since the baseline (a jump when the plan started "
            f"and a trend since, both pulled towards 'no change' unless the data show them "
            f"clearly; the trend carried on damped) reaches {s.value(proj)} by {deadline} "
            f"(80 %: {s.value(low)} to {s.value(high)}). Chance that the value at the deadline "
            f"meets the target: {words} ({percent(prob, 0, s.lang)}).")


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
    return (f"Ter vergelijking, de Open SDG-voortgangsmaat: waargenomen verandering {observed} "
            f"per jaar, nodig {required} per jaar; verhouding {ratio_text}: {category}." if s.nl
            else
            f"For reference, the Open SDG progress measure: observed change {observed} a year, "
            f"required {required} a year; ratio {ratio_text}: {category}.")


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


#: The sentences of an objective's method, in the order they are shown.
SENTENCES: list[Sentence] = [_test, _outcome, _dispersion, _comparison, _chance, _position,
                              _sdg]


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
