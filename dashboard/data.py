"""The one data module of the dashboard: pages ask here, never the database directly."""

from __future__ import annotations

from typing import Any

from etl.inspect import load_log_rows
from etl.warehouse import Warehouse


def loads(warehouse: Warehouse) -> list[dict[str, Any]]:
    """Every load attempt, newest first (empty when there is no warehouse)."""
    if not warehouse.exists():
        return []
    return list(reversed(load_log_rows(warehouse)))


def freshness(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Per kind and source: the last successful load and the date its data runs to."""
    latest: dict[tuple[str, str], dict[str, Any]] = {}
    for r in rows:
        if r["outcome"] != "loaded":
            continue
        key = (r["kind"], r["source"])
        best = latest.get(key)
        if best is None or (r["cutoff_date"] or r["finished_at"].date()) > (
            best["cutoff_date"] or best["finished_at"].date()
        ):
            latest[key] = r
    return sorted(latest.values(), key=lambda r: (r["kind"], r["source"]))
