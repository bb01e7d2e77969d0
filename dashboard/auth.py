"""Access control on the server: every page, callback, download and data route checks who asks.

A request is made by a **viewer**: a signed-in user with a role (a session cookie), a user named
by a trusted reverse proxy (single sign-on, off by default), or, with ``ivm serve --public``,
the public. Which pages each role may open is declared with the page (:mod:`dashboard.registry`),
what a role may see beyond that is :mod:`access.roles`; this module enforces both:

- pages (``GET /wijken``...) and the pages callback (``/_dash-update-component`` with the page's
  path) are refused for a page the role may not open; the ``dienst`` role only opens the
  objectives its partner owns or contributes to;
- every other callback belongs to the page its outputs are on (``areas-map`` -> ``areas``) and
  is refused like that page; a callback that belongs to no known page is refused for everyone;
- without a valid session, pages redirect to ``/login`` and every other route answers 401; only
  the login page and the stylesheets are open.

Sessions are Flask's signed cookies (HttpOnly, SameSite=Lax, Secure when the request came over
HTTPS), holding the user name, the login time, the last request and the password's change time:
a session ends after ``IVM_SESSION_IDLE_MINUTES`` without a request, ``IVM_SESSION_MAX_HOURS``
after the login, when the account is disabled or its password changes. Failed logins are
limited per user name (``IVM_LOGIN_MAX_FAILURES`` per 15 minutes) and per address (ten times
as many: colleagues share a gateway); a wrong
password and an unknown user get the same answer in the same time. Logins, failed logins,
refusals and exports go to the audit log of :class:`access.store.AccessStore`.
"""

from __future__ import annotations

import html as htmlesc
import ipaddress
import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, urlencode

from dash import Dash
from flask import Flask, Response, current_app, jsonify, redirect, request, session
from flask.sessions import SecureCookieSessionInterface

from access.passwords import burn, verify
from access.roles import PUBLIC, ROLES, Viewer
from access.store import AccessStore
from core.settings import setting
from dashboard.audience import data_of_app
from dashboard.registry import (
    callback_page,
    internal_callback,
    may_open,
    page_of_path,
)
from dashboard.viewer import current_viewer, set_viewer

COOKIE = "ivm_session"
FAILURE_WINDOW_MINUTES = 15
#: One address may fail this many times the per-user limit (many users behind one gateway).
ADDRESS_FACTOR = 10

TEXT = {
    "title": {"nl": "Aanmelden", "en": "Sign in"},
    "name": {"nl": "Gebruikersnaam", "en": "User name"},
    "password": {"nl": "Wachtwoord", "en": "Password"},
    "submit": {"nl": "Aanmelden", "en": "Sign in"},
    "failed": {"nl": "Onbekende gebruiker of fout wachtwoord.",
               "en": "Unknown user or wrong password."},
    "blocked": {"nl": "Te veel mislukte pogingen. Probeer het over een kwartier opnieuw.",
                "en": "Too many failed attempts. Try again in a quarter of an hour."},
    "expired": {"nl": "Uw sessie is verlopen: meld u opnieuw aan.",
                "en": "Your session has ended: please sign in again."},
    "out": {"nl": "U bent afgemeld.", "en": "You are signed out."},
    "denied": {"nl": "Geen toegang", "en": "No access"},
    "denied_text": {"nl": "Uw rol geeft geen toegang tot deze pagina.",
                    "en": "Your role gives no access to this page."},
    "home": {"nl": "Naar het overzicht", "en": "To the overview"},
    "intro": {"nl": "Monitor van het integraal veiligheidsplan.",
              "en": "Monitor of the integral safety plan."},
}


def _t(key: str, lang: str) -> str:
    return TEXT[key]["en" if lang == "en" else "nl"]


# -- who is asking ---------------------------------------------------------------------------


@dataclass(frozen=True)
class _Proxies:
    networks: tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]

    @classmethod
    def from_settings(cls) -> _Proxies:
        text = setting("trusted_proxies")
        nets = tuple(ipaddress.ip_network(p.strip(), strict=False)
                     for p in text.split(",") if p.strip())
        return cls(nets)

    def trusted(self, address: str | None) -> bool:
        if not address or not self.networks:
            return False
        try:
            ip = ipaddress.ip_address(address)
        except ValueError:
            return False
        return any(ip in n for n in self.networks)


class _Sessions(SecureCookieSessionInterface):
    """Flask's signed cookie session, Secure exactly when the request came over HTTPS."""

    def get_cookie_secure(self, app: Flask) -> bool:
        return request.is_secure


