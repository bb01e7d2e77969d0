"""The safety chain as a matrix: phases as rows, dimensions (or partners) as columns, each cell
with its objectives, their statuses as small badges and links; empty cells marked as gaps.

Pure functions: the cells of :func:`indicators.chain.chain_matrix` in, Dash components out.
"""

from __future__ import annotations

from typing import Any

from dash import dcc, html

from core.vocabulary import DIMENSIONS, PHASES, STATUS_SYMBOLS, STATUSES, number, pick
from dashboard.components import href, status_badge
from dashboard.components_overview import objective_count
from dashboard.registry import may_open, path_of
from dashboard.viewer import current_viewer

#: What the columns can be.
BY = ("dimension", "partner")

TEXT = {
    "gap": {"nl": "leemte", "en": "gap"},
    "gap_title": {"nl": "Geen doelstellingen in deze fase voor {col}",
                  "en": "No objectives in this phase for {col}"},
    "phase": {"nl": "Fase", "en": "Phase"},
    "legend": {"nl": "Legende", "en": "Legend"},
    "legend_counts": {"nl": "symbool + aantal doelstelling-gebieden met die status",
                      "en": "symbol + number of objective-areas with that status"},
    "legend_gap": {"nl": "geen enkele doelstelling in deze fase", "en": "no objective in this "
                   "phase"},
    "to_overview": {"nl": "Toon in het overzicht", "en": "Show in the overview"},
    "gaps": {"nl": "{n} van {m} cellen zijn leemtes", "en": "{n} of {m} cells are gaps"},
    "empty_phases": {"nl": "Fasen zonder enige doelstelling: {p}",
                     "en": "Phases without any objective: {p}"},
}


def column_label(column: str, by: str, lang: str) -> str:
    """A column's heading: the dimension's name, or the partner as written in the plan."""
    return pick(DIMENSIONS, column, lang) if by == "dimension" else column


def status_counts_small(statuses: dict[str, int], lang: str) -> html.Span:
    """The statuses of a cell as small badges: symbol and count, the status text on hover."""
    return html.Span([
        html.Span([html.Span(STATUS_SYMBOLS[s], className="symbol", **{"aria-hidden": "true"}),
                   " ", number(n, 0, lang)],
                  className=f"badge mini status-{s}", title=pick(STATUSES, s, lang),
                  **{"aria-label": f"{pick(STATUSES, s, lang)}: {n}"})
        for s in STATUSES if (n := statuses.get(s, 0))
    ], className="mini-badges")


def chain_cell(cell: dict[str, Any], by: str, lang: str) -> html.Td:
    """One cell: a gap, or the number of objectives (a link to the overview filtered by this
    phase, and partner), their statuses and their ids (links to the detail pages)."""
    col = column_label(cell["column"], by, lang)
    if not cell["objectives"]:
        return html.Td(html.Span(["○ ", pick(TEXT, "gap", lang)], className="gap-mark"),
                       className="chain-cell gap",
                       title=pick(TEXT, "gap_title", lang).format(col=col))
    overview = href("/", lang, phase=cell["phase"],
                    partner=cell["column"] if by == "partner" else None)
    viewer = current_viewer()
    linked = may_open(viewer, "objective") and not viewer.role.own_objectives_only
    return html.Td([
        dcc.Link(objective_count(cell["objectives"], lang), href=overview,
                 className="cell-link", title=pick(TEXT, "to_overview", lang)),
        status_counts_small(cell["statuses"], lang),
        html.Span([dcc.Link(i, href=href(path_of("objective", objective_id=i), lang),
                            className="obj-link")
                   if linked else html.Span(i, className="obj-id") for i in cell["ids"]],
                  className="cell-ids"),
    ], className="chain-cell")


def chain_table(cells: list[dict[str, Any]], by: str, lang: str) -> html.Table:
    """The matrix: phases as rows (in chain order), the columns in the order of the cells."""
    columns = list(dict.fromkeys(c["column"] for c in cells))
    if by == "partner":
        columns.sort(key=str.casefold)
    at = {(c["phase"], c["column"]): c for c in cells}
    phases = [p for p in PHASES if any(c["phase"] == p for c in cells)] or list(PHASES)
    head = html.Thead(html.Tr([html.Th(pick(TEXT, "phase", lang))] + [
        html.Th(column_label(c, by, lang), scope="col") for c in columns]))
    body = html.Tbody([
        html.Tr([html.Th(pick(PHASES, ph, lang), scope="row")] + [
            chain_cell(at[(ph, col)], by, lang) if (ph, col) in at
            else chain_cell({"phase": ph, "column": col, "objectives": 0, "ids": [],
                             "statuses": {}}, by, lang)
            for col in columns], id=f"chain-row-{ph}")
        for ph in phases
    ])
    return html.Table([head, body], className=f"grid chain by-{by}", id="chain-table")


def gap_summary(cells: list[dict[str, Any]], lang: str) -> html.P:
    """How many cells are gaps, and which phases have no objective at all."""
    gaps = sum(1 for c in cells if not c["objectives"])
    empty = [pick(PHASES, p, lang) for p in PHASES
             if not any(c["objectives"] for c in cells if c["phase"] == p)]
    text = pick(TEXT, "gaps", lang).format(n=number(gaps, 0, lang), m=number(len(cells), 0,
                                                                                lang))
    if empty:
        text += ". " + pick(TEXT, "empty_phases", lang).format(p=", ".join(empty))
    return html.P(text, className="gap-summary", id="chain-gaps")


def chain_legend(lang: str) -> html.Div:
    """What the symbols and the gap mark mean."""
    return html.Div([
        html.Strong(pick(TEXT, "legend", lang) + ": "),
        html.Span(pick(TEXT, "legend_counts", lang), className="muted"),
        html.Ul([html.Li(status_badge(s, lang)) for s in STATUSES]
                + [html.Li([html.Span(["○ ", pick(TEXT, "gap", lang)], className="gap-mark"),
                            " ", pick(TEXT, "legend_gap", lang)])]),
    ], className="chain-legend", id="chain-legend")
