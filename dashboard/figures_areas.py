"""Pure builders of the areas page ("Wijken"): the choropleth map, the area-versus-city test,
the ranked table, an area's profile, the CompStat windows and the small multiples.

Data in (DataFrames and plain dicts from :mod:`dashboard.data`), figures and components out; no
queries, no app context, so every builder is testable without a browser.

The map is drawn by :mod:`dashboard.figures_map`: SVG polygons only, no basemap, no network.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import pandas as pd
import plotly.graph_objects as go
from dash import html

from dashboard.components import finite
from dashboard.figures_map import Shape, polygon_map
from dashboard.i18n import date, number, pick
from indicators import formats, stats
from indicators.compstat import SMALL

#: The level of the area-versus-city tests.
ALPHA = 0.05

VERDICTS = {
    "higher": {"nl": "hoger ▲", "en": "higher ▲"},
    "lower": {"nl": "lager ▼", "en": "lower ▼"},
    "same": {"nl": "niet te onderscheiden ≈", "en": "indistinguishable ≈"},
    "na": {"nl": "n.v.t.", "en": "n/a"},
    "insufficient": {"nl": "onvoldoende gegevens ?", "en": "insufficient data ?"},
}
TESTS = {
    "poisson": {"nl": "exacte Poissontoets tegenover de rest van de stad",
                "en": "exact Poisson test against the rest of the city"},
    "share": {"nl": "z-toets met effectieve n tegenover de rest van de stad",
              "en": "z-test with effective n against the rest of the city"},
    "mean": {"nl": "Welch-t-toets met effectieve n tegenover de rest van de stad",
             "en": "Welch t-test with effective n against the rest of the city"},
}
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
                    "kijk naar z.",
              "en": "Both counts are below {n}: this percentage says little, look at z."},
    "test": {"nl": "toets", "en": "test"},
    "notable_up": {"nl": "▲ opvallend hoger", "en": "▲ notably higher"},
    "notable_down": {"nl": "▼ opvallend lager", "en": "▼ notably lower"},
    "notable_title": {"nl": "exacte toets, p < 0,05: een verschil dat toeval zelden geeft",
                      "en": "|z| ≥ {z}: a difference noise rarely gives (5 % level)"},
    "new": {"nl": "nieuw", "en": "new"},
}


def fmt_value(ind: Any, value: Any, lang: str) -> str:
    """An indicator's value as people read it: shares in %, rates and medians with one decimal,
    means with two, counts whole; "–" for a missing value."""
    if not finite(value):
        return "–"
    noise, rule = ind.kind.noise, ind.kind.value_rule
    if noise == "share":
        return formats.percent(value, 1, lang)
    if noise == "mean":
        return number(value, 2, lang)
    if rule in ("rate", "direct"):
        return number(value, 1, lang)
    return number(value, 0 if float(value).is_integer() else 1, lang)


def fmt_amount(value: Any, lang: str) -> str:
    """A numerator or denominator: whole when whole, else one decimal (survey weights)."""
    if not finite(value):
        return "–"
    return number(value, 0 if abs(value - round(value)) < 0.05 else 1, lang)


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
                            f"{fmt_value(ind, value, lang)} {unit}" if shown else label))
    return polygon_map(geojson, shapes, unit=unit, no_data=label,
                       no_polygons=pick(TEXT, "no_polygons", lang), lang=lang,
                       tickformat=".0%" if ind.kind.noise == "share" else None,
                       selected=selected, height=height, revision=revision)


def as_float(value: Any) -> float | None:
    """``value`` as a float, or None when it is not a number."""
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


# -- the area against the city --------------------------------------------------------------


@dataclass(frozen=True)
class Verdict:
    """How an area compares with its city: ``higher``, ``lower``, ``same``, ``na`` (no noise
    model, or the area is the city) or ``insufficient``; with the p-value and the test."""

    verdict: str
    p: float | None = None
    test: str | None = None

    def words(self, lang: str) -> str:
        """The verdict in words with its symbol."""
        return pick(VERDICTS, self.verdict, lang)

    def title(self, lang: str) -> str:
        """The test and p-value, for a tooltip."""
        if self.test is None or self.p is None:
            return ""
        return f"{formats.p_value(self.p, lang)} ({pick(TESTS, self.test, lang)})"


def _num(row: Mapping[str, Any], key: str) -> float:
    value = as_float(row.get(key))
    return value if value is not None and math.isfinite(value) else math.nan


def _weighted_rest(area: Mapping[str, Any], city: Mapping[str, Any]):
    """The rest of the city's weight sum, weighted sum and Kish n from the stored sums."""
    den_a, den_c = _num(area, "denominator"), _num(city, "denominator")
    neff_a = _num(area, "n_eff") if finite(_num(area, "n_eff")) else _num(area, "n")
    neff_c = _num(city, "n_eff") if finite(_num(city, "n_eff")) else _num(city, "n")
    sw = den_c - den_a
    sw2 = den_c ** 2 / neff_c - den_a ** 2 / neff_a if neff_a > 0 and neff_c > 0 else math.nan
    n_rest = sw * sw / sw2 if sw2 > 0 else math.nan
    return sw, n_rest, neff_a


