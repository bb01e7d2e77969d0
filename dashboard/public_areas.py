"""Wijken / Areas for the public audience: the plan's indicators per wijk and calendar year, as
in the public council workbook's Wijken sheet, on a map and in a table, suppressed cells shown
as ``x``.

The internal page lets one pick any level, period type and period; the public one only shows
the table the suppression was decided on as a whole (every wijk, every complete year, the city
total and the part assigned to no wijk), so no hidden value can be derived by combining views.
URL: ``indicator``, ``year`` and ``lang``.
"""

from __future__ import annotations

from typing import Any

import plotly.graph_objects as go
from dash import Input, Output, State, callback, dcc, html

from core.vocabulary import between, pick
from dashboard.audience import PublicData, data_of_app
from dashboard.components import finite, frame, graph_config, href, suppressed_note, table
from dashboard.components_overview import query_string
from dashboard.export.figures import Figures
from dashboard.export.release import AreaRow
from dashboard.export.suppress import MARK
from dashboard.figures_map import Shape, polygon_map
from dashboard.i18n import lang_of, t
from dashboard.index_content import index_section
from dashboard.markup import Element
from dashboard.registry import path_of

TEXT = {
    "title": {"nl": "Wijken", "en": "Areas"},
    "intro": {
        "nl": "De indicatoren van het plan per wijk en per kalenderjaar, zoals in de publieke "
              "versie van het werkboek voor de gemeenteraad. Bij een cijfer uit de bevraging "
              "staat de foutenmarge: de echte waarde ligt met 95 % zekerheid daartussen.",
        "en": "The plan's indicators per area and calendar year, as in the public version of "
              "the council workbook. A figure from the survey comes with its margin of error: "
              "the true value lies within it with 95 % certainty.",
    },
    "year": {"nl": "Jaar", "en": "Year"},
    "total": {"nl": "Totaal", "en": "Total"},
    "rest": {"nl": "niet aan een wijk toegewezen", "en": "assigned to no area"},
    "suppressed": {"nl": "afgeschermd", "en": "suppressed"},
    "no_data": {"nl": "geen gegevens", "en": "no data"},
    "none": {"nl": "Geen cijfers per wijk in de publieke versie.",
             "en": "No figures per area in the public version."},
}


def _rows(f: Figures, indicator: str) -> list[AreaRow]:
    return [r for r in f.area_rows if r.indicator.id == indicator]


def _indicators(f: Figures) -> list[Any]:
    seen: dict[str, Any] = {}
    for r in f.area_rows:
        seen.setdefault(r.indicator.id, r.indicator)
    return list(seen.values())


def _years(rows: list[AreaRow]) -> list[int]:
    return sorted({y for r in rows for y in r.values})


def _shown(f: Figures, r: AreaRow, year: int | None) -> tuple[float | None, bool]:
    """The value of a row in a year (None: the total), and whether it is suppressed."""
    cell = r.total_cell if year is None else r.cells.get(year)
    hidden = f.is_hidden(cell)
    value = r.total if year is None else r.values.get(year)
    return (None if hidden else value), hidden


def _cell(f: Figures, r: AreaRow, year: int | None, lang: str) -> Any:
    """A shown value (a survey's share with its margin of error in words), or x."""
    value, hidden = _shown(f, r, year)
    if hidden:
        return html.Span(MARK, className="suppressed", title=pick(TEXT, "suppressed", lang))
    text = r.indicator.text(value, lang)
    interval = r.intervals.get(year) if year is not None else None
    if interval is None or r.indicator.source != "survey":
        return text
    low, high = (r.indicator.text(x, lang) for x in interval)
    return [text, html.Span(between(low, high, lang), className="note margin")]


def area_table(f: Figures, indicator: str, lang: str) -> Element:
    """Every wijk (then the part in no wijk and the city) with its years and total."""
    rows = _rows(f, indicator)
    years = _years(rows)
    order = {"wijk": 0, "rest": 1, "gemeente": 2}
    body = []
    for r in sorted(rows, key=lambda r: (order.get(r.level, 1), r.name or "")):
        name = pick(TEXT, "rest", lang) if r.level == "rest" else (r.name or r.area_id)
        body.append([name, *[_cell(f, r, y, lang) for y in years], _cell(f, r, None, lang)])
    header = [t("area", lang), *[str(y) for y in years], pick(TEXT, "total", lang)]
    return table(header, body, numeric=set(range(1, len(years) + 2)),
                 table_id="pubareas-table")


