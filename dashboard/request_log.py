"""Every request is read from one data version and logged once.

Before anything else a request fixes the version it reads (:meth:`DashboardData.pinned`): a
load published while it runs is seen from the next request on, never halfway through. After
it, one ``request`` event (:mod:`core.logs`) says what was asked and how it went: request id
(also sent back in ``X-Request-ID``), method, path, the callback's outputs, status, duration in
ms, the viewer's role and account (a keyed hash, never the name), and the data version (also
sent back in ``X-Data-Version``, so an operator sees which version each server serves).
"""

from __future__ import annotations

import hashlib
import logging
import time
import uuid
from typing import Any

from flask import Flask, Response, g, request

from core.logs import account_hash, event
from dashboard.sites import Sites, current_site, use_site

#: Response headers naming the request and the data version it was served from.
REQUEST_ID_HEADER = "X-Request-ID"
VERSION_HEADER = "X-Data-Version"

log = logging.getLogger("ivmonitor.requests")


def install_request_log(server: Flask, sites: Sites) -> None:
    """Pin every request of ``server`` to one version of its site's data (the tenant its host
    names, :mod:`dashboard.sites`) and log it (install before the guard, so that the guard's
    refusals are logged and timed too)."""
    keys: dict[str, bytes] = {}

    def account_key() -> bytes:
        site = current_site()
        if site.key not in keys:
            guard = server.config.get("IVM_GUARD")
            secret = site.store.secret_key() if guard is not None else uuid.uuid4().hex
            keys[site.key] = hashlib.sha256(b"ivmonitor log accounts\0"
                                            + secret.encode()).digest()
        return keys[site.key]

    def begin() -> None:
        g.ivm_started = time.perf_counter()
        g.ivm_request_id = uuid.uuid4().hex[:16]
        site = sites.for_host(request.host)
        if site is None:
            return  # no tenant's host: the guard refuses it
        use_site(site)
        pin = site.data.pinned()
        try:
            pin.__enter__()
        except Exception:  # noqa: BLE001 (no version to read: the page says so, /readyz too)
            return
        g.ivm_pin = pin

    def finish(response: Response) -> Response:
        site = g.get("ivm_site")
        label = _quietly(site.data.version_label) if site and g.get("ivm_pin") else None
        response.headers[REQUEST_ID_HEADER] = g.get("ivm_request_id", "")
        if label:
            response.headers[VERSION_HEADER] = label
        viewer = g.get("viewer")
        account = None
        if viewer is not None and viewer.name:
            account = _quietly(lambda: account_hash(account_key(), viewer.name))
        started = g.get("ivm_started")
        event("request", request_id=g.get("ivm_request_id"), method=request.method,
              path=request.path[:200], callback=_callback(), status=response.status_code,
              duration_ms=round((time.perf_counter() - started) * 1000, 1) if started else None,
              role=viewer.role.name if viewer is not None else None, account=account,
              data_version=label, **({"tenant": site.key} if site and site.key else {}))
        return response

    def end(_exc: BaseException | None) -> None:
        pin = g.pop("ivm_pin", None)
        if pin is not None:
            pin.__exit__(None, None, None)

    server.before_request(begin)
    server.after_request(finish)
    server.teardown_request(end)


def _callback() -> str | None:
    """The outputs a Dash callback request asks for (``areas-map.figure``), else None."""
    if not request.path.endswith("/_dash-update-component") or not request.is_json:
        return None
    body: Any = request.get_json(silent=True)
    output = body.get("output") if isinstance(body, dict) else None
    return output[:120] if isinstance(output, str) else None


def _quietly(fn: Any) -> Any:
    try:
        return fn()
    except Exception as exc:  # noqa: BLE001 (the log line goes out without it)
        log.warning("request log: %s", type(exc).__name__)
        return None


__all__ = ["REQUEST_ID_HEADER", "VERSION_HEADER", "install_request_log"]
