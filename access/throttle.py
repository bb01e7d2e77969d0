"""Sign-in throttling that slows whoever guesses a password without locking out its owner.

Failed sign-ins are counted per user name and **source**: the address the attempt came from,
or, for a browser that signed in as that user before, that browser (it carries a mark signed
with the server's key, given at its last successful sign-in). The first
``IVM_LOGIN_FREE_FAILURES`` failures of a pair cost nothing; after them each attempt of that
pair waits 1 s, then 2, 4, 8 ... up to ``IVM_LOGIN_MAX_DELAY_SECONDS``. An attempt made
sooner is refused without checking the password, with the number of seconds to wait. Failures
older than :data:`WINDOW` seconds are forgotten, and a successful sign-in clears its pair.

So a guesser only slows himself: the user he aims at signs in at once from another address,
and from the same address (a gateway every colleague shares, a proxy whose addresses are not
trusted) with a browser that signed in before. The counters are rows in the access store,
shared by every server process; an attempt reserves its wait before the password is checked,
so parallel requests gain nothing.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time

from sqlalchemy import delete, insert, select, update
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError

from access.app_db import reading
from access.store import login_throttle as t
from core.settings import setting

#: Seconds after which a pair's failures are forgotten.
WINDOW = 15 * 60


class LoginThrottle:
    """The sign-in throttle of one access store."""

    def __init__(self, engine: Engine, secret: str):
        self.engine = engine
        self._key = secret.encode()
        self.free = int(setting("login_free_failures"))
        self.max_delay = float(setting("login_max_delay_seconds"))

    def delay(self, failures: int) -> float:
        """The wait after ``failures`` failures of one pair (seconds)."""
        if failures < self.free:
            return 0.0
        return min(2.0 ** (failures - self.free), self.max_delay)

    # -- where an attempt comes from ---------------------------------------------------------

    def mark(self, user_name: str) -> str:
        """A new browser mark for ``user_name`` (given with a successful sign-in)."""
        nonce = secrets.token_urlsafe(16)
        return f"{nonce}.{self._sign(user_name, nonce)}"

    def source(self, user_name: str, address: str | None, mark: str | None) -> str:
        """The source an attempt is counted against: the browser when it carries a valid mark
        for this user name, else its address."""
        nonce, _, signature = (mark or "").partition(".")
        if nonce and len(mark or "") < 200 and hmac.compare_digest(
                signature, self._sign(user_name, nonce)):
            return f"browser:{nonce}"
        return f"address:{(address or '-')[:64]}"

    def _sign(self, user_name: str, nonce: str) -> str:
        message = f"sign-in mark\n{user_name}\n{nonce}".encode()
        return hmac.new(self._key, message, hashlib.sha256).hexdigest()[:32]

    # -- attempts ----------------------------------------------------------------------------

    def reserve(self, user_name: str, source: str) -> float:
        """Begin an attempt: 0 when it may be checked now (the wait its failure would bring
        is reserved meanwhile), else the seconds still to wait."""
        now = time.time()
        key = (t.c.user_name == user_name, t.c.source == source)
        with self.engine.begin() as con:
            con.execute(delete(t).where(t.c.last_failure_at < now - WINDOW))
            done = con.execute(update(t).where(*key, t.c.not_before <= now).values(
                not_before=now + t.c.next_delay))
        if done.rowcount:
            return 0.0
        with reading(self.engine).connect() as con:
            not_before = con.execute(select(t.c.not_before).where(*key)).scalar()
        if not_before is None:
            return 0.0  # no failures: nothing to wait for
        return max(float(not_before) - now, 0.5)

    def failed(self, user_name: str, source: str) -> float:
        """Count a failed attempt; the wait before the next one of this pair (seconds)."""
        now = time.time()
        key = (t.c.user_name == user_name, t.c.source == source)
        with reading(self.engine).connect() as con:
            before = con.execute(select(t.c.failures).where(
                *key, t.c.last_failure_at >= now - WINDOW)).scalar()
        failures = (before or 0) + 1
        wait = self.delay(failures)
        values = {"failures": failures, "last_failure_at": now, "not_before": now + wait,
                  "next_delay": self.delay(failures + 1)}
        with self.engine.begin() as con:
            if con.execute(update(t).where(*key).values(**values)).rowcount:
                return wait
        try:
            with self.engine.begin() as con:
                con.execute(insert(t).values(user_name=user_name, source=source, **values))
        except IntegrityError:  # another process counted this pair's first failure meanwhile
            with self.engine.begin() as con:
                con.execute(update(t).where(*key).values(**values))
        return wait

    def cleared(self, user_name: str, source: str) -> None:
        """A successful sign-in: forget the pair's failures."""
        with self.engine.begin() as con:
            con.execute(delete(t).where(t.c.user_name == user_name, t.c.source == source))
