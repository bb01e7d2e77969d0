"""The figure of the objective page, as pure functions: points and a status record in, a plotly
figure out (no queries, no Dash), so it is testable without a browser.

The series is drawn at the middle of each period: a calendar year at 1 July, a 12-month window
at the middle of its twelve months. The target is the indicator's annual value in the deadline's
year, so it sits at the middle of that year, as in the progress computation
(:func:`indicators.progress.assess`); the straight path runs from the middle of the baseline
period to it, and the forecast is the status's own (the stored projection with its 80 %
interval, ``docs/methods.md``), drawn from the latest point to the deadline. Incomplete periods
are left out of the line and its band: a half-filled period is not a drop. Colours are
Okabe-Ito, and every trace also differs by line style or marker.
"""

from __future__ import annotations

import datetime as dt
import math
from typing import Any

import plotly.graph_objects as go

from core.vocabulary import STATUSES, date, period
from indicators import Indicator, Point, Series, baseline_years

#: Okabe-Ito colours of the traces (each one also has its own dash or marker).
COLOURS = {"value": "#0072B2", "band": "rgba(0, 114, 178, 0.15)", "baseline": "#E69F00",
           "target": "#D55E00", "path": "#555555", "projection": "#CC79A7"}

LEGEND = {
    "band": {"nl": "95 %-interval", "en": "95 % interval"},
    "windows": {"nl": "Waarde (12-maandperiodes)", "en": "Value (12-month windows)"},
    "years": {"nl": "Waarde (kalenderjaren)", "en": "Value (calendar years)"},
    "waves": {"nl": "Waarde (bevragingsgolven)", "en": "Value (survey waves)"},
    "baseline": {"nl": "Basiswaarde {period}", "en": "Baseline {period}"},
    "target": {"nl": "Doel {year}", "en": "Target {year}"},
    "path": {"nl": "Weg naar het doel", "en": "Path to the target"},
    "milestones": {"nl": "Tussendoelen", "en": "Milestones"},
    "milestone": {"nl": "Tussendoel {year}", "en": "Milestone {year}"},
    "projection": {"nl": "Verwachting (met 80 %-interval)",
                   "en": "Forecast (with 80 % interval)"},
    "by": {"nl": "tegen", "en": "by"},
    "empty": STATUSES["insufficient_data"],
    "x": {"nl": "midden van de periode", "en": "middle of the period"},
}


def _l(key: str, lang: str) -> str:
    return LEGEND[key][lang]


# -- times ------------------------------------------------------------------------------------


def date_of_t(t: float) -> dt.date:
    """The date of a time in years (2019.5 -> 2 July 2019)."""
    year = math.floor(t)
    days = 366 if year % 4 == 0 and (year % 100 != 0 or year % 400 == 0) else 365
    return dt.date(year, 1, 1) + dt.timedelta(days=int((t - year) * days))


def midpoint(p: Point) -> dt.date:
    """The middle day of a point's period."""
    return p.start + (p.end - p.start) / 2


def deadline_t(deadline: dt.date) -> float:
    """The deadline as a time in years, as the progress computation places it."""
    return deadline.year + deadline.timetuple().tm_yday / 365.25 - 0.5


def baseline_t(period: str) -> tuple[dt.date, dt.date, float] | None:
    """First day, last day and middle (in years) of a baseline period; None if unreadable."""
    try:
        first, last = baseline_years(period)
    except (ValueError, AttributeError):
        return None
    return dt.date(first, 1, 1), dt.date(last, 12, 31), first + (last - first + 1) / 2


def _day(value: Any) -> dt.date | None:
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except (TypeError, ValueError):
        return None


# -- values as text -----------------------------------------------------------------------------


def period_text(p: Point, lang: str) -> str:
    """A point's period name (see :func:`core.vocabulary.period`)."""
    return period(p.period, lang)


def trend_points(series: Series, survey: bool) -> list[Point]:
    """The points the status's projection uses: complete 12-month windows, or survey waves."""
    if survey:
        return [p for p in series.years if p.value is not None]
    return [p for p in series.windows if p.complete and p.value is not None]


# -- the figure -------------------------------------------------------------------------------


