"""Beheer / Administration: the accounts, the open sessions and the audit log, for the
``beheerder`` role only.

Accounts are managed with ``ivm user add|disable|enable|password`` on the server; this page shows
them (never a password or its hash), the open sessions per user with a button that ends them at
once ("sign out everywhere", also ``ivm user signout``), and the newest audit events: logins,
failed and throttled logins, refusals, exports, loads and account changes. URL: ``event`` (one
kind) and ``lang``.
"""

from __future__ import annotations

from typing import Any

import dash
from dash import ALL, Input, Output, State, dcc, html
from dash.exceptions import PreventUpdate
from flask import abort

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
    "sessions": {"nl": "Open sessies", "en": "Open sessions"},
    "sessions_help": {
        "nl": "Wie nu aangemeld is. „Overal afmelden” beëindigt meteen elke sessie van die "
              "gebruiker, op elk toestel (uw eigen sessie blijft open).",
        "en": "Who is signed in now. “Sign out everywhere” ends every session of that user at "
              "once, on every device (your own session stays open)."},
    "count": {"nl": "Sessies", "en": "Sessions"},
    "seen": {"nl": "Laatste verzoek (UTC)", "en": "Last request (UTC)"},
    "addresses": {"nl": "Adressen", "en": "Addresses"},
    "signout": {"nl": "Overal afmelden", "en": "Sign out everywhere"},
    "signout_all": {"nl": "Iedereen afmelden", "en": "Sign everyone out"},
    "ended": {"nl": "{n} sessie(s) beëindigd.", "en": "{n} session(s) ended."},
    "none": {"nl": "Niemand is aangemeld.", "en": "Nobody is signed in."},
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
        html.H2(pick(TEXT, "sessions", lang)),
        html.P(pick(TEXT, "sessions_help", lang), className="hint"),
        dcc.Store(id="beheer-lang", data=lang),
        html.Div(sessions_block(lang), id="beheer-sessions", **{"aria-live": "polite"}),
        html.H2(pick(TEXT, "audit", lang).format(n=LIMIT)),
        html.P([html.Span(f"{pick(TEXT, 'event', lang)}: "),
                *[x for link in links for x in (link, " ")]], className="beheer-events"),
        table([pick(TEXT, k, lang) for k in ("at", "event", "user", "role", "address",
                                             "detail")], events, table_id="beheer-audit"),
    ])


def sessions_block(lang: str, note: str | None = None) -> list:
    """The open sessions per user, each with its "sign out everywhere" button."""
    guard = guard_of_app()
    assert guard is not None
    per_user: dict[str, list[dict[str, Any]]] = {}
    for row in guard.sessions.open():
        per_user.setdefault(row["user_name"], []).append(row)
    rows = [[name, len(found), max(r["seen_at"] for r in found),
             ", ".join(sorted({r["address"] or "–" for r in found})),
             html.Button(pick(TEXT, "signout", lang), type="button",
                         id={"type": "beheer-signout", "user": name})]
            for name, found in sorted(per_user.items())]
    header = [pick(TEXT, k, lang) for k in ("name", "count", "seen", "addresses")] + [""]
    return [
        *([html.P(note, className="note", role="status")] if note else []),
        table(header, rows, numeric={1}, table_id="beheer-session-table") if rows
        else html.P(pick(TEXT, "none", lang)),
        html.Button(pick(TEXT, "signout_all", lang), type="button", id="beheer-signout-all"),
    ]


@dash.callback(
    Output("beheer-sessions", "children"),
    Input({"type": "beheer-signout", "user": ALL}, "n_clicks"),
    Input("beheer-signout-all", "n_clicks"),
    State("beheer-lang", "data"),
    prevent_initial_call=True,
)
def sign_out_everywhere(_clicks: list, _all: int | None, lang: str | None) -> list:
    """End every session of the chosen user (or of everyone), at once, on every worker."""
    guard = guard_of_app()
    if guard is None or not current_viewer().role.admin:
        abort(403)
    trigger = dash.ctx.triggered_id
    if not dash.ctx.triggered or not dash.ctx.triggered[0].get("value"):
        raise PreventUpdate  # buttons drawn anew, not clicked
    lang = lang_of(lang)
    if trigger == "beheer-signout-all":
        ended = guard.end_sessions(None)
    elif isinstance(trigger, dict) and isinstance(trigger.get("user"), str):
        ended = guard.end_sessions(trigger["user"])
    else:
        raise PreventUpdate
    return sessions_block(lang, pick(TEXT, "ended", lang).format(n=ended))