def compare(area: Mapping[str, Any], city: Mapping[str, Any] | None, ind: Any,
            alpha: float = ALPHA) -> Verdict:
    """Whether an area's value differs from the rest of its city beyond noise.

    Counts and rates (Poisson): the exact conditional test of the area's count against the
    rest's, with the population as exposure (the rate's own denominator, inhabitants for a
    plain count). Shares: the pooled z-test with Kish's effective n; means: Welch's t-test;
    the rest's sums are the city's minus the area's. Other measures: ``na``.
    """
    noise = ind.kind.noise
    if noise is None or city is None or area.get("area_id") == city.get("area_id"):
        return Verdict("na")
    if not finite(_num(area, "value")) or not finite(_num(city, "value")):
        return Verdict("insufficient")
    if noise == "poisson":
        x_a, x_c = _num(area, "numerator"), _num(city, "numerator")
        col = "denominator" if ind.kind.value_rule == "rate" else "inhabitants"
        e_a, e_c = _num(area, col), _num(city, col)
        x_r, e_r = x_c - x_a, e_c - e_a
        if not (e_a > 0 and e_r > 0 and x_a >= 0 and x_r >= 0):
            return Verdict("insufficient")
        try:
            p = stats.poisson_rate_test(round(x_a), e_a, round(x_r), e_r)
        except ValueError:
            return Verdict("insufficient")
        up = x_a / e_a > x_r / e_r
        return Verdict(("higher" if up else "lower") if p < alpha else "same", p, "poisson")
    sw_r, n_r, n_a = _weighted_rest(area, city)
    if not (n_a >= max(ind.min_n, 2) and n_r >= 2 and sw_r > 0):
        return Verdict("insufficient")
    v_a = _num(area, "value")
    num_r = _num(city, "numerator") - _num(area, "numerator")
    v_r = num_r / sw_r
    if noise == "share":
        p = stats.share_test(v_a, n_a, v_r, n_r)
    elif noise == "mean":
        def sx2(row):  # the weighted sum of squares, from the stored mean and sd
            return _num(row, "denominator") * (_num(row, "sd") ** 2 + _num(row, "value") ** 2)
        var_r = max((sx2(city) - sx2(area)) / sw_r - v_r * v_r, 0.0)
        p = stats.mean_test(v_a, _num(area, "sd"), n_a, v_r, math.sqrt(var_r), n_r)
    else:
        return Verdict("na")
    if not finite(p):
        return Verdict("insufficient")
    return Verdict(("higher" if v_a > v_r else "lower") if p < alpha else "same", p, noise)


def compare_frame(values: pd.DataFrame, cities: Mapping[str, Mapping[str, Any]],
                  city_of: Mapping[str, str | None], ind: Any) -> pd.DataFrame:
    """``values`` ranked from high to low (no value last) with each area's city value and
    verdict (columns ``city_value``, ``verdict``, ``p``, ``test``)."""
    out = values.copy()
    verdicts, city_values = [], []
    for row in out.to_dict("records"):
        city = cities.get(city_of.get(row["area_id"]) or "")
        v = compare(row, city, ind)
        verdicts.append(v)
        city_values.append(city.get("value") if city else None)
    out["city_value"] = city_values
    out["verdict"] = [v.verdict for v in verdicts]
    out["p"] = [v.p for v in verdicts]
    out["test"] = [v.test for v in verdicts]
    out["_verdict"] = verdicts
    return out.sort_values(["value", "name"], ascending=[False, True], na_position="last",
                           kind="stable").reset_index(drop=True)


