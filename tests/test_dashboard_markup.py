"""The light elements of large tables (dashboard.markup) are, to the browser, the Dash
components they stand for; and a serving process keeps its long-lived objects out of the
garbage collector's full collections once its warm-up is done."""

from __future__ import annotations

import gc
import json

import pytest
from dash import html
from plotly.io.json import to_json_plotly

from dashboard import markup as m
from dashboard.views import settle_memory


def as_sent(value) -> object:
    """What the browser receives for ``value``."""
    return json.loads(to_json_plotly(value))


def test_an_element_serialises_exactly_as_the_dash_component_it_stands_for():
    light = m.Table([
        m.Thead(m.Tr([m.Th("Categorie", rowSpan=2), m.Th("28 dagen", colSpan=4)])),
        m.Tbody([m.Tr([m.Td(["Inbraak", m.Br(), m.Small("per 1.000", className="muted")]),
                       m.Td("12", className="num", title="klein"),
                       m.Td(m.Details([m.Summary(m.Span("hoger")), m.Span("p = 0,01")]))],
                      className=None, id="areas-tr-W01"),
                 m.Tr([m.Td(m.Button("W02", id={"type": "areas-row", "index": "W02"},
                                     n_clicks=0, className="areas-pick"))])]),
    ], className="grid", tabIndex="0", id="t")
    dash = html.Table([
        html.Thead(html.Tr([html.Th("Categorie", rowSpan=2), html.Th("28 dagen", colSpan=4)])),
        html.Tbody([html.Tr([html.Td(["Inbraak", html.Br(),
                                      html.Small("per 1.000", className="muted")]),
                             html.Td("12", className="num", title="klein"),
                             html.Td(html.Details([html.Summary(html.Span("hoger")),
                                                   html.Span("p = 0,01")]))],
                            className=None, id="areas-tr-W01"),
                    html.Tr([html.Td(html.Button("W02", id={"type": "areas-row", "index": "W02"},
                                                 n_clicks=0, className="areas-pick"))])]),
    ], className="grid", tabIndex="0", id="t")
    assert as_sent(light) == as_sent(dash)


def test_an_element_mixes_with_dash_components_and_reads_like_one():
    cell = m.Td([html.Span("▲"), " hoger"], className="num", **{"aria-label": "hoger"})
    assert as_sent(cell) == as_sent(html.Td([html.Span("▲"), " hoger"], className="num",
                                            **{"aria-label": "hoger"}))
    assert cell.children[1] == " hoger" and cell.className == "num"
    assert getattr(cell, "title", "geen") == "geen"


def test_an_element_is_written_as_dash_writes_the_component():
    assert repr(m.Th("City")) == repr(html.Th("City")) == "Th('City')"
    assert repr(m.Tr([m.Td("3", className="num")], className=None)) == \
        repr(html.Tr([html.Td("3", className="num")], className=None))
    assert repr(m.Br()) == repr(html.Br())


def test_a_misspelt_property_is_refused_as_dash_refuses_it():
    with pytest.raises(TypeError, match="classname"):
        m.Td("x", classname="num")
    with pytest.raises(TypeError):
        html.Td("x", classname="num")


def test_after_settling_the_objects_alive_are_out_of_the_collectors_full_collections():
    kept = [{"row": i} for i in range(10_000)]  # what a warm-up leaves: long-lived
    try:
        settle_memory()
        assert gc.get_freeze_count() >= len(kept)
    finally:
        gc.unfreeze()
