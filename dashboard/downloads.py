"""What the export page hands out: the council workbook and CSV tables, for a viewer and an
audience, through the warehouse connection of the running app.

The page decides nothing about data here: which tables a role may have is the allow-list of
:mod:`access.downloads` (applied by :mod:`dashboard.export.tables`), the workbook is
:func:`dashboard.export.council.write_council_workbook`, the same as ``ivm export council``.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import Any

import duckdb
from flask import current_app

from access.roles import Viewer
from dashboard.export.council import write_council_workbook
from dashboard.export.tables import table_csv, table_names


def audiences(viewer: Viewer) -> list[str]:
    """The audiences a viewer may export for: the public one only, unless internal."""
    return ["internal", "public"] if viewer.audience == "internal" else ["public"]


def _warehouse(fn: Callable[[duckdb.DuckDBPyConnection], Any]) -> Any:
    """Run ``fn`` on the app's warehouse (the exports apply the audience themselves: the
    public view of the data has no connection of its own)."""
    return current_app.config["IVM_DATA"].with_connection(fn)


def tables(viewer: Viewer, audience: str) -> list[str]:
    """The tables a viewer may download for an audience: those named for its role."""
    return _warehouse(lambda c: table_names(audience, c, viewer.role.name))


def table(viewer: Viewer, name: str, audience: str, dialect: str = "excel") -> bytes:
    """One table as CSV bytes, as the viewer's role may have it, in a CSV dialect (``excel``:
    Belgian Excel, ``comma``: scripts)."""
    return _warehouse(lambda c: table_csv(c, name, audience, viewer.role.name, dialect))


def council_workbook(audience: str, lang: str) -> bytes:
    """The council workbook (``.xlsx`` bytes) for an audience and language."""
    buffer = io.BytesIO()
    _warehouse(lambda c: write_council_workbook(c, buffer, None, audience, lang))
    return buffer.getvalue()
