"""The access store: user accounts, the audit log and the server's session key.

It is the application store (:mod:`access.app_db`): by default a SQLite file next to the
warehouse (``ivmonitor.duckdb`` -> ``ivmonitor.access.sqlite``), or the PostgreSQL database
that ``IVM_APP_DB`` names, which several app servers share. It belongs to the warehouse: back
both up together (``ivm backup``). It is not in the DuckDB file because every dashboard process
writes to it (a login, an export) while the warehouse is published read-only and replaced whole
by each load. Tables are SQLAlchemy Core metadata like the warehouse's, and every read and
write is a plain portable statement through this module, so both databases run the same code;
the schema's versions are :mod:`access.app_schema` (``ivm migrate``).

Besides the accounts and the audit log it keeps what every server process must agree on at
once: the sessions (:mod:`access.sessions`: a sign-out, a disabled account or a new password
ends a session for every worker and server at the next request) and the sign-in throttle
(:mod:`access.throttle`). A new SQLite store file is readable by its owner only; its ``-wal``
and ``-shm`` files get the mode and group of the store file (an administrator's ``chmod 640``
and ``chgrp`` of the store are kept for them too).
"""

from __future__ import annotations

import datetime as dt
import re
import secrets
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import (
    Boolean,
    Column,
    Float,
    Integer,
    MetaData,
    Table,
    insert,
    select,
    update,
)
from sqlalchemy.engine import URL, Engine
from sqlalchemy.exc import IntegrityError, OperationalError

from access.app_db import (
    LongStr,
    Str,
    app_db_url,
    engine_for,
    parse_url,
    read_retrying,
    reading,
    shown,
    sqlite_file,
    unreachable,
)
from access.passwords import hash_password
from access.roles import ACCOUNT_ROLES
from access.steering.partners import PartnerRegister
from core.errors import IvmError
from core.settings import setting
from core.tenants import Tenant, configured_tenants

if TYPE_CHECKING:
    from access.sessions import Sessions
    from access.throttle import LoginThrottle

metadata = MetaData()

users = Table(
    "app_user", metadata,
    Column("name", Str(64), primary_key=True),
    Column("role", Str(16), nullable=False),
    Column("partner", Str(120)),
    Column("password_hash", LongStr, nullable=False),
    Column("enabled", Boolean, nullable=False, default=True),
    Column("created_at", Str(32), nullable=False),
    #: Changes with every new password: sessions made before it are no longer valid.
    Column("password_changed_at", Str(32), nullable=False),
    Column("last_login_at", Str(32)),
)

audit_log = Table(
    "audit_log", metadata,
    Column("audit_id", Integer, primary_key=True, autoincrement=True),
    Column("at", Str(32), nullable=False, index=True),
    Column("event", Str(32), nullable=False, index=True),
    Column("user_name", Str(64), index=True),
    Column("role", Str(16)),
    Column("address", Str(64)),
    Column("detail", LongStr),
)

#: Server-side sessions: the cookie holds a random id, the store its SHA-256 only. A session
#: ends when ``ended_at`` is set (sign-out, disabled account, new password, "sign out
#: everywhere"); times are seconds since the epoch.
app_session = Table(
    "app_session", metadata,
    Column("session_hash", Str(64), primary_key=True),
    Column("user_name", Str(64), nullable=False, index=True),
    Column("address", Str(64)),
    #: Named by a trusted proxy (single sign-on), not signed in with a password here.
    Column("proxy", Boolean, nullable=False, default=False),
    Column("started_at", Float, nullable=False),
    Column("seen_at", Float, nullable=False),
    Column("ended_at", Float, index=True),
    Column("end_reason", Str(32)),
)

#: Failed sign-ins per user name and source (an address, or a browser that signed in as that
#: user before): how many, and when the next attempt may be made.
login_throttle = Table(
    "login_throttle", metadata,
    Column("user_name", Str(64), primary_key=True),
    Column("source", Str(80), primary_key=True),
    Column("failures", Integer, nullable=False),
    Column("last_failure_at", Float, nullable=False, index=True),
    #: No attempt is checked before this time.
    Column("not_before", Float, nullable=False),
    #: The wait that the next failure would bring (an attempt reserves it while it runs).
    Column("next_delay", Float, nullable=False),
)

server_secret = Table(
    "server_secret", metadata,
    Column("name", Str(32), primary_key=True),
    Column("value", LongStr, nullable=False),
)

