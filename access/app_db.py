"""The application store's database: where everything people write lives (accounts, sessions,
the audit log, the sign-in throttle, the steering cycle's records).

One setting says where, ``IVM_APP_DB``:

- empty (the default): a SQLite file next to the warehouse (``ivmonitor.duckdb`` ->
  ``ivmonitor.access.sqlite``), the embedded store of one server;
- a path: that SQLite file;
- ``postgresql+psycopg://user:password@host:5432/name``: a PostgreSQL database, shared by
  several app servers behind a load balancer.

With tenants (``IVM_TENANTS``, :mod:`core.tenants`) every tenant has a store of its own: the
SQLite file next to its warehouse, or its own schema of the PostgreSQL database
(:func:`tenant_schema`, the connections' search path), so no statement of one tenant's store
can read another's rows.

Every table is SQLAlchemy Core metadata and every statement plain SQLAlchemy (no pragma, upsert
dialect or engine-specific SQL outside this module), so the same code runs on both. Times are
stored as ISO 8601 text or seconds since the epoch (floats), never as a driver's datetime, and
text columns take any string the same way on both: a NUL character, which PostgreSQL's text
refuses, is stored as U+FFFD on either.
"""

from __future__ import annotations

import os
import re
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy import String, Text, TypeDecorator, create_engine, event, text
from sqlalchemy.engine import URL, Connection, Engine, make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, DisconnectionError
from sqlalchemy.pool import NullPool

from core.errors import IvmError
from core.settings import setting
from core.tenants import configured_tenants
from core.warehouse.files import align_access, ensure_private

T = TypeVar("T")

#: The database URL schemes the application store runs on.
SCHEMES = ("sqlite", "postgresql+psycopg")
#: Longest a statement may run on PostgreSQL (ms): every request is bounded in time.
STATEMENT_TIMEOUT_MS = 15000
#: Seconds to wait for a SQLite lock or a PostgreSQL connection.
WAIT_SECONDS = 15
#: The URL query key (ours, not the driver's) naming a tenant's schema on PostgreSQL.
SCHEMA_KEY = "ivm_schema"
#: A pooled PostgreSQL connection unused for longer than this (seconds) is pinged before it is
#: handed out, and replaced when the server no longer answers it (restarted, or an idle
#: connection dropped on the way); one in steady use is not: no extra round trip per request.
PING_IDLE_SECONDS = 10.0


class Str(TypeDecorator[str]):
    """A bounded text column that stores any string alike on SQLite and PostgreSQL."""

    impl = String
    cache_ok = True

    def process_bind_param(self, value: Any, dialect: Any) -> Any:
        """NUL (refused by PostgreSQL's text) becomes U+FFFD on every backend."""
        return value.replace("\x00", "\ufffd") if isinstance(value, str) else value


class LongStr(Str):
    """An unbounded text column (see :class:`Str`)."""

    impl = Text
    cache_ok = True


def app_db_url(warehouse_path: str | Path) -> URL:
    """The application store of a warehouse: ``IVM_APP_DB``, or the SQLite file next to it.

    With tenants (``IVM_TENANTS``) each tenant's store is its own: the SQLite file next to its
    warehouse, or its own schema (:func:`tenant_schema`) of the PostgreSQL database."""
    configured = setting("app_db").strip()
    p = Path(warehouse_path)
    if not configured:
        return sqlite_url(p.with_name(p.stem + ".access.sqlite"))
    url = parse_url(configured)
    tenants = configured_tenants()
    if tenants is None:
        return url
    if sqlite_file(url):
        raise IvmError("bad_app_db", "IVM_APP_DB names one SQLite file, but IVM_TENANTS names "
                       "several tenants", hint="leave IVM_APP_DB empty (each tenant's store "
                       "lies next to its warehouse) or name a PostgreSQL database")
    tenant = tenants.of_warehouse(p)
    if tenant is None:
        raise IvmError("no_tenant", f"the warehouse {p} is no tenant's in {tenants.file}",
                       hint="use a tenant's warehouse (`--tenant ID`)")
    return in_schema(url, tenant_schema(tenant.id))


