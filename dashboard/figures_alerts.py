"""The figure of an early-warning alert, as a pure function: the judged weeks in, a plotly
figure out. Each week shows the count of the four weeks up to it, what was expected in those
weeks and the threshold of an alert; weeks over the threshold carry their own marker (a
triangle), so an exceedance never rests on colour alone. Okabe-Ito colours; scatter traces only
(the dashboard's plotly bundle)."""

from __future__ import annotations

from typing import Any

import plotly.graph_objects as go

from core.vocabulary import date, number

COLOURS = {"count": "#0072B2", "expected": "#555555", "upper": "#D55E00"}

LEGEND = {
    "count": {"nl": "Aantal in 4 weken", "en": "Count in 4 weeks"},
    "expected": {"nl": "Gewoonlijk (zelfde weken vorige jaren)",
                 "en": "Usual (the same weeks in earlier years)"},
    "upper": {"nl": "Drempel van een signaal", "en": "Alert threshold"},
    "exceeds": {"nl": "Boven de drempel", "en": "Over the threshold"},
    "x": {"nl": "laatste dag van de 4 weken", "en": "last day of the 4 weeks"},
    "y": {"nl": "feiten of meldingen", "en": "offences or reports"},
    "note": {"nl": "Afgesloten: {t}", "en": "Closed: {t}"},
}


def alert_figure(weeks: list[dict[str, Any]], lang: str, note: Any = None) -> go.Figure:
    """The judged weeks of one alert (oldest first); with the alert's closing ``note`` (its
    ``closed_at`` and ``note``), a marked line on the day it was closed with the note's words."""
    fig = go.Figure()
    xs = [w["week_end"].isoformat() for w in weeks]

    def line(key: str, dash: str, width: float) -> None:
        ys = [w[key] for w in weeks]
        fig.add_trace(go.Scatter(
            x=xs, y=ys, mode="lines+markers" if key == "count" else "lines", uid=key,
            name=LEGEND[key][lang], line={"color": COLOURS[key], "dash": dash, "width": width},
            text=[f"{date(w['week_end'])}: {number(v, 0 if key != 'expected' else 1, lang)}"
                  for w, v in zip(weeks, ys, strict=True)],
            hovertemplate="%{text}<extra></extra>"))

    line("count", "solid", 2.5)
    line("expected", "dash", 2)
    line("upper", "dot", 2)
    over = [w for w in weeks if w["exceeds"]]
    if over:
        fig.add_trace(go.Scatter(
            x=[w["week_end"].isoformat() for w in over], y=[w["count"] for w in over],
            mode="markers", uid="exceeds", name=LEGEND["exceeds"][lang],
            marker={"symbol": "triangle-up", "size": 14, "color": COLOURS["upper"],
                    "line": {"color": "#000000", "width": 1}},
            hoverinfo="skip"))
    if note is not None:
        day = note.closed_at[:10]
        text = note.note if len(note.note) <= 60 else note.note[:57] + "..."
        fig.add_vline(x=day, line={"color": "#000000", "dash": "dot", "width": 1})
        fig.add_annotation(x=day, y=1, yref="paper", text=LEGEND["note"][lang].format(t=text),
                           showarrow=False, xanchor="right", align="right",
                           font={"size": 11}, bgcolor="#FFFFFF")
    fig.update_layout(
        separators=",." if lang == "nl" else ".,", template="plotly_white", height=300,
        margin={"l": 50, "r": 10, "t": 10, "b": 40}, legend={"orientation": "h", "y": -0.3},
        xaxis={"type": "date", "tickformat": "%d/%m", "title": {"text": LEGEND["x"][lang]}},
        yaxis={"rangemode": "tozero", "title": {"text": LEGEND["y"][lang]}})
    return fig


__all__ = ["COLOURS", "alert_figure"]