def series_figure(points: list[Point], trend: list[Point], record: dict[str, Any],
                  ind: Indicator, lang: str, view: str = "windows") -> go.Figure:
    """The series with its 95 % band, baseline, target, straight path and projection.

    ``points`` are the periods to draw (incomplete ones are left out), ``trend`` the points the
    projection is fitted on, ``record`` the objective's status record, ``view`` one of
    ``windows``, ``years`` or ``waves`` (the legend name of the series). The projection is
    drawn only when the record has one (the status computation made it).
    """
    scale = 100.0 if ind.kind.is_share else 1.0
    unit = ind.unit.nl if lang == "nl" else ind.unit.en

    def y(v: float | None) -> float | None:
        return None if v is None else round(v * scale, 6)

    def txt(v: float | None) -> str:
        return ind.text(v, lang)

    fig = go.Figure()
    shown = [p for p in points if p.complete and p.value is not None]
    banded = [p for p in shown if p.ci_low is not None and p.ci_high is not None]
    if banded:
        xs = [midpoint(p).isoformat() for p in banded]
        fig.add_trace(go.Scatter(
            x=xs + xs[::-1], y=[y(p.ci_high) for p in banded] + [y(p.ci_low) for p in banded][::-1],
            fill="toself", fillcolor=COLOURS["band"], line={"width": 0}, mode="lines",
            name=_l("band", lang), hoverinfo="skip", uid="band"))
    if shown:
        hover = [f"{period_text(p, lang)}<br>{txt(p.value)} {unit}"
                 + (f"<br>95 %: {txt(p.ci_low)} – {txt(p.ci_high)}"
                    if p.ci_low is not None and p.ci_high is not None else "")
                 for p in shown]
        fig.add_trace(go.Scatter(
            x=[midpoint(p).isoformat() for p in shown], y=[y(p.value) for p in shown],
            mode="lines+markers", name=_l(view, lang), text=hover,
            hovertemplate="%{text}<extra></extra>", uid="values",
            line={"color": COLOURS["value"], "width": 2.5},
            marker={"symbol": "circle", "size": 8, "color": COLOURS["value"]}))

    base = record.get("baseline") or {}
    target = record.get("target") or {}
    span = baseline_t(base.get("period") or "")
    b_value = base.get("value")
    if span is not None and b_value is not None:
        first, last, t_base = span
        text = f"{_l('baseline', lang).format(period=base['period'])}: {txt(b_value)}"
        fig.add_trace(go.Scatter(
            x=[first.isoformat(), date_of_t(t_base).isoformat(), last.isoformat()],
            y=[y(b_value)] * 3, mode="lines+markers", uid="baseline",
            name=_l("baseline", lang).format(period=base["period"]), text=[text] * 3,
            hovertemplate="%{text}<extra></extra>",
            line={"color": COLOURS["baseline"], "width": 3},
            marker={"symbol": "diamond", "size": [0, 12, 0], "color": COLOURS["baseline"]}))
    deadline = _day(target.get("deadline"))
    t_value = target.get("value")
    if deadline is not None and t_value is not None:
        t_dead = deadline_t(deadline)
        x_dead = date_of_t(t_dead).isoformat()
        by = f"{_l('by', lang)} {date(deadline)}"
        steps = [m for m in record.get("milestones") or [] if m.get("value") is not None]
        if span is not None and b_value is not None:
            # the path runs through the milestones (yearly streefwaarden) to the target
            xs = ([date_of_t(span[2]).isoformat()]
                  + [date_of_t(deadline_t(dt.date(m["year"], 12, 31))).isoformat()
                     for m in steps] + [x_dead])
            fig.add_trace(go.Scatter(
                x=xs, y=[y(b_value)] + [y(m["value"]) for m in steps] + [y(t_value)],
                mode="lines", name=_l("path", lang), uid="path", hoverinfo="skip",
                line={"color": COLOURS["path"], "width": 2, "dash": "dash"}))
        if steps:
            fig.add_trace(go.Scatter(
                x=[date_of_t(deadline_t(dt.date(m["year"], 12, 31))).isoformat()
                   for m in steps], y=[y(m["value"]) for m in steps], mode="markers",
                uid="milestones", name=_l("milestones", lang),
                text=[f"{_l('milestone', lang).format(year=m['year'])}: {txt(m['value'])}"
                      for m in steps], hovertemplate="%{text}<extra></extra>",
                marker={"symbol": "triangle-down", "size": 12, "color": COLOURS["target"],
                        "line": {"color": "#000000", "width": 1}}))
        fig.add_trace(go.Scatter(
            x=[x_dead], y=[y(t_value)], mode="markers", uid="target",
            name=_l("target", lang).format(year=deadline.year),
            text=[f"{_l('target', lang).format(year=deadline.year)} {by}: {txt(t_value)}"],
            hovertemplate="%{text}<extra></extra>",
            marker={"symbol": "star", "size": 16, "color": COLOURS["target"],
                    "line": {"color": "#000000", "width": 1}}))
        fit = [p for p in trend if p.value is not None]
        projection = record.get("projection") or {}
        if projection.get("value") is not None and fit:
            # the status's forecast (the stored projection): from the latest value to the
            # forecast at the deadline, with its 80 % interval as an error bar
            last = max(fit, key=lambda p: p.t)
            ends = [last.value, projection["value"]]
            low, high = projection.get("low"), projection.get("high")
            bar = None
            if low is not None and high is not None:
                bar = {"type": "data", "symmetric": False, "color": COLOURS["projection"],
                       "array": [0, y(high) - y(ends[1])],
                       "arrayminus": [0, y(ends[1]) - y(low)], "thickness": 1.5, "width": 6}
            fig.add_trace(go.Scatter(
                x=[date_of_t(last.t).isoformat(), x_dead], y=[y(v) for v in ends],
                mode="lines+markers", name=_l("projection", lang), uid="projection",
                text=["", f"{_l('projection', lang)} {by}: {txt(ends[1])}"
                      + (f" ({txt(low)} – {txt(high)})" if bar else "")],
                hovertemplate="%{text}<extra></extra>", error_y=bar,
                line={"color": COLOURS["projection"], "width": 2, "dash": "dot"},
                marker={"symbol": "circle-open", "size": [0, 11],
                        "color": COLOURS["projection"], "line": {"width": 2}}))
    if not fig.data:
        fig.add_annotation(text=_l("empty", lang), showarrow=False, x=0.5, y=0.5,
                           xref="paper", yref="paper")
    fig.update_layout(
        separators=",." if lang == "nl" else ".,",
        template="plotly_white", height=430, margin={"l": 60, "r": 20, "t": 20, "b": 40},
        legend={"orientation": "h", "y": -0.15, "x": 0},
        hovermode="closest",
        xaxis={"type": "date", "tickformat": "%Y", "title": {"text": _l("x", lang)}},
        yaxis={"rangemode": "tozero", "title": {"text": f"{unit} (%)" if scale != 1 else unit},
               "ticksuffix": " %" if scale != 1 else ""},
    )
    return fig


