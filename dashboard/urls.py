"""Paths as the server understands them: one normal form, made before any routing or access
decision, and the only redirect targets it follows.

A path reaches the server in many spellings that a browser, Dash's page router or the access
check could each read differently: ``//doelstelling/X``, ``/./doelstelling/X``,
``/doelstelling%2FX``, ``/doelstelling/X/``, fullwidth letters (``／ｄｏｅｌｓｔｅｌｌｉｎｇ``).
:func:`normal_path` maps them all to one (``/doelstelling/X``); the guard decides on that form
and hands the same form to the router, so the two can never disagree. A path that has no
normal form (control characters, a backslash, bytes that are not UTF-8, encoded more than
twice) is refused.
"""

from __future__ import annotations

import unicodedata
from urllib.parse import quote, unquote, urlsplit

from core.errors import CONTROL

#: Longest path (and redirect target) the server considers.
MAX_PATH = 2000
#: Percent-decoding rounds: ``%252F`` -> ``%2F`` -> ``/``; a path still encoded after them is
#: refused. Each round also applies NFKC (a fullwidth ``％`` becomes a ``%`` to decode).
DECODE_ROUNDS = 3
#: Characters that stay as they are in a redirect target's path (RFC 3986 ``pchar`` and ``/``).
PATH_SAFE = "/-._~!$&'()*+,;=:@"
#: Characters that stay as they are in a redirect target's query.
QUERY_SAFE = PATH_SAFE + "?%"


def normal_path(raw: str) -> str | None:
    """The normal form of a request path: percent-decoded, NFKC-normalised (fullwidth and other
    compatibility forms become their plain letters), without empty, ``.`` and ``..`` segments
    or a trailing slash. None when the path cannot be one (then it is refused)."""
    if len(raw) > MAX_PATH:
        return None
    text = raw
    for _ in range(DECODE_ROUNDS + 1):
        try:
            normal = unicodedata.normalize("NFKC", unquote(text, errors="strict"))
        except UnicodeDecodeError:
            return None
        if normal == text:
            break
        text = normal
    else:
        return None
    if "\\" in text or CONTROL.search(text):
        return None
    segments: list[str] = []
    for segment in text.split("/"):
        if segment in ("", "."):
            continue
        if segment == "..":
            if segments:
                segments.pop()
            continue
        segments.append(segment)
    return "/" + "/".join(segments)


def safe_next(value: str | None, refused: tuple[str, ...] = ()) -> str:
    """Where to go after signing in: a path on this server (``/wijken?lang=en``), never another
    site. Anything with a scheme, a host, a backslash, a control character or no normal form,
    and the paths in ``refused``, gives the overview (``/``)."""
    if not value or len(value) > MAX_PATH or not value.startswith("/") \
            or value.startswith("//") or "\\" in value or CONTROL.search(value) \
            or any(c.isspace() for c in value):
        return "/"
    parts = urlsplit(value)
    if parts.scheme or parts.netloc:
        return "/"
    path = normal_path(parts.path)
    if path is None or path in refused:
        return "/"
    query = quote(parts.query, safe=QUERY_SAFE)
    return quote(path, safe=PATH_SAFE) + (f"?{query}" if query else "")
