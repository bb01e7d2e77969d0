"""The warehouse file: one DuckDB file, published atomically, readable while a load runs.

DuckDB lets one process write a file, and a reader in another process cannot open a file that a
writer holds. So a load never writes the published file: it copies it to ``<db>.next``, writes
the copy, checkpoints and closes it, and publishes it with one atomic ``os.replace``. Readers keep
the file they opened (the old inode) until they reopen, and a reopen sees the whole new version.
A crash or kill at any moment leaves the published file as it was; the stale copy is removed by
the next writer. Writers queue on an exclusive ``flock`` on ``<db>.lock``. The copy has the
mode and group of the published file before any data is in it (:mod:`core.warehouse.files`).

With a publish folder (``IVM_PUBLISH_DIR``), each publish also adds the new version to that
folder for the app servers (:mod:`core.warehouse.publish`), and a warehouse made with
``served_from`` (an app server's) reads the version the folder's pointer names.
"""

from __future__ import annotations

import contextlib
import fcntl
import logging
import os
import shutil
import threading
from collections import OrderedDict
from collections.abc import Hashable, Iterator
from pathlib import Path

import duckdb
from duckdb_engine import ConnectionWrapper
from sqlalchemy import create_engine
from sqlalchemy.engine import Engine
from sqlalchemy.pool import NullPool

from core.errors import WarehouseError, Where, system_error
from core.logs import event
from core.settings import setting
from core.sqltext import lit
from core.warehouse.files import (
    PRIVATE,
    create_private,
    fsync_path,
    keep_access,
    stat_or_none,
)
from core.warehouse.migrate import SCHEMA_VERSION, current_version, upgrade
from core.warehouse.publish import PublishFolder, Version, publish, version_label

#: Rows per row group in what a writer stores: half DuckDB's default (122,880). An INSERT
#: compresses a row group in the worker thread that fills it; the rows of row groups no thread
#: filled are compressed by one thread after the last row is read. With two threads sharing a
#: city's 200,000 rows neither filled a default row group, so the whole table was compressed
#: after the read (0.14 of the load's 0.44 s); at half the size each thread fills one while it
#: reads, and only the rest of its rows (about 40 %) waits for the end. A national load is no
#: slower (bench/RESULTS.md, 2026-12-05). Tables written before keep their row groups: DuckDB
#: reads row groups of any size.
WRITE_ROW_GROUP_SIZE = 61_440
#: The name the writer's connection gives the warehouse copy it attaches (and uses).
WRITTEN_AS = "warehouse"


def default_path() -> Path:
    """The warehouse path from ``IVM_DB`` or the default ``data/ivmonitor.duckdb``."""
    return Path(setting("db"))


