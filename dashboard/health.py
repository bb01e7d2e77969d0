"""Health and readiness for a load balancer, open without sign-in and saying nothing else:

- ``/healthz``: the server process answers (200 ``ok``);
- ``/readyz``: it can serve: the published warehouse (of every tenant) opens and reads, and
  the application store answers a query (200 ``ready``, else 503 ``not ready``; which part
  failed is in the server's log, never in the answer).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import TYPE_CHECKING

from flask import Flask, Response

from core.warehouse import Warehouse

if TYPE_CHECKING:
    from dashboard.sites import Site

#: The paths, open to everyone (:data:`dashboard.auth.OPEN_PATHS` lists them).
HEALTH_PATH = "/healthz"
READY_PATH = "/readyz"

log = logging.getLogger("ivmonitor.health")


def _plain(text: str, status: int) -> Response:
    return Response(text + "\n", status, mimetype="text/plain")


def warehouse_readable(warehouse: Warehouse) -> bool:
    """Whether the published warehouse opens and answers a query now."""
    try:
        con = warehouse.connect_isolated()
        try:
            con.execute("SELECT max(version) FROM schema_version").fetchall()
        finally:
            con.close()
        return True
    except Exception as exc:  # noqa: BLE001 (any failure means: not ready)
        log.warning("not ready: the warehouse cannot be read (%s)", type(exc).__name__)
        return False


def install_health_routes(server: Flask, sites: Iterable[Site]) -> None:
    """Add ``/healthz`` and ``/readyz`` to ``server`` (ready: every site it serves is)."""

    def healthz() -> Response:
        return _plain("ok", 200)

    def readyz() -> Response:
        ready = True
        for site in sites:
            ready = warehouse_readable(site.warehouse) and ready
            if not site.store.reachable():
                log.warning("not ready: the application store%s does not answer",
                            f" of tenant {site.key}" if site.key else "")
                ready = False
        return _plain("ready", 200) if ready else _plain("not ready", 503)

    server.add_url_rule(HEALTH_PATH, "ivm_healthz", healthz, methods=["GET", "HEAD"])
    server.add_url_rule(READY_PATH, "ivm_readyz", readyz, methods=["GET", "HEAD"])


__all__ = ["HEALTH_PATH", "READY_PATH", "install_health_routes", "warehouse_readable"]
