"""Pure builders of the areas page ("Wijken"): the choropleth map, the area-versus-city verdict
(the test itself is :func:`indicators.compare.compare`), the ranked table, an area's profile,
the CompStat windows and the small multiples.

Data in (DataFrames and plain dicts from :mod:`dashboard.data`), figures and components out; no
queries, no app context, so every builder is testable without a browser.

The map is drawn by :mod:`dashboard.figures_map`: SVG polygons only, no basemap, no network.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pandas as pd
import plotly.graph_objects as go

from core.vocabulary import (
    AGAINST,
    COMPARISONS,
    TESTS,
    amount,
    date,
    finite,
    number,
    p_value,
    percent,
    pick,
)
from dashboard import markup as m
from dashboard.figures_map import Shape, polygon_map
from indicators import SMALL, Comparison

TEXT = {
    "no_data": {"nl": "geen gegevens", "en": "no data"},
    "no_polygons": {"nl": "Geen kaartvlakken voor dit niveau.",
                    "en": "No polygons for this level."},
    "incomplete": {"nl": "onvolledig", "en": "incomplete"},
    "area": {"nl": "Gebied", "en": "Area"},
    "complete": {"nl": "volledig", "en": "complete"},
    "category": {"nl": "Categorie", "en": "Category"},
    "now": {"nl": "nu", "en": "now"},
    "before": {"nl": "jaar eerder", "en": "year before"},
    "change": {"nl": "verschil", "en": "change"},
    "28d": {"nl": "Laatste 28 dagen", "en": "Last 28 days"},
    "ytd": {"nl": "Jaar tot nu", "en": "Year to date"},
    "r12": {"nl": "Laatste 12 maanden", "en": "Last 12 months"},
    "small": {"nl": "Beide aantallen zijn kleiner dan {n}: dit percentage zegt weinig, "
                    "kijk naar de toets.",
              "en": "Both counts are below {n}: this percentage says little, look at the test."},
    "test": {"nl": "toets", "en": "test"},
    "notable_up": {"nl": "▲ opvallend hoger", "en": "▲ notably higher"},
    "notable_down": {"nl": "▼ opvallend lager", "en": "▼ notably lower"},
    "notable_title": {"nl": "exacte toets, p < 0,05: een verschil dat toeval zelden geeft",
                      "en": "exact test, p < 0.05: a difference chance rarely gives"},
    "new": {"nl": "nieuw", "en": "new"},
}


# -- the map --------------------------------------------------------------------------------


def map_figure(geojson: Mapping[str, Any], values: pd.DataFrame, ind: Any, lang: str,
               selected: str | None = None, height: int = 520,
               revision: str | None = None) -> go.Figure:
    """The indicator per area (:func:`dashboard.figures_map.polygon_map`): every polygon of
    ``geojson`` coloured by its value, grey with "geen gegevens" without one, the selected area
    outlined; hovering shows the area's name and its value in the language's format."""
    rows = values.set_index("area_id") if len(values) else pd.DataFrame(columns=["value"])
    names = {f.get("id"): (f.get("properties") or {}).get("name") or f.get("id")
             for f in geojson.get("features", [])}
    if "name" in rows:
        names.update({k: v for k, v in rows["name"].items() if k in names})
    unit = getattr(ind.unit, lang)
    label = pick(TEXT, "no_data", lang)
    shapes = []
    for area_id, name in names.items():
        value = as_float(rows.at[area_id, "value"]) if area_id in rows.index else None
        shown = value is not None and finite(value)
        shapes.append(Shape(area_id, str(name), value if shown else None,
                            f"{ind.text(value, lang)} {unit}" if shown else label))
    return polygon_map(geojson, shapes, unit=unit, no_data=label,
                       no_polygons=pick(TEXT, "no_polygons", lang), lang=lang,
                       tickformat=".0%" if ind.kind.is_share else None,
                       selected=selected, height=height, revision=revision)


def as_float(value: Any) -> float | None:
    """``value`` as a float, or None when it is not a number."""
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


# -- the area against the city (the test is indicators.compare's) -----------------------------


def verdict_words(c: Comparison, lang: str) -> str:
    """The verdict in words with its symbol."""
    return pick(COMPARISONS, c.verdict, lang)


def verdict_title(c: Comparison, lang: str) -> str:
    """The test and p-value, for a tooltip: ``p = 0,003 (exacte toets ..., tegenover de rest
    van de stad)``."""
    if c.test is None or c.p is None:
        return ""
    return f"{p_value(c.p, lang)} ({pick(TESTS, c.test, lang)}, {pick(AGAINST, 'rest', lang)})"


def verdict_cell(c: Comparison, lang: str) -> m.Element:
    """The verdict as words with a symbol (colour only as an extra); where a test was made, the
    words open its p-value and name (a disclosure: by mouse, finger or keyboard alike)."""
    words = m.Span(verdict_words(c, lang), className=f"areas-verdict areas-{c.verdict}")
    test = verdict_title(c, lang)
    if not test:
        return words
    return m.Details([m.Summary(words), m.Span(test, className="areas-test")],
                        className="areas-verdict-test")


def ranked_table(ranked: pd.DataFrame, ind: Any, lang: str, headers: Mapping[str, str],
                 selected: str | None = None, city_column: bool = True) -> m.Element:
    """The ranked table: rank, area (a button that selects it), value, numerator, denominator,
    n, 95 % interval, the city's value (unless ``city_column`` is false: one city, said above
    the table) and the verdict; incomplete periods flagged per row."""
    cols = ["#", headers["area"], headers["value"], headers["numerator"],
            headers["denominator"], "n", headers["interval"],
            *([headers["city"]] if city_column else []), headers["verdict"]]
    body = []
    for rank, r in enumerate(ranked.to_dict("records"), start=1):
        name = [m.Button(r["name"], id={"type": "areas-row", "index": r["area_id"]},
                            className="areas-pick", n_clicks=0)]
        if not r.get("complete", True):
            name.append(m.Span(f" ({pick(TEXT, 'incomplete', lang)})",
                                  className="areas-incomplete"))
        has = finite(as_float(r.get("value")))
        interval = (f"{ind.text(r['ci_low'], lang)} – {ind.text(r['ci_high'], lang)}"
                    if finite(as_float(r.get("ci_low"))) and finite(as_float(r.get("ci_high")))
                    else "–")
        cells = [
            m.Td(str(rank) if has else "–", className="num"),
            m.Td(name),
            m.Td(ind.text(r.get("value"), lang) if has
                    else pick(TEXT, "no_data", lang), className="num"),
            m.Td(amount(as_float(r.get("numerator")), lang), className="num"),
            m.Td(amount(as_float(r.get("denominator")), lang), className="num"),
            m.Td(number(int(r["n"]), 0, lang) if finite(as_float(r.get("n"))) else "–",
                    className="num"),
            m.Td(interval, className="num"),
            *([m.Td(ind.text(r.get("city_value"), lang), className="num")]
              if city_column else []),
            m.Td(verdict_cell(r["comparison"], lang)),
        ]
        cls = "areas-selected" if r["area_id"] == selected else None
        body.append(m.Tr(cells, className=cls, id=f"areas-tr-{r['area_id']}"))
    return m.Table([m.Thead(m.Tr([m.Th(c) for c in cols])), m.Tbody(body)],
                      className="grid areas-ranked", id="areas-ranked")


def profile_table(rows: list[dict[str, Any]], lang: str, headers: Mapping[str, str]
                  ) -> m.Element:
    """One area's profile: per indicator its period, the area's value and interval, the city's
    value and the verdict (rows: title, unit, period, complete, value, interval, city,
    verdict)."""
    body = []
    for r in rows:
        period = [r["period"] or "–"]
        if r["period"] and not r["complete"]:
            period.append(m.Span(f" ({pick(TEXT, 'incomplete', lang)})",
                                    className="areas-incomplete"))
        body.append(m.Tr([
            m.Td([r["title"], m.Br(), m.Small(r["unit"], className="muted")]),
            m.Td(period),
            m.Td(r["value"], className="num"),
            m.Td(r["interval"], className="num"),
            m.Td(r["city"], className="num"),
            m.Td(verdict_cell(r["verdict"], lang)),
        ]))
    head = [headers["indicator"], headers["period"], headers["value"], headers["interval"],
            headers["city"], headers["verdict"]]
    return m.Table([m.Thead(m.Tr([m.Th(h) for h in head])), m.Tbody(body)],
                      className="grid areas-profile-table", id="areas-profile-table")


# -- CompStat -------------------------------------------------------------------------------


def _change_cell(row: Mapping[str, Any], lang: str) -> m.Element:
    change = as_float(row.get("change"))
    if row.get("count_before", 0) == 0 and row.get("count_now", 0) > 0:
        text = pick(TEXT, "new", lang)
    else:
        text = percent(change, 0, lang, signed=True) if finite(change) else "–"
    if bool(row.get("small")):
        return m.Td(text, className="num areas-small",
                       title=pick(TEXT, "small", lang).format(n=SMALL))
    return m.Td(text, className="num")


def _test_cell(row: Mapping[str, Any], lang: str) -> m.Element:
    """The window's exact test: its p-value, and in words whether it is notable (the words
    are in the cell, not only in a hover title)."""
    p, z = as_float(row.get("p_value")), as_float(row.get("z"))
    if not finite(p):
        return m.Td("–", className="num")
    text = p_value(p, lang)
    if bool(row.get("notable")) and finite(z):
        key = "notable_up" if z > 0 else "notable_down"
        return m.Td([text, " ", m.Span(pick(TEXT, key, lang), className="areas-flag")],
                       className="num areas-notable",
                       title=pick(TEXT, "notable_title", lang))
    return m.Td(text, className="num")


def compstat_table(df: pd.DataFrame | list[dict[str, Any]], names: Mapping[str, str], lang: str,
                   table_id: str | None = None) -> m.Element:
    """The CompStat windows of one area and source kind (a frame, or its rows as dicts): per
    category (in ``names`` order, then unknown ones) the last 28 days, year to date and last
    12 months against a year earlier: both counts, the % change (greyed out with a title when
    both are small) and the exact test's p-value (marked notable below 0.05 with a symbol and
    words)."""
    windows = ("28d", "ytd", "r12")
    records = df.to_dict("records") if isinstance(df, pd.DataFrame) else df
    by_category: dict[Any, dict[str, dict[str, Any]]] = {}
    first: dict[str, dict[str, Any]] = {}
    for r in records:  # once, not a filtered frame per category or window
        by_category.setdefault(r["category"], {})[r["window_type"]] = r
        first.setdefault(r["window_type"], r)
    top = [m.Th(pick(TEXT, "category", lang), rowSpan=2)]
    for w in windows:
        span = ""
        if w in first:
            start, end = first[w]["window_start"], first[w]["window_end"]
            span = f" ({date(_as_date(start))} – {date(_as_date(end))})"
        top.append(m.Th(pick(TEXT, w, lang) + span, colSpan=4, className="areas-window"))
    sub = []
    for _ in windows:
        sub += [m.Th(pick(TEXT, k, lang)) for k in ("now", "before", "change")] + [
            m.Th(pick(TEXT, "test", lang))]
    order = {c: i for i, c in enumerate(names)}
    cats = sorted(by_category, key=lambda c: (order.get(c, len(order)), c))
    body = []
    for cat in cats:
        rows = by_category[cat]
        cells = [m.Td(names.get(cat, cat))]
        for w in windows:
            r = rows.get(w)
            if r is None:
                cells += [m.Td("–", className="num")] * 4
                continue
            cells += [m.Td(number(int(r["count_now"]), 0, lang), className="num"),
                      m.Td(number(int(r["count_before"]), 0, lang), className="num"),
                      _change_cell(r, lang), _test_cell(r, lang)]
        body.append(m.Tr(cells))
    extra = {"id": table_id} if table_id else {}
    return m.Table([m.Thead([m.Tr(top), m.Tr(sub)]), m.Tbody(body)],
                      className="grid areas-compstat-table", tabIndex="0", **extra)


def _as_date(value: Any) -> Any:
    return value.date() if hasattr(value, "date") and callable(value.date) else value


# -- small multiples ------------------------------------------------------------------------


#: The bars of the over-the-years table: complete years, incomplete ones.
BAR_COLOURS = {True: "#9ecae1", False: "#deebf7"}


def multiples_table(df: pd.DataFrame, ind: Any, lang: str) -> m.Element:
    """Every area's value per year in one table, each cell with a bar on a scale shared by the
    whole table (zero to the largest value), so areas and years compare at a glance and the
    numbers stay readable; incomplete years are marked in the header and in their cells.
    ``df``: name, period, value, complete."""
    years = sorted({str(p) for p in df["period"]})
    complete = {y: bool(df.loc[df["period"].astype(str) == y, "complete"].astype(bool).all())
                for y in years}
    finite_values = [float(v) for v in df["value"] if finite(as_float(v))]
    top = max([v for v in finite_values if v > 0], default=1.0)
    incomplete = pick(TEXT, "incomplete", lang)
    head = m.Tr([m.Th(pick(TEXT, "area", lang)), *[
        m.Th([y, *([m.Br(), m.Span(incomplete, className="areas-incomplete")]
                      if not complete[y] else [])], className="num") for y in years]])
    rows = []
    for name in dict.fromkeys(df["name"]):
        part = {str(r["period"]): r for r in df[df["name"] == name].to_dict("records")}
        cells = [m.Th(name, scope="row")]
        for y in years:
            value = as_float(part[y]["value"]) if y in part else None
            if value is None or not finite(value):
                cells.append(m.Td("–", className="num"))
                continue
            width = max(0.0, min(100.0, 100.0 * value / top))
            colour = BAR_COLOURS[complete[y]]
            text = ind.text(value, lang)
            cells.append(m.Td(text, className="num areas-bar" + (
                "" if complete[y] else " areas-bar-incomplete"), title=f"{name}, {y}: {text}",
                style={"background": f"linear-gradient(to right, {colour} {width:.1f}%, "
                                     f"transparent {width:.1f}%)"}))
        rows.append(m.Tr(cells))
    return m.Table([m.Thead(head), m.Tbody(rows)], id="areas-multiples-table",
                      className="areas-multiples-table")
