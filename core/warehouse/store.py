"""The warehouse file: one DuckDB file, published atomically, readable while a load runs.

DuckDB lets one process write a file, and a reader in another process cannot open a file that a
writer holds. So a load never writes the published file: it copies it to ``<db>.next``, writes
the copy, checkpoints and closes it, and publishes it with one atomic ``os.replace``. Readers keep
the file they opened (the old inode) until they reopen, and a reopen sees the whole new version.
A crash or kill at any moment leaves the published file as it was; the stale copy is removed by
the next writer. Writers queue on an exclusive ``flock`` on ``<db>.lock``. The copy has the
mode and group of the published file before any data is in it (:mod:`core.warehouse.files`).
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import shutil
import threading
from collections.abc import Iterator
from pathlib import Path

import duckdb
from duckdb_engine import ConnectionWrapper
from sqlalchemy import create_engine
from sqlalchemy.engine import Engine
from sqlalchemy.pool import NullPool

from core.errors import WarehouseError, Where, system_error
from core.settings import setting
from core.sqltext import lit
from core.warehouse.files import PRIVATE, create_private, keep_access, stat_or_none
from core.warehouse.migrate import SCHEMA_VERSION, current_version, upgrade


def default_path() -> Path:
    """The warehouse path from ``IVM_DB`` or the default ``data/ivmonitor.duckdb``."""
    return Path(setting("db"))


class Warehouse:
    """A warehouse file and the one way to change it (:meth:`writing`)."""

    def __init__(self, path: str | os.PathLike[str] | None = None):
        self.path = Path(path) if path is not None else default_path()

    @property
    def _next(self) -> Path:
        return self.path.with_name(self.path.name + ".next")

    @property
    def _lock(self) -> Path:
        return self.path.with_name(self.path.name + ".lock")

    def exists(self) -> bool:
        """Whether a published warehouse file is present."""
        return self.path.is_file()

    def version_token(self) -> tuple[int, int] | None:
        """Changes whenever a new version is published (inode and modification time)."""
        try:
            st = os.stat(self.path)
        except FileNotFoundError:
            return None
        return (st.st_ino, st.st_mtime_ns)

    def init(self) -> bool:
        """Create an empty warehouse at the current schema version; False if one exists."""
        if self.exists():
            with self.writing():
                pass  # migrates an older warehouse
            return False
        with self.writing(create=True):
            pass
        return True

    @contextlib.contextmanager
    def writing(self, *, create: bool = False) -> Iterator[duckdb.DuckDBPyConnection]:
        """A read-write connection to the next version; published when the block succeeds.

        Migrates the copy to the current schema first. The caller manages its own transactions
        inside the block; whatever happens, nothing is published unless the block returns, and
        the partial copy is removed. A full disk, a read-only file system or missing rights
        come out as one :class:`WarehouseError` saying so.
        """
        try:
            with self.locked():
                yield from self._write_next_version(create)
        except (OSError, duckdb.Error) as exc:
            error = system_error(exc, Where(file=str(self.path)))
            if error is None:
                raise
            raise WarehouseError(error.code, error.message, error.where, error.hint) from None

    @contextlib.contextmanager
    def locked(self) -> Iterator[None]:
        """Hold the writers' lock: no other process publishes while the block runs."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with open(self._lock, "a+b") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(lock, fcntl.LOCK_UN)

    def _write_next_version(self, create: bool) -> Iterator[duckdb.DuckDBPyConnection]:
        nxt = self._next
        wal = nxt.with_name(nxt.name + ".wal")
        _remove(nxt)
        _remove(wal)
        published = stat_or_none(self.path) if self.exists() else None
        if published is None and not create:
            raise WarehouseError(
                "no_warehouse",
                "no warehouse here",
                Where(file=str(self.path)),
                hint="run `ivm init` first, or pass --db",
            )
        spill = self.path.with_name(self.path.name + ".tmp")
        con = None
        try:
            if published is not None:
                _copy_keeping_access(self.path, nxt, published)
            con = duckdb.connect(
                str(nxt),
                config={"memory_limit": setting("load_memory_limit"),
                        "temp_directory": str(spill)},
            )
            if published is None:  # a new warehouse: DuckDB made the file, its owner's alone
                os.chmod(nxt, PRIVATE)
            self._check_not_newer(con)
            con.execute("BEGIN")
            upgrade(con)
            con.execute("COMMIT")
            yield con
            con.execute("CHECKPOINT")
            con.close()
            con = None
            _fsync(nxt)
            os.replace(nxt, self.path)
            _fsync(self.path.parent)
        except BaseException:
            if con is not None:
                with contextlib.suppress(Exception):
                    con.close()
            # the partial copy would hold the disk full (and a reader's space) until the next
            # load: it goes at once, with the spill folder when nothing else uses it
            _remove(nxt)
            _remove(wal)
            with contextlib.suppress(OSError):
                spill.rmdir()
            raise

    def _check_not_newer(self, con: duckdb.DuckDBPyConnection) -> None:
        version = current_version(con)
        if version > SCHEMA_VERSION:
            raise WarehouseError(
                "schema_too_new",
                f"warehouse schema version {version} is newer than this ivmonitor "
                f"({SCHEMA_VERSION})",
                Where(file=str(self.path)),
                hint="upgrade ivmonitor",
            )

    def connect_read_only(self) -> duckdb.DuckDBPyConnection:
        """A read-only connection to the published version, checked for its schema version.

        DuckDB shares one open database per path within a process: while any connection to
        an older version is open here, this returns that older version. Close connections
        when done, or use :class:`WarehouseReader`, which is immune.
        """
        self._check_exists()
        return self._checked(duckdb.connect(str(self.path), read_only=True))

    def connect_isolated(self) -> duckdb.DuckDBPyConnection:
        """A read-only connection to the version published now, in a database of its own.

        The file is attached (as ``warehouse``, made the default with ``USE``) to a fresh
        in-memory DuckDB, which DuckDB never shares: other connections to the same path in
        this process, whatever version they hold, cannot hand it an old version. A cursor of
        this connection needs ``USE warehouse`` again (cursors do not inherit it).
        """
        self._check_exists()
        con = duckdb.connect(":memory:", config={"temp_directory": str(self.path) + ".tmp"})
        try:
            con.execute(f"ATTACH {lit(str(self.path))} AS warehouse (READ_ONLY)")
            con.execute("USE warehouse")
        except BaseException:
            con.close()
            raise
        return self._checked(con)

    def _check_exists(self) -> None:
        if not self.exists():
            raise WarehouseError(
                "no_warehouse",
                "no warehouse here",
                Where(file=str(self.path)),
                hint="run `ivm init` first, or pass --db",
            )

    def _checked(self, con: duckdb.DuckDBPyConnection) -> duckdb.DuckDBPyConnection:
        version = current_version(con)
        if version != SCHEMA_VERSION:
            con.close()
            raise WarehouseError(
                "schema_version",
                f"warehouse schema version {version}, this ivmonitor needs {SCHEMA_VERSION}",
                Where(file=str(self.path)),
                hint="run `ivm migrate`" if version < SCHEMA_VERSION else "upgrade ivmonitor",
            )
        return con

    def engine(self) -> Engine:
        """A read-only SQLAlchemy engine (duckdb-engine) on the published version."""
        self.connect_read_only().close()
        path = str(self.path)
        return create_engine(
            "duckdb://",
            creator=lambda: ConnectionWrapper(duckdb.connect(path, read_only=True)),
            poolclass=NullPool,
        )


