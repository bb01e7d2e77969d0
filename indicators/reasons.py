"""The one-line reason under each status, in Dutch and English: what changed, what is needed,
whether the change is more than chance, and the chance of reaching the target. Plain words
first; the test and its numbers are in the status record (``evidence``) and on the objective
page's "Hoe berekend?".
"""

from __future__ import annotations

import datetime as dt
import math
from typing import TYPE_CHECKING

from core.vocabulary import date, month, number, percent, signed

if TYPE_CHECKING:  # the evaluation is only read here
    from indicators.judge import Verdict
    from indicators.progress import Evaluation

_WORDS = {
    "nl": {"fall": "Daling van {x}", "rise": "Stijging van {x}", "same": "Gelijk gebleven",
           "since": "sinds", "recent": "{a} – {m}", "now": "Nu {v}",
           "target_change": "doel {x} tegen {y}", "target_value": "doel {v} tegen {y}",
           "milestone_change": "tussendoel {x} in {y}", "milestone_value": "tussendoel {v} in {y}",
           "milestone_met": "Tussendoel {y} gehaald", "milestone_missed": "Tussendoel {y} niet "
           "gehaald",
           "keep_lower": "doel: hoogstens {v}", "keep_higher": "doel: minstens {v}",
           "real": "Meer dan toeval", "noise": "Niet te onderscheiden van toeval",
           "no_test": "Geen toets mogelijk: te weinig gegevens om de verandering te beoordelen",
           "chance": "Kans om het doel te halen: {c}", "met": "Doel gehaald op de deadline",
           "chance_milestone": "Kans om het tussendoel te halen: {c}",
           "missed": "Doel niet gehaald op de deadline",
           "about": "ongeveer {k} op 10", "below": "kleiner dan 1 op 10",
           "above": "groter dan 9 op 10", "here": "hier",
           "rest": "in de rest van de stad", "controls": "in de vergelijkingsgebieden",
           "relative": "verschil {x}", "compared": "t.o.v. {c}", "worse": "wordt slechter",
           "rest_short": "de rest van de stad", "controls_short": "de vergelijkingsgebieden"},
    "en": {"fall": "Down {x}", "rise": "Up {x}", "same": "Unchanged", "since": "since",
           "recent": "{a} – {m}", "now": "Now {v}",
           "target_change": "target {x} by {y}", "target_value": "target {v} by {y}",
           "milestone_change": "milestone {x} in {y}", "milestone_value": "milestone {v} in {y}",
           "milestone_met": "Milestone {y} met", "milestone_missed": "Milestone {y} missed",
           "keep_lower": "target: at most {v}", "keep_higher": "target: at least {v}",
           "real": "More than chance",
           "noise": "Not distinguishable from chance",
           "no_test": "No test possible: too little data to judge the change",
           "chance": "Chance of reaching the target: {c}", "met": "Target met at the deadline",
           "chance_milestone": "Chance of reaching the milestone: {c}",
           "missed": "Target missed at the deadline",
           "about": "about {k} in 10", "below": "less than 1 in 10",
           "above": "more than 9 in 10", "here": "here",
           "rest": "in the rest of the city", "controls": "in the control areas",
           "relative": "difference {x}", "compared": "against {c}", "worse": "getting worse",
           "rest_short": "the rest of the city", "controls_short": "the control areas"},
}


def chance_words(p: float | None, lang: str) -> str | None:
    """A probability in plain words: "ongeveer 8 op 10", "kleiner dan 1 op 10"."""
    if p is None or not math.isfinite(p):
        return None
    w = _WORDS[lang]
    if p < 0.05:
        return w["below"]
    if p > 0.95:
        return w["above"]
    return w["about"].format(k=max(1, min(9, math.floor(p * 10 + 0.5))))


def _change(change: float | None, lang: str) -> str:
    w = _WORDS[lang]
    if change is None or not math.isfinite(change):
        return "–"
    if abs(change) < 0.005:
        return w["same"]
    return w["fall" if change < 0 else "rise"].format(x=percent(abs(change), 0, lang))


def reasons(e: Evaluation, verdict: Verdict, rise: int) -> tuple[str, str]:
    """The reason in Dutch and in English."""
    return _reason(e, verdict, rise, "nl"), _reason(e, verdict, rise, "en")


def _value(e: Evaluation, value: float | None, lang: str) -> str:
    return e.ind.text(value, lang) if e.ind is not None else "–"


