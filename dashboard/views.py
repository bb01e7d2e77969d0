"""Rendered views: a page's ``layout`` or a pure callback, rendered once per data version and
viewer's role, then served from the view cache; and the warm-up that renders every page's
default views before anyone asks.

:func:`cached_view` keys a view by its name, the viewer's role (and partner), its arguments
(and the day, for views that show the date): what one role or audience was shown is never
served to another. The cache itself (per version, bounded by bytes, shared by the server's
processes) is :mod:`dashboard.view_cache`.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import gc
import json
import threading
from collections.abc import Callable, Hashable
from typing import Any

import dash

from access.roles import PUBLIC, ROLES, Viewer
from dashboard.data import DashboardData
from dashboard.registry import PAGES, may_open
from dashboard.sites import Site, current_site, use_site
from dashboard.viewer import current_viewer, set_viewer


def _key(args: tuple, kwargs: dict[str, Any]) -> str:
    return json.dumps([args, kwargs], sort_keys=True, default=str)


def cached_view(name: str, *, daily: bool = False) -> Callable[[Callable], Callable]:
    """Decorate a page's ``layout`` or a pure callback (its answer depends on its arguments, the
    data and the viewer's role only): its answer is rendered once per data version, role (and
    partner), and arguments (and per day with ``daily``), then served from the view cache."""
    def wrap(fn: Callable) -> Callable:
        @functools.wraps(fn)
        def view(*args: Any, **kwargs: Any) -> Any:
            viewer = current_viewer()
            key: tuple[Hashable, ...] = (name, viewer.role.name, viewer.partner,
                                         _key(args, kwargs),
                                         dt.date.today().isoformat() if daily else None)
            data: DashboardData = current_site().data
            return data.rendered(key, lambda: fn(*args, **kwargs))
        return view
    return wrap


def warm_viewers(app: Any, site: Site) -> list[Viewer]:
    """Who the warm-up renders for: the public on a public server, else one viewer per role
    (and partner) of the site's enabled accounts."""
    guard = app.server.config.get("IVM_GUARD")
    if guard is None or guard.public:
        return [PUBLIC]
    seen = sorted({(u.role, u.partner or "") for u in site.store.users() if u.enabled})
    return [Viewer("warm-up", ROLES[r], p or None) for r, p in seen if r in ROLES]


def warm_up(app: Any, languages: tuple[str, ...] = ("nl", "en")) -> list[threading.Thread]:
    """Render every page's default view in ``languages`` for each site of ``app`` in a
    background thread, and again whenever a new version is published, so that no user waits
    for the first computation.

    A page with a path template (``/doelstelling/<objective_id>``) says which views to render
    with ``warm_views`` in its registration: a function of the data giving the path variables.
    A page's ``warm_reads`` (the reads its callbacks start from) runs in every process.
    """
    return [_warm_site(app, site, languages) for site in app.server.config["IVM_SITES"]]


def _warm_site(app: Any, site: Site, languages: tuple[str, ...]) -> threading.Thread:
    data: DashboardData = site.data
    busy = threading.Lock()

    def run() -> None:
        if not busy.acquire(blocking=False):
            return
        try:
            gc.unfreeze()  # the earlier version's objects may go now
            with data.pinned(), data.warming() as mine:
                if mine:
                    render_all()
            guard = app.server.config.get("IVM_GUARD")
            internal = guard is not None and not guard.public  # public: the callbacks refuse
            for entry in list(dash.page_registry.values()) if internal else []:
                reads = entry.get("warm_reads")
                if callable(reads):
                    # a failure here: its users see the same failure
                    with contextlib.suppress(Exception), data.pinned():
                        reads(data)
            settle_memory()
        finally:
            busy.release()

    def render_all() -> None:
        modules = {p.module: p for p in PAGES.values()}
        for viewer in warm_viewers(app, site):
            for lang in languages:
                for entry in list(dash.page_registry.values()):
                    page = modules.get(entry.get("module"))
                    layout = entry.get("layout")
                    if page is None or not callable(layout) or not may_open(viewer, page.key) \
                            or (page.template and viewer.role.own_objectives_only):
                        continue
                    with app.server.test_request_context(entry.get("path") or "/"):
                        use_site(site)
                        set_viewer(viewer)
                        views: list[dict[str, Any]] = [{}]
                        if page.template:
                            warm_views = entry.get("warm_views")
                            views = []
                            # a page that fails here fails for its users too, and says so
                            with contextlib.suppress(Exception):
                                views = warm_views(data) if warm_views else []
                        for variables in views:
                            with contextlib.suppress(Exception):
                                layout(**variables, lang=lang)

    def start() -> threading.Thread:
        thread = threading.Thread(target=run, name=f"ivm-warm-up{site.key and '-' + site.key}",
                                  daemon=True)
        thread.start()
        return thread

    data.on_new_version(start)
    return start()


def settle_memory() -> None:
    """Keep what the process holds now (the version's reads, rendered views, the code) out of
    the cyclic garbage collector's full collections: they live as long as the version, yet each
    full collection scanned all of them, stalling every request of the process for 100-250 ms
    at national scale (600,000 objects). One collection now, then :func:`gc.freeze`; the next
    warm-up (a new version) unfreezes them first, so an old version's objects are collected."""
    gc.collect()
    gc.freeze()


__all__ = ["cached_view", "settle_memory", "warm_up", "warm_viewers"]