def verdict_cell(v: Verdict, lang: str) -> html.Span:
    """The verdict as words with a symbol (colour only as an extra)."""
    return html.Span(v.words(lang), className=f"areas-verdict areas-{v.verdict}",
                     title=v.title(lang) or None)


def ranked_table(ranked: pd.DataFrame, ind: Any, lang: str, headers: Mapping[str, str],
                 selected: str | None = None, city_column: bool = True) -> html.Table:
    """The ranked table: rank, area (a button that selects it), value, numerator, denominator,
    n, 95 % interval, the city's value (unless ``city_column`` is false: one city, said above
    the table) and the verdict; incomplete periods flagged per row."""
    cols = ["#", headers["area"], headers["value"], headers["numerator"],
            headers["denominator"], "n", headers["interval"],
            *([headers["city"]] if city_column else []), headers["verdict"]]
    body = []
    for rank, r in enumerate(ranked.to_dict("records"), start=1):
        name = [html.Button(r["name"], id={"type": "areas-row", "index": r["area_id"]},
                            className="areas-pick", n_clicks=0)]
        if not r.get("complete", True):
            name.append(html.Span(f" ({pick(TEXT, 'incomplete', lang)})",
                                  className="areas-incomplete"))
        has = finite(as_float(r.get("value")))
        interval = (f"{fmt_value(ind, r['ci_low'], lang)} – {fmt_value(ind, r['ci_high'], lang)}"
                    if finite(as_float(r.get("ci_low"))) and finite(as_float(r.get("ci_high")))
                    else "–")
        cells = [
            html.Td(str(rank) if has else "–", className="num"),
            html.Td(name),
            html.Td(fmt_value(ind, r.get("value"), lang) if has
                    else pick(TEXT, "no_data", lang), className="num"),
            html.Td(fmt_amount(as_float(r.get("numerator")), lang), className="num"),
            html.Td(fmt_amount(as_float(r.get("denominator")), lang), className="num"),
            html.Td(number(int(r["n"]), 0, lang) if finite(as_float(r.get("n"))) else "–",
                    className="num"),
            html.Td(interval, className="num"),
            *([html.Td(fmt_value(ind, r.get("city_value"), lang), className="num")]
              if city_column else []),
            html.Td(verdict_cell(r["_verdict"], lang)),
        ]
        cls = "areas-selected" if r["area_id"] == selected else None
        body.append(html.Tr(cells, className=cls, id=f"areas-tr-{r['area_id']}"))
    return html.Table([html.Thead(html.Tr([html.Th(c) for c in cols])), html.Tbody(body)],
                      className="grid areas-ranked", id="areas-ranked")


def profile_table(rows: list[dict[str, Any]], lang: str, headers: Mapping[str, str]
                  ) -> html.Table:
    """One area's profile: per indicator its period, the area's value and interval, the city's
    value and the verdict (rows: title, unit, period, complete, value, interval, city,
    verdict)."""
    body = []
    for r in rows:
        period = [r["period"] or "–"]
        if r["period"] and not r["complete"]:
            period.append(html.Span(f" ({pick(TEXT, 'incomplete', lang)})",
                                    className="areas-incomplete"))
        body.append(html.Tr([
            html.Td([r["title"], html.Br(), html.Small(r["unit"], className="muted")]),
            html.Td(period),
            html.Td(r["value"], className="num"),
            html.Td(r["interval"], className="num"),
            html.Td(r["city"], className="num"),
            html.Td(verdict_cell(r["verdict"], lang)),
        ]))
    head = [headers["indicator"], headers["period"], headers["value"], headers["interval"],
            headers["city"], headers["verdict"]]
    return html.Table([html.Thead(html.Tr([html.Th(h) for h in head])), html.Tbody(body)],
                      className="grid areas-profile-table", id="areas-profile-table")


# -- CompStat -------------------------------------------------------------------------------


def _change_cell(row: Mapping[str, Any], lang: str) -> html.Td:
    change = as_float(row.get("change"))
    if row.get("count_before", 0) == 0 and row.get("count_now", 0) > 0:
        text = pick(TEXT, "new", lang)
    else:
        text = formats.percent(change, 0, lang, signed=True) if finite(change) else "–"
    if bool(row.get("small")):
        return html.Td(text, className="num areas-small",
                       title=pick(TEXT, "small", lang).format(n=SMALL))
    return html.Td(text, className="num")


