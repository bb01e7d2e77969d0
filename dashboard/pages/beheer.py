"""Beheer / Administration: the accounts, the open sessions, the partner register and the
audit log, for the ``beheerder`` role only.

Accounts are managed with ``ivm user add|disable|enable|password`` on the server; this page shows
them (never a password or its hash), the open sessions per user with a button that ends them at
once ("sign out everywhere", also ``ivm user signout``), the partner register with a form to add
or change a partner (checked and audited like every write), and the newest audit events: logins,
failed and throttled logins, refusals, exports, loads, account and partner changes. URL:
``event`` (one kind) and ``lang``.
"""

from __future__ import annotations

import re
from typing import Any

import dash
from dash import ALL, Input, Output, State, callback, dcc, html
from dash.exceptions import PreventUpdate
from flask import abort

from access.roles import ROLES
from access.steering.store import Steering
from access.store import EVENTS
from core.errors import IvmError
from core.vocabulary import AUDIT_EVENTS, PARTNER_KINDS, PARTNER_LEVELS, date, pick
from dashboard.auth import guard_of_app
from dashboard.components import frame, href, table
from dashboard.components_steering import w
from dashboard.i18n import lang_of
from dashboard.markup import Element
from dashboard.registry import register_page
from dashboard.viewer import current_viewer

PAGE = register_page(__name__, key="admin", path="/beheer", prefix="beheer",
              title={"nl": "Beheer", "en": "Administration"}, roles={"beheerder"}, nav=7)

LIMIT = 500

TEXT = {
    "title": {"nl": "Beheer", "en": "Administration"},
    "users": {"nl": "Gebruikers", "en": "Users"},
    "users_help": {"nl": "Gebruikers worden op de server toegevoegd, uitgeschakeld en van een "
                         "nieuw wachtwoord voorzien (zie de handleiding 'Toegang en rollen').",
                   "en": "Users are added, disabled and given a new password on the server (see "
                         "the guide 'Access and roles')."},
    "audit": {"nl": "Auditlog (nieuwste eerst, hoogstens {n})",
              "en": "Audit log (newest first, at most {n})"},
    "name": {"nl": "Naam", "en": "Name"},
    "role": {"nl": "Rol", "en": "Role"},
    "partner": {"nl": "Partner", "en": "Partner"},
    "enabled": {"nl": "Actief", "en": "Enabled"},
    "created": {"nl": "Aangemaakt", "en": "Created"},
    "last_login": {"nl": "Laatst aangemeld", "en": "Last sign-in"},
    "at": {"nl": "Tijdstip", "en": "Time"},
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


#: A file's folders in a stored detail (a load's message names the file it read).
FOLDERS = re.compile(r"(?<![\w.:/])/(?:[^\s/:]+/)+")


def _detail(text: str | None) -> html.Span | str:
    """An event's stored detail, as the log wrote it (in English, so marked as English for a
    screen reader), with file names but not the folders they were read from."""
    if not text:
        return ""
    return html.Span(FOLDERS.sub("", text), lang="en", className="beheer-detail")


def _role(name: str, lang: str) -> str:
    role = ROLES.get(name)
    if role is None:
        return name
    return role.label_en if lang == "en" else role.label_nl


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
    users = [[u.name, _role(u.role, lang), u.partner or "–", yes if u.enabled else no,
              date(u.created_at), date(u.last_login_at) if u.last_login_at else "–"]
             for u in store.users()]
    events = [[date(r["at"]), pick(AUDIT_EVENTS, r["event"], lang), r["user_name"] or "–",
               _role(r["role"], lang) if r["role"] else "–", r["address"] or "–",
               _detail(r["detail"])]
              for r in store.audit_rows(LIMIT, event)]
    links = [dcc.Link(pick(TEXT, "all", lang), href=href(PAGE.path, lang),
                      className="active" if event is None else None)]
    links += [dcc.Link(pick(AUDIT_EVENTS, e, lang), href=href(PAGE.path, lang, event=e),
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
        html.H2(w("partners_register", lang)),
        html.Div(_partners(Steering(store), lang), id="beheer-partners-box"),
        _partner_form(lang),
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


def _partners(steering: Steering, lang: str) -> Element:
    # each name in its own language, marked as such (WCAG 3.1.2)
    rows = [[p.partner_id, html.Span(p.name_nl, lang="nl"),
             html.Span(p.name_en, lang="en") if p.name_en else "–",
             pick(PARTNER_KINDS, p.kind, lang),
             pick(PARTNER_LEVELS, p.level, lang), p.contact or "–",
             pick(TEXT, "yes" if p.active else "no", lang), p.origin or "–"]
            for p in steering.partners.all()]
    return table([w(k, lang) for k in ("partner_id", "name_nl", "name_en", "partner_kind",
                                       "partner_level", "contact", "active", "origin")],
                 rows, table_id="beheer-partners")


def _partner_form(lang: str) -> html.Section:
    def field(key: str, control: Any) -> html.Label:
        return html.Label([w(key, lang), control], className="steering-field")

    return html.Section([
        html.H3(w("edit_partner", lang)),
        field("partner_id", dcc.Input(id="beheer-partner-id", type="text", maxLength=64)),
        field("name_nl", dcc.Input(id="beheer-partner-name-nl", type="text", maxLength=200)),
        field("name_en", dcc.Input(id="beheer-partner-name-en", type="text", maxLength=200)),
        field("partner_kind", dcc.RadioItems(id="beheer-partner-kind", inline=True, options=[
            {"label": pick(PARTNER_KINDS, k, lang), "value": k} for k in PARTNER_KINDS])),
        field("partner_level", dcc.RadioItems(id="beheer-partner-level", inline=True, options=[
            {"label": pick(PARTNER_LEVELS, k, lang), "value": k} for k in PARTNER_LEVELS])),
        field("contact", dcc.Input(id="beheer-partner-contact", type="email", maxLength=254)),
        dcc.Checklist(id="beheer-partner-active", value=["active"],
                      options=[{"label": w("active", lang), "value": "active"}]),
        html.Button(w("save", lang), id="beheer-partner-save", n_clicks=0),
        html.P(id="beheer-partner-message", role="status", className="steering-message"),
    ], className="steering-form", id="beheer-partner-form")


@callback(
    Output("beheer-partner-message", "children"),
    Output("beheer-partners-box", "children"),
    Input("beheer-partner-save", "n_clicks"),
    State("beheer-partner-id", "value"),
    State("beheer-partner-name-nl", "value"),
    State("beheer-partner-name-en", "value"),
    State("beheer-partner-kind", "value"),
    State("beheer-partner-level", "value"),
    State("beheer-partner-contact", "value"),
    State("beheer-partner-active", "value"),
    State("beheer-lang", "data"),
    prevent_initial_call=True,
)
def save_partner(clicks, ident, name_nl, name_en, kind, level, contact, active, lang):
    """Add or change a partner (the beheerder only, checked on the server); a partner left
    blank in a field keeps its value."""
    guard = guard_of_app()
    if not clicks or guard is None:
        raise PreventUpdate
    lang = lang_of(lang)
    steering = Steering(guard.store)
    values = {k: v for k, v in (("name_nl", name_nl), ("name_en", name_en), ("kind", kind),
                                ("level", level), ("contact", contact)) if v}
    try:
        steering.partners.save(current_viewer(), str(ident or "").strip(), **values,
                               active="active" in (active or []))
    except IvmError as exc:
        return html.Span(exc.message, className="error", role="alert"), _partners(steering, lang)
    return w("saved", lang), _partners(steering, lang)