def tenant_schema(tenant_id: str) -> str:
    """The PostgreSQL schema holding one tenant's application store."""
    return "tenant_" + tenant_id.replace("-", "_")


def in_schema(url: URL, schema: str) -> URL:
    """A PostgreSQL store's URL whose tables live in ``schema`` (its search path)."""
    if not re.fullmatch(r"[a-z0-9_]{1,63}", schema):
        raise ValueError(f"not a schema name: {schema!r}")
    return url.update_query_dict({SCHEMA_KEY: schema})


def schema_of(url: URL) -> str | None:
    """The schema a PostgreSQL store's tables live in (None: the database's default)."""
    value = url.query.get(SCHEMA_KEY)
    return value if isinstance(value, str) else None


def sqlite_url(path: str | Path) -> URL:
    """The URL of a SQLite application store file."""
    return URL.create("sqlite", database=str(Path(path)))


def parse_url(text: str) -> URL:
    """A database URL or a SQLite file path, checked: one of :data:`SCHEMES`."""
    if "://" not in text:
        return sqlite_url(text)
    try:
        url = make_url(text)
    except ArgumentError:
        raise IvmError("bad_app_db", "IVM_APP_DB is not a database URL",
                       hint="postgresql+psycopg://user:password@host:5432/name, or a file "
                            "path for SQLite") from None
    if url.drivername not in SCHEMES:
        raise IvmError("bad_app_db", f"IVM_APP_DB: unsupported database '{url.drivername}'",
                       hint=f"one of {', '.join(SCHEMES)}")
    if url.drivername == "sqlite" and not url.database:
        raise IvmError("bad_app_db", "IVM_APP_DB: a SQLite URL needs a file",
                       hint="sqlite:////path/to/ivmonitor.access.sqlite")
    return url


def sqlite_file(url: URL) -> Path | None:
    """The file of a SQLite store (None for a database server)."""
    return Path(url.database) if url.get_backend_name() == "sqlite" and url.database else None


def shown(url: URL) -> str:
    """The URL without its password, to show or log."""
    return url.render_as_string(hide_password=True)


def unreachable(url: URL, exc: Exception) -> IvmError:
    """The one-line error for a store that cannot be reached (the password never shown)."""
    why = str(getattr(exc, "orig", exc)).strip().splitlines() or ["no answer"]
    return IvmError("app_store_unreachable", f"the application store {shown(url)} cannot be "
                    f"reached: {why[0][:200]}",
                    hint="check IVM_APP_DB and that the database server runs")


_engines: dict[tuple[str, int], Engine] = {}
_lock = threading.Lock()


def engine_for(url: URL) -> Engine:
    """The engine of a store: a database server's is one per URL and process (its pool of
    connections is shared by every store object of the process; a forked process makes its
    own); a SQLite file's is new, and closes with the last object using it."""
    if sqlite_file(url):
        return _sqlite_engine(url)
    key = (url.render_as_string(hide_password=False), os.getpid())
    with _lock:
        engine = _engines.get(key)
        if engine is None:
            engine = _engines[key] = _server_engine(url)
        return engine


#: The autocommit variant of each server engine, by the engine's id (with the engine, so an id
#: reused after an engine is gone never finds another's); emptied with the engines.
_readers: dict[int, tuple[Engine, Engine]] = {}


def reading(engine: Engine) -> Engine:
    """The engine a store reads with: on PostgreSQL the store's engine in autocommit, so a read
    is one round trip (no BEGIN and ROLLBACK around it; a READ COMMITTED transaction gives its
    statements no common snapshot anyway); on SQLite the engine itself (its driver begins no
    transaction for a read). Writes go through ``engine.begin()``, a real transaction."""
    if engine.dialect.name != "postgresql":
        return engine
    found = _readers.get(id(engine))
    if found is None or found[0] is not engine:
        with _lock:
            found = _readers[id(engine)] = (
                engine, engine.execution_options(isolation_level="AUTOCOMMIT"))
    return found[1]


