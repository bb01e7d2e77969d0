"""The objective page's section on an event indicator ("De edities"): its last complete edition
in plain words (facts per day against the ordinary days of the same weeks and against earlier
editions), the cancelled editions, and every edition's numbers one click away.

The public audience reads only which editions were cancelled: the counts of a few days in one
area are too small to publish."""

from __future__ import annotations

from typing import Any

from dash import html

from core.vocabulary import date, number, p_value, percent, pick
from dashboard.components import table

TEXT = {
    "title": {"nl": "De edities", "en": "The editions"},
    "numbers": {"nl": "Elke editie in cijfers", "en": "Every edition in numbers"},
    "columns": {"nl": ["Editie", "Dagen", "Feiten", "Per dag", "Gewone dagen: per dag",
                       "Verhouding (95 %-interval)", "p-waarde", "Tegenover vorige edities",
                       "p-waarde"],
                "en": ["Edition", "Days", "Facts", "A day", "Ordinary days: a day",
                       "Ratio (95 % interval)", "p-value", "Against earlier editions",
                       "p-value"]},
    "cancelled": {"nl": "afgelast", "en": "cancelled"},
    "pending": {"nl": "nog niet volledig", "en": "not yet complete"},
    "method": {"nl": "Gewone dagen: de andere dagen van de weken (maandag tot zondag) waarin de "
                     "editie valt. Exacte toets voor twee Poisson-tellingen; tegenover de vorige "
                     "edities (tot drie) wordt het interval verbreed met hun spreiding. Een "
                     "afgelaste editie telt niet mee en is geen daling.",
               "en": "Ordinary days: the other days of the weeks (Monday to Sunday) the edition "
                     "falls in. Exact test for two Poisson counts; against earlier editions (up "
                     "to three) the interval is widened by their dispersion. A cancelled edition "
                     "does not count and is not a drop."},
    "public_cancelled": {"nl": "Afgelaste edities (tellen niet mee): {eds}.",
                         "en": "Cancelled editions (not counted): {eds}."},
}


def _ratio(r: dict | None, lang: str) -> tuple[str, str]:
    """A rate ratio as 'x (lo – hi)' and its p-value, or dashes."""
    if not r or r.get("ratio") is None:
        return "–", "–"
    lo = "–" if r.get("low") is None else number(r["low"], 2, lang)
    hi = "–" if r.get("high") is None else number(r["high"], 2, lang)
    return f"{number(r['ratio'], 2, lang)} ({lo} – {hi})", p_value(r.get("p_value"), lang)


def _earlier(e: dict, lang: str) -> tuple[str, str]:
    r = e.get("earlier")
    if not r or r.get("ratio") is None:
        return "–", "–"
    text, p = _ratio(r, lang)
    return f"{percent(r['ratio'] - 1, 0, lang, signed=True)}: {text}", p


def event_section(event: dict[str, Any], lang: str, public: bool = False) -> html.Section:
    """The section for the ``event`` key of a status record (see :func:`indicators.event_words`)."""
    title = html.H2(pick(TEXT, "title", lang))
    if public:
        cancelled = [e["edition"] for e in event["editions"] if e["cancelled"]]
        lines = ([html.P(pick(TEXT, "public_cancelled", lang).format(eds=", ".join(cancelled)))]
                 if cancelled else [])
        return html.Section([title, *lines], id="objective-event")
    rows = []
    for e in reversed(event["editions"]):
        label = f"{e['edition']} ({date(e['first_day'])} – {date(e['last_day'])})"
        if e["cancelled"] or not e["complete"]:
            state = pick(TEXT, "cancelled" if e["cancelled"] else "pending", lang)
            rows.append([label, str(e["days"]), state, "–", "–", "–", "–", "–", "–"])
            continue
        ordinary, p_ordinary = _ratio(e.get("ordinary"), lang)
        earlier, p_earlier = _earlier(e, lang)
        rows.append([label, str(e["days"]), number(e["count"], 0, lang),
                     number(e["per_day"], 2, lang),
                     "–" if e["ordinary_per_day"] is None else number(e["ordinary_per_day"], 2,
                                                                      lang),
                     ordinary, p_ordinary, earlier, p_earlier])
    return html.Section([
        title,
        html.P(event["words"][lang], id="objective-event-words"),
        html.Details([
            html.Summary(pick(TEXT, "numbers", lang)),
            table(pick(TEXT, "columns", lang), rows, {1, 2, 3, 4, 5, 6, 7, 8},
                  table_id="objective-event-table"),
            html.P(pick(TEXT, "method", lang), className="hint"),
        ]),
    ], id="objective-event")