class Guard:
    """Installs sign-in, sign-out and the checks on one Dash app."""

    def __init__(self, app: Dash, store: AccessStore, public: bool = False):
        self.app = app
        self.store = store
        self.public = public
        self.proxies = _Proxies.from_settings()
        self.idle = 60 * float(setting("session_idle_minutes"))
        self.max_age = 3600 * float(setting("session_max_hours"))
        self.max_failures = int(setting("login_max_failures"))
        server = app.server
        server.secret_key = store.secret_key()
        server.session_interface = _Sessions()
        server.config.update(SESSION_COOKIE_NAME=COOKIE, SESSION_COOKIE_HTTPONLY=True,
                             SESSION_COOKIE_SAMESITE="Lax",
                             PERMANENT_SESSION_LIFETIME=int(self.max_age))
        server.config["IVM_GUARD"] = self
        server.before_request(self.check)
        server.after_request(self.headers)
        server.add_url_rule("/login", "ivm_login", self.login, methods=["GET", "POST"])
        server.add_url_rule("/logout", "ivm_logout", self.logout, methods=["POST"])
        server.register_error_handler(PermissionError, self._refused)

    # -- every request ----------------------------------------------------------------------

    def check(self) -> Response | None:
        """Before every request: find the viewer, then allow or refuse."""
        path = request.path
        if path == "/login" or path == "/_favicon.ico" or (
                path.startswith("/assets/") and path.endswith(".css")):
            return None
        viewer, expired = self._viewer()
        set_viewer(viewer)
        if viewer is None:
            if path.startswith("/_dash-") or path.startswith("/assets/") or \
                    path.startswith("/static/"):
                return Response("sign in first", 401, mimetype="text/plain")
            target = path + (f"?{request.query_string.decode()}" if request.query_string else "")
            query = {"next": target, **({"expired": "1"} if expired else {})}
            return redirect("/login?" + urlencode(query))
        if path == "/_dash-update-component":
            return self._check_callback(viewer)
        page, objective = page_of_path(path)
        if page is not None and not self._allowed(viewer, page, objective):
            return self._denied_page(viewer, path)
        return None

    def headers(self, response: Response) -> Response:
        """After every request: nothing personal is cached, the page is not framed."""
        if not (request.path.startswith("/_dash-component-suites/")
                or request.path.startswith("/assets/")):
            response.headers["Cache-Control"] = "no-store"
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["X-Frame-Options"] = "DENY"
        response.headers["Referrer-Policy"] = "same-origin"
        return response

    def _viewer(self) -> tuple[Viewer | None, bool]:
        """The viewer of this request, and whether a session just ended."""
        if self.public:
            return PUBLIC, False
        if self.proxies.trusted(request.remote_addr):
            name = request.headers.get(setting("user_header"))
            if name:
                user = self.store.user(name)
                if user is None or not user.enabled:
                    return None, False
                if session.get("u") != name:
                    session.clear()
                    session.update(u=name, proxy=True)
                    self.store.audit("login", name, user.role, self._address(), "proxy")
                return Viewer(name, ROLES[user.role], user.partner), False
        name = session.get("u")
        if not name or session.get("proxy"):
            return None, False
        user = self.store.user(name)
        now = time.time()
        valid = (user is not None and user.enabled
                 and session.get("pw") == user.password_changed_at
                 and now - float(session.get("seen", 0)) <= self.idle
                 and now - float(session.get("t0", 0)) <= self.max_age)
        if not valid:
            session.clear()
            return None, True
        if now - float(session["seen"]) > 30:
            session["seen"] = now
        return Viewer(name, ROLES[user.role], user.partner), False

    def _allowed(self, viewer: Viewer, page: str, objective: str | None) -> bool:
        if page == "any":
            return True
        if not may_open(viewer, page):
            return False
        if page == "objective" and viewer.role.own_objectives_only:
            records = [r for r in data_of_app().status() if r["id"] == objective]
            return any(viewer.may_see_objective(r) for r in records)
        return True

    def _check_callback(self, viewer: Viewer) -> Response | None:
        try:
            body = request.get_json(force=True, silent=False) or {}
            output = body["output"]
        except Exception:  # noqa: BLE001 - a malformed request is refused, whatever it is
            return Response("bad callback request", 400, mimetype="text/plain")
        page = callback_page(output)
        objective = None
        if page == "pages":
            path = next((i.get("value") for i in body.get("inputs", [])
                         if i.get("id") == "_pages_location" and i.get("property") == "pathname"),
                        "/")
            page, objective = page_of_path(str(path or "/"))
            if page is None:
                return None  # an unknown path: the not-found page, no data
        elif page == "objective":
            key = next((s.get("value") for s in body.get("state", [])
                        if s.get("id") == "objective-key"), None) or {}
            objective = key.get("id") if isinstance(key, dict) else None
        if page is None or not self._allowed(viewer, page, objective) or (
                viewer.audience != "internal" and internal_callback(output)):
            self.store.audit("access_denied", viewer.name, viewer.role.name, self._address(),
                             f"callback {output[:200]}")
            return jsonify(error="forbidden", page=page), 403
        return None

    def _refused(self, exc: PermissionError) -> Response:
        """A reader refused the viewer (defence in depth behind the checks above): 403."""
        viewer = current_viewer()
        self.store.audit("access_denied", viewer.name, viewer.role.name, self._address(),
                         f"{request.path}: {exc}"[:500])
        return Response("forbidden", 403, mimetype="text/plain")

    def _denied_page(self, viewer: Viewer, path: str) -> Response:
        self.store.audit("access_denied", viewer.name, viewer.role.name, self._address(), path)
        lang = "en" if request.args.get("lang") == "en" else "nl"
        body = (f"<h1>{_t('denied', lang)}</h1><p>{_t('denied_text', lang)}</p>"
                f"<p><a href=\"/\">{_t('home', lang)}</a></p>")
        return Response(_html_page(_t("denied", lang), body, lang), 403, mimetype="text/html")

    def _address(self) -> str | None:
        if self.proxies.trusted(request.remote_addr):
            forwarded = request.headers.get("X-Forwarded-For", "")
            if forwarded:
                return forwarded.split(",")[-1].strip()[:64]
        return request.remote_addr

    # -- sign in, sign out ------------------------------------------------------------------

    def login(self) -> Response | str:
        """The sign-in form (GET) and its check (POST)."""
        lang = "en" if request.args.get("lang") == "en" else "nl"
        target = _safe_next(request.values.get("next"))
        if self.public:
            return redirect(target)
        if request.method == "GET":
            note = ("expired" if request.args.get("expired") else
                    "out" if request.args.get("out") else None)
            return _login_page(lang, target, note and _t(note, lang))
        name = (request.form.get("name") or "").strip()[:64]
        password = request.form.get("password") or ""
        address = self._address()
        by_name, by_address = self.store.recent_failures(name, address,
                                                         FAILURE_WINDOW_MINUTES)
        if by_name >= self.max_failures or by_address >= ADDRESS_FACTOR * self.max_failures:
            burn(password)
            self.store.audit("login_blocked", name or None, None, address)
            return Response(_login_page(lang, target, _t("blocked", lang), name), 429,
                            mimetype="text/html")
        stored = self.store.password_hash(name) if name else None
        ok = verify(password, stored) if stored else burn(password)
        if not ok:
            self.store.audit("login_failed", name or None, None, address)
            return Response(_login_page(lang, target, _t("failed", lang), name), 401,
                            mimetype="text/html")
        user = self.store.user(name)
        assert user is not None
        session.clear()
        now = time.time()
        session.update(u=name, t0=now, seen=now, pw=user.password_changed_at)
        session.permanent = True
        self.store.logged_in(name)
        self.store.audit("login", name, user.role, address)
        return redirect(target)

    def logout(self) -> Response:
        """End the session (POST, so no other site can sign a user out with a link)."""
        name = session.get("u")
        if name:
            user = self.store.user(name)
            self.store.audit("logout", name, user.role if user else None, self._address())
        session.clear()
        return redirect("/login?out=1")

    def audit_export(self, what: str) -> None:
        """Note a download in the audit log, with who asked."""
        viewer = current_viewer()
        self.store.audit("export", viewer.name, viewer.role.name, self._address(), what)


