"""The dashboard's caches, kept per published version of the warehouse.

- :class:`VersionedCache`: what one process keeps for the current version: the answers of the
  data readers (unbounded: a version has a bounded number of them) and the rendered views (the
  JSON of a page or a callback's outputs), bounded by their size in bytes, least recently used
  out. A new version (a load published a new warehouse file) empties both at once, so a page
  never mixes versions. One thread builds a missing entry while the others asking for it wait
  for its answer (at most :data:`PATIENCE` seconds, then they build it too).
- :class:`SharedViews`: the rendered views shared by the processes (gunicorn workers) serving
  one warehouse, one JSON file per view in a folder per version under the temporary directory.
  A view is built by one process while the others wait on its lock, so it costs one
  computation whatever the number of workers. A file appears whole (written aside, then
  renamed) or not at all: a writer that crashes leaves no half view, and its lock dies with
  it; a full disk only means the view is not shared. Folders of other versions are removed.

A view being rendered may call :func:`provisional` (a time budget ran out and it is
incomplete): it is then served but kept nowhere, so the next request renders it again.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import os
import shutil
import stat
import tempfile
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable, Iterator
from pathlib import Path
from typing import Any

import dash
from plotly.io.json import to_json_plotly

from core.warehouse.files import create_private

#: How much rendered JSON a process keeps in memory per data version, in bytes (a few times
#: that as Python objects); the least recently used goes first (and is read again from the
#: shared files when asked for).
RENDERED_BYTES = 8_000_000
#: Seconds a request waits for another one building the same entry before building it too.
PATIENCE = 60.0
#: Rendered views of one version shared on disk at most (more are still kept in memory).
SHARED_MAX_FILES = 2000
#: Folders of warehouses not served for this many seconds are removed.
STALE_SECONDS = 86400

Token = Hashable | None

_state = threading.local()


def provisional() -> None:
    """Say that the view being rendered in this thread is incomplete (a time budget ran out):
    it is served, not kept, so the next request for it renders it again."""
    _state.provisional = True


def _is_provisional() -> bool:
    return bool(getattr(_state, "provisional", False))


def plain(value: Any) -> tuple[Any, int]:
    """``value`` (components, figures, frames, dates) as the JSON values the browser gets, and
    the size of that JSON in bytes: built once, such a value is sent again without encoding every
    component and figure again."""
    data = to_json_plotly(value).encode("utf-8")
    return json.loads(data), len(data)


def json_ready(value: Any) -> Any:
    """``value`` with every component (Dash's or a light element) turned into the JSON values
    the browser gets (dicts, lists, text, numbers), without encoding it: an answer made only of
    such values is encoded in one call of the JSON engine (orjson), never component by
    component. Values of other types (dates, numpy numbers) are left to the encoder."""
    if value is None or isinstance(value, str | int | float):
        return value
    if isinstance(value, dict):
        return {k: json_ready(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [json_ready(v) for v in value]
    as_json = getattr(value, "to_plotly_json", None)
    return value if as_json is None else json_ready(as_json())


class VersionedCache:
    """Answers and rendered views of the current version, in one process.

    ``version`` gives the published version's token (None without a warehouse); it is asked
    on every lookup, and a new token empties the cache and calls ``on_new_version`` (from the
    request that noticed it)."""

    def __init__(self, version: Callable[[], Token], view_bytes: int = RENDERED_BYTES,
                 patience: float = PATIENCE, newest: Callable[[], Token] | None = None):
        self._version = version
        self._newest = newest
        self.view_bytes = view_bytes
        self.patience = patience
        self._lock = threading.Lock()
        self._answers: dict[Hashable, Any] = {}
        self._views: OrderedDict[Hashable, tuple[Any, int]] = OrderedDict()
        self._view_size = 0
        self._pending: dict[tuple[str, Hashable], threading.Event] = {}
        self._token: Token = None
        self._on_new_version: Callable[[], None] | None = None

    @property
    def token(self) -> Token:
        """The version the cache holds."""
        return self._token

    @property
    def view_size(self) -> int:
        """Bytes of rendered JSON kept now."""
        return self._view_size

    def on_new_version(self, fn: Callable[[], None] | None) -> None:
        """Call ``fn`` whenever a lookup notices a newly published version."""
        self._on_new_version = fn

    def keeps(self, token: Token) -> bool:
        """Whether the cache keeps what is made for version ``token``: it is the version it
        holds, or the newest one (see :meth:`_current`)."""
        with self._lock:
            return self._current(token)[1]

    def _current(self, token: Token | None = None) -> tuple[Token, bool]:
        """The version's token (``version()``'s unless given), and whether the cache keeps it.

        A new token empties the cache when it is the newest (``newest()``, when given): a
        request that read an older version (it began before a publish) is served without the
        cache, whatever the order in which requests come. Call under the lock."""
        token = self._version() if token is None else token
        if token != self._token:
            if self._newest is not None and token != self._newest():
                return token, False
            self._answers.clear()
            self._views.clear()
            self._view_size = 0
            renew = self._token is not None and self._on_new_version is not None
            self._token = token
            if renew:
                self._on_new_version()  # type: ignore[misc]
        return token, True

    def answer(self, key: Hashable, build: Callable[[], Any]) -> Any:
        """``build()`` for ``key``, kept until the next version is published."""
        return self._once("answers", key, build)

    def view(self, key: Hashable, build: Callable[[], tuple[Any, int]]) -> Any:
        """The rendered view for ``key``: ``build()`` gives (JSON-ready value, its size in
        bytes); kept (unless :func:`provisional` was called while building) within
        :attr:`view_bytes`, least recently used out. Returns the value."""
        def make() -> tuple[Any, int]:
            _state.provisional = False
            return build()
        return self._once("views", key, make)[0]

    def _once(self, part: str, key: Hashable, build: Callable[[], Any]) -> Any:
        views = part == "views"
        mine: threading.Event | None = None
        patient = True
        while True:
            with self._lock:
                token, kept = self._current()
                if not kept:  # an older version's request: kept nowhere
                    break
                store = self._views if views else self._answers
                if key in store:
                    if views:
                        self._views.move_to_end(key)
                    return store[key]
                waiting = self._pending.get((part, key))
                if waiting is None:
                    mine = self._pending[(part, key)] = threading.Event()
                    break
                if not patient:  # waited long enough: build it too
                    break
            patient = waiting.wait(timeout=self.patience)
        try:
            value = build()
            with self._lock:
                if self._token == token == self._version() and not (
                        views and _is_provisional()):
                    self._keep(part, key, value)
            return value
        finally:
            if mine is not None:
                with self._lock:
                    self._pending.pop((part, key), None)
                mine.set()

    def _keep(self, part: str, key: Hashable, value: Any) -> None:
        if part == "answers":
            self._answers[key] = value
            return
        self._views[key] = value
        self._view_size += value[1]
        while self._view_size > self.view_bytes and len(self._views) > 1:
            self._view_size -= self._views.popitem(last=False)[1][1]


def _code_fingerprint() -> str:
    """Changes with the dashboard's code and Dash's version: views rendered by other code are
    never served."""
    here = Path(__file__).resolve().parent
    parts = [dash.__version__]
    for f in sorted(here.rglob("*.py")):
        st = f.stat()
        parts.append(f"{f.relative_to(here)}:{st.st_mtime_ns}:{st.st_size}")
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()[:12]


class SharedViews:
    """Rendered views shared by the processes serving the warehouse at ``path`` (see the
    module's docstring). The folders are this user's alone; when they are not (someone else's,
    a link, open to others), nothing is shared. ``version`` gives the published version's
    token, ``root`` the folder (default: one per warehouse under the temporary directory)."""

    def __init__(self, path: Path, version: Callable[[], Token], root: Path | None = None):
        name = hashlib.sha256(str(Path(path).resolve()).encode()).hexdigest()[:16]
        base = Path(tempfile.gettempdir()) / f"ivmonitor-views-{os.getuid()}"
        self.root = root if root is not None else base / name
        self._code = _code_fingerprint()
        self._version = version

    def _private_root(self) -> None:
        """Create the folders, owned by this user and closed to others, or raise OSError."""
        for folder in (self.root.parent, self.root):
            folder.mkdir(exist_ok=True, mode=0o700)
            st = os.lstat(folder)
            if not stat.S_ISDIR(st.st_mode) or st.st_uid != os.getuid():
                raise PermissionError(f"{folder} is not this user's folder")
            if st.st_mode & 0o077:
                os.chmod(folder, 0o700)

    def folder(self, token: Token) -> Path:
        """The folder of a version (made, and the other versions' removed, on first use)."""
        text = "-".join(map(str, token)) if isinstance(token, tuple) else str(token)
        folder = self.root / f"{text}-{self._code}"
        if not folder.is_dir():
            self._private_root()
            folder.mkdir(exist_ok=True, mode=0o700)
            for old in self.root.iterdir():
                if old != folder and old.is_dir():
                    shutil.rmtree(old, ignore_errors=True)
            # warehouses not served for a day (removed, moved, test ones) leave nothing behind
            with contextlib.suppress(OSError):
                for other in self.root.parent.iterdir():
                    if other != self.root and other.stat().st_mtime < time.time() - STALE_SECONDS:
                        shutil.rmtree(other, ignore_errors=True)
        return folder

    @contextlib.contextmanager
    def warming(self) -> Iterator[bool]:
        """Whether this process is the one to warm the views up (no other process is at it):
        one process renders them all, with its caches of the stored results filling as it
        goes, and the others read its files."""
        try:
            self._private_root()
            lock = open(self.root / "warm-up.lock", "a+b")  # noqa: SIM115 - held while warming
        except OSError:
            yield True
            return
        with lock:
            try:
                fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError:
                yield False
                return
            yield True

    def get(self, token: Token, key: Hashable, build: Callable[[], Any]) -> tuple[Any, int]:
        """The view for ``key`` in version ``token``: read from its file, else built (by one
        process at a time), written and returned, as :func:`plain` gives it."""
        _state.provisional = False
        if token is None:
            return plain(build())
        try:
            folder = self.folder(token)
        except OSError:
            return plain(build())
        base = folder / hashlib.sha256(repr(key).encode()).hexdigest()
        path = base.with_suffix(".json")
        hit = _read(path)
        if hit is not None:
            return hit
        try:
            lock = open(base.with_suffix(".lock"), "a+b")  # noqa: SIM115 - held while building
        except OSError:
            return plain(build())
        with lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            hit = _read(path)
            if hit is not None:
                return hit
            data = to_json_plotly(build()).encode("utf-8")
            if (not _is_provisional() and self._version() == token
                    and sum(1 for _ in os.scandir(folder)) < SHARED_MAX_FILES):
                tmp = base.with_suffix(f".{os.getpid()}.{threading.get_ident()}.tmp")
                try:
                    os.close(create_private(tmp))  # internal figures: this user's alone
                    tmp.write_bytes(data)
                    os.replace(tmp, path)
                except OSError:  # a full disk: served, not shared
                    with contextlib.suppress(OSError):
                        tmp.unlink()
            return json.loads(data), len(data)


def _read(path: Path) -> tuple[Any, int] | None:
    try:
        data = path.read_bytes()
    except OSError:
        return None
    try:
        return json.loads(data), len(data)
    except ValueError:  # never written by this code; treated as absent
        return None


__all__ = ["PATIENCE", "RENDERED_BYTES", "SHARED_MAX_FILES", "SharedViews", "VersionedCache",
           "json_ready", "plain", "provisional"]