class Warehouse:
    """A warehouse file and the one way to change it (:meth:`writing`).

    ``served_from``: a publish folder; the versions read (:meth:`current`) are then the ones
    its pointer names, not the file at ``path`` (an app server of a publish folder)."""

    def __init__(self, path: str | os.PathLike[str] | None = None,
                 served_from: PublishFolder | None = None):
        self.path = Path(path) if path is not None else default_path()
        self.served_from = served_from

    @property
    def _next(self) -> Path:
        return self.path.with_name(self.path.name + ".next")

    @property
    def _lock(self) -> Path:
        return self.path.with_name(self.path.name + ".lock")

    def exists(self) -> bool:
        """Whether a published version is present to read."""
        version = self.current()
        return version is not None and version.file.is_file()

    def current(self) -> Version | None:
        """The version readers get now: the warehouse file, or the version the publish
        folder's pointer names (``served_from``); None when there is none."""
        if self.served_from is not None:
            return self.served_from.current()
        st = stat_or_none(self.path)
        return Version(self.path, stamp=(st.st_ino, st.st_mtime_ns)) if st else None

    def version_token(self) -> tuple | None:
        """Changes whenever a new version is published."""
        version = self.current()
        return version.token if version is not None else None

    def init(self) -> bool:
        """Create an empty warehouse at the current schema version; False if one exists."""
        if self.path.is_file():
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
        come out as one :class:`WarehouseError` saying so. The copy is attached to an
        in-memory DuckDB as :data:`WRITTEN_AS` and in use on this connection only: a cursor of
        it starts in the empty in-memory database (``USE warehouse`` first, or use the
        connection itself).
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
        published = stat_or_none(self.path)
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
                ":memory:",
                config={"memory_limit": setting("load_memory_limit"),
                        "temp_directory": str(spill)},
            )
            con.execute(
                f"ATTACH {lit(str(nxt))} AS {WRITTEN_AS} (ROW_GROUP_SIZE {WRITE_ROW_GROUP_SIZE})"
            )
            con.execute(f"USE {WRITTEN_AS}")
            if published is None:  # a new warehouse: DuckDB made the file, its owner's alone
                os.chmod(nxt, PRIVATE)
            self._check_not_newer(con)
            con.execute("BEGIN")
            upgrade(con)
            con.execute("COMMIT")
            yield con
            con.execute("CHECKPOINT")
            folder = PublishFolder.from_settings()
            label = version_label(con)
            con.close()
            con = None
            fsync_path(nxt)
            if folder is None:
                self._replace(nxt)
                event("publish", data_version=label, file=str(self.path))
            else:
                self._publish_to(folder, nxt, label)
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

    def _replace(self, nxt: Path) -> None:
        os.replace(nxt, self.path)
        fsync_path(self.path.parent)

    def _publish_to(self, folder: PublishFolder, nxt: Path, label: str) -> None:
        """Publish the finished copy here and into ``folder``: staged there first (a folder
        that cannot take it publishes nothing anywhere), then here, then the folder's pointer."""
        publish(folder, nxt, label, SCHEMA_VERSION, lambda: self._replace(nxt))

    def publish(self) -> Version | None:
        """Publish the warehouse file as it is into the publish folder (``ivm publish``: the
        first time, or after a publish whose pointer could not be written); None when the
        folder's current version is this file already."""
        folder = PublishFolder.from_settings()
        if folder is None:
            raise WarehouseError("no_publish_dir", "no publish folder",
                                 hint="set IVM_PUBLISH_DIR to the folder the servers read")
        self._check_exists()
        with self.locked():
            con = self.connect_isolated()
            try:
                label = version_label(con)
            finally:
                con.close()
            current = folder.current()
            if current is not None:
                with open(self.path, "rb") as f:
                    if folder.verified(current, f.fileno()):
                        return None  # the pointer describes this very file
            return publish(folder, self.path, label, SCHEMA_VERSION)

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
        return self._checked(duckdb.connect(str(self.current().file), read_only=True))

    def connect_isolated(self, version: Version | None = None) -> duckdb.DuckDBPyConnection:
        """A read-only connection to ``version`` (default: the one published now), in a
        database of its own.

        The file is attached (as ``warehouse``, made the default with ``USE``) to a fresh
        in-memory DuckDB, which DuckDB never shares: other connections to the same path in
        this process, whatever version they hold, cannot hand it an old version. A cursor of
        this connection needs ``USE warehouse`` again (cursors do not inherit it).
        """
        if version is None:
            self._check_exists()
            version = self.current()
        con = duckdb.connect(":memory:", config={"temp_directory": str(self.path) + ".tmp"})
        try:
            con.execute(f"ATTACH {lit(str(version.file))} AS warehouse (READ_ONLY)")
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
    """A long-lived reader: read-only connections to the versions it is asked for, the newest
    published one by default.

    Its connections come from :meth:`Warehouse.connect_isolated`, so a new version is always
    seen, even while other connections in this process still hold an old one (DuckDB shares
    one open database per path, so a plain reconnect would get the old version back). It
    keeps the connections of the two versions used last (a request that started before a
    publish finishes on its version); one it lets go is not closed: cursors handed out before
    (a query still running in another thread) keep working on their version, which is
    released when the last of them is gone.

    Serving from a publish folder, it holds each version's file open under a shared lock (no
    publish removes it meanwhile), checks its SHA-256 against the pointer before the first
    read, and keeps serving the version before when a new one cannot be opened or is not
    the file the pointer describes (logged).
    """

    #: Versions kept open at once.
    KEEP_OPEN = 2

    def __init__(self, warehouse: Warehouse):
        self.warehouse = warehouse
        self._open: OrderedDict[Hashable, tuple[duckdb.DuckDBPyConnection, int | None]] = \
            OrderedDict()
        self._last: Version | None = None
        self._lock = threading.Lock()

    def newest(self) -> Version | None:
        """The newest version that can be served, opened: the published one, or, serving
        from a publish folder, the last good one when the published one cannot be served
        (None: nothing published)."""
        folder = self.warehouse.served_from
        for _attempt in range(3):
            version = self.warehouse.current()
            if version is None:
                return self._last if folder is not None else None
            try:
                with self._lock:
                    self._opened(version)
                return version
            except FileNotFoundError:  # removed as too old after the pointer was read
                continue
            except (OSError, duckdb.Error, WarehouseError) as exc:
                if folder is None or self._last is None:
                    raise
                event("version_refused", logging.ERROR, file=version.file.name,
                      data_version=version.label, serving=self._last.label,
                      error=f"{type(exc).__name__}: {str(exc)[:200]}")
                return self._last
        return self._last

    def connection(self, version: Version | None = None) -> duckdb.DuckDBPyConnection:
        """A cursor on ``version`` (default: :meth:`newest`); close it after use."""
        if version is None:
            version = self.newest()
            if version is None:
                self.warehouse._check_exists()  # raises: no warehouse here
        with self._lock:
            cur = self._opened(version).cursor()
        cur.execute("USE warehouse")
        return cur

    def _opened(self, version: Version) -> duckdb.DuckDBPyConnection:
        """The connection to ``version``, opened (and held, and checked) when it is new; call
        under the lock."""
        token = version.token
        held = self._open.get(token)
        if held is not None:
            self._open.move_to_end(token)
            return held[0]
        folder = self.warehouse.served_from
        fd = folder.hold(version) if folder is not None else None
        try:
            if folder is not None and not folder.verified(version, fd):
                raise WarehouseError("version_corrupt", "the published file is not the one "
                                     "its pointer describes (size or SHA-256)",
                                     Where(file=str(version.file)))
            con = self.warehouse.connect_isolated(version)
        except BaseException:
            if fd is not None:
                os.close(fd)
            raise
        self._open[token] = (con, fd)
        self._last = version
        while len(self._open) > self.KEEP_OPEN:
            _, (_old, old_fd) = self._open.popitem(last=False)
            if old_fd is not None:
                os.close(old_fd)
        return con

    def close(self) -> None:
        """Close every connection (and the cursors it handed out)."""
        with self._lock:
            while self._open:
                _, (con, fd) = self._open.popitem()
                con.close()
                if fd is not None:
                    os.close(fd)
            self._last = None


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

