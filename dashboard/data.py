"""The one data module of the dashboard: pages ask here, never the database directly.

Everything comes from the stored results of the indicators layer (its public readers), through
one long-lived read-only connection per process that reopens when a load publishes a new
version. Answers are cached per published version, so a page is fast and never mixes versions:
after a load the next request sees the new data, without a restart.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import fcntl
import functools
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

import duckdb
import pandas as pd

from core.warehouse import Warehouse, WarehouseReader
from core.warehouse.files import create_private
from indicators import readers, results
from indicators.catalog import Indicator
from indicators.compare import municipalities
from indicators.progress import Series
from indicators.status import status_counts, status_records

#: How much rendered JSON (pages, or a callback's outputs for given arguments) a process keeps
#: in memory per data version, in bytes (a few times that as Python objects); the least
#: recently used goes first (and is read again from the shared files when asked for).
RENDERED_BYTES = 8_000_000
#: Seconds a request waits for another one building the same answer before building it too.
PATIENCE = 60.0


class DashboardData:
    """The dashboard's view of one warehouse (one per process)."""

    def __init__(self, warehouse: Warehouse):
        self.warehouse = warehouse
        self._reader = WarehouseReader(warehouse)
        self._lock = threading.Lock()
        self._cache: dict[tuple, Any] = {}
        self._token: tuple[int, int] | None = None
        self._rendered: OrderedDict[tuple, tuple[Any, int]] = OrderedDict()
        self._rendered_bytes = 0
        self._pending: dict[tuple, threading.Event] = {}
        self._on_new_version: Callable[[], None] | None = None
        self._shared = SharedViews(warehouse)

    # -- plumbing ---------------------------------------------------------------------------

    def _query(self, fn: Callable[[duckdb.DuckDBPyConnection], Any]) -> Any:
        con = self._reader.connection()
        try:
            return fn(con)
        finally:
            con.close()

    def _current(self) -> tuple[int, int] | None:
        """The published version's token; a new one empties every cache (call under the lock).
        Returns the token."""
        token = self.warehouse.version_token()
        if token != self._token:
            self._cache.clear()
            self._rendered.clear()
            self._rendered_bytes = 0
            renew = self._token is not None and self._on_new_version is not None
            self._token = token
            if renew:
                self._on_new_version()
        return token

    def _once(self, store: dict[tuple, Any], key: tuple, build: Callable[[], Any],
              bound: int | None = None, keep: Callable[[], bool] | None = None) -> Any:
        """``store[key]`` for the current version, built by one thread at a time per key: the
        others asking for the same key meanwhile wait for its answer instead of building it
        again. With ``bound`` the store is the rendered one, of (value, bytes) pairs, kept to
        that many bytes (least recently used out). ``keep`` says, after a build, whether to
        keep its value."""
        mine: threading.Event | None = None
        patient = True
        while True:
            with self._lock:
                token = self._current()
                if key in store:
                    if bound is not None:
                        store.move_to_end(key)  # type: ignore[attr-defined]
                    return store[key]
                waiting = self._pending.get((id(store), key))
                if waiting is None:
                    mine = self._pending[(id(store), key)] = threading.Event()
                    break
                if not patient:  # waited long enough: build it too
                    break
            patient = waiting.wait(timeout=PATIENCE)
        try:
            value = build()
            with self._lock:
                if (self._token == token == self.warehouse.version_token()
                        and (keep is None or keep())):
                    store[key] = value
                    if bound is not None:
                        self._rendered_bytes += value[1]
                        while self._rendered_bytes > bound and len(store) > 1:
                            self._rendered_bytes -= store.popitem(last=False)[1][1]
            return value
        finally:
            if mine is not None:
                with self._lock:
                    self._pending.pop((id(store), key), None)
                mine.set()

    def _cached(self, key: tuple, fn: Callable[[duckdb.DuckDBPyConnection], Any]) -> Any:
        return self._once(self._cache, key, lambda: self._query(fn))

    def kept(self, key: tuple, build: Callable[[], Any]) -> Any:
        """``build()`` (computed from other answers, no query of its own), kept until the next
        version is published."""
        return self._once(self._cache, ("kept", *key), build)

    def public_figures(self) -> Any:
        """The public council workbook's figures (:mod:`dashboard.export.figures`), kept per
        version: what the public audience sees (None without stored results)."""
        if not self.available():
            return None
        from dashboard.export.figures import council_figures

        return self._cached(("public_figures",),
                            lambda c: council_figures(c, audience="public"))

    def rendered(self, key: tuple, build: Callable[[], Any]) -> Any:
        """The rendered view ``build`` makes for ``key`` in the current version, as JSON-ready
        plain values (see :func:`plain`), kept in a bounded least-recently-used store, and
        shared with the other processes serving the same warehouse (see :class:`SharedViews`)."""
        def make() -> tuple[Any, int]:
            _state.provisional = False
            return self._shared.get(self._token, key, build)
        return self._once(self._rendered, key, make, bound=RENDERED_BYTES,
                          keep=lambda: not getattr(_state, "provisional", False))[0]

    def warming(self) -> contextlib.AbstractContextManager[bool]:
        """Whether this process is the one to warm the rendered views up (see
        :meth:`SharedViews.warming`)."""
        return self._shared.warming()

    def on_new_version(self, fn: Callable[[], None] | None) -> None:
        """Call ``fn`` (from the request that notices it) whenever a new version is published."""
        self._on_new_version = fn

    def with_connection(self, fn: Callable[[duckdb.DuckDBPyConnection], Any]) -> Any:
        """Run ``fn`` on a read-only cursor of the newest version (for exports, not cached)."""
        return self._query(fn)

    def available(self) -> bool:
        """Whether there is a warehouse with stored results to show."""
        if not self.warehouse.exists():
            return False
        return self._cached(("available",), readers.has_results)

    # -- the plan ---------------------------------------------------------------------------

    def status(self) -> list[dict[str, Any]]:
        """Every objective x area record (the shape of ``ivm status --format json``)."""
        if not self.available():
            return []
        return self._cached(("status",), lambda c: status_records(c, catalog=_Stored(c)))

    def counts(self, records: list[dict[str, Any]]) -> dict[str, int]:
        """How many records have each status."""
        return status_counts(records)

    def plan(self) -> dict[str, Any] | None:
        """The plan version in force: version, title, approved_on, approved_by, objectives."""
        return self._cached(("plan",), readers.plan_info) if self.warehouse.exists() else None

    def as_of(self) -> Any:
        """The as-of date of the stored results."""
        return self._cached(("as_of",), results.as_of) if self.available() else None

    # -- indicators -------------------------------------------------------------------------

    def catalog(self) -> dict[str, Indicator]:
        """The indicators of the stored results, by id."""
        if not self.available():
            return {}
        return self._cached(("catalog",), results.stored_catalog)

    def indicator(self, indicator_id: str) -> Indicator | None:
        """One indicator of the stored results."""
        return self.catalog().get(indicator_id)

    def values(self, indicator_id: str, level: str, period: str) -> pd.DataFrame:
        """The indicator for every area of a level in a period (zeros filled in)."""
        ind = self.indicator(indicator_id)
        if ind is None:
            return pd.DataFrame()
        return self._cached(("values", indicator_id, level, period),
                            lambda c: results.values(c, ind, level, period))

    def series(self, indicator_id: str, area_id: str) -> Series:
        """The indicator's years and 12-month windows in one area."""
        ind = self.indicator(indicator_id)
        if ind is None:
            return Series([], [])
        return self._cached(("series", indicator_id, area_id),
                            lambda c: results.series(c, ind, area_id))

    def periods(self, indicator_id: str, period_type: str,
                level: str = "gemeente") -> list[tuple[str, bool]]:
        """The periods of a type with values, oldest first, with their completeness."""
        return self._all_periods(indicator_id, level).get(period_type, [])

    def _all_periods(self, indicator_id: str, level: str) -> dict[str, list[tuple[str, bool]]]:
        """Per period type, what :func:`indicators.results.periods` gives, from one read."""
        return self._cached(("periods", indicator_id, level),
                            lambda c: readers.periods_by_type(c, indicator_id, level))

    # -- areas ------------------------------------------------------------------------------

    def areas(self, level: str | None = None) -> pd.DataFrame:
        """Areas without their geometry (id, name, level, parent, bounding box)."""
        if not self.warehouse.exists():
            return pd.DataFrame(columns=["area_id", "name", "level"])
        df = self._cached(("areas", level), lambda c: results.areas(c, level))
        return df.drop(columns=["geometry"])

    def municipalities(self) -> dict[str, str | None]:
        """Every area's municipality (see :func:`indicators.compare.municipalities`)."""
        return self.kept(("municipalities",), lambda: municipalities(self.areas()))

    def levels(self) -> list[str]:
        """The area levels present, coarse to fine."""
        order = ["gemeente", "deelgemeente", "wijk", "project", "sector", "district", "ward"]
        present = set(self.areas()["level"])
        return [lv for lv in order if lv in present] + sorted(present - set(order))

    def geojson(self, level: str) -> dict[str, Any]:
        """The polygons of a level as a GeoJSON FeatureCollection (feature id = area id)."""
        def build(c: duckdb.DuckDBPyConnection) -> dict[str, Any]:
            df = results.areas(c, level)
            features = [
                {"type": "Feature", "id": r.area_id,
                 "properties": {"name": r.name}, "geometry": json.loads(r.geometry)}
                for r in df.itertuples() if r.geometry
            ]
            return {"type": "FeatureCollection", "features": features}
        return self._cached(("geojson", level), build)

    def compstat(self, level: str | None = None, area_ids: list[str] | None = None,
                 kind: str | None = None) -> pd.DataFrame:
        """The stored CompStat windows."""
        key = ("compstat", level, tuple(area_ids) if area_ids else None, kind)
        return self._cached(key, lambda c: results.compstat(c, area_ids, level, kind))

    # -- data and quality -------------------------------------------------------------------

    def coverage(self) -> list[dict[str, Any]]:
        """Per source: first day, cut-off, last complete month, rows."""
        return self._cached(("coverage",), results.coverage) if self.available() else []

    def loads(self) -> list[dict[str, Any]]:
        """Every load attempt, newest first (empty when there is no warehouse)."""
        if not self.warehouse.exists():
            return []
        return self._cached(("loads",), readers.loads)

    def quarantine_reasons(self) -> list[dict[str, Any]]:
        """Per load and reason code: how many rows were kept back."""
        if not self.warehouse.exists():
            return []
        return self._cached(("quarantine",), readers.quarantine_reasons)


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


