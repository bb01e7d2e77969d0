"""Gegevens / Data: every load, the date each source runs to, quarantined rows."""

from __future__ import annotations

import dash
from dash import dcc, html

from dashboard import data
from dashboard.app import warehouse_of_app
from dashboard.i18n import date, kind, number, t

dash.register_page(__name__, path="/", name="Gegevens / Data", title="ivmonitor — gegevens")

OUTCOME = {
    "loaded": {"nl": "✔ geladen", "en": "✔ loaded"},
    "unchanged": {"nl": "＝ ongewijzigd", "en": "＝ unchanged"},
    "rejected": {"nl": "✖ geweigerd", "en": "✖ rejected"},
}


def _table(header: list[str], rows: list[list[str]], numeric: set[int]) -> html.Table:
    return html.Table(
        [
            html.Thead(html.Tr([html.Th(h) for h in header])),
            html.Tbody(
                [html.Tr([html.Td(c, className="num" if i in numeric else None)
                          for i, c in enumerate(r)]) for r in rows]
            ),
        ],
        className="grid",
    )


def layout(lang: str = "nl", **_: str) -> html.Div:
    """The page; ``?lang=en`` switches to English."""
    lang = "en" if lang == "en" else "nl"
    rows = data.loads(warehouse_of_app())
    other = "en" if lang == "nl" else "nl"
    switch = dcc.Link(t("language", lang), href=f"/?lang={other}", className="lang")
    if not rows:
        return html.Div([switch, html.H1(t("data", lang)), html.P(t("no_warehouse", lang))])
    fresh = [
        [kind(r["kind"], lang), r["source"], date(r["cutoff_date"]), date(r["finished_at"]),
         number(r["rows_loaded"] + r["rows_replaced"] + r["rows_skipped"])]
        for r in data.freshness(rows)
    ]
    log = [
        [str(r["load_id"]), kind(r["kind"], lang), r["file"].rsplit("/", 1)[-1],
         OUTCOME.get(r["outcome"], {}).get(lang, r["outcome"]), number(r["rows_read"]),
         number(r["rows_loaded"]), number(r["rows_replaced"]), number(r["rows_skipped"]),
         number(r["rows_quarantined"]), date(r["finished_at"])]
        for r in rows
    ]
    return html.Div(
        [
            switch,
            html.H1(t("data", lang)),
            html.H2(t("sources", lang)),
            _table([t("kind", lang), t("source", lang), t("cutoff", lang), t("finished", lang),
                    t("rows", lang)], fresh, {4}),
            html.H2(t("loads", lang)),
            _table(["#", t("kind", lang), t("file", lang), t("outcome", lang), t("read", lang),
                    t("loaded", lang), t("replaced", lang), t("skipped", lang),
                    t("quarantined", lang), t("finished", lang)], log, {4, 5, 6, 7, 8}),
        ]
    )
