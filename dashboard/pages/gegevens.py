"""Gegevens / Data: every load, the date each source runs to, freshness warnings, and the rows
kept back in quarantine with their reasons."""

from __future__ import annotations

import datetime as dt

from dash import html

from core.reasons import label as reason_label
from core.vocabulary import SOURCE_KINDS, SOURCE_NAMES, date, number, pick
from dashboard.audience import data_of_app
from dashboard.components import frame, table
from dashboard.data import freshness
from dashboard.i18n import lang_of, t
from dashboard.registry import INTERNAL, register_page
from dashboard.views import cached_view

PAGE = register_page(__name__, key="data", path="/gegevens", prefix="gegevens",
              title={"nl": "Gegevens", "en": "Data"}, roles=INTERNAL, nav=5)

#: A source whose data ends more than this many days ago gets a freshness warning.
STALE_DAYS = 62

OUTCOME = {
    "loaded": {"nl": "✔ geladen", "en": "✔ loaded"},
    "unchanged": {"nl": "＝ ongewijzigd", "en": "＝ unchanged"},
    "rejected": {"nl": "✖ geweigerd", "en": "✖ rejected"},
}
TEXT = {
    "stale": {"nl": "⚠ verouderd: data ouder dan {d} dagen",
              "en": "⚠ stale: data older than {d} days"},
    "fresh": {"nl": "✔ actueel", "en": "✔ up to date"},
    "freshness": {"nl": "Actualiteit", "en": "Freshness"},
    "quarantine": {"nl": "Rijen in quarantaine per reden", "en": "Quarantined rows by reason"},
    "load": {"nl": "Lading", "en": "Load"},
    "reason_code": {"nl": "Reden", "en": "Reason"},
    "none_quarantined": {"nl": "Geen rijen in quarantaine.", "en": "No quarantined rows."},
    "hint": {"nl": "De beheerder van de monitor kan de rijen zelf bekijken op de server.",
             "en": "The monitor's administrator can inspect the rows themselves on the server."},
}


def _freshness(cutoff: dt.date | None, lang: str, today: dt.date) -> str:
    if cutoff is None:
        return "–"
    if (today - cutoff).days > STALE_DAYS:
        return pick(TEXT, "stale", lang).format(d=STALE_DAYS)
    return pick(TEXT, "fresh", lang)


@cached_view("gegevens", daily=True)
def layout(lang: str | None = None, **query: str) -> html.Div:
    """The page; ``?lang=en`` switches to English."""
    lang = lang_of(lang)
    data = data_of_app()
    rows = data.loads()
    if not rows:
        return frame(PAGE.key, lang, query, [html.H1(PAGE.name(lang)),
                                           html.P(t("no_warehouse", lang))])
    today = dt.date.today()
    fresh = [
        [pick(SOURCE_KINDS, r["kind"], lang),
         pick(SOURCE_NAMES, r["source"], lang) if r["source"] in SOURCE_NAMES else r["source"],
         date(r["cutoff_date"]),
         date(r["finished_at"]),
         number(r["rows_loaded"] + r["rows_replaced"] + r["rows_skipped"], 0, lang),
         _freshness(r["cutoff_date"], lang, today) if r["cutoff_date"] else "–"]
        for r in freshness(rows)
    ]
    log = [
        [str(r["load_id"]), pick(SOURCE_KINDS, r["kind"], lang), r["file"].rsplit("/", 1)[-1],
         OUTCOME.get(r["outcome"], {}).get(lang, r["outcome"]),
         *(number(r[k], 0, lang) for k in ("rows_read", "rows_loaded", "rows_replaced",
                                           "rows_skipped", "rows_quarantined")),
         date(r["finished_at"])]
        for r in rows
    ]
    reasons = data.quarantine_reasons()
    quarantine = (
        [table([pick(TEXT, "load", lang), pick(TEXT, "reason_code", lang), t("rows", lang)],
               [[str(r["load_id"]), html.Span([reason_label(r["code"], lang), " ",
                                                html.Code(r["code"])]),
                 number(r["rows"], 0, lang)] for r in reasons],
               {2}, table_id="quarantine-table"),
         html.P(pick(TEXT, "hint", lang), className="hint")]
        if reasons else [html.P(pick(TEXT, "none_quarantined", lang))]
    )
    return frame(PAGE.key, lang, query, [
        html.H1(PAGE.name(lang)),
        html.H2(t("sources", lang)),
        table([t("kind", lang), t("source", lang), t("cutoff", lang), t("finished", lang),
               t("rows", lang), pick(TEXT, "freshness", lang)], fresh, {4},
              table_id="sources-table"),
        html.H2(pick(TEXT, "quarantine", lang)),
        *quarantine,
        html.H2(t("loads", lang)),
        table(["#", t("kind", lang), t("file", lang), t("outcome", lang), t("read", lang),
               t("loaded", lang), t("replaced", lang), t("skipped", lang),
               t("quarantined", lang), t("finished", lang)], log, {4, 5, 6, 7, 8},
              table_id="loads-table"),
    ], as_of=data.as_of())