def _reason(e: Evaluation, verdict: Verdict, rise: int, lang: str) -> str:
    w = _WORDS[lang]
    p, obj, ev = e.progress, e.obj, e.evidence
    year = obj.deadline.year if obj.deadline else "?"
    step = next((m for m in obj.milestones if m.year == e.milestone), None)
    parts: list[str] = []
    if ev is not None and ev.comparison == "recent_level" and ev.comparison_change is not None:
        own = (1 + ev.change) * (1 + ev.comparison_change) - 1 if ev.change is not None else None
        where = w["rest"] if p.comparison == "rest_of_city" else w["controls"]
        parts.append(f"{_change(own, lang)} {w['here']}, "
                     f"{_change(ev.comparison_change, lang).lower()} {where} "
                     f"({w['since']} {obj.baseline.period}); "
                     f"{w['relative'].format(x=percent(ev.change, 0, lang, signed=True))}")
    elif ev is not None and ev.comparison == "recent_level":
        a, b = (dt.date.fromisoformat(x + "-01") for x in ev.now_period.split("/"))
        parts.append(f"{_change(ev.change, lang)} {w['since']} {obj.baseline.period} "
                     f"({w['recent'].format(a=month(a, lang), m=month(b, lang))})")
    else:
        parts.append(f"{w['now'].format(v=_value(e, p.current_value, lang))} "
                     f"({obj.baseline.period}: {_value(e, p.baseline_value, lang)})")
    if e.maintain:
        key = "keep_lower" if p.direction == "lower" else "keep_higher"
        target = w[key].format(v=_value(e, p.target_value, lang))
    elif step is not None:
        target = (w["milestone_change"].format(x=percent(step.change, 0, lang, signed=True),
                                               y=step.year) if step.change is not None else
                  w["milestone_value"].format(v=_value(e, p.target_value, lang), y=step.year))
    elif obj.target.change is not None:
        target = w["target_change"].format(x=percent(obj.target.change, 0, lang, signed=True),
                                           y=year)
        if p.comparison:
            short = w["rest_short"] if p.comparison == "rest_of_city" else w["controls_short"]
            target += " " + w["compared"].format(c=short)
    else:
        target = w["target_value"].format(v=_value(e, p.target_value, lang), y=year)
    parts[0] += f"; {target}"
    sentences = [parts[0]]
    if e.milestone_before is not None:
        y, met = e.milestone_before
        sentences.append(w["milestone_met" if met else "milestone_missed"].format(y=y))
    if verdict.qualifier == "worsened":
        sentences.append(w["worse"][0].upper() + w["worse"][1:])
    if not e.registered:
        if ev is None or ev.z is None:
            sentences.append(w["no_test"])
        else:
            sentences.append(w["real"] if rise else w["noise"])
    prob = e.forecast.probability
    final = p.current_period is not None and prob in (0.0, 1.0) and _deadline_reached(e)
    if final:
        sentences.append(w["met"] if prob == 1.0 else w["missed"])
    elif (c := chance_words(prob, lang)) is not None:
        sentences.append(w["chance_milestone" if step is not None else "chance"].format(c=c))
    lang_note = e.note[0] if lang == "nl" else e.note[1]
    return ". ".join(sentences) + "." + lang_note


def _deadline_reached(e: Evaluation) -> bool:
    f = e.forecast
    return f.value is not None and f.low == f.value == f.high


# -- the displacement check of a project ---------------------------------------------------------

_AROUND = {
    "nl": {
        "none": "Geen aanwijzing dat de feiten naar de omliggende straten verschoven",
        "displacement": "Aanwijzing dat feiten naar de omliggende straten verschoven",
        "diffusion": "De omliggende straten verbeterden mee (een uitstraling van het project)",
        "around": "rondom {d} feiten tegenover wat {c} deed",
        "here": "in het projectgebied zelf {d}",
        "net": "samen {d} (95 %-interval {lo} tot {hi})",
        "rest": "de rest van de stad", "controls": "de vergelijkingsgebieden",
    },
    "en": {
        "none": "No sign that the facts moved to the surrounding streets",
        "displacement": "A sign that facts moved to the surrounding streets",
        "diffusion": "The surrounding streets improved too (the project's benefits spread)",
        "around": "around it {d} facts against what {c} did",
        "here": "in the project area itself {d}",
        "net": "together {d} (95 % interval {lo} to {hi})",
        "rest": "the rest of the city", "controls": "the control areas",
    },
}


