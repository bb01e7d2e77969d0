"""Routes each command to the layer that owns it (``load plan`` goes to indicators)."""

from __future__ import annotations

from etl.load import LoadResult, load_file
from etl.warehouse import Warehouse


def load_any(
    warehouse: Warehouse, kind: str, path: str, profile: str, strict: bool,
    overrides: dict[str, str],
) -> LoadResult:
    """Load one file of any kind; the plan's meaning belongs to the indicators layer."""
    if kind == "plan":
        from indicators.plan_load import register

        register()
    return load_file(warehouse, kind, path, profile, strict, overrides)