class _Stored:
    """The stored catalogue in the shape ``status_records`` expects (iterable of indicators)."""

    def __init__(self, con: duckdb.DuckDBPyConnection):
        self.indicators = results.stored_catalog(con)

    def __iter__(self):
        return iter(self.indicators.values())


_state = threading.local()


def provisional() -> None:
    """Say that the view being rendered in this thread is incomplete (a time budget ran out):
    it is served, not kept, so the next request for it renders it again."""
    _state.provisional = True


#: Rendered views of one version shared on disk at most (more are still kept in memory).
SHARED_MAX_FILES = 2000


def _code_fingerprint() -> str:
    """Changes with the dashboard's code and Dash's version: views rendered by other code are
    never served."""
    import dash

    here = Path(__file__).resolve().parent
    parts = [dash.__version__]
    for f in sorted(here.rglob("*.py")):
        st = f.stat()
        parts.append(f"{f.relative_to(here)}:{st.st_mtime_ns}:{st.st_size}")
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()[:12]


class SharedViews:
    """Rendered views shared by the processes (gunicorn workers) serving one warehouse: a JSON
    file per view in a folder per published version, under the temporary directory. A view is
    built by one process while the others wait for its file (a lock per view), so a view costs
    one computation whatever the number of workers. Folders of older versions are removed.
    The folders are this user's alone (0700, files 0600: they hold internal figures); when they
    are not (someone else's, a link), nothing is shared."""

    def __init__(self, warehouse: Warehouse):
        name = hashlib.sha256(str(warehouse.path.resolve()).encode()).hexdigest()[:16]
        self.root = Path(tempfile.gettempdir()) / f"ivmonitor-views-{os.getuid()}" / name
        self._code = _code_fingerprint()
        self.warehouse = warehouse

    def _private_root(self) -> None:
        """Create the folders, owned by this user and closed to others, or raise OSError."""
        for folder in (self.root.parent, self.root):
            folder.mkdir(exist_ok=True, mode=0o700)
            st = os.lstat(folder)
            if not stat.S_ISDIR(st.st_mode) or st.st_uid != os.getuid():
                raise PermissionError(f"{folder} is not this user's folder")
            if st.st_mode & 0o077:
                os.chmod(folder, 0o700)

    def _folder(self, token: tuple[int, int]) -> Path:
        folder = self.root / f"{token[0]}-{token[1]}-{self._code}"
        if not folder.is_dir():
            self._private_root()
            folder.mkdir(exist_ok=True, mode=0o700)
            for old in self.root.iterdir():
                if old != folder and old.is_dir():
                    shutil.rmtree(old, ignore_errors=True)
            # warehouses not served for a day (removed, moved, test ones) leave nothing behind
            with contextlib.suppress(OSError):
                for other in self.root.parent.iterdir():
                    if other != self.root and other.stat().st_mtime < time.time() - 86400:
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

    def get(self, token: tuple[int, int] | None, key: tuple,
            build: Callable[[], Any]) -> tuple[Any, int]:
        """The view for ``key`` in version ``token``: read from its file, else built (by one
        process at a time), written and returned, as :func:`plain` gives it."""
        if token is None:
            return plain(build())
        try:
            folder = self._folder(token)
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
            text = _to_json(build())
            if (not getattr(_state, "provisional", False)
                    and self.warehouse.version_token() == token
                    and sum(1 for _ in os.scandir(folder)) < SHARED_MAX_FILES):
                tmp = base.with_suffix(f".{os.getpid()}.{threading.get_ident()}.tmp")
                with contextlib.suppress(OSError):
                    with os.fdopen(create_private(tmp), "w", encoding="utf-8") as out:
                        out.write(text)
                    os.replace(tmp, path)
            return json.loads(text), len(text)