#: Audit events.
EVENTS = ("login", "login_failed", "login_blocked", "logout", "sessions_ended",
          "access_denied", "request_refused", "export", "load", "load_failed", "user_added",
          "user_disabled", "user_enabled", "password_changed", "partners_loaded",
          "partner_changed", "update_written", "action_changed", "notice_sent",
          "notice_failed", "plan_activated", "pack_frozen",
          "pack_replaced", "alert_closed")

_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$")


def now() -> str:
    """The current UTC time as stored (ISO 8601, seconds)."""
    return stamp(dt.datetime.now(dt.UTC).timestamp())


def stamp(seconds: float) -> str:
    """A time in seconds since the epoch as the store shows it (UTC, ISO 8601, seconds)."""
    return dt.datetime.fromtimestamp(seconds, dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass(frozen=True)
class User:
    """A user account (the password hash stays in the store)."""

    name: str
    role: str
    partner: str | None
    enabled: bool
    created_at: str
    password_changed_at: str
    last_login_at: str | None


def access_path(warehouse_path: str | Path) -> Path:
    """Where the records of a warehouse's application store that are files wait (the audit
    journal): next to the SQLite store, or next to the warehouse when the store is a server's."""
    p = Path(warehouse_path)
    return sqlite_file(app_db_url(p)) or p.with_name(p.stem + ".access")


class AccessStore:
    """Users, audit log and session key of one warehouse, in one application store."""

    def __init__(self, where: str | Path | URL):
        """``where``: a database URL (``postgresql+psycopg://...``, ``sqlite:///...``) or the
        path of a SQLite file."""
        self.url = where if isinstance(where, URL) else (
            parse_url(where) if isinstance(where, str) else parse_url(str(where)))
        #: The SQLite file (None on a database server).
        self.path = sqlite_file(self.url)
        #: The tenant whose store this is (None: the one city, or a store named by its URL).
        self.tenant: Tenant | None = None
        self._engine: Engine | None = None

    @classmethod
    def of_warehouse(cls, warehouse_path: str | Path) -> AccessStore:
        """The application store that belongs to a warehouse file (``IVM_APP_DB``; with
        tenants, the store of the warehouse's tenant)."""
        store = cls(app_db_url(warehouse_path))
        tenants = configured_tenants()
        store.tenant = tenants.of_warehouse(warehouse_path) if tenants else None
        return store

    def __repr__(self) -> str:
        return f"AccessStore({shown(self.url)})"

    @property
    def engine(self) -> Engine:
        """The SQLAlchemy engine; a new store gets its tables on first use, an embedded one of
        an older version is upgraded (:func:`access.app_schema.ready`)."""
        if self._engine is None:
            from access.app_schema import ready

            engine = engine_for(self.url)
            try:
                ready(engine)
            except OperationalError as exc:
                raise unreachable(self.url, exc) from None
            self._engine = engine
        return self._engine

    def reachable(self) -> bool:
        """Whether the store answers a query now (the readiness check)."""
        try:
            read_retrying(self.engine,
                          lambda con: con.execute(select(server_secret.c.name).limit(1)).all())
            return True
        except Exception:  # noqa: BLE001 (any failure means: not ready)
            return False

    # -- users ------------------------------------------------------------------------------

    def add_user(self, name: str, role: str, password: str, partner: str | None = None) -> User:
        """Create an account; the password is stored as a salted slow hash only."""
        _check_user(name, role, partner)
        if partner is not None:
            PartnerRegister(self.engine, self.audit, now).require(partner, "partner")
        stamp = now()
        with self.engine.begin() as con:
            if con.execute(select(users.c.name).where(users.c.name == name)).first():
                raise IvmError("user_exists", f"user '{name}' exists already",
                               hint="`ivm user password NAME` sets a new password")
            con.execute(insert(users).values(
                name=name, role=role, partner=partner, password_hash=hash_password(password),
                enabled=True, created_at=stamp, password_changed_at=stamp))
        self.audit("user_added", name, role, detail=f"partner {partner}" if partner else None)
        return self.user(name)  # type: ignore[return-value]

    def set_password(self, name: str, password: str) -> None:
        """Give a user a new password; the user's sessions end at once."""
        self._change(name, password_hash=hash_password(password), password_changed_at=now())
        self.sessions.end_all(name, "password_changed")
        self.audit("password_changed", name)

    def set_enabled(self, name: str, enabled: bool) -> None:
        """Disable (or enable again) an account; a disabled user's sessions end at once."""
        self._change(name, enabled=enabled)
        if not enabled:
            self.sessions.end_all(name, "user_disabled")
        self.audit("user_enabled" if enabled else "user_disabled", name)

    @property
    def sessions(self) -> Sessions:
        """The server-side sessions kept in this store."""
        from access.sessions import Sessions

        return Sessions(self.engine)

    @property
    def throttle(self) -> LoginThrottle:
        """The sign-in throttle kept in this store."""
        from access.throttle import LoginThrottle

        return LoginThrottle(self.engine, self.secret_key())

    def _change(self, name: str, **values: Any) -> None:
        with self.engine.begin() as con:
            done = con.execute(update(users).where(users.c.name == name).values(**values))
            if done.rowcount == 0:
                raise IvmError("no_user", f"no user '{name}'", hint="`ivm user list`")

    def user(self, name: str) -> User | None:
        """The account called ``name``, if there is one."""
        with reading(self.engine).connect() as con:
            row = con.execute(select(*USER_COLUMNS).where(users.c.name == name)).first()
        return User(*row) if row else None

    def password_hash(self, name: str) -> str | None:
        """The stored hash of an enabled account (None for unknown or disabled users)."""
        with reading(self.engine).connect() as con:
            row = con.execute(select(users.c.password_hash).where(
                users.c.name == name, users.c.enabled.is_(True))).first()
        return row[0] if row else None

    def users(self) -> list[User]:
        """Every account, by name."""
        with reading(self.engine).connect() as con:
            rows = con.execute(select(*USER_COLUMNS).order_by(users.c.name)).all()
        return [User(*r) for r in rows]

    def logged_in(self, name: str) -> None:
        """Note a successful login."""
        with self.engine.begin() as con:
            con.execute(update(users).where(users.c.name == name).values(last_login_at=now()))

    # -- audit ------------------------------------------------------------------------------

    def audit(self, event_name: str, user: str | None = None, role: str | None = None,
              address: str | None = None, detail: str | None = None) -> None:
        """Append one event to the audit log."""
        if event_name not in EVENTS:
            raise ValueError(f"unknown audit event {event_name!r}")
        with self.engine.begin() as con:
            con.execute(insert(audit_log).values(
                at=now(), event=event_name, user_name=user and user[:64],
                role=role and role[:16], address=address and address[:64], detail=detail))

    def audit_rows(self, limit: int = 200, event_name: str | None = None) -> list[dict[str, Any]]:
        """The newest audit events first."""
        q = select(audit_log).order_by(audit_log.c.audit_id.desc()).limit(limit)
        if event_name:
            q = q.where(audit_log.c.event == event_name)
        with reading(self.engine).connect() as con:
            return [dict(r._mapping) for r in con.execute(q)]

    # -- the server's key ------------------------------------------------------------------

    def secret_key(self) -> str:
        """The key that signs the sign-in form's browser marks (:mod:`access.throttle`), made
        once and shared by every server process (``IVM_SECRET_KEY`` overrides it)."""
        configured = setting("secret_key")
        if configured:
            return configured
        query = select(server_secret.c.value).where(server_secret.c.name == "session")
        with reading(self.engine).connect() as con:
            row = con.execute(query).first()
        if row:
            return row[0]
        try:
            with self.engine.begin() as con:
                con.execute(insert(server_secret).values(name="session",
                                                         value=secrets.token_hex(32)))
        except IntegrityError:
            pass  # another process made it first: use theirs
        with reading(self.engine).connect() as con:
            return con.execute(query).scalar_one()


#: An account's columns, in the order of :class:`User`'s fields.
USER_COLUMNS = (users.c.name, users.c.role, users.c.partner, users.c.enabled,
                 users.c.created_at, users.c.password_changed_at, users.c.last_login_at)


def _check_user(name: str, role: str, partner: str | None) -> None:
    if not _NAME.match(name):
        raise IvmError("bad_user_name", f"user name '{name}' is not allowed",
                       hint="1-64 letters, digits, '.', '_', '@' or '-', starting with a letter "
                            "or digit")
    if role not in ACCOUNT_ROLES:
        raise IvmError("bad_role", f"unknown role '{role}'",
                       hint=f"one of {', '.join(ACCOUNT_ROLES)}")
    if role == "dienst" and not partner:
        raise IvmError("partner_needed", "role dienst needs --partner",
                       hint="the partner whose objectives this user follows, from the partner "
                            "register (`ivm partners list`)")
    if role != "dienst" and partner:
        raise IvmError("partner_not_allowed", f"role {role} sees every objective: no --partner")
