"""Schema versions: numbered SQL migrations, applied in order, recorded in ``schema_version``."""

from __future__ import annotations

import re
from collections.abc import Callable
from importlib import resources

import duckdb

_NAME = re.compile(r"^(\d{4})_[a-z0-9_]+\.sql$")


def migrations() -> list[tuple[int, str, str]]:
    """Every migration as (version, file name, SQL), in version order."""
    found = []
    for entry in resources.files("core.warehouse").joinpath("migrations").iterdir():
        m = _NAME.match(entry.name)
        if m:
            found.append((int(m.group(1)), entry.name, entry.read_text(encoding="utf-8")))
    found.sort()
    versions = [v for v, _, _ in found]
    if versions != list(range(1, len(found) + 1)):
        raise RuntimeError(f"migrations are not numbered 1..n without gaps: {versions}")
    return found


#: The schema version this code reads and writes.
SCHEMA_VERSION = len(migrations())


def current_version(con: duckdb.DuckDBPyConnection) -> int:
    """The schema version of the warehouse behind ``con`` (0 for an empty database)."""
    exists = con.execute(
        "SELECT count(*) FROM information_schema.tables WHERE table_name = 'schema_version'"
    ).fetchall()[0][0]
    if not exists:
        return 0
    row = con.execute("SELECT max(version) FROM schema_version").fetchall()[0]
    return int(row[0] or 0)


#: Called after migrations were applied, in the same transaction, with the versions applied:
#: a layer above fills a new derived table from what is stored already (the layers register
#: themselves through their composition root, :mod:`ivm`; core knows none of them).
_AFTER_UPGRADE: list[Callable[[duckdb.DuckDBPyConnection, list[int]], None]] = []


def after_upgrade(fn: Callable[[duckdb.DuckDBPyConnection, list[int]], None]) -> None:
    """Register ``fn(con, applied)`` to run after every upgrade that applied migrations."""
    if fn not in _AFTER_UPGRADE:
        _AFTER_UPGRADE.append(fn)


def upgrade(con: duckdb.DuckDBPyConnection, target: int = SCHEMA_VERSION) -> list[int]:
    """Apply every migration above the current version up to ``target`` (then the hooks of
    :func:`after_upgrade`); return those applied.

    Runs inside the caller's transaction, so a failing migration leaves nothing half-done.
    """
    con.execute(
        "CREATE TABLE IF NOT EXISTS schema_version ("
        " version INTEGER PRIMARY KEY, name VARCHAR NOT NULL,"
        " applied_at TIMESTAMP NOT NULL DEFAULT current_timestamp)"
    )
    have = current_version(con)
    applied = []
    for version, name, sql in migrations():
        if have < version <= target:
            con.execute(sql)
            con.execute("INSERT INTO schema_version (version, name) VALUES (?, ?)", [version, name])
            applied.append(version)
    if applied:
        for fn in _AFTER_UPGRADE:
            fn(con, applied)
    return applied