def _read(path: Path) -> tuple[Any, int] | None:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError:
        return None
    return json.loads(text), len(text)


def _to_json(value: Any) -> str:
    from plotly.io.json import to_json_plotly

    return to_json_plotly(value)


def plain(value: Any) -> tuple[Any, int]:
    """``value`` (components, figures, frames, dates) as the JSON values the browser gets, and
    the size of that JSON: built once, such a value is sent again without encoding every
    component and figure again."""
    text = _to_json(value)
    return json.loads(text), len(text)


def _key(args: tuple, kwargs: dict[str, Any]) -> str:
    return json.dumps([args, kwargs], sort_keys=True, default=str)


def cached_view(name: str, *, daily: bool = False) -> Callable[[Callable], Callable]:
    """Decorate a page's ``layout`` or a pure callback (its answer depends on its arguments, the
    data and the viewer's role only): its answer is rendered once per data version, role (and
    partner), and arguments (and per day with ``daily``), then served from the rendered store.
    The role is part of the key: what one role or audience was shown is never served to
    another."""
    def wrap(fn: Callable) -> Callable:
        @functools.wraps(fn)
        def view(*args: Any, **kwargs: Any) -> Any:
            from flask import current_app

            from dashboard.auth import current_viewer

            viewer = current_viewer()
            key: tuple[Hashable, ...] = (name, viewer.role.name, viewer.partner,
                                         _key(args, kwargs),
                                         dt.date.today().isoformat() if daily else None)
            data: DashboardData = current_app.config["IVM_DATA"]
            return data.rendered(key, lambda: fn(*args, **kwargs))
        return view
    return wrap