def _test_cell(row: Mapping[str, Any], lang: str) -> html.Td:
    """The window's exact test: its p-value, and in words whether it is notable (the words
    are in the cell, not only in a hover title)."""
    p, z = as_float(row.get("p_value")), as_float(row.get("z"))
    if not finite(p):
        return html.Td("–", className="num")
    text = formats.p_value(p, lang)
    if bool(row.get("notable")) and finite(z):
        key = "notable_up" if z > 0 else "notable_down"
        return html.Td([text, " ", html.Span(pick(TEXT, key, lang), className="areas-flag")],
                       className="num areas-notable",
                       title=pick(TEXT, "notable_title", lang))
    return html.Td(text, className="num")


def compstat_table(df: pd.DataFrame, names: Mapping[str, str], lang: str,
                   table_id: str | None = None) -> html.Table:
    """The CompStat windows of one area and source kind: per category (in ``names`` order,
    then unknown ones) the last 28 days, year to date and last 12 months against a year
    earlier: both counts, the % change (greyed out with a title when both are small) and the
    exact test's p-value (marked notable below 0.05 with a symbol and words)."""
    windows = ("28d", "ytd", "r12")
    top = [html.Th(pick(TEXT, "category", lang), rowSpan=2)]
    for w in windows:
        part = df[df["window_type"] == w]
        span = ""
        if len(part):
            start, end = part["window_start"].iloc[0], part["window_end"].iloc[0]
            span = f" ({date(_as_date(start))} – {date(_as_date(end))})"
        top.append(html.Th(pick(TEXT, w, lang) + span, colSpan=4, className="areas-window"))
    sub = []
    for _ in windows:
        sub += [html.Th(pick(TEXT, k, lang)) for k in ("now", "before", "change")] + [
            html.Th(pick(TEXT, "test", lang))]
    order = {c: i for i, c in enumerate(names)}
    cats = sorted(df["category"].unique(), key=lambda c: (order.get(c, len(order)), c))
    body = []
    for cat in cats:
        rows = {r["window_type"]: r for r in df[df["category"] == cat].to_dict("records")}
        cells = [html.Td(names.get(cat, cat))]
        for w in windows:
            r = rows.get(w)
            if r is None:
                cells += [html.Td("–", className="num")] * 4
                continue
            cells += [html.Td(number(int(r["count_now"]), 0, lang), className="num"),
                      html.Td(number(int(r["count_before"]), 0, lang), className="num"),
                      _change_cell(r, lang), _test_cell(r, lang)]
        body.append(html.Tr(cells))
    extra = {"id": table_id} if table_id else {}
    return html.Table([html.Thead([html.Tr(top), html.Tr(sub)]), html.Tbody(body)],
                      className="grid areas-compstat-table", **extra)


def _as_date(value: Any) -> Any:
    return value.date() if hasattr(value, "date") and callable(value.date) else value


# -- small multiples ------------------------------------------------------------------------


#: The bars of the over-the-years table: complete years, incomplete ones.
BAR_COLOURS = {True: "#9ecae1", False: "#deebf7"}


def multiples_table(df: pd.DataFrame, ind: Any, lang: str) -> html.Table:
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
    head = html.Tr([html.Th(pick(TEXT, "area", lang)), *[
        html.Th([y, *([html.Br(), html.Span(incomplete, className="areas-incomplete")]
                      if not complete[y] else [])], className="num") for y in years]])
    rows = []
    for name in dict.fromkeys(df["name"]):
        part = {str(r["period"]): r for r in df[df["name"] == name].to_dict("records")}
        cells = [html.Th(name, scope="row")]
        for y in years:
            value = as_float(part[y]["value"]) if y in part else None
            if value is None or not finite(value):
                cells.append(html.Td("–", className="num"))
                continue
            width = max(0.0, min(100.0, 100.0 * value / top))
            colour = BAR_COLOURS[complete[y]]
            text = fmt_value(ind, value, lang)
            cells.append(html.Td(text, className="num areas-bar" + (
                "" if complete[y] else " areas-bar-incomplete"), title=f"{name}, {y}: {text}",
                style={"background": f"linear-gradient(to right, {colour} {width:.1f}%, "
                                     f"transparent {width:.1f}%)"}))
        rows.append(html.Tr(cells))
    return html.Table([html.Thead(head), html.Tbody(rows)], id="areas-multiples-table",
                      className="areas-multiples-table")
