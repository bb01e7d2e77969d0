"""The warehouse: schema, migrations and the one way to publish a new version."""

from core.warehouse.migrate import SCHEMA_VERSION
from core.warehouse.store import Warehouse, WarehouseReader

__all__ = ["SCHEMA_VERSION", "Warehouse", "WarehouseReader"]
