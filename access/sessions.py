"""Server-side sessions: the browser's cookie holds a random id and nothing else; the access
store holds the session under the id's SHA-256 (a copy of the store yields no usable cookie).

Every request looks its session up, so whatever ends a session (sign-out, a disabled account,
a new password, "sign out everywhere") ends it for every server process at the next request.
A session also ends after ``IVM_SESSION_IDLE_MINUTES`` without a request and
``IVM_SESSION_MAX_HOURS`` after the sign-in. Ended sessions stay a day (for the record), then
they are removed.
"""

from __future__ import annotations

import hashlib
import secrets
import time
from dataclasses import dataclass
from typing import Any

from sqlalchemy import bindparam, delete, insert, or_, select, update
from sqlalchemy.engine import Engine

from access.app_db import read_retrying, reading
from access.store import USER_COLUMNS, User, app_session, stamp, users
from core.settings import setting

#: Random bytes in a session id (the cookie carries them base64url-encoded).
ID_BYTES = 32
#: A session's last request is written at most this often (seconds): fewer writes, and idle
#: time is still measured to within this.
SEEN_EVERY = 30.0
#: Ended and expired sessions are kept this long (seconds), then removed.
KEEP_ENDED = 86400.0


#: An open session by its hash (built once: every request asks it).
_OPEN = select(app_session.c.user_name, app_session.c.started_at, app_session.c.seen_at,
               app_session.c.proxy).where(app_session.c.session_hash == bindparam("key"),
                                          app_session.c.ended_at.is_(None))
#: The same, with its account (absent when the account was removed): one query per request.
_OPEN_WITH_USER = _OPEN.add_columns(
    *[c.label(f"account_{c.name}") for c in USER_COLUMNS]).select_from(
    app_session.outerjoin(users, users.c.name == app_session.c.user_name))


def _hash(session_id: str) -> str:
    return hashlib.sha256(session_id.encode("utf-8", "replace")).hexdigest()


@dataclass(frozen=True)
class Session:
    """An open session."""

    user_name: str
    started_at: float
    seen_at: float
    proxy: bool


class Sessions:
    """The sessions of one access store."""

    def __init__(self, engine: Engine):
        self.engine = engine
        self.idle = 60 * float(setting("session_idle_minutes"))
        self.max_age = 3600 * float(setting("session_max_hours"))

    def start(self, user_name: str, address: str | None, proxy: bool = False) -> str:
        """Open a session for ``user_name``; its id, for the cookie (returned once, stored
        only as a hash)."""
        session_id = secrets.token_urlsafe(ID_BYTES)
        now = time.time()
        with self.engine.begin() as con:
            con.execute(delete(app_session).where(or_(
                app_session.c.ended_at < now - KEEP_ENDED,
                app_session.c.seen_at < now - self.idle - KEEP_ENDED)))
            con.execute(insert(app_session).values(
                session_hash=_hash(session_id), user_name=user_name,
                address=(address or "")[:64] or None, proxy=proxy, started_at=now,
                seen_at=now))
        return session_id

    def get(self, session_id: str | None) -> Session | None:
        """The open session with this id, its last request noted; None when there is none or
        it has ended (an expired one is ended here, as ``expired``)."""
        found = self._lookup(session_id, _OPEN)
        return found[0] if found else None

    def get_with_user(self, session_id: str | None) -> tuple[Session, User | None] | None:
        """As :meth:`get`, with the session's account (None when it no longer exists), read in
        the same query: what every signed-in request asks."""
        found = self._lookup(session_id, _OPEN_WITH_USER)
        if found is None:
            return None
        session, row = found
        account = None
        if row.account_name is not None:
            account = User(*(getattr(row, f"account_{c.name}") for c in USER_COLUMNS))
        return session, account

    def _lookup(self, session_id: str | None, query: Any) -> tuple[Session, Any] | None:
        if not session_id or len(session_id) > 128:
            return None
        key = _hash(session_id)
        row = read_retrying(self.engine, lambda con: con.execute(query, {"key": key}).first())
        if row is None:
            return None
        found = Session(row.user_name, float(row.started_at), float(row.seen_at),
                        bool(row.proxy))
        now = time.time()
        if now - found.seen_at > self.idle or now - found.started_at > self.max_age:
            self._end(app_session.c.session_hash == key, reason="expired")
            return None
        if now - found.seen_at > SEEN_EVERY:
            with self.engine.begin() as con:
                con.execute(update(app_session).where(app_session.c.session_hash == key)
                            .values(seen_at=now))
        return found, row

    def end(self, session_id: str | None, reason: str) -> str | None:
        """End one session (sign-out); the user it belonged to, if it was open."""
        found = self.get(session_id)
        if found is None:
            return None
        self._end(app_session.c.session_hash == _hash(str(session_id)), reason=reason)
        return found.user_name

    def end_all(self, user_name: str | None, reason: str, keep: str | None = None) -> int:
        """End every open session of ``user_name`` (None: of everyone), but the one with id
        ``keep`` (the administrator's own); how many ended."""
        where = [app_session.c.user_name == user_name] if user_name is not None else []
        if keep:
            where.append(app_session.c.session_hash != _hash(keep))
        return self._end(*where, reason=reason)

    def _end(self, *where: Any, reason: str) -> int:
        with self.engine.begin() as con:
            done = con.execute(update(app_session).where(
                *where, app_session.c.ended_at.is_(None)).values(
                ended_at=time.time(), end_reason=reason))
        return int(done.rowcount or 0)

    def open(self) -> list[dict[str, Any]]:
        """Every open session, newest request first: user, address, sign-in and last request
        (UTC, ISO 8601), and whether a proxy named the user."""
        now = time.time()
        with reading(self.engine).connect() as con:
            rows = con.execute(select(
                app_session.c.user_name, app_session.c.address, app_session.c.started_at,
                app_session.c.seen_at, app_session.c.proxy).where(
                app_session.c.ended_at.is_(None),
                app_session.c.seen_at >= now - self.idle - SEEN_EVERY,
                app_session.c.started_at >= now - self.max_age,
            ).order_by(app_session.c.seen_at.desc())).all()
        return [{**r._mapping, "started_at": stamp(r.started_at), "seen_at": stamp(r.seen_at)}
                for r in rows]