def area_map(f: Figures, geojson: dict[str, Any], indicator: str, year: int,
             lang: str) -> go.Figure:
    """The wijken coloured by the year's value; suppressed ones grey and labelled so."""
    ind = next(r.indicator for r in _rows(f, indicator))
    unit = getattr(ind.unit, lang)
    shapes, any_hidden = [], False
    for r in _rows(f, indicator):
        value, hidden = _shown(f, r, year)
        value = value if finite(value) else None
        any_hidden = any_hidden or hidden
        text = (f"{ind.text(value, lang)} {unit}" if value is not None else
                pick(TEXT, "suppressed" if hidden else "no_data", lang))
        shapes.append(Shape(r.area_id, r.name, None if value is None else float(value), text))
    return polygon_map(geojson, shapes, unit=unit, lang=lang, height=480,
                       no_data=f"{MARK}: {pick(TEXT, 'suppressed', lang)}" if any_hidden
                       else pick(TEXT, "no_data", lang),
                       no_polygons=pick(TEXT, "no_data", lang),
                       tickformat=".0%" if ind.kind.noise == "share" else None)


def _view(data: PublicData, indicator: Any, year: Any) -> tuple[str | None, int | None]:
    f = data.figures()
    inds = [i.id for i in _indicators(f)] if f else []
    if not inds:
        return None, None
    chosen = indicator if indicator in inds else inds[0]
    years = _years(_rows(f, chosen))
    try:
        y = int(year)
    except (TypeError, ValueError):
        y = None
    return chosen, (y if y in years else (years[-1] if years else None))


def _content(data: PublicData, indicator: str, year: int | None, lang: str) -> list:
    f = data.figures()
    ind = next(i for i in _indicators(f) if i.id == indicator)
    heading = f"{getattr(ind.title, lang)} ({getattr(ind.unit, lang)})"
    out: list = [html.H2(heading, id="pubareas-heading")]
    if year is not None:
        fig = area_map(f, data.geojson(data.neighbourhood_level() or "wijk"), indicator, year,
                       lang)
        out.append(dcc.Graph(id="pubareas-map", figure=fig,
                             config=graph_config(lang, scrollZoom=True),
                             responsive=True, style={"height": f"{fig.layout.height or 520}px"}))
    out.append(area_table(f, indicator, lang))
    return out


def layout(data: PublicData, lang: str, query: dict[str, Any]) -> html.Div:
    """The public areas page for the indicator and year in the URL."""
    f = data.figures()
    indicator, year = _view(data, query.get("indicator"), query.get("year"))
    if f is None or indicator is None:
        return frame("areas", lang, {}, [html.H1(pick(TEXT, "title", lang)),
                                         html.P(pick(TEXT, "none", lang))])
    years = _years(_rows(f, indicator))
    controls = html.Div([
        html.Label([t("indicator", lang), dcc.Dropdown(
            id="pubareas-indicator", value=indicator, clearable=False,
            options=[{"label": getattr(i.title, lang), "value": i.id}
                     for i in _indicators(f)])], className="filter"),
        html.Label([pick(TEXT, "year", lang), dcc.Dropdown(
            id="pubareas-year", value=year, clearable=False, searchable=False,
            options=[{"label": str(y), "value": y} for y in years])], className="filter"),
    ], className="filters")
    return frame("areas", lang, {"indicator": indicator, "year": year}, [
        dcc.Location(id="pubareas-url", refresh=False),
        dcc.Store(id="pubareas-lang", data=lang),
        html.H1(pick(TEXT, "title", lang)),
        html.P(pick(TEXT, "intro", lang), className="hint"),
        suppressed_note(lang),
        controls,
        html.Div(_content(data, indicator, year, lang), id="pubareas-view"),
        html.Section(index_section(data.safety_index(_city(data)), lang, public=True),
                     id="pubareas-index"),
    ], as_of=data.as_of())


def _city(data: PublicData) -> str | None:
    """The plan's municipality: where most of its objectives lie."""
    homes = [r["area"]["id"][:5] for r in data.status()]
    return max(set(homes), key=homes.count, default=None)


@callback(
    Output("pubareas-view", "children"),
    Output("pubareas-year", "options"),
    Output("pubareas-url", "search"),
    Output("lang-switch", "href", allow_duplicate=True),
    Input("pubareas-indicator", "value"),
    Input("pubareas-year", "value"),
    State("pubareas-lang", "data"),
    prevent_initial_call=True,
)
def update(indicator: Any, year: Any, lang: Any):
    """Another indicator or year: the map and table, and the URL that shows them again."""
    lang = lang_of(lang)
    data = data_of_app()
    if not isinstance(data, PublicData):
        data = PublicData(data)  # an internal viewer on these components gets the same view
    indicator, year = _view(data, indicator, year)
    f = data.figures()
    if indicator is None or f is None:
        return [], [], "", href(path_of("areas"), "en" if lang == "nl" else "nl")
    years = [{"label": str(y), "value": y} for y in _years(_rows(f, indicator))]
    state = {"indicator": indicator, "year": year}
    return (_content(data, indicator, year, lang), years, query_string(lang, **state),
            href(path_of("areas"), "en" if lang == "nl" else "nl", **state))


__all__ = ["area_map", "area_table", "layout"]
