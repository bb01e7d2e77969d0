"""The Dash app: pages in ``dashboard/pages``, assets served locally, Dutch by default."""

from __future__ import annotations

from pathlib import Path

import dash
from dash import Dash, dcc, html

from etl.warehouse import Warehouse

HERE = Path(__file__).resolve().parent


def create_app(warehouse: Warehouse) -> Dash:
    """A Dash app reading ``warehouse``; every asset is served from this server."""
    app = Dash(
        __name__,
        use_pages=True,
        pages_folder=str(HERE / "pages"),
        assets_folder=str(HERE / "assets"),
        serve_locally=True,
        title="ivmonitor",
        suppress_callback_exceptions=True,
    )
    app.server.config["IVM_WAREHOUSE"] = warehouse
    app.layout = html.Div(
        [
            dcc.Location(id="url"),
            html.Header(
                [
                    html.A("ivmonitor", href="/", className="brand"),
                    html.Nav(
                        [html.A(p["name"], href=p["relative_path"])
                         for p in dash.page_registry.values()]
                    ),
                ],
                className="top",
            ),
            html.Main(dash.page_container),
        ]
    )
    return app


def warehouse_of_app() -> Warehouse:
    """The warehouse the running app was created for."""
    from flask import current_app

    return current_app.config["IVM_WAREHOUSE"]
