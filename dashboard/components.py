"""Shared building blocks of every page: the frame (navigation, language switch, as-of line),
status badges that never rely on colour alone, tables and URLs that carry the view's state.

Pure functions: data in, Dash components out; no queries here.
"""

from __future__ import annotations

import math
from typing import Any
from urllib.parse import urlencode

from dash import dcc, html

from core.vocabulary import (
    STATUS_SYMBOLS,
    STATUSES,
    SUPPRESSED_NOTE,
    date,
    pick,
    plotly_locale,
)
from dashboard import markup as m
from dashboard.branding import LOGO_PATH, PRODUCT, Branding, current_branding
from dashboard.i18n import t
from dashboard.registry import PAGES, may_open, navigation
from dashboard.steering import partner_title
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
    """The page with its header (the city's name and logo, the language switch, who is signed
    in and the sign-out button, then the registered pages this viewer may open), a skip link to
    the content, the as-of line and the footer (the city's contact, the accessibility
    statement). ``path``: where the page is (default: its registered path).

    The header wraps on a phone: the sign-out button stays on its first line, always visible.
    """
    viewer = current_viewer()
    brand = current_branding()
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
        # a partner's account sees its partner's name (pages are shared per role and partner)
        partner = ([html.Span(partner_title(viewer.partner, lang), className="who-partner",
                              id="nav-partner")] if viewer.partner else [])
        who = [html.Form([
            html.Span(role, className="who", id="nav-user"),
            *partner,
            html.Button(t("logout", lang), type="submit", id="nav-logout"),
        ], action="/logout", method="POST", className="logout")]
    elif viewer.audience == "public":
        who = [html.Span(t("public_view", lang), className="who", id="nav-public")]
    logo = [html.Img(src=LOGO_PATH, alt="", className="logo")] if brand.logo else []
    top = html.Header(
        [
            html.A(t("skip", lang), href="#inhoud", className="skip", id="skip-link"),
            html.Div([
                dcc.Link([*logo, html.Span(brand.title)], href=href("/", lang),
                         className="brand", id="nav-brand"),
                html.Div([
                    dcc.Link(t("language", lang), href=href(here, other, **rest),
                             className="lang", id="lang-switch"),
                    *who,
                ], className="tools"),
            ], className="bar"),
            html.Nav(nav, **{"aria-label": t("main_nav", lang)}),
        ],
        className="top",
    )
    meta = []
    if as_of is not None:
        meta = [html.P(f"{t('as_of', lang)} {date(as_of)}", className="as-of")]
    return html.Div([
        top,
        html.Main(meta + children, className="page", id="inhoud", tabIndex="-1",
                  **{"data-page": page}),
        footer(lang, brand),
    ], lang=lang, id=f"page-{page}", className="frame")


def footer(lang: str, brand: Branding) -> html.Footer:
    """The footer: the city, its contact and website, the method in plain words and the
    accessibility statement."""
    viewer = current_viewer()
    items: list = [html.Span(brand.name or PRODUCT, className="city")]
    if brand.contact:
        target = f"mailto:{brand.contact}" if "@" in brand.contact else (
            f"tel:{''.join(c for c in brand.contact if c.isdigit() or c == '+')}")
        items.append(html.Span([f"{t('contact', lang)}: ", html.A(brand.contact, href=target)]))
    if brand.website:
        items.append(html.A(t("website", lang), href=brand.website))
    for key in ("method", "accessibility"):
        if key in PAGES and may_open(viewer, key):
            items.append(dcc.Link(PAGES[key].name(lang), href=href(PAGES[key].path, lang),
                                  id=f"footer-{key}"))
    return html.Footer(html.Ul([html.Li(i) for i in items]), className="foot",
                       **{"aria-label": t("footer", lang)})


def status_badge(status: str, lang: str) -> html.Span:
    """The status as symbol and text on its colour: readable without colour."""
    return html.Span(
        [html.Span(STATUS_SYMBOLS[status], className="symbol", **{"aria-hidden": "true"}),
         " ", pick(STATUSES, status, lang)],
        className=f"badge status-{status}",
        title=pick(STATUSES, status, lang),
    )


def table(header: list[str], rows: list[list[Any]], numeric: set[int] | None = None,
          table_id: str | None = None, class_name: str = "grid",
          label: str | None = None) -> m.Element:
    """A plain HTML table; columns in ``numeric`` are right-aligned with tabular digits. A wide
    table scrolls inside its own box (it can take the keyboard focus for that; ``label`` names
    it for a screen reader); every cell carries its column's name, which a table with the class
    ``cards`` shows when it turns into stacked cards on a phone. Built of light elements
    (:mod:`dashboard.markup`): tables are most of a page's components."""
    numeric = numeric or set()
    return m.Table(
        [
            m.Thead(m.Tr([m.Th(h, scope="col") for h in header])),
            m.Tbody([data_row(header, r, numeric) for r in rows]),
        ],
        className=class_name,
        tabIndex="0",
        **({"id": table_id} if table_id is not None else {}),
        **({"aria-label": label} if label else {}),
    )


def data_row(header: list[str], cells: list[Any], numeric: set[int] | frozenset = frozenset(),
             class_name: str | None = None) -> m.Element:
    """One row of a :func:`table`: each cell with its column's name (``data-label``)."""
    return m.Tr([m.Td(c, className="num" if i in numeric else None,
                      **({"data-label": header[i]} if i < len(header) else {}))
                 for i, c in enumerate(cells)], className=class_name)


def graph_config(lang: str, **extra: Any) -> dict[str, Any]:
    """A chart's configuration: Plotly's toolbar and axes in ``lang``, without its logo."""
    return {"displaylogo": False, **plotly_locale(lang), **extra}


def choice_group(legend: str, choices: Any, class_name: str = "group") -> html.Fieldset:
    """A named group of choices (radio items, a checklist): a fieldset whose legend names it,
    so a screen reader says what the choice is about (``assets/a11y.js`` names Dash's group by
    the legend)."""
    return html.Fieldset([html.Legend(legend, id=f"{choices.id}-legend"), choices],
                         className=class_name)


def suppressed_note(lang: str) -> html.P:
    """The one line that says what an ``x`` in place of a figure means (put it on every page
    that shows one)."""
    return html.P(SUPPRESSED_NOTE[lang], className="hint suppressed-note")


def empty(lang: str) -> html.P:
    """What a page says when there are no results yet."""
    return html.P(t("no_results", lang), className="empty")


def finite(value: Any) -> bool:
    """Whether ``value`` is a real number to show (not None, NaN or infinite)."""
    return isinstance(value, int | float) and math.isfinite(value)
