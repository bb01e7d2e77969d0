"""Who is asking: the viewer of the current request.

The guard (:mod:`dashboard.auth`) finds the viewer of every request and keeps it on Flask's
request context; every other module asks :func:`current_viewer`. Outside a request (a script or
a test rendering components) the viewer is the local user, with the rights of the command line.
"""

from __future__ import annotations

from flask import g, has_request_context

from access.roles import PUBLIC, ROLES, Viewer

#: Who renders outside a request: the local user, like the command line.
LOCAL = Viewer(None, ROLES["beheerder"])


def current_viewer() -> Viewer:
    """The viewer of the current request (the public when the request has none); outside any
    request, the local user: nothing is served there."""
    if not has_request_context():
        return LOCAL
    return g.get("viewer") or PUBLIC


def set_viewer(viewer: Viewer | None) -> None:
    """Make ``viewer`` the current request's viewer (the guard, and the warm-up's renders)."""
    g.viewer = viewer