class WarehouseReader:
    """A long-lived reader: one read-only connection, replaced when a new version is published.

    Its connections come from :meth:`Warehouse.connect_isolated`, so a reopen always sees the
    new version, even while other connections in this process still hold an old one (DuckDB
    shares one open database per path, so a plain reconnect would get the old version back).
    The previous connection is not closed on a reopen: cursors handed out before (a query
    still running in another thread) keep working on their version, which is released when
    the last of them is gone.
    """

    def __init__(self, warehouse: Warehouse):
        self.warehouse = warehouse
        self._con: duckdb.DuckDBPyConnection | None = None
        self._token: tuple[int, int] | None = None
        self._lock = threading.Lock()

    def connection(self) -> duckdb.DuckDBPyConnection:
        """A cursor on the newest published version (reopens after a publish); close it after
        use."""
        with self._lock:
            token = self.warehouse.version_token()
            if self._con is None or token != self._token:
                # Stat before opening: if a publish slips in between, the token is stale
                # and the next call reopens once more; never the other way round.
                self._con = self.warehouse.connect_isolated()
                self._token = token
            cur = self._con.cursor()
        cur.execute("USE warehouse")
        return cur

    def close(self) -> None:
        """Close the current connection (and the cursors it handed out)."""
        with self._lock:
            if self._con is not None:
                self._con.close()
                self._con = None
                self._token = None


def _copy_keeping_access(source: Path, target: Path, model: os.stat_result) -> None:
    """Copy ``source`` to the new file ``target``, which has the mode and group of ``model``
    before the first byte is written."""
    fd = create_private(target)
    try:
        keep_access(model, fd)
    finally:
        os.close(fd)
    shutil.copyfile(source, target)  # into the file as it is, with its mode and group


def _remove(path: Path) -> None:
    with contextlib.suppress(FileNotFoundError):
        path.unlink()


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
