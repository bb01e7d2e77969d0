"""Access control on the server: every page, callback, download and data route checks who asks.

A request is made by a **viewer**: a signed-in user with a role (a session cookie), a user named
by a trusted reverse proxy (single sign-on, off by default), or, with ``ivm serve --public``,
the public. Which pages each role may open is declared with the page (:mod:`dashboard.registry`),
what a role may see beyond that is :mod:`access.roles`; this module enforces both:

- the request's site comes first (:mod:`dashboard.sites`): the one city, or, with tenants,
  the tenant its host name names (any other host gets 404 and nothing else); everything below
  reads and writes that site's warehouse and application store only, and a session cookie of
  another tenant is refused (in both tenants' audit logs);
- the path is first brought to its normal form (:func:`dashboard.urls.normal_path`); a page
  asked for under another spelling is redirected to it, and the pages callback's path is
  replaced by it, so the access decision and Dash's router always read the same path; a path
  without a normal form is refused;
- a request that changes something (any method but GET, HEAD, OPTIONS) sent by another site is
  refused (:mod:`dashboard.security`), and callbacks take ``application/json`` bodies only;
- pages (``GET /wijken``...) and the pages callback (``/_dash-update-component`` with the page's
  path) are refused for a page the role may not open; the ``dienst`` role only opens the
  objectives its partner owns or contributes to;
- every other callback belongs to the page its outputs are on (``areas-map`` -> ``areas``) and
  is refused like that page; a callback that belongs to no known page is refused for everyone;
- without a valid session, pages redirect to ``/login`` and every other route answers 401; only
  the login page and the stylesheets are open.

Sessions are kept in the access store (:mod:`access.sessions`); the cookie (HttpOnly,
SameSite=Lax, Secure when the request came over HTTPS) carries a random id only. Sign-out, a
disabled account, a new password and "sign out everywhere" end a session for every server
process at once. Failed sign-ins slow down the user name and address (or browser) they come
from (:mod:`access.throttle`), never the account itself; a wrong password and an unknown user
get the same answer in the same time. Sign-ins, failures, throttled attempts, every refusal and
every export go to the audit log of :class:`access.store.AccessStore`, with the user or the
address.
"""

from __future__ import annotations

import html as htmlesc
import ipaddress
import math
from dataclasses import dataclass
from typing import TYPE_CHECKING
from urllib.parse import quote, urlencode

from dash import Dash
from flask import Response, current_app, g, jsonify, redirect, request
from werkzeug.exceptions import Forbidden

from access.passwords import burn, verify
from access.roles import PUBLIC, ROLES, Viewer
from access.store import AccessStore
from core.settings import setting
from dashboard.audience import data_of_app
from dashboard.branding import LOGO_PATH, current_branding
from dashboard.health import HEALTH_PATH, READY_PATH
from dashboard.registry import (
    callback_page,
    internal_callback,
    may_open,
    page_of_path,
)
from dashboard.security import (
    SAFE_METHODS,
    add_security_headers,
    cross_site,
    response_policy,
)
from dashboard.sites import Sites, current_site, use_site
from dashboard.urls import PATH_SAFE, normal_path, safe_next
from dashboard.viewer import current_viewer, set_viewer

if TYPE_CHECKING:
    from access.sessions import Sessions
    from access.throttle import LoginThrottle

COOKIE = "ivm_session"
#: The browser's sign-in mark (see :mod:`access.throttle`), sent to the sign-in form only.
MARK_COOKIE = "ivm_browser"
MARK_DAYS = 180
CALLBACK_PATH = "/_dash-update-component"
#: Paths open without a session (besides the stylesheets).
OPEN_PATHS = ("/login", "/_favicon.ico", LOGO_PATH, HEALTH_PATH, READY_PATH)

