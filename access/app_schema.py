"""The application store's schema versions: numbered migrations, the same on SQLite and
PostgreSQL, recorded in ``app_schema_version`` and applied by ``ivm migrate``.

The tables are the metadata of :mod:`access.store` and :mod:`access.steering.tables`. Every
store, new or old, is made by the same steps: a new one gets every migration from the first, an
older one those above its version, in order, in one transaction (PostgreSQL runs DDL inside
transactions, so a failing migration leaves nothing half-done there). A store made before
versions were recorded is version 1 (the version-1 tables it lacks are added). Migrations hold a
lock while they run (an advisory lock on PostgreSQL, a file lock next to a SQLite store), so two
servers starting at once do not both create the tables.

To change the schema: change the tables' metadata, and add a numbered step to
:data:`MIGRATIONS` that brings a store of the previous version there with portable SQLAlchemy
DDL: ``create_tables(con, "new_table")`` for a new table, ``ALTER TABLE ... ADD COLUMN`` for a
new column. A test builds a store from the migrations alone on SQLite and on PostgreSQL and
fails when it differs from the metadata (a table or column without its migration).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import fcntl
from collections.abc import Callable, Iterator

from sqlalchemy import Column, Integer, MetaData, String, Table, insert, inspect, select, text
from sqlalchemy.engine import Connection, Engine

from core.errors import IvmError

version_table = Table(
    "app_schema_version", MetaData(),
    Column("version", Integer, primary_key=True),
    Column("name", String(80), nullable=False),
    Column("applied_at", String(32), nullable=False),
)


def _tables() -> list[MetaData]:
    from access.steering.tables import metadata as steering_metadata
    from access.store import metadata

    return [metadata, steering_metadata]


def create_tables(con: Connection, *names: str) -> None:
    """Create the named tables (with their indexes) as the metadata declares them, when they
    do not exist yet."""
    known = {t.name: t for meta in _tables() for t in meta.sorted_tables}
    missing = set(names) - set(known)
    if missing:
        raise RuntimeError(f"no such application store tables: {sorted(missing)}")
    for name in names:
        known[name].create(con, checkfirst=True)


#: The tables of version 1.
V1_TABLES = ("app_user", "audit_log", "app_session", "login_throttle", "server_secret",
             "partner", "partner_file", "owner_update", "action_state", "status_history",
             "notice")


def _v1(con: Connection) -> None:
    """Accounts, sessions, audit log, sign-in throttle, server key; the steering cycle's
    partner register, owners' updates, actions' states, status history and reminders."""
    create_tables(con, *V1_TABLES)


def _v2(con: Connection) -> None:
    """The frozen council packs and their files."""
    create_tables(con, "council_pack", "council_pack_file")


def _v3(con: Connection) -> None:
    """Early-warning alerts closed with a note, and the notices to their owners."""
    create_tables(con, "alert_note", "alert_notice")


#: Every migration as (version, name, step), numbered 1..n without gaps.
MIGRATIONS: list[tuple[int, str, Callable[[Connection], None]]] = [
    (1, "accounts_audit_sessions_steering", _v1),
    (2, "council_packs", _v2),
    (3, "alert_notes", _v3),
]

#: The schema version this code reads and writes.
APP_SCHEMA_VERSION = len(MIGRATIONS)

#: The advisory lock PostgreSQL's migrations hold (any fixed 64-bit number of ours).
_PG_LOCK = 7_420_021_021


def current_version(con: Connection) -> int | None:
    """The store's schema version: None for an empty database, 1 for a store made before
    versions were recorded."""
    names = set(inspect(con).get_table_names())
    if version_table.name in names:
        return int(con.execute(select(version_table.c.version).order_by(
            version_table.c.version.desc()).limit(1)).scalar() or 0)
    return 1 if "app_user" in names else None


def upgrade(engine: Engine, target: int | None = None) -> list[int]:
    """Bring the store to ``target`` (default: the newest); the versions applied (all of them
    for a new store)."""
    target = len(MIGRATIONS) if target is None else target
    if [v for v, _, _ in MIGRATIONS] != list(range(1, len(MIGRATIONS) + 1)):
        raise RuntimeError("application store migrations are not numbered 1..n without gaps")
    with _migrating(engine) as con:
        have = current_version(con)
        version_table.create(con, checkfirst=True)
        stamp = dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        if have == 1 and not con.execute(select(version_table.c.version)).first():
            _v1(con)  # made before versions were recorded: version 1, completed
            con.execute(insert(version_table).values(version=1, name=MIGRATIONS[0][1],
                                                     applied_at=stamp))
        todo = [(v, n, step) for v, n, step in MIGRATIONS if (have or 0) < v <= target]
        for version, name, step in todo:
            step(con)
            con.execute(insert(version_table).values(version=version, name=name,
                                                     applied_at=stamp))
    return [v for v, _, _ in todo]


def ready(engine: Engine) -> None:
    """Make sure the store can be used: a new one is created, an embedded (SQLite) one of an
    older version is upgraded; a database server's store of an older version waits for
    ``ivm migrate`` (its administrator decides when), a newer one for a newer ivmonitor."""
    with engine.connect() as con:
        have = current_version(con)
    if have == APP_SCHEMA_VERSION:
        return
    if have is None or (have < APP_SCHEMA_VERSION and engine.dialect.name == "sqlite"):
        upgrade(engine)
        return
    if have < APP_SCHEMA_VERSION:
        raise IvmError("app_store_old", f"the application store has schema version {have}, "
                       f"this ivmonitor needs {APP_SCHEMA_VERSION}", hint="run `ivm migrate`")
    raise IvmError("app_store_new", f"the application store has schema version {have}, newer "
                   f"than this ivmonitor's {APP_SCHEMA_VERSION}", hint="upgrade ivmonitor")


@contextlib.contextmanager
def _migrating(engine: Engine) -> Iterator[Connection]:
    """One transaction holding the migrations' lock."""
    from access.app_db import sqlite_file

    path = sqlite_file(engine.url)
    if path is None:
        with engine.begin() as con:
            con.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _PG_LOCK})
            yield con
        return
    with open(path.with_name(path.name + ".lock"), "a+b") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            with engine.begin() as con:
                yield con
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


__all__ = ["APP_SCHEMA_VERSION", "MIGRATIONS", "create_tables", "current_version", "ready",
           "upgrade"]