PUBLIC_LEGEND = {
    "value": {"nl": "Waarde per jaar", "en": "Value per year"},
    "hidden": {"nl": "x = afgeschermd (te klein aantal)", "en": "x = hidden (too small a number)"},
    "baseline": {"nl": "Basiswaarde", "en": "Baseline"},
    "target": {"nl": "Doel", "en": "Target"},
}


def public_figure(years: list[tuple[str, float | None]], baseline: float | None,
                  target: float | None, ind: Indicator, lang: str) -> go.Figure:
    """The public figures of an objective per year: ``years`` as (year, value), a hidden value
    as None. A hidden year is a gap in the line, marked with an x above the axis, never drawn
    as zero; the baseline and target are drawn when they are shown (not None)."""
    scale = 100.0 if ind.kind.is_share else 1.0
    unit = ind.unit.nl if lang == "nl" else ind.unit.en

    def y(v: float | None) -> float | None:
        return None if v is None else round(v * scale, 6)

    xs = [year for year, _ in years]
    fig = go.Figure()
    fig.add_trace(go.Scatter(
        x=xs, y=[y(v) for _, v in years], mode="lines+markers", connectgaps=False,
        name=PUBLIC_LEGEND["value"][lang], line={"color": COLOURS["value"], "width": 2.5},
        marker={"size": 8}, text=[ind.text(v, lang) for _, v in years],
        hovertemplate="%{x}: %{text}<extra></extra>"))
    hidden = [year for year, v in years if v is None]
    for year in hidden:
        fig.add_annotation(x=year, y=0, yref="paper", text="x", showarrow=False, yshift=12,
                           font={"size": 16, "color": "#1b1b1b"})
    for key, value, dash in (("baseline", baseline, "solid"), ("target", target, "dash")):
        if value is not None and xs:
            fig.add_trace(go.Scatter(
                x=[xs[0], xs[-1]], y=[y(value), y(value)], mode="lines",
                name=f"{PUBLIC_LEGEND[key][lang]}: {ind.text(value, lang)}", hoverinfo="skip",
                line={"color": COLOURS[key], "width": 2, "dash": dash}))
    if hidden:
        fig.add_trace(go.Scatter(x=[None], y=[None], mode="markers", hoverinfo="skip",
                                 name=PUBLIC_LEGEND["hidden"][lang],
                                 marker={"symbol": "x", "color": "#1b1b1b", "size": 9}))
    fig.update_layout(
        separators=",." if lang == "nl" else ".,",
        template="plotly_white", height=360, margin={"l": 60, "r": 20, "t": 20, "b": 40},
        legend={"orientation": "h", "y": -0.2, "x": 0}, hovermode="closest",
        xaxis={"type": "category"},
        yaxis={"rangemode": "tozero", "title": {"text": f"{unit} (%)" if scale != 1 else unit},
               "ticksuffix": " %" if scale != 1 else ""},
    )
    return fig


__all__ = ["COLOURS", "baseline_t", "date_of_t", "deadline_t", "midpoint", "period_text",
           "public_figure", "series_figure", "trend_points"]
