"""Read-only views of the warehouse for people: load log, quarantine, table counts.

Queries go through SQLAlchemy Core on the published version.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select

from core.warehouse import SCHEMA_VERSION, Warehouse
from core.warehouse.schema import load_log, metadata, quarantine


def load_log_rows(warehouse: Warehouse) -> list[dict[str, Any]]:
    """Every load attempt, oldest first; failed attempts still waiting to be written into the
    warehouse (see :mod:`etl.failures`) last, without a load id."""
    from etl.failures import pending

    with warehouse.engine().connect() as con:
        result = con.execute(select(load_log).order_by(load_log.c.load_id))
        rows = [dict(r._mapping) for r in result]
    return rows + [{**{c.name: None for c in load_log.columns}, "outcome": "failed",
                    **{k: v for k, v in r.items() if k in load_log.columns}}
                   for r in pending(warehouse)]


def quarantine_rows(warehouse: Warehouse, load_id: int) -> list[dict[str, Any]]:
    """The quarantined rows of one load, in file order."""
    with warehouse.engine().connect() as con:
        result = con.execute(
            select(quarantine)
            .where(quarantine.c.load_id == load_id)
            .order_by(quarantine.c.row_number)
        )
        return [dict(r._mapping) for r in result]


def warehouse_info(warehouse: Warehouse) -> dict[str, Any]:
    """Schema version and the row count of every table."""
    with warehouse.engine().connect() as con:
        tables = {
            t.name: con.execute(select(func.count()).select_from(t)).scalar_one()
            for t in metadata.sorted_tables
        }
    return {"path": str(warehouse.path), "schema_version": SCHEMA_VERSION, "tables": tables}


def data_checksum(warehouse: Warehouse) -> str:
    """A digest of every data table's content (not the load log): equal before and after a
    load means the load changed no data."""
    import hashlib

    from core.warehouse.schema import DATA_TABLES

    digest = hashlib.sha256()
    con = warehouse.connect_read_only()
    try:
        for table in sorted(DATA_TABLES):
            rows = con.execute(
                f'SELECT md5(string_agg(CAST(t AS VARCHAR), chr(10) ORDER BY CAST(t AS VARCHAR))) '
                f'FROM "{table}" t'
            ).fetchall()
            digest.update(f"{table}:{rows[0][0]}\n".encode())
    finally:
        con.close()
    return digest.hexdigest()