TEXT = {
    "title": {"nl": "Aanmelden", "en": "Sign in"},
    "name": {"nl": "Gebruikersnaam", "en": "User name"},
    "password": {"nl": "Wachtwoord", "en": "Password"},
    "submit": {"nl": "Aanmelden", "en": "Sign in"},
    "failed": {"nl": "Onbekende gebruiker of fout wachtwoord.",
               "en": "Unknown user or wrong password."},
    "blocked": {"nl": "Te veel mislukte pogingen voor deze gebruiker vanaf dit adres. Probeer "
                      "het over {n} seconden opnieuw.",
                "en": "Too many failed attempts for this user from this address. Try again in "
                      "{n} seconds."},
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


class Guard:
    """Installs sign-in, sign-out and the checks on one Dash app, for each of its sites."""

    def __init__(self, app: Dash, sites: Sites, public: bool = False):
        self.app = app
        self.sites = sites
        self.public = public
        self.proxies = _Proxies.from_settings()
        self.max_age = next(iter(sites)).sessions.max_age
        server = app.server
        server.config["IVM_GUARD"] = self
        server.before_request(self.check)
        server.after_request(self.headers)
        server.add_url_rule("/login", "ivm_login", self.login, methods=["GET", "POST"])
        server.add_url_rule("/logout", "ivm_logout", self.logout, methods=["POST"])
        server.register_error_handler(PermissionError, self._refused)
        server.register_error_handler(Forbidden, self._refused)

    @property
    def store(self) -> AccessStore:
        """The application store of the current request's site."""
        return current_site().store

    @property
    def sessions(self) -> Sessions:
        """The sessions of the current request's site."""
        return current_site().sessions

    @property
    def throttle(self) -> LoginThrottle:
        """The sign-in throttle of the current request's site."""
        return current_site().throttle

    # -- every request ----------------------------------------------------------------------

    def check(self) -> Response | None:
        """Before every request: the site (the tenant its host names), the path's normal
        form, the same-origin rule, the viewer, then allow or refuse."""
        site = self.sites.for_host(request.host)
        if site is None:
            if request.path in (HEALTH_PATH, READY_PATH):
                return None  # the load balancer asks by address: every site's readiness
            return Response("no such site", 404, mimetype="text/plain")
        use_site(site)
        raw = request.path
        path = normal_path(raw)
        if path != raw:
            if path is not None and request.method in ("GET", "HEAD"):
                query = request.query_string.decode("latin-1")
                return redirect(safe_next(quote(path, safe=PATH_SAFE)
                                          + (f"?{query}" if query else "")), 308)
            return self._refuse(400, f"path {raw[:200]!r}")
        if request.method not in SAFE_METHODS:
            reason = cross_site(request)
            if reason:
                return self._refuse(403, f"cross-site {request.method} {path[:100]}: {reason}")
        if path in OPEN_PATHS or (path.startswith("/assets/") and path.endswith(".css")):
            return None
        viewer, expired = self._viewer()
        set_viewer(viewer)
        if viewer is None:
            if path.startswith("/_dash-") or path.startswith("/assets/") or \
                    path.startswith("/static/"):
                return Response("sign in first", 401, mimetype="text/plain")
            target = quote(path, safe=PATH_SAFE) + (
                f"?{request.query_string.decode('latin-1')}" if request.query_string else "")
            query = {"next": target, **({"expired": "1"} if expired else {}),
                     **({"lang": "en"} if request.args.get("lang") == "en" else {})}
            return redirect("/login?" + urlencode(query))
        if path == CALLBACK_PATH:
            return self._check_callback(viewer)
        page, objective = page_of_path(path)
        if page is not None and not self._allowed(viewer, page, objective):
            return self._denied_page(viewer, path)
        return None

    def headers(self, response: Response) -> Response:
        """After every request: the security headers, nothing personal cached, and the
        session cookie set (a session just made) or removed (one that ended)."""
        if not (request.path.startswith("/_dash-component-suites/")
                or request.path.startswith("/assets/")):
            response.headers["Cache-Control"] = "no-store"
        add_security_headers(response, response_policy(), request.is_secure)
        started = g.get("new_session")
        if started:
            self._set_session_cookie(response, started)
        elif g.get("session_ended") and request.cookies.get(COOKIE):
            response.delete_cookie(COOKIE, httponly=True, samesite="Lax")
        return response

    def _set_session_cookie(self, response: Response, session_id: str) -> None:
        key = current_site().key
        response.set_cookie(COOKIE, f"{key}.{session_id}" if key else session_id,
                            max_age=int(self.max_age), httponly=True, samesite="Lax",
                            secure=request.is_secure)

    def _session_id(self) -> str | None:
        """The session id the request's cookie carries for this site. With tenants the cookie
        names its tenant (``aalst.<id>``): a session of another tenant is never looked up in
        this site's store; it is refused, in the audit logs of both tenants."""
        if "ivm_session_id" not in g:
            cookie = request.cookies.get(COOKIE)
            key = current_site().key
            if cookie and key:
                tenant, _, session_id = cookie.partition(".")
                if tenant != key:
                    self._foreign_session(tenant, session_id)
                cookie = session_id if tenant == key else None
            g.ivm_session_id = cookie
        return g.ivm_session_id

    def _foreign_session(self, tenant: str, session_id: str) -> None:
        """Note a session cookie of another tenant: in this tenant's audit log without the
        account's name, in the account's tenant's log with it (when the session is one)."""
        here = current_site()
        address = self._address()
        other = next((s for s in self.sites if s.key == tenant and s is not here), None)
        session = other.sessions.get(session_id) if other and session_id else None
        if other is not None and session is not None:
            other.store.audit("access_denied", session.user_name, None, address,
                              f"session used at tenant {here.key}: {request.path[:200]}")
        here.store.audit("access_denied", None, None, address,
                         f"session of another tenant ({tenant[:32]!r}): {request.path[:200]}")

    def _viewer(self) -> tuple[Viewer | None, bool]:
        """The viewer of this request, and whether the session it came with has ended."""
        if self.public:
            return PUBLIC, False
        found = self.sessions.get_with_user(self._session_id())
        current, account = found if found else (None, None)
        if self.proxies.trusted(request.remote_addr):
            name = request.headers.get(setting("user_header"))
            if name:
                user = self.store.user(name)
                if user is None or not user.enabled:
                    return None, False
                if current is None or current.user_name != name:
                    g.new_session = self.sessions.start(name, self._address(), proxy=True)
                    self.store.audit("login", name, user.role, self._address(), "proxy")
                return Viewer(name, ROLES[user.role], user.partner), False
        if current is None or current.proxy:
            ended = bool(request.cookies.get(COOKIE))
            g.session_ended = ended
            return None, ended
        if account is None or not account.enabled:
            g.session_ended = True
            return None, True
        return Viewer(account.name, ROLES[account.role], account.partner), False

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
        if request.mimetype != "application/json":
            return self._refuse(415, f"callback body of type {request.mimetype or 'none'!r}",
                                viewer)
        body = request.get_json(silent=True)
        output = body.get("output") if isinstance(body, dict) else None
        if not isinstance(output, str):
            return self._refuse(400, "callback body without an output", viewer)
        page = callback_page(output)
        objective = None
        detail = output[:400]
        if page == "pages":
            location = next((i for i in body.get("inputs") or [] if isinstance(i, dict)
                             and i.get("id") == "_pages_location"
                             and i.get("property") == "pathname"), None)
            raw = str((location or {}).get("value") or "/")
            path = normal_path(raw)
            if path is None:
                return self._refuse(400, f"page path {raw[:200]!r}", viewer)
            if location is not None:
                # Dash routes on this very body (Flask keeps the parsed JSON for the view)
                location["value"] = path
            page, objective = page_of_path(path)
            if page is None:
                return None  # an unknown path: the not-found page, no data
            detail = f"{output[:200]} {raw[:200]!r}"
        elif page == "objective":
            key = next((s.get("value") for s in body.get("state") or []
                        if isinstance(s, dict) and s.get("id") == "objective-key"), None) or {}
            objective = key.get("id") if isinstance(key, dict) else None
        if page is None or not self._allowed(viewer, page, objective) or (
                viewer.audience != "internal" and internal_callback(output)):
            self.store.audit("access_denied", viewer.name, viewer.role.name, self._address(),
                             f"callback {detail}")
            return jsonify(error="forbidden", page=page), 403
        return None

    def _refused(self, exc: Exception) -> Response:
        """A reader or a page refused the viewer (defence in depth behind the checks above):
        403, in the audit log."""
        viewer = current_viewer()
        self.store.audit("access_denied", viewer.name, viewer.role.name, self._address(),
                         f"{request.path}: {exc}"[:500])
        return Response("forbidden", 403, mimetype="text/plain")

    def _refuse(self, status: int, why: str, viewer: Viewer | None = None) -> Response:
        """Refuse a request that is malformed or sent by another site, in the audit log with
        the signed-in user (if any) and the address."""
        name = viewer.name if viewer else None
        role = viewer.role.name if viewer and viewer.name else None
        if viewer is None and not self.public:
            current = self.sessions.get(self._session_id())
            name = current.user_name if current else None
        self.store.audit("request_refused", name, role, self._address(), why[:500])
        return Response("request refused", status, mimetype="text/plain")

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
        target = safe_next(request.values.get("next"), refused=OPEN_PATHS + ("/logout",))
        if self.public:
            return redirect(target)
        if request.method == "GET":
            note = ("expired" if request.args.get("expired") else
                    "out" if request.args.get("out") else None)
            return _login_page(lang, target, note and _t(note, lang))
        name = (request.form.get("name") or "").strip()[:64]
        password = request.form.get("password") or ""
        address = self._address()
        source = self.throttle.source(name, address, request.cookies.get(MARK_COOKIE))
        wait = self.throttle.reserve(name, source)
        if wait > 0:
            seconds = math.ceil(wait)
            self.store.audit("login_blocked", name or None, None, address,
                             f"{seconds} s to wait ({source.split(':', 1)[0]})")
            page = _login_page(lang, target, _t("blocked", lang).format(n=seconds), name)
            return Response(page, 429, mimetype="text/html",
                            headers={"Retry-After": str(seconds)})
        stored = self.store.password_hash(name) if name else None
        ok = verify(password, stored) if stored else burn(password)
        if not ok:
            self.throttle.failed(name, source)
            self.store.audit("login_failed", name or None, None, address)
            return Response(_login_page(lang, target, _t("failed", lang), name), 401,
                            mimetype="text/html")
        user = self.store.user(name)
        assert user is not None
        self.throttle.cleared(name, source)
        self.sessions.end(self._session_id(), "signed_in_again")
        response = redirect(target)
        self._set_session_cookie(response, self.sessions.start(name, address))
        response.set_cookie(MARK_COOKIE, self.throttle.mark(name), max_age=MARK_DAYS * 86400,
                            path="/login", httponly=True, samesite="Strict",
                            secure=request.is_secure)
        self.store.logged_in(name)
        self.store.audit("login", name, user.role, address)
        return response

    def logout(self) -> Response:
        """End the session, for every server process (a POST from this site only, so no other
        site can sign a user out)."""
        name = self.sessions.end(self._session_id(), "logout")
        if name:
            user = self.store.user(name)
            self.store.audit("logout", name, user.role if user else None, self._address())
        response = redirect("/login?out=1")
        response.delete_cookie(COOKIE, httponly=True, samesite="Lax")
        return response

    def end_sessions(self, name: str | None) -> int:
        """End every session of ``name`` (None: of everyone) at once, for every server process
        ("sign out everywhere", by an administrator; the administrator's own session stays);
        how many ended. In the audit log with who did it."""
        viewer = current_viewer()
        ended = self.sessions.end_all(name, "signed_out_by_admin", keep=self._session_id())
        self.store.audit("sessions_ended", viewer.name, viewer.role.name, self._address(),
                         f"{ended} session(s) of {name or 'every user'}")
        return ended

    def audit_export(self, what: str) -> None:
        """Note a download in the audit log, with who asked."""
        viewer = current_viewer()
        self.store.audit("export", viewer.name, viewer.role.name, self._address(), what)


def guard_of_app() -> Guard | None:
    """The guard of the running app (None when the app was made without one)."""
    return current_app.config.get("IVM_GUARD")


def _html_page(title: str, body: str, lang: str) -> str:
    brand = current_branding()
    logo = f"<img src=\"{LOGO_PATH}\" alt=\"\" class=\"logo\">" if brand.logo else ""
    return (f"<!DOCTYPE html><html lang=\"{lang}\"><head><meta charset=\"utf-8\">"
            f"<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
            f"<title>{htmlesc.escape(title)} — {htmlesc.escape(brand.title)}</title>"
            f"<link rel=\"stylesheet\" href=\"/assets/login.css\"></head>"
            f"<body><main class=\"login\"><p class=\"brand\">{logo}"
            f"{htmlesc.escape(brand.title)}</p>{body}</main></body></html>")


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


def install(app: Dash, sites: Sites, public: bool = False) -> Guard:
    """Protect ``app``: sign-in for each site's users, or the public audience only."""
    return Guard(app, sites, public)
