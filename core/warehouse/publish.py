"""Publishing warehouse versions to a folder that many app servers read (``IVM_PUBLISH_DIR``).

Each publish adds one file, ``ivmonitor-<data version>.duckdb``, and then names it in the small
pointer ``current.json`` (the file, its data version, size and SHA-256). Both appear whole or
not at all:

1. the version is copied to ``<name>.part`` (its SHA-256 computed on the way), synced, and
   renamed to its name; a publish killed here leaves a ``.part`` file that no pointer names
   (the next publish removes it) and the servers keep the version they serve;
2. the pointer is written aside, synced and renamed over ``current.json``: a server reads the
   old pointer or the new one, never a part of either.

A version's name is never reused: a second publish of the same data version (a failed load
recorded in the load log, a plan put in force without a refresh) is
``ivmonitor-<data version>-2.duckdb``. A server opens the version the pointer names at the
start of a request, checks its SHA-256 once per process, holds a shared ``flock`` on the file
while it serves it, and serves the whole request from it (:class:`core.warehouse.WarehouseReader`).
A publish keeps the newest :func:`keep` versions and removes older ones only when it can take
their lock exclusively, i.e. when no server process has them open; a file still held stays
for a later publish. Publishers queue on the folder's own lock (``.publish.lock``).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import errno
import fcntl
import hashlib
import json
import logging
import os
import re
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import duckdb

from core.errors import IvmError, Where
from core.logs import event
from core.settings import setting
from core.warehouse.files import create_private, fsync_path, keep_access, stat_or_none

#: The pointer naming the current version.
POINTER = "current.json"
#: Version files: ``ivmonitor-<load>.<refresh>[-<n>].duckdb``.
VERSION_FILE = re.compile(r"ivmonitor-(\d+\.\d+)(?:-(\d+))?\.duckdb")
#: The pointer's format; a server refuses a pointer of another format.
FORMAT = 1
#: The largest pointer a server reads (it is a few hundred bytes).
POINTER_MAX_BYTES = 4096
_CHUNK = 1 << 20


def data_version_label(load_id: int | None, refresh_id: int | None) -> str:
    """The label of a data version (``12.4``: last successful load 12, refresh 4)."""
    return f"{int(load_id or 0)}.{int(refresh_id or 0)}"


def version_label(con: duckdb.DuckDBPyConnection) -> str:
    """The data version label of the warehouse ``con`` is connected to."""
    load_id, refresh_id = con.execute(
        "SELECT (SELECT max(load_id) FROM load_log WHERE outcome = 'loaded'), "
        "(SELECT max(refresh_id) FROM refresh_log)").fetchall()[0]
    return data_version_label(load_id, refresh_id)


def keep() -> int:
    """How many versions a publish folder keeps (``IVM_PUBLISH_KEEP``, at least 2)."""
    text = setting("publish_keep").strip()
    if not text.isdigit() or int(text) < 2:
        raise IvmError("bad_setting", f"IVM_PUBLISH_KEEP={text!r}: expected a whole number, "
                       "at least 2")
    return int(text)


@dataclass(frozen=True)
class Version:
    """One published version: its file, data version label, SHA-256 and size (None when the
    warehouse file itself is served: then its stamp), and a token that changes with every
    publish."""

    file: Path
    label: str | None = None
    sha256: str | None = None
    size: int | None = None
    #: The warehouse file's inode and modification time when it was looked at.
    stamp: tuple[int, int] | None = None

    @property
    def token(self) -> tuple:
        """Tells this version from every other one."""
        if self.sha256 is None:
            return self.stamp or ()
        return (self.file.name, self.sha256[:16])


class PublishFolder:
    """A folder of published warehouse versions and the pointer to the current one."""

    def __init__(self, path: str | os.PathLike[str]):
        self.path = Path(path)

    @classmethod
    def from_settings(cls) -> PublishFolder | None:
        """The folder ``IVM_PUBLISH_DIR`` names, or None."""
        text = setting("publish_dir").strip()
        return cls(text) if text else None

    @property
    def pointer(self) -> Path:
        """The pointer file."""
        return self.path / POINTER

    # -- the servers' side -------------------------------------------------------------------

    def current(self) -> Version | None:
        """The version the pointer names now (None: nothing published yet, or a pointer that
        is not one, which is logged)."""
        try:
            with open(self.pointer, "rb") as f:
                raw = f.read(POINTER_MAX_BYTES + 1)
        except FileNotFoundError:
            return None
        try:
            doc = json.loads(raw) if len(raw) <= POINTER_MAX_BYTES else None
            name, sha, size = doc["file"], doc["sha256"], doc["bytes"]
            if (doc.get("format") != FORMAT or not isinstance(name, str)
                    or not VERSION_FILE.fullmatch(name) or not isinstance(sha, str)
                    or not re.fullmatch(r"[0-9a-f]{64}", sha) or not isinstance(size, int)):
                raise ValueError(name)
        except (ValueError, TypeError, KeyError):
            event("pointer_invalid", logging.ERROR, folder=str(self.path))
            return None
        return Version(self.path / name, doc.get("data_version"), sha, size)

    def hold(self, version: Version) -> int:
        """A descriptor of ``version``'s file holding its shared lock: no publish removes the
        file while it is open. FileNotFoundError when the file is gone (removed as too old
        after the pointer was read)."""
        fd = os.open(version.file, os.O_RDONLY)
        try:
            fcntl.flock(fd, fcntl.LOCK_SH)
            if os.fstat(fd).st_ino != os.stat(version.file).st_ino:  # replaced meanwhile
                raise FileNotFoundError(errno.ENOENT, "version replaced", str(version.file))
        except BaseException:
            os.close(fd)
            raise
        return fd

    @staticmethod
    def verified(version: Version, fd: int) -> bool:
        """Whether the held file is the one the pointer describes (size and SHA-256)."""
        if os.fstat(fd).st_size != version.size:
            return False
        digest = hashlib.sha256()
        offset = 0
        while chunk := os.pread(fd, _CHUNK, offset):
            digest.update(chunk)
            offset += len(chunk)
        return digest.hexdigest() == version.sha256

    # -- the publisher's side ----------------------------------------------------------------

    @contextlib.contextmanager
    def locked(self) -> Iterator[None]:
        """Hold the folder's publish lock (one publisher at a time)."""
        self.path.mkdir(parents=True, exist_ok=True)
        with open(self.path / ".publish.lock", "a+b") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(lock, fcntl.LOCK_UN)

    def stage(self, source: Path, label: str) -> Version:
        """Copy the finished warehouse file ``source`` in as a new version file (step 1 of a
        publish; call under :meth:`locked`), with the mode and group of the version before."""
        for stale in self.path.glob("*.part"):  # a publish killed midway
            with contextlib.suppress(OSError):
                stale.unlink()
        name, n = f"ivmonitor-{label}.duckdb", 1
        while (self.path / name).exists():
            n += 1
            name = f"ivmonitor-{label}-{n}.duckdb"
        target = self.path / name
        part = target.with_name(name + ".part")
        before = self.current()
        fd = create_private(part)
        try:
            # the access the administrator gave the version before (else the source's)
            keep_access(stat_or_none(before.file) if before else stat_or_none(source), fd)
            digest, size = hashlib.sha256(), 0
            with open(source, "rb") as src:
                while chunk := src.read(_CHUNK):
                    digest.update(chunk)
                    _write_all(fd, chunk)
                    size += len(chunk)
            os.fsync(fd)
        except BaseException:
            os.close(fd)
            with contextlib.suppress(OSError):
                part.unlink()
            raise
        os.close(fd)
        os.replace(part, target)
        fsync_path(self.path)
        return Version(target, label, digest.hexdigest(), size)

    def point(self, version: Version, schema_version: int) -> None:
        """Name ``version`` in the pointer (step 2)."""
        doc = {"format": FORMAT, "file": version.file.name, "data_version": version.label,
               "sha256": version.sha256, "bytes": version.size,
               "schema_version": schema_version,
               "published_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds")}
        tmp = self.path / f".{POINTER}.{os.getpid()}.tmp"
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()
        fd = create_private(tmp)
        try:
            model = stat_or_none(version.file)
            keep_access(model, fd)
            _write_all(fd, (json.dumps(doc, indent=1) + "\n").encode())
            os.fsync(fd)
        finally:
            os.close(fd)
        os.replace(tmp, self.pointer)
        fsync_path(self.path)

    def versions(self) -> list[Path]:
        """The version files present, newest publish first."""
        found = [p for p in self.path.iterdir() if VERSION_FILE.fullmatch(p.name)]
        return sorted(found, key=lambda p: p.stat().st_mtime_ns, reverse=True)

    def prune(self, current: Version) -> list[str]:
        """Remove the versions beyond the newest :func:`keep` (never ``current``) whose lock no
        server holds; the names removed."""
        removed = []
        for old in self.versions()[keep():]:
            if old == current.file:
                continue
            try:
                fd = os.open(old, os.O_RDONLY)
            except FileNotFoundError:
                continue
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError:  # held by a server (or no locks here): kept for a later publish
                os.close(fd)
                continue
            try:
                old.unlink()
                removed.append(old.name)
            finally:
                os.close(fd)
        return removed