def displacement_words(record: dict, lang: str) -> str:
    """A project's displacement check in one plain sentence: whether the facts moved next
    door, and the net effect of project and surroundings together (in facts in the last year,
    beyond what the control did)."""
    w = _AROUND[lang]

    def facts(x: float) -> str:
        return signed(number(x, 0, lang), x)

    control = w["controls" if record.get("control_declared") else "rest"]
    total = record["total"]
    return (f"{w[record['verdict']]}: "
            f"{w['around'].format(d=facts(record['displaced']['value']), c=control)}; "
            f"{w['here'].format(d=facts(record['local']['value']))}; "
            + w["net"].format(d=facts(total["value"]), lo=facts(total["low"]),
                              hi=facts(total["high"])) + ".")


# -- an early-warning alert ----------------------------------------------------------------------

_ALERT = {
    "nl": {"now": "{n} in de 4 weken tot {d}; gewoonlijk ongeveer {e} in die weken (signaal "
                  "boven {u}).",
           "since": "Signaal sinds de week tot {d}.",
           "over": "Het signaal liep tot de week tot {d}; nu {n}, gewoonlijk ongeveer {e}."},
    "en": {"now": "{n} in the 4 weeks to {d}; usually about {e} in those weeks (alert above "
                  "{u}).",
           "since": "Alert since the week to {d}.",
           "over": "The alert ran until the week to {d}; now {n}, usually about {e}."},
}


def alert_words(alert: dict, lang: str) -> str:
    """An early-warning alert in plain words: the count of the last four weeks against what is
    usual in those weeks, and since when."""
    w = _ALERT[lang]
    n, e = number(alert["count"], 0, lang), number(alert["expected"], 0, lang)
    if alert["running"]:
        return (w["now"].format(n=n, d=date(alert["latest_week"]), e=e,
                                u=number(alert["upper"], 0, lang)) + " "
                + w["since"].format(d=date(alert["opened_week"])))
    return w["over"].format(d=date(alert["opened_week"]), n=n, e=e)


# -- an event's editions -------------------------------------------------------------------------

_EVENT = {
    "nl": {"held": "{name} {ed}: {k} per dag", "none": "{name}: nog geen volledige editie",
           "ordinary": "{r} keer zoveel als op de gewone dagen van dezelfde weken ({o} per dag)",
           "earlier": "tegenover {n} vorige editie(s) ({o} per dag): {c}",
           "clear": "meer dan toeval", "chance": "binnen het toeval",
           "cancelled": "Afgelast: {eds}."},
    "en": {"held": "{name} {ed}: {k} a day", "none": "{name}: no complete edition yet",
           "ordinary": "{r} times as many as on the ordinary days of the same weeks ({o} a day)",
           "earlier": "against {n} earlier edition(s) ({o} a day): {c}",
           "clear": "more than chance", "chance": "within chance",
           "cancelled": "Cancelled: {eds}."},
}


def event_words(record: dict, lang: str) -> str:
    """An event indicator's last complete edition in plain words: facts per day, against the
    ordinary days of the same weeks and against the editions before it; the cancelled ones."""
    w = _EVENT[lang]
    name = record["name"][lang]
    done = [e for e in record["editions"] if e["complete"]]
    parts: list[str] = []
    if not done:
        parts.append(w["none"].format(name=name))
    else:
        e = done[-1]
        text = w["held"].format(name=name, ed=e["edition"], k=number(e["per_day"], 1, lang))
        ordinary = e.get("ordinary") or {}
        if ordinary.get("ratio") is not None:
            text += ", " + w["ordinary"].format(r=number(ordinary["ratio"], 1, lang),
                                                o=number(e["ordinary_per_day"], 1, lang))
        earlier = e.get("earlier") or {}
        if earlier.get("ratio") is not None:
            change = percent(earlier["ratio"] - 1, 0, lang, signed=True)
            verdict = w["clear" if earlier["clear"] else "chance"]
            text += "; " + w["earlier"].format(n=len(e["earlier_editions"]),
                                               o=number(e["earlier_per_day"], 1, lang),
                                               c=f"{change}, {verdict}")
        parts.append(text + ".")
    cancelled = [e["edition"] + (f" ({e['note']})" if e.get("note") else "")
                 for e in record["editions"] if e["cancelled"]]
    if cancelled:
        parts.append(w["cancelled"].format(eds=", ".join(cancelled)))
    return " ".join(parts)