def warm_viewers(app: Any) -> list[Any]:
    """Who the warm-up renders for: the public on a public server, else one viewer per role
    (and partner) of the enabled accounts."""
    from access.roles import PUBLIC, ROLES, Viewer

    guard = app.server.config.get("IVM_GUARD")
    if guard is None or guard.public:
        return [PUBLIC]
    seen = sorted({(u.role, u.partner or "") for u in guard.store.users() if u.enabled})
    return [Viewer("warm-up", ROLES[r], p or None) for r, p in seen if r in ROLES]


def warm_up(app: Any, languages: tuple[str, ...] = ("nl", "en")) -> threading.Thread:
    """Render every page's default view in ``languages`` in a background thread, and again
    whenever a new version is published, so that no user waits for the first computation.

    A page with a path template (``/doelstelling/<objective_id>``) says which views to render
    with ``warm_views`` in its registration: a function of the data giving the path variables.
    """
    import dash

    data: DashboardData = app.server.config["IVM_DATA"]
    busy = threading.Lock()

    def run() -> None:
        if not busy.acquire(blocking=False):
            return
        try:
            with data.warming() as mine:
                if mine:
                    render_all()
        finally:
            busy.release()

    def render_all() -> None:
        from flask import g

        from dashboard.auth import page_of_path

        for viewer in warm_viewers(app):
            for lang in languages:
                for page in list(dash.page_registry.values()):
                    layout = page.get("layout")
                    key, _ = page_of_path(page.get("path") or "/")
                    if not callable(layout) or key is None or not viewer.may_see(key) or (
                            page.get("path_template") and viewer.role.own_objectives_only):
                        continue
                    with app.server.test_request_context(page.get("path") or "/"):
                        g.viewer = viewer
                        views: list[dict[str, Any]] = [{}]
                        if page.get("path_template"):
                            warm_views = page.get("warm_views")
                            views = []
                            # a page that fails here fails for its users too, and says so
                            with contextlib.suppress(Exception):
                                views = warm_views(data) if warm_views else []
                        for variables in views:
                            with contextlib.suppress(Exception):
                                layout(**variables, lang=lang)

    def start() -> threading.Thread:
        thread = threading.Thread(target=run, name="ivm-warm-up", daemon=True)
        thread.start()
        return thread

    data.on_new_version(start)
    return start()


def data_of_app() -> Any:
    """The data of the running app (one per process), as the current viewer may read it: the
    public audience (``dienst`` and the public) gets :class:`dashboard.audience.PublicData`."""
    from flask import current_app

    from dashboard.auth import current_viewer

    data = current_app.config["IVM_DATA"]
    if current_viewer().audience == "public":
        from dashboard.audience import PublicData

        return PublicData(data)
    return data