def publish(folder: PublishFolder, source: Path, label: str, schema_version: int,
            replace_local: Callable[[], None] | None = None) -> Version:
    """Publish the finished warehouse file ``source`` into ``folder``: stage it, run
    ``replace_local`` (the local publish, between the two steps: a failure to stage leaves
    both unchanged), then point to it. A failure to write the pointer after the local publish
    is logged, not raised: the data is published here, and the next publish (or
    ``ivm publish``) brings the servers to it."""
    started = time.perf_counter()
    keep()  # a bad setting is refused before anything is written
    try:
        with folder.locked():
            version = folder.stage(source, label)
            if not _finish(folder, version, schema_version, replace_local):
                return version
    except OSError as exc:
        if getattr(exc, "ivm_local", False):
            raise
        raise publish_error(folder, exc) from None
    event("publish", data_version=label, file=version.file.name, sha256=version.sha256,
          bytes=version.size, duration_ms=round((time.perf_counter() - started) * 1000, 1))
    return version


def _finish(folder: PublishFolder, version: Version, schema_version: int,
            replace_local: Callable[[], None] | None) -> bool:
    """Steps 2 and 3: the local publish, the pointer, old versions pruned; False when the
    pointer could not be written (logged)."""
    if replace_local is not None:
        try:
            replace_local()
        except BaseException as exc:
            with contextlib.suppress(OSError):
                version.file.unlink()
            exc.ivm_local = True  # type: ignore[attr-defined]  (the local file's own error)
            raise
    try:
        folder.point(version, schema_version)
    except OSError as exc:
        event("publish_failed", logging.ERROR, data_version=version.label,
              file=version.file.name, folder=str(folder.path),
              error=f"{type(exc).__name__}: {exc.strerror or exc}"[:300],
              hint="the servers keep the version before; `ivm publish` publishes this one")
        return False
    with contextlib.suppress(OSError):  # a version gone meanwhile: pruned by the next one
        folder.prune(version)
    return True


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view):]


def publish_error(folder: PublishFolder, exc: OSError) -> IvmError:
    """The one-line error of a publish folder that cannot take a version."""
    return IvmError("publish_failed", f"cannot publish into the publish folder: "
                    f"{exc.strerror or type(exc).__name__}", Where(file=str(folder.path)),
                    hint="nothing was published; check IVM_PUBLISH_DIR and its free space")


__all__ = ["POINTER", "PublishFolder", "Version", "data_version_label", "keep", "publish",
           "publish_error", "version_label"]
