"""What the export page hands out: the council workbook, CSV tables and the frozen council packs,
for a viewer and an audience, through the warehouse connection of the running app.

The page decides nothing about data here: which tables a role may have is the allow-list of
:mod:`access.downloads` (applied by :mod:`dashboard.export.tables`), the workbook is
:func:`dashboard.export.council.write_council_workbook`, the same as ``ivm export council``.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Callable
from typing import Any

import duckdb

from access.downloads import may_freeze_pack
from access.roles import Viewer
from access.steering.packs import Pack
from core.errors import IvmError
from dashboard.export.council import write_council_workbook
from dashboard.export.pack import freeze_pack
from dashboard.export.tables import table_csv, table_names
from dashboard.sites import current_site
from dashboard.steering import plan_state, steering
from indicators import ReportingPeriod


def audiences(viewer: Viewer) -> list[str]:
    """The audiences a viewer may export for: the public one only, unless internal."""
    return ["internal", "public"] if viewer.audience == "internal" else ["public"]


def _warehouse(fn: Callable[[duckdb.DuckDBPyConnection], Any]) -> Any:
    """Run ``fn`` on the app's warehouse (the exports apply the audience themselves: the
    public view of the data has no connection of its own)."""
    return current_site().data.with_connection(fn)


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


def council_periods() -> list[ReportingPeriod]:
    """The reporting periods of the plan in force that have a council meeting."""
    state = plan_state()
    return [p for p in (state.periods if state else []) if p.council is not None]


def frozen_packs() -> list[Pack]:
    """The frozen council packs in force, the newest meeting first (none without a store)."""
    records = steering()
    return records.packs.packs() if records is not None else []


def pack_file(viewer: Viewer, pack_id: int, audience: str, kind: str) -> tuple[str, bytes]:
    """A frozen pack's file, as frozen; refused (PermissionError) for an audience the viewer
    may not export for."""
    records = steering()
    if records is None or audience not in audiences(viewer):
        raise PermissionError(audience)
    return records.packs.content(pack_id, audience, kind)


def freeze(viewer: Viewer, meeting: dt.date, lang: str, replace: bool) -> Pack:
    """Freeze the council pack of ``meeting`` as ``viewer`` (the bestuur and the beheerder
    only: :func:`access.downloads.may_freeze_pack`)."""
    records = steering()
    if records is None or not may_freeze_pack(viewer.role.name):
        raise IvmError("not_allowed", f"{viewer.name or 'this user'} may not freeze a council "
                       "pack", hint="the bestuur and the beheerder may")
    return _warehouse(lambda c: freeze_pack(c, records, meeting, viewer.name or "",
                                            viewer.role.name, lang, replace,
                                            "replaced on the export page" if replace else None))