def read_retrying(engine: Engine, read: Callable[[Connection], T]) -> T:
    """``read(con)`` on a reading connection (:func:`reading`), once more on a new connection
    when the pooled one turned out to be dropped by the server (a restart, a fail-over; the
    pool has then replaced all its connections)."""
    for attempt in (1, 2):
        try:
            with reading(engine).connect() as con:
                return read(con)
        except DBAPIError as exc:
            if attempt == 2 or not exc.connection_invalidated:
                raise
    raise AssertionError("unreachable")


def forget_engines() -> None:
    """Close every engine of this process (tests that drop a database, a restore)."""
    with _lock:
        for engine in _engines.values():
            engine.dispose()
        _engines.clear()
        _readers.clear()


def _sqlite_engine(url: URL) -> Engine:
    path = sqlite_file(url)
    assert path is not None
    path.parent.mkdir(parents=True, exist_ok=True)
    ensure_private(path)
    engine = create_engine(url, connect_args={"timeout": WAIT_SECONDS})

    @event.listens_for(engine, "connect")
    def _pragmas(dbapi_con: Any, _record: Any) -> None:
        # WAL: short writes from many processes at once; readers never wait for a writer
        cur = dbapi_con.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute(f"PRAGMA busy_timeout={WAIT_SECONDS * 1000}")
        cur.close()
        # the log files get the store's mode and group, also when these changed since
        align_access(path, Path(f"{path}-wal"), Path(f"{path}-shm"))

    return engine


def _server_engine(url: URL) -> Engine:
    schema = schema_of(url)
    url = url.difference_update_query([SCHEMA_KEY])
    connect_args = {"connect_timeout": WAIT_SECONDS, "application_name": "ivmonitor"}
    options = f"-c statement_timeout={STATEMENT_TIMEOUT_MS}"
    if schema:
        # a tenant's store: its own schema, made before any connection reads its search path
        bootstrap = create_engine(url, poolclass=NullPool, connect_args=connect_args)
        try:
            with bootstrap.begin() as con:
                con.execute(text(f'CREATE SCHEMA IF NOT EXISTS "{schema}"'))
        finally:
            bootstrap.dispose()
        options += f" -c search_path={schema}"
    engine = create_engine(
        url, pool_size=5, max_overflow=10, pool_timeout=WAIT_SECONDS,
        connect_args={**connect_args, "options": options})
    _ping_when_idle(engine)
    return engine


def _ping_when_idle(engine: Engine) -> None:
    """Ping a pooled connection at checkout only when it was idle longer than
    :data:`PING_IDLE_SECONDS` (SQLAlchemy's ``pool_pre_ping`` pings at every checkout: a round
    trip per request). A connection that fails the ping is replaced by a new one (the pool
    retries on DisconnectionError). A server that restarts while connections are in steady use
    fails the first statement that meets one of them (SQLAlchemy then replaces all the pool's
    connections), unless that statement is one that tries again: the session read every
    signed-in request makes first (:mod:`access.sessions`) and the readiness check."""

    @event.listens_for(engine, "checkin")
    def _checked_in(_dbapi_con: Any, record: Any) -> None:
        record.info["ivm_checked_in"] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def _checked_out(dbapi_con: Any, record: Any, _proxy: Any) -> None:
        since = record.info.get("ivm_checked_in")
        if since is None or time.monotonic() - since <= PING_IDLE_SECONDS:
            return
        try:
            engine.dialect.do_ping(dbapi_con)
        except engine.dialect.loaded_dbapi.Error as exc:
            if engine.dialect.is_disconnect(exc, dbapi_con, None):
                raise DisconnectionError(str(exc)) from exc
            raise


__all__ = ["LongStr", "SCHEMES", "Str", "app_db_url", "engine_for", "forget_engines",
           "in_schema", "parse_url", "read_retrying", "reading", "schema_of", "shown",
           "sqlite_file", "sqlite_url", "tenant_schema", "unreachable"]
