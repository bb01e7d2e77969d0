"""The composition root: the ``ivm`` command wires etl, indicators and dashboard together."""

from __future__ import annotations

import duckdb

from core.warehouse.migrate import after_upgrade


def _store_derived_tables(con: duckdb.DuckDBPyConnection, applied: list[int]) -> None:
    """After a migration: a warehouse whose results were refreshed before the area profiles
    were stored gets them, in the same publish (whatever command migrated it)."""
    from indicators import profiles_missing, store_area_profiles, stored_catalog

    if profiles_missing(con):
        store_area_profiles(con, stored_catalog(con).values())


after_upgrade(_store_derived_tables)
