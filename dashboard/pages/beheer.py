"""Beheer / Administration: the accounts and the audit log, for the ``beheerder`` role only.

Accounts are managed with ``ivm user add|disable|enable|password`` on the server; this page shows
them (never a password or its hash) and the newest audit events: logins, failed and blocked
logins, refusals, exports, loads and account changes. URL: ``event`` (one kind) and ``lang``.
"""

from __future__ import annotations

from typing import Any

from dash import dcc, html

from access.store import EVENTS
from core.vocabulary import pick
from dashboard.auth import guard_of_app
from dashboard.components import frame, href, table
from dashboard.i18n import lang_of
from dashboard.registry import register_page
from dashboard.viewer import current_viewer

PAGE = register_page(__name__, key="admin", path="/beheer", prefix="beheer",
              title={"nl": "Beheer", "en": "Administration"}, roles={"beheerder"}, nav=7)

LIMIT = 500

TEXT = {
    "title": {"nl": "Beheer", "en": "Administration"},
    "users": {"nl": "Gebruikers", "en": "Users"},
    "users_help": {"nl": "Beheer de gebruikers op de server met `ivm user add`, `ivm user "
                         "disable` en `ivm user password`.",
                   "en": "Manage users on the server with `ivm user add`, `ivm user disable` "
                         "and `ivm user password`."},
    "audit": {"nl": "Auditlog (nieuwste eerst, hoogstens {n})",
              "en": "Audit log (newest first, at most {n})"},
    "name": {"nl": "Naam", "en": "Name"},
    "role": {"nl": "Rol", "en": "Role"},
    "partner": {"nl": "Partner", "en": "Partner"},
    "enabled": {"nl": "Actief", "en": "Enabled"},
    "created": {"nl": "Aangemaakt", "en": "Created"},
    "last_login": {"nl": "Laatst aangemeld", "en": "Last sign-in"},
    "at": {"nl": "Tijdstip (UTC)", "en": "Time (UTC)"},
    "event": {"nl": "Gebeurtenis", "en": "Event"},
    "user": {"nl": "Gebruiker", "en": "User"},
    "address": {"nl": "Adres", "en": "Address"},
    "detail": {"nl": "Detail", "en": "Detail"},
    "all": {"nl": "alle", "en": "all"},
    "yes": {"nl": "ja", "en": "yes"},
    "no": {"nl": "nee", "en": "no"},
    "denied": {"nl": "Alleen voor beheerders.", "en": "Administrators only."},
}


def layout(lang: str | None = None, event: str | None = None, **query: Any) -> html.Div:
    """The accounts and the audit log (optionally one kind of event)."""
    lang = lang_of(lang)
    guard = guard_of_app()
    if guard is None or not current_viewer().role.admin:
        return frame("admin", lang, {}, [html.H1(pick(TEXT, "title", lang)),
                                         html.P(pick(TEXT, "denied", lang))])
    event = event if event in EVENTS else None
    store = guard.store
    yes, no = pick(TEXT, "yes", lang), pick(TEXT, "no", lang)
    users = [[u.name, u.role, u.partner or "–", yes if u.enabled else no, u.created_at,
              u.last_login_at or "–"] for u in store.users()]
    events = [[r["at"], r["event"], r["user_name"] or "–", r["role"] or "–",
               r["address"] or "–", r["detail"] or ""]
              for r in store.audit_rows(LIMIT, event)]
    links = [dcc.Link(pick(TEXT, "all", lang), href=href(PAGE.path, lang),
                      className="active" if event is None else None)]
    links += [dcc.Link(e, href=href(PAGE.path, lang, event=e),
                       className="active" if e == event else None) for e in EVENTS]
    return frame("admin", lang, {"event": event}, [
        html.H1(pick(TEXT, "title", lang)),
        html.H2(pick(TEXT, "users", lang)),
        html.P(pick(TEXT, "users_help", lang), className="hint"),
        table([pick(TEXT, k, lang) for k in ("name", "role", "partner", "enabled", "created",
                                             "last_login")], users, table_id="beheer-users"),
        html.H2(pick(TEXT, "audit", lang).format(n=LIMIT)),
        html.P([html.Span(f"{pick(TEXT, 'event', lang)}: "),
                *[x for link in links for x in (link, " ")]], className="beheer-events"),
        table([pick(TEXT, k, lang) for k in ("at", "event", "user", "role", "address",
                                             "detail")], events, table_id="beheer-audit"),
    ])
