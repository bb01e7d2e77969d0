"""Shared building blocks of every page: the frame (navigation, language switch, as-of line),
status badges that never rely on colour alone, tables and URLs that carry the view's state.

Pure functions: data in, Dash components out; no queries here.
"""

from __future__ import annotations

import math
from typing import Any
from urllib.parse import urlencode

from dash import dcc, html

from core.vocabulary import STATUS_SYMBOLS, STATUSES, date, pick
from dashboard.i18n import t
from dashboard.registry import PAGES, may_open, navigation
from dashboard.viewer import current_viewer

#: Colour-blind-safe (Okabe-Ito) colours per status; always shown with a symbol and text.
STATUS_COLOURS = {
    "achieved": "#009E73",
    "on_track": "#0072B2",
    "at_risk": "#E69F00",
    "off_track": "#D55E00",
    "insufficient_data": "#BBBBBB",
}



def href(path: str, lang: str, **query: Any) -> str:
    """A link to ``path`` that keeps the language and carries the given filters."""
    params = {k: v for k, v in query.items() if v not in (None, "", [])}
    if lang == "en":
        params = {"lang": "en", **params}
    return path + (f"?{urlencode(params)}" if params else "")


def frame(page: str, lang: str, query: dict[str, Any], children: list, as_of: Any = None,
          path: str | None = None) -> html.Div:
    """The page with its navigation bar (the registered pages this viewer may open), language
    switch (keeping the filters) and as-of line. ``path``: where the page is (default: its
    registered path)."""
    viewer = current_viewer()
    here = path or (PAGES[page].path if page in PAGES and not PAGES[page].template else "/")
    other = "en" if lang == "nl" else "nl"
    rest = {k: v for k, v in query.items() if k != "lang" and v not in (None, "")}
    nav = [
        dcc.Link(p.name(lang), href=href(p.path, lang),
                 className="active" if p.key == page else None, id=f"nav-{p.key}")
        for p in navigation() if may_open(viewer, p.key)
    ]
    who: list = []
    if viewer.name:
        # the role, not the name: a rendered page is shared by everyone with the same role
        role = viewer.role.label_en if lang == "en" else viewer.role.label_nl
        who = [html.Form([
            html.Span(role, className="who", id="nav-user"),
            html.Button(t("logout", lang), type="submit", id="nav-logout"),
        ], action="/logout", method="POST", className="logout")]
    elif viewer.audience == "public":
        who = [html.Span(t("public_view", lang), className="who", id="nav-public")]
    top = html.Header(
        [
            dcc.Link("ivmonitor", href=href("/", lang), className="brand"),
            html.Nav(nav),
            dcc.Link(t("language", lang), href=href(here, other, **rest), className="lang",
                     id="lang-switch"),
            *who,
        ],
        className="top",
    )
    meta = []
    if as_of is not None:
        meta = [html.P(f"{t('as_of', lang)} {date(as_of)}", className="as-of")]
    return html.Div([top, html.Div(meta + children, className="page", id=f"page-{page}")],
                    lang=lang)


def status_badge(status: str, lang: str) -> html.Span:
    """The status as symbol and text on its colour: readable without colour."""
    return html.Span(
        [html.Span(STATUS_SYMBOLS[status], className="symbol", **{"aria-hidden": "true"}),
         " ", pick(STATUSES, status, lang)],
        className=f"badge status-{status}",
        title=pick(STATUSES, status, lang),
    )


def table(header: list[str], rows: list[list[Any]], numeric: set[int] | None = None,
          table_id: str | None = None, class_name: str = "grid") -> html.Table:
    """A plain HTML table; columns in ``numeric`` are right-aligned with tabular digits."""
    numeric = numeric or set()
    return html.Table(
        [
            html.Thead(html.Tr([html.Th(h) for h in header])),
            html.Tbody([
                html.Tr([html.Td(c, className="num" if i in numeric else None)
                         for i, c in enumerate(r)])
                for r in rows
            ]),
        ],
        className=class_name,
        id=table_id,
    )


def empty(lang: str) -> html.P:
    """What a page says when there are no results yet."""
    return html.P(t("no_results", lang), className="empty")


def finite(value: Any) -> bool:
    """Whether ``value`` is a real number to show (not None, NaN or infinite)."""
    return isinstance(value, int | float) and math.isfinite(value)
