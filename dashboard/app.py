"""The Dash app: one module per page in ``dashboard/pages``, assets served locally, Dutch by
default, every view's state in its URL."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import dash
from dash import Dash, dcc, html

from core.logs import configure
from core.settings import flag, setting
from core.tenants import Tenants, configured_tenants
from core.warehouse import Warehouse
from core.warehouse.publish import PublishFolder
from dashboard.auth import install
from dashboard.branding import install_logo_route
from dashboard.health import install_health_routes
from dashboard.registry import request_lang
from dashboard.request_log import install_request_log
from dashboard.security import allow_inline
from dashboard.sites import Sites, current_site
from dashboard.views import warm_up

HERE = Path(__file__).resolve().parent
#: Dash's copy of @babel/polyfill (core-js 2 and regenerator, for browsers before 2017: 100 KB
#: and about 0.1 s of start-up in every page); of it, Dash's code needs only the regenerator
#: runtime, served from assets/vendor in its place.
POLYFILL = re.compile(r'<script src="[^"]*/deps/polyfill@[^"]*"></script>')
REGENERATOR = "vendor/regenerator-runtime-0.14.1.js"


class _App(Dash):
    """Dash with a leaner page (the regenerator runtime instead of the whole polyfill) that
    declares its language and whose inline scripts the Content-Security-Policy names."""

    def interpolate_index(self, **kwargs: Any) -> str:
        """The page Dash would serve, with :data:`POLYFILL` swapped for :data:`REGENERATOR`;
        the hashes of the inline scripts Dash put in it (its renderer's start-up, clientside
        callbacks) go to the response's policy (:func:`dashboard.security.allow_inline`)."""
        runtime = f'<script src="{self.get_asset_url(REGENERATOR)}"></script>'
        kwargs["scripts"] = POLYFILL.sub(lambda _m: runtime, kwargs["scripts"], count=1)
        allow_inline(kwargs["scripts"], kwargs["renderer"])
        page = super().interpolate_index(**kwargs)
        # the page's language from its first address (assets/lang.js follows it as the
        # viewer moves between pages and languages); Dash's scripts sit in a plain block, not
        # in a second footer landmark beside the page's own
        page = page.replace("<html>", f'<html lang="{request_lang()}">', 1)
        return page.replace("<footer>", '<div class="dash-scripts">', 1).replace(
            "</footer>", "</div>", 1)


def create_app(warehouse: Warehouse, public: bool = False,
               tenants: Tenants | None = None) -> Dash:
    """A Dash app reading ``warehouse`` (or, with ``tenants``, each tenant's warehouse at its
    host names, :mod:`dashboard.sites`); every asset is served from this server, every request
    checked by :mod:`dashboard.auth` (sign-in for the site's users; ``public``: the public
    audience only, without sign-in)."""
    app = _App(
        __name__,
        use_pages=True,
        pages_folder=str(HERE / "pages"),
        assets_folder=str(HERE / "assets"),
        # served on request, not put in every page: the small plotly.js bundle is loaded by
        # assets/plotly-bundle.js when a page first shows a graph
        assets_path_ignore=["vendor"],
        serve_locally=True,
        title="ivmonitor",
        suppress_callback_exceptions=True,
        update_title=None,
    )
    sites = Sites.of(warehouse, tenants)
    app.server.config["IVM_SITES"] = sites
    app.layout = html.Div([dcc.Location(id="url"), dash.page_container])
    install_request_log(app.server, sites)
    install(app, sites, public=public)
    install_health_routes(app.server, sites)
    install_logo_route(app.server)
    return app


def warehouse_of_app() -> Warehouse:
    """The warehouse of the current request's site."""
    return current_site().warehouse


def served_warehouse(path: str | None = None) -> Warehouse:
    """The warehouse an app server serves: the file ``path`` (default ``IVM_DB``), or, with a
    publish folder (``IVM_PUBLISH_DIR``), the version its pointer names."""
    return Warehouse(path or setting("db") or None, served_from=PublishFolder.from_settings())


def server_from_environment():
    """The Flask server for a WSGI server (gunicorn): the warehouse comes from ``IVM_DB`` (or
    each tenant's from ``IVM_TENANTS``, or the publish folder), the public mode from
    ``IVM_PUBLIC=1`` (set by ``ivm serve --public``); the log goes to standard output. Each
    worker renders the pages' default views in the background as it starts."""
    configure("stdout")
    app = create_app(served_warehouse(), public=flag("public_server"),
                     tenants=configured_tenants())
    warm_up(app)
    return app.server
