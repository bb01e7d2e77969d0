"""The choropleth map of areas, drawn as plain SVG shapes: no map library, no tiles, no WebGL.

Each area is one filled ``scatter`` trace of its rings (Web Mercator, so shapes look as on any
map; the axes are hidden and locked to one scale), coloured on a colour-blind-safe sequential
scale, with the area's name and value as its hover text. A click on an area reports the trace's
number: :func:`area_ids` gives the area of each trace, so a page can tell which was clicked.
Areas without a value are grey and say why. Only the ``scatter`` trace type is needed, so the
dashboard serves a small plotly.js bundle (see ``dashboard/assets/vendor``).

Polygons are thinned for the screen first (:func:`lean_geojson`): rounded to about a metre and
without points closer than a thousandth of the map's extent, so a figure stays lean at any scale.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import plotly.graph_objects as go
from plotly.colors import sample_colorscale

#: Colour-blind-safe sequential scale of the map (perceptually uniform, readable in grey).
COLOURSCALE = "Viridis"
NO_DATA_COLOUR = "#d4d4d4"
EDGE_COLOUR = "#ffffff"
SELECTED_COLOUR = "#000000"


@dataclass(frozen=True)
class Shape:
    """An area as the map shows it: ``value`` None draws it grey; ``text`` is what hovering
    says after the name (the formatted value with its unit, or why there is none)."""

    area_id: str
    name: str
    value: float | None
    text: str


def _rings(geometry: Mapping[str, Any]) -> Iterable[list]:
    coords = geometry.get("coordinates") or []
    if geometry.get("type") == "Polygon":
        yield from coords
    elif geometry.get("type") == "MultiPolygon":
        for polygon in coords:
            yield from polygon


def _lean_ring(ring: list, decimals: int, tolerance: float) -> list:
    """The ring rounded to ``decimals``, without points closer than ``tolerance`` (degrees) to
    the previous kept one (radial-distance simplification); closed, at least four points."""
    out: list = []
    for x, y, *_ in ring:
        point = [round(x, decimals), round(y, decimals)]
        if not out or (abs(point[0] - out[-1][0]) > tolerance
                       or abs(point[1] - out[-1][1]) > tolerance):
            out.append(point)
    first = [round(ring[0][0], decimals), round(ring[0][1], decimals)] if ring else None
    if out and out[-1] != first:
        out.append(first)
    if len(out) >= 4:
        return out
    return [[round(x, decimals), round(y, decimals)] for x, y, *_ in ring]


def lean_geojson(geojson: Mapping[str, Any], ids: Iterable[str] | None = None,
                 decimals: int | None = None, tolerance: float | None = None
                 ) -> dict[str, Any]:
    """The features (of ``ids``, or all) as the browser needs them: no properties,
    coordinates rounded to ``decimals`` and thinned to points at least ``tolerance`` degrees
    apart. By default the tolerance is 1/1000 of the larger side of the bounding box (about
    15 m for a city, a few hundred metres for a country) and the rounding 5 decimals (1 m),
    4 at country scale: a figure stays lean at any scale."""
    keep = None if ids is None else set(ids)
    chosen = [f for f in geojson.get("features", [])
              if keep is None or f.get("id") in keep]
    if tolerance is None:
        box = bounds({"features": chosen})
        tolerance = max(box[2] - box[0], box[3] - box[1]) / 1000 if box else 0.0
    if decimals is None:
        decimals = 4 if tolerance > 1e-3 else 5
    features = []
    for f in chosen:
        g = f.get("geometry") or {}
        if g.get("type") == "Polygon":
            geometry = {"type": "Polygon", "coordinates": [
                _lean_ring(r, decimals, tolerance) for r in g["coordinates"]]}
        elif g.get("type") == "MultiPolygon":
            geometry = {"type": "MultiPolygon", "coordinates": [
                [_lean_ring(r, decimals, tolerance) for r in p] for p in g["coordinates"]]}
        else:
            continue
        features.append({"type": "Feature", "id": f["id"], "properties": {},
                         "geometry": geometry})
    return {"type": "FeatureCollection", "features": features}


def bounds(geojson: Mapping[str, Any]) -> tuple[float, float, float, float] | None:
    """(west, south, east, north) of every polygon, or None without any."""
    xs: list[float] = []
    ys: list[float] = []
    for f in geojson.get("features", []):
        for ring in _rings(f.get("geometry") or {}):
            xs.extend(p[0] for p in ring)
            ys.extend(p[1] for p in ring)
    if not xs:
        return None
    return min(xs), min(ys), max(xs), max(ys)


def mercator_y(lat: float) -> float:
    """The Web Mercator northing of a latitude, in degrees (so one unit east equals one unit
    north on the map near that latitude)."""
    lat = max(min(lat, 85.0), -85.0)
    return round(math.degrees(math.log(math.tan(math.pi / 4 + math.radians(lat) / 2))), 6)


def outline(geometry: Mapping[str, Any]) -> tuple[list[float | None], list[float | None]]:
    """The rings of a (multi)polygon as x and y lists, rings apart by a gap (None), in map
    coordinates."""
    xs: list[float | None] = []
    ys: list[float | None] = []
    for ring in _rings(geometry):
        if xs:
            xs.append(None)
            ys.append(None)
        xs.extend(p[0] for p in ring)
        ys.extend(mercator_y(p[1]) for p in ring)
    return xs, ys


def colours(values: Sequence[float]) -> tuple[list[str], float, float]:
    """Each value's colour on :data:`COLOURSCALE` between the smallest and the largest value,
    and those two (a single value sits in the middle of the scale)."""
    low, high = min(values), max(values)
    spread = high - low
    where = [0.5 if spread == 0 else (v - low) / spread for v in values]
    return sample_colorscale(COLOURSCALE, where), low, high


def polygon_map(geojson: Mapping[str, Any], shapes: Sequence[Shape], *, unit: str,
                no_data: str, no_polygons: str, lang: str, tickformat: str | None = None,
                selected: str | None = None, height: int = 520,
                revision: str | None = None) -> go.Figure:
    """The shapes that have a polygon in ``geojson``, each filled with its value's colour (grey
    without one), a colour bar titled ``unit``, a legend entry ``no_data`` for the grey ones when
    there are any, and ``selected`` outlined. ``no_polygons`` is shown when none can be drawn."""
    gj = lean_geojson(geojson, ids=[s.area_id for s in shapes])
    by_id = {f["id"]: f["geometry"] for f in gj["features"]}
    fig = go.Figure()
    fig.update_layout(height=height, margin={"l": 0, "r": 0, "t": 0, "b": 0},
                      separators=",." if lang == "nl" else ".,", uirevision=revision,
                      paper_bgcolor="#fff", plot_bgcolor="#fff", dragmode="pan",
                      hovermode="closest", hoverlabel={"namelength": -1},
                      xaxis={"visible": False, "fixedrange": False},
                      yaxis={"visible": False, "scaleanchor": "x", "scaleratio": 1},
                      legend={"x": 0.01, "y": 0.01, "bgcolor": "rgba(255,255,255,.8)"})
    drawn = [s for s in shapes if s.area_id in by_id]
    if not drawn:
        fig.add_annotation(text=no_polygons, showarrow=False, x=0.5, y=0.5, xref="paper",
                           yref="paper")
        return fig
    valued = [s for s in drawn if s.value is not None]
    fills, low, high = colours([float(s.value) for s in valued]) if valued else ([], 0, 0)
    colour = {s.area_id: c for s, c in zip(valued, fills, strict=True)}
    for s in drawn:
        xs, ys = outline(by_id[s.area_id])
        fig.add_trace(go.Scatter(
            x=xs, y=ys, mode="lines", fill="toself",
            fillcolor=colour.get(s.area_id, NO_DATA_COLOUR),
            line={"color": EDGE_COLOUR, "width": 1}, hoveron="fills",
            name=f"<b>{s.name}</b><br>{s.text}", meta=s.area_id, showlegend=False))
    if valued:  # the colour bar, on a trace that draws nothing
        fig.add_trace(go.Scatter(
            x=[None], y=[None], mode="markers", hoverinfo="skip", showlegend=False,
            marker={"color": [low, high], "cmin": low, "cmax": high if high > low else low + 1,
                    "colorscale": COLOURSCALE, "showscale": True,
                    "colorbar": {"title": {"text": unit, "side": "right"}, "thickness": 14,
                                 "tickformat": tickformat}}))
    if len(valued) < len(drawn):
        fig.add_trace(go.Scatter(
            x=[None], y=[None], mode="markers", hoverinfo="skip", name=no_data,
            showlegend=True,
            marker={"symbol": "square", "size": 14, "color": NO_DATA_COLOUR}))
    if selected in by_id:
        xs, ys = outline(by_id[selected])
        fig.add_trace(go.Scatter(x=xs, y=ys, mode="lines", hoverinfo="skip",
                                 line={"color": SELECTED_COLOUR, "width": 3},
                                 showlegend=False))
    return fig


def area_ids(figure: go.Figure | Mapping[str, Any]) -> list[str | None]:
    """The area of each trace of a map (None for the colour bar, legend and outline traces), in
    trace order: what a click's ``curveNumber`` points into."""
    data = figure.data if isinstance(figure, go.Figure) else figure.get("data", [])
    return [(t.meta if isinstance(t, go.Scatter) else t.get("meta")) or None for t in data]
