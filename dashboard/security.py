"""What the browser is told and what it must show: the headers every response carries, and the
same-origin rule for every request that changes something.

**Headers.** A Content-Security-Policy that lets the page run and style only what this server
sends: scripts and stylesheets from its own origin, plus the inline scripts Dash writes into
its page, each allowed by its SHA-256, taken from the page as Dash builds it (its renderer's
start-up line, and any clientside callback given as text) and named in that page's policy
only. No ``'unsafe-inline'``, no ``'unsafe-eval'``; Dash's page also holds
its configuration as an ``application/json`` script block, which browsers never run. Styles:
this server's stylesheets, and the fixed stylesheets Dash's scripts write into the page, each
by its SHA-256 (measured: :data:`DASH_STYLE_HASHES`); React and plotly.js set styles through
the CSS object model (``element.style``, ``insertRule``), which a policy does not govern, so
beyond those only empty ``<style>`` elements, and ``style`` attributes that are empty or one of
plotly.js's fixed rich-text styles (:data:`PLOTLY_TEXT_STYLES`), are allowed. Images may be
``data:`` URIs (plotly's mode-bar icons). ``frame-ancestors 'none'`` (and the older
X-Frame-Options) keeps other sites from framing the dashboard; ``nosniff``,
``Referrer-Policy: same-origin``, and, over HTTPS, Strict-Transport-Security.

**Same origin.** A request that is not a GET, HEAD or OPTIONS (sign-in, sign-out, every Dash
callback, every later write) is refused when the browser says it comes from another site:
``Sec-Fetch-Site`` other than ``same-origin`` (or ``none``: typed by the user), or, from a
browser that does not send that header, an ``Origin`` whose host is not this server's.
Browsers send one of the two with every cross-site POST, and no page on another site can
remove them; a request with neither comes from a program, not from a browser carrying a user's
cookies.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import re
from urllib.parse import urlsplit

from flask import Request, Response, g

#: The stylesheets Dash's own scripts write into the page as ``<style>`` elements (its
#: renderer's undo/redo buttons; dcc's buttons, dropdowns, inputs, sliders, tabs, tooltips and
#: its colour variables), by SHA-256 of their text, measured in Chromium on every page of both
#: servers for dash 4.4.1. The browser test ``test_the_policy_blocks_nothing_the_app_needs``
#: names any hash a new Dash version needs (from the browser's own report).
DASH_STYLE_HASHES = (
    "'sha256-Do5Z9ZqsPvCQTUBQS9BnDm/2+on7omuzuLYk5sbA+2s='",  # renderer: undo/redo
    "'sha256-X2TqJwnIiE/ceDVeAdr7v7BOWBU6CEzE6qxlNzBzvBk='",  # dcc: colour variables
    "'sha256-ITR5T9OwskhdqdsliUJRmgp9ltOFAHgXe1F7eRvGnmQ='",  # dcc: buttons
    "'sha256-mKP5Nh9J+3FomkYQF5DWFgmUmC9oEOyh3LiTtE1PwKo='",  # dcc: dropdowns
    "'sha256-Z8VokGxeiKThZOEmkdUgfW+jxbvItBwAXC8M1c4wqAM='",  # dcc: option lists
    "'sha256-0IJGrxhCP5NUIafylLkj5118xkZH1kp5FmNio7NOckI='",  # dcc: inline checklists
    "'sha256-Aq43X0SlmB69maWGob4rp/UuSHhwePalkRRExtsxOJ8='",  # dcc: inline radio items
    "'sha256-VUA+tqvhK3niMn7AdszqidMFPRh9FLqxB2iINUrsiTw='",  # dcc: inputs
    "'sha256-+QoPrsxO0auPnxSulD3bAr9CoDGgzv7YRfYE0vfxeQI='",  # dcc: text areas
    "'sha256-SkhFDxgIcEjMhRh19uSHWrkdnAlZ9rlskgr9yLsipa8='",  # dcc: sliders
    "'sha256-uDiOZWps1U7E8/0BTaQrclYMhVhRVE4dT0vb5X6nXOw='",  # dcc: tabs
    "'sha256-MJs2ke1SA6Cy3tTCZu2QH0rj0r//iNqU0idy9bM4leg='",  # dcc: tooltips
)
#: Plotly.js and Dash's style loader first add an empty ``<style>`` element and then fill it
#: through the CSS object model (which a policy does not govern); plotly.js sets some
#: ``style`` attributes to the empty text.
EMPTY_STYLE = ""
#: The ``style`` attributes plotly.js gives the SVG text of its rich-text tags (``<b>`` in a
#: hover label becomes ``<tspan style="font-weight:bold">``): fixed texts in plotly.js.
PLOTLY_TEXT_STYLES = ("font-weight:bold", "font-style:italic",
                      "font-style:italic;font-weight:bold", "font-size:70%",
                      "text-decoration:underline",
                      "text-decoration:line-through", "cursor:pointer")


def source_hash(text: str) -> str:
    """A policy's hash source for an inline text (``'sha256-...'``)."""
    return f"'sha256-{base64.b64encode(hashlib.sha256(text.encode()).digest()).decode()}'"

