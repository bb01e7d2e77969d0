"""The funnel plot of a city against its peers, as a pure function: each municipality's rate
against its population, the group's rate, and the 95 % and 99.8 % control limits that allow for
the group's overdispersion (:mod:`indicators.funnel`). The city is a star with its name; the
limits differ by line style, so nothing rests on colour alone. Scatter traces only."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

from core.vocabulary import number
from indicators import PeerFunnel

COLOURS = {"peers": "#0072B2", "city": "#D55E00", "mean": "#555555", "limit95": "#555555",
           "limit998": "#000000"}

LEGEND = {
    "peers": {"nl": "Andere gemeenten", "en": "Other municipalities"},
    "mean": {"nl": "Cijfer van de groep", "en": "The group's rate"},
    "limit95": {"nl": "95 %-grenzen", "en": "95 % limits"},
    "limit998": {"nl": "99,8 %-grenzen", "en": "99.8 % limits"},
    "x": {"nl": "inwoners", "en": "inhabitants"},
    "x_households": {"nl": "huishoudens", "en": "households"},
    "y": {"nl": "per {f} inwoners", "en": "per {f} inhabitants"},
    "y_households": {"nl": "per {f} huishoudens", "en": "per {f} households"},
}


def funnel_figure(pf: PeerFunnel, city: str | None, lang: str) -> go.Figure:
    """The funnel of ``pf`` with ``city`` (an area id) marked."""
    f = pf.funnel
    rows = pf.rows()
    households = pf.indicator.population == "households"
    per = number(pf.factor, 0, lang)
    fig = go.Figure()
    sizes = np.geomspace(max(1.0, min(r["population"] for r in rows) * 0.8),
                         max(r["population"] for r in rows) * 1.2, 60)
    for level, key, dash in ((0.95, "limit95", "dash"), (0.998, "limit998", "dot")):
        lo, hi = zip(*(f.limits(n, level) for n in sizes), strict=True)
        for side, ys in (("lo", lo), ("hi", hi)):
            fig.add_trace(go.Scatter(
                x=list(sizes), y=[v * pf.factor for v in ys], mode="lines",
                name=LEGEND[key][lang], legendgroup=key, showlegend=side == "hi",
                uid=f"{key}-{side}", hoverinfo="skip",
                line={"color": COLOURS[key], "dash": dash, "width": 1.5}))
    fig.add_trace(go.Scatter(
        x=[sizes[0], sizes[-1]], y=[f.theta * pf.factor] * 2, mode="lines", uid="mean",
        name=LEGEND["mean"][lang], hoverinfo="skip",
        line={"color": COLOURS["mean"], "width": 1}))
    others = [r for r in rows if r["area_id"] != city]
    mine = [r for r in rows if r["area_id"] == city]
    for group, key, symbol, size in ((others, "peers", "circle", 9), (mine, "city", "star", 18)):
        if not group:
            continue
        fig.add_trace(go.Scatter(
            x=[r["population"] for r in group], y=[r["rate"] for r in group],
            mode="markers+text" if key == "city" else "markers", uid=key,
            name=group[0]["name"] if key == "city" else LEGEND["peers"][lang],
            text=[r["name"] for r in group], textposition="top center",
            customdata=[number(r["rate"], 1, lang) for r in group],
            hovertemplate="%{text}: %{customdata}<extra></extra>",
            marker={"symbol": symbol, "size": size, "color": COLOURS[key],
                    "line": {"color": "#000000", "width": 1}}))
    fig.update_layout(
        separators=",." if lang == "nl" else ".,", template="plotly_white", height=380,
        margin={"l": 60, "r": 10, "t": 10, "b": 40}, legend={"orientation": "h", "y": -0.2},
        xaxis={"type": "log", "title": {"text": LEGEND["x_households" if households else "x"][
            lang]}},
        yaxis={"rangemode": "tozero", "title": {"text": LEGEND[
            "y_households" if households else "y"][lang].format(f=per)}})
    return fig


__all__ = ["funnel_figure"]
