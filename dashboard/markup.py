"""Light HTML elements for large tables: the same JSON the browser gets from ``dash.html``,
built for a fraction of the cost.

A Dash component checks every property on construction and is turned into JSON by a Python
callback per component; a table of a few hundred cells (an area's profile, its CompStat windows,
a ranked list of areas) spends most of a click's CPU there. An element of this module is a
small object with the same properties: it is checked against the same property names
(``html.Td``'s for a ``Td``, so a misspelt property fails as it would in Dash), it reads like a
component (``cell.children``, ``cell.className``) and it serialises to the identical JSON
(``{"props": ..., "type": "Td", "namespace": "dash_html_components"}``). Use ``dash.html``
everywhere else; these are for cells counted in hundreds.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from dash import html

NAMESPACE = "dash_html_components"
#: Property prefixes any element accepts (as in Dash).
WILDCARDS = ("data-", "aria-")


@cache
def _properties(tag: str) -> frozenset[str]:
    """The property names Dash's component of this tag accepts."""
    return frozenset(getattr(html, tag)()._prop_names)


class Element:
    """One HTML element as Dash sends it to the browser (see the module's docstring)."""

    __slots__ = ("props", "tag")

    def __init__(self, tag: str, children: Any = None, **props: Any) -> None:
        allowed = _properties(tag)
        for name in props:
            if name not in allowed and not name.startswith(WILDCARDS):
                raise TypeError(f"{tag} has no property {name!r}")
        self.tag = tag
        self.props = {"children": children, **props}  # as Dash: children always, None too

    def __getattr__(self, name: str) -> Any:
        try:
            return self.props[name]
        except KeyError:
            raise AttributeError(name) from None

    def __repr__(self) -> str:
        """As Dash writes a component: ``Th('City')``, or ``Td(children='3', className='num')``
        (properties without a value left out)."""
        shown = {k: v for k, v in self.props.items() if v is not None}
        if any(k != "children" for k in shown):
            return f"{self.tag}({', '.join(f'{k}={v!r}' for k, v in shown.items())})"
        return f"{self.tag}({self.props.get('children')!r})"

    def to_plotly_json(self) -> dict[str, Any]:
        """The element as the browser gets it (what Dash's JSON encoder asks for)."""
        return {"props": self.props, "type": self.tag, "namespace": NAMESPACE}


def _tag(tag: str):
    def make(children: Any = None, **props: Any) -> Element:
        return Element(tag, children, **props)

    make.__name__ = make.__qualname__ = tag
    make.__doc__ = f"A light ``html.{tag}`` (see :mod:`dashboard.markup`)."
    return make


Table, Thead, Tbody, Tr, Th, Td = (_tag(t) for t in ("Table", "Thead", "Tbody", "Tr", "Th", "Td"))
Span, Small, Br, Button, Details, Summary = (
    _tag(t) for t in ("Span", "Small", "Br", "Button", "Details", "Summary"))

__all__ = ["Br", "Button", "Details", "Element", "Small", "Span", "Summary", "Table", "Tbody",
           "Td", "Th", "Thead", "Tr"]