#: Methods that change nothing (the only ones another site may cause).
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
#: ``Sec-Fetch-Site`` values of requests made by this site's own pages (or typed by the user).
SAME_SITE_FETCH = frozenset({"same-origin", "none"})


def cross_site(request: Request) -> str | None:
    """Why ``request`` counts as sent by another site (None when it does not)."""
    site = request.headers.get("Sec-Fetch-Site")
    if site is not None:
        return None if site in SAME_SITE_FETCH else f"Sec-Fetch-Site {site[:40]}"
    origin = request.headers.get("Origin")
    if origin is None:
        return None
    if urlsplit(origin).netloc.lower() != request.host.lower():
        return f"Origin {origin[:100]}"
    return None


#: An inline script: its attributes and its text.
_SCRIPT = re.compile(r"<script\b([^>]*)>(.*?)</script\s*>", re.S | re.I)
#: Script types a browser runs.
_RUN = re.compile(r"""\btype\s*=\s*["']?(text|application)/(java|ecma)script""", re.I)


def allow_inline(*fragments: str) -> None:
    """Allow, in the policy of the page being answered, the inline scripts in ``fragments``
    (the parts of the page Dash builds from the app's own scripts: never from the request)."""
    hashes = list(g.get("inline_script_hashes", ()))
    for fragment in fragments:
        for attributes, text in _SCRIPT.findall(fragment):
            if "src=" in attributes.lower() or ("type" in attributes.lower()
                                                and not _RUN.search(attributes)):
                continue
            hashes.append(source_hash(text))
    g.inline_script_hashes = tuple(dict.fromkeys(hashes))


def response_policy() -> str:
    """The policy of the response being made: :func:`content_security_policy` with the inline
    scripts its page was allowed (none for anything but Dash's page)."""
    return content_security_policy(g.get("inline_script_hashes", ()))


@functools.lru_cache(maxsize=32)
def content_security_policy(inline_script_hashes: tuple[str, ...] = ()) -> str:
    """The policy: this server's own scripts and styles, and the given inline scripts."""
    scripts = " ".join(["'self'", *inline_script_hashes])
    styles = " ".join(["'self'", *DASH_STYLE_HASHES, source_hash(EMPTY_STYLE)])
    attributes = " ".join(source_hash(t) for t in (EMPTY_STYLE, *PLOTLY_TEXT_STYLES))
    return "; ".join([
        "default-src 'none'",
        f"script-src {scripts}",
        f"style-src {styles}",
        f"style-src-elem {styles}",
        f"style-src-attr 'unsafe-hashes' {attributes}",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "manifest-src 'self'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
        "object-src 'none'",
    ])


def add_security_headers(response: Response, policy: str, https: bool) -> None:
    """Put the security headers on ``response``."""
    headers = response.headers
    headers["Content-Security-Policy"] = policy
    headers["X-Content-Type-Options"] = "nosniff"
    headers["X-Frame-Options"] = "DENY"
    headers["Referrer-Policy"] = "same-origin"
    headers["Cross-Origin-Opener-Policy"] = "same-origin"
    headers["Cross-Origin-Resource-Policy"] = "same-origin"
    headers["Permissions-Policy"] = "camera=(), microphone=(), geolocation=(), payment=(), usb=()"
    if https:
        headers["Strict-Transport-Security"] = "max-age=31536000"