def guard_of_app() -> Guard | None:
    """The guard of the running app (None when the app was made without one)."""
    return current_app.config.get("IVM_GUARD")


def _safe_next(value: str | None) -> str:
    """Only a path on this server (never ``//host`` or ``http://...``)."""
    if not value or not value.startswith("/") or value.startswith("//") or "\\" in value:
        return "/"
    return value


def _html_page(title: str, body: str, lang: str) -> str:
    return (f"<!DOCTYPE html><html lang=\"{lang}\"><head><meta charset=\"utf-8\">"
            f"<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
            f"<title>ivmonitor — {htmlesc.escape(title)}</title>"
            f"<link rel=\"stylesheet\" href=\"/assets/login.css\"></head>"
            f"<body><main class=\"login\"><p class=\"brand\">ivmonitor</p>{body}</main>"
            f"</body></html>")


def _login_page(lang: str, target: str, note: str | None = None, name: str = "") -> str:
    e = htmlesc.escape
    other = "en" if lang == "nl" else "nl"
    switch = f"/login?lang={other}&next={quote(target)}"
    body = (
        f"<h1>{_t('title', lang)}</h1><p>{_t('intro', lang)}</p>"
        + (f"<p class=\"note\" role=\"alert\" id=\"login-note\">{e(note)}</p>" if note else "")
        + f"<form method=\"post\" action=\"/login?lang={lang}\" id=\"login-form\">"
        f"<input type=\"hidden\" name=\"next\" value=\"{e(target)}\">"
        f"<label>{_t('name', lang)}<input name=\"name\" id=\"login-name\" autocomplete="
        f"\"username\" required value=\"{e(name)}\"></label>"
        f"<label>{_t('password', lang)}<input type=\"password\" name=\"password\" "
        f"id=\"login-password\" autocomplete=\"current-password\" required></label>"
        f"<button type=\"submit\" id=\"login-submit\">{_t('submit', lang)}</button></form>"
        f"<p><a href=\"{e(switch)}\" lang=\"{other}\">"
        f"{'English' if lang == 'nl' else 'Nederlands'}</a></p>"
    )
    return _html_page(_t("title", lang), body, lang)


def install(app: Dash, warehouse_path: Any, public: bool = False) -> Guard:
    """Protect ``app``: sign-in for the warehouse's users, or the public audience only."""
    return Guard(app, AccessStore.of_warehouse(warehouse_path), public)
