"""Early-warning alerts in the steering cycle: an owner closes an alert with a note (what was
found, what was done), and the owners of the objectives an alert concerns get one e-mail per
alert.

Who may close: the accounts of a partner that owns an objective counting the alert's category,
the beheerder and the bestuur (like an owner's update). A note is plain text within
``IVM_UPDATE_MAX_CHARS``; an alert is closed once, and every closing is in the audit log. The
note shows beside the alert and on its chart.

Notices go out with ``ivm alerts --notify`` when ``IVM_ALERT_NOTICES`` is on (else it says whom
it would write to), through the SMTP server of the reminders, one plain-text message per alert
and owner partner, each kept (table ``alert_notice``) and audited.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.utils import formatdate, make_msgid

from sqlalchemy import insert, select
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError

from access.app_db import reading
from access.roles import Viewer
from access.steering.notices import send_each
from access.steering.partners import PartnerRegister
from access.steering.reports import clean_text
from access.steering.tables import alert_note, alert_notice
from core.errors import IvmError, Where
from core.settings import flag, setting
from core.vocabulary import date, number


def alert_key(alert: dict) -> str:
    """One alert of a series: area, kind, category and the week it opened."""
    return f"{alert['area_id']}/{alert['kind']}/{alert['category']}/{alert['opened_week']}"


@dataclass(frozen=True)
class AlertNote:
    """An alert closed with a note."""

    note_id: int
    area_id: str
    kind: str
    category: str
    opened_week: str
    note: str
    author: str
    role: str
    closed_at: str

    @property
    def key(self) -> str:
        """The alert it closes (:func:`alert_key`)."""
        return f"{self.area_id}/{self.kind}/{self.category}/{self.opened_week}"


@dataclass(frozen=True)
class AlertNotice:
    """One e-mail: an alert to an owner partner (its name and contact address)."""

    alert: dict
    partner_id: str
    name: str
    address: str | None
    objectives: tuple[str, ...]

    def message(self, sender: str, link: str, what: str) -> EmailMessage:
        """The e-mail, in Dutch, plain text; ``what`` names the category."""
        a = self.alert
        msg = EmailMessage()
        msg["Subject"] = f"Signaal: {what} in {a.get('area_name') or a['area_id']}"
        msg["From"] = sender
        msg["To"] = self.address or ""
        msg["Date"] = formatdate(localtime=False)
        msg["Message-ID"] = make_msgid(domain=sender.rsplit("@", 1)[-1] or "localhost")
        msg.set_content("\n".join([
            f"Beste {self.name},",
            "",
            f"In {a.get('area_name') or a['area_id']} telde de soort '{what}' in de 4 weken tot "
            f"{date(a['latest_week'])} {number(a['count'], 0)} feiten of meldingen; gewoonlijk "
            f"zijn dat er ongeveer {number(a['expected'], 0)} in die weken (signaal boven "
            f"{number(a['upper'], 0)}). Het signaal loopt sinds de week tot "
            f"{date(a['opened_week'])}.",
            "",
            "Het betreft de doelstelling(en) van uw partner: " + ", ".join(self.objectives)
            + ".",
            f"Bekijk het signaal en sluit het af met een notitie: {link}",
            "",
            "Dit bericht werd automatisch verstuurd door de monitor van het "
            "veiligheidsplan.",
        ]))
        return msg


@dataclass
class NoticeOutcome:
    """What one run did: sent, failed (with why), would send (notices off), no address."""

    sent: list[AlertNotice] = field(default_factory=list)
    failed: list[tuple[AlertNotice, str]] = field(default_factory=list)
    would_send: list[AlertNotice] = field(default_factory=list)
    no_address: list[AlertNotice] = field(default_factory=list)


class AlertNotes:
    """Closing notes and notices of the early-warning alerts, in one application store."""

    def __init__(self, engine: Engine, audit: Callable[..., None], now: Callable[[], str],
                 partners: PartnerRegister, site: str | None = None):
        self.engine, self._audit, self._now, self.partners = engine, audit, now, partners
        #: The dashboard's address the notices link to (``IVM_DASHBOARD_URL`` unless given).
        self.site = site

    def close(self, viewer: Viewer, alert: dict, owners: list[str], note: str | None,
              at: str | None = None) -> AlertNote:
        """Close ``alert`` with ``note`` (checked: the viewer's right over one of the
        ``owners`` of the objectives it concerns, the text); an error says what is wrong and
        nothing is stored."""
        if not any(viewer.may_report_for(o) for o in owners or [None]):
            raise IvmError("not_allowed", f"{viewer.name or 'this user'} may not close this "
                           f"alert (owners: {', '.join(owners) or 'none'})",
                           hint="the owners' accounts, the beheerder and the bestuur may")
        text = clean_text(note, "note", required=True)
        try:
            with self.engine.begin() as con:
                con.execute(insert(alert_note).values(
                    area_id=alert["area_id"], kind=alert["kind"], category=alert["category"],
                    opened_week=str(alert["opened_week"]), note=text,
                    author=viewer.name or "", role=viewer.role.name,
                    closed_at=at or self._now()))
        except IntegrityError:
            raise IvmError("already_closed", "this alert was closed already",
                           Where(field="note")) from None
        self._audit("alert_closed", viewer.name, viewer.role.name,
                    detail=f"{alert_key(alert)}: {text[:300]}")
        return self.notes()[alert_key(alert)]

    def notes(self) -> dict[str, AlertNote]:
        """Every closing note, by alert (:func:`alert_key`)."""
        with reading(self.engine).connect() as con:
            found = [AlertNote(*r) for r in con.execute(
                select(alert_note).order_by(alert_note.c.note_id))]
        return {n.key: n for n in found}

    def sent(self) -> set[tuple[str, str]]:
        """The (alert, partner) pairs that had a notice sent."""
        with reading(self.engine).connect() as con:
            return {(r.alert, r.partner_id) for r in con.execute(
                select(alert_notice.c.alert, alert_notice.c.partner_id).where(
                    alert_notice.c.outcome == "sent"))}

    def due(self, alerts: list[tuple[dict, dict[str, list[str]]]]) -> list[AlertNotice]:
        """The notices still to send: per running alert not yet closed, each owner partner
        (with the objectives it owns among those the alert concerns) not yet written to."""
        done, closed = self.sent(), self.notes()
        out = []
        for alert, owned in alerts:
            key = alert_key(alert)
            if not alert.get("running") or key in closed:
                continue
            for partner_id, objectives in sorted(owned.items()):
                if (key, partner_id) in done:
                    continue
                p = self.partners.get(partner_id)
                out.append(AlertNotice(alert, partner_id, p.name_nl if p else partner_id,
                                       p.contact if p else None, tuple(objectives)))
        return out

    def notify(self, alerts: list[tuple[dict, dict[str, list[str]]]],
               names: dict[tuple[str, str], str], user: str | None = None) -> NoticeOutcome:
        """Send the due notices (when ``IVM_ALERT_NOTICES`` is on; else say whom they would
        go to); ``names`` gives the Dutch name of each (kind, category)."""
        due = self.due(alerts)
        outcome = NoticeOutcome(no_address=[n for n in due if not n.address])
        due = [n for n in due if n.address]
        if not flag("alert_notices"):
            outcome.would_send = due
            return outcome
        if not due:
            return outcome
        if not setting("smtp_host"):
            raise IvmError("no_smtp", "alert notices are on but no SMTP server is set",
                           hint="set IVM_SMTP_HOST (and IVM_SMTP_PORT)")
        link = (self.site or setting("dashboard_url")).rstrip("/") + "/signalen"
        sender = setting("smtp_from")

        def message(n: AlertNotice) -> EmailMessage:
            what = names.get((n.alert["kind"], n.alert["category"]), n.alert["category"])
            return n.message(sender, link, what)

        outcome.sent, outcome.failed = send_each(
            due, message, lambda n, result, detail: self._record(n, result, detail, user))
        return outcome

    def _record(self, n: AlertNotice, outcome: str, detail: str | None,
                user: str | None) -> None:
        with self.engine.begin() as con:
            con.execute(insert(alert_notice).values(
                alert=alert_key(n.alert), partner_id=n.partner_id, address=n.address or "",
                sent_at=self._now(), outcome=outcome, detail=detail))
        text = (f"alert {alert_key(n.alert)} to {n.partner_id} <{n.address}>"
                + (f"; {detail}" if detail else ""))
        self._audit("notice_sent" if outcome == "sent" else "notice_failed", user, "cli",
                    detail=text[:2000])


__all__ = ["AlertNote", "AlertNotes", "AlertNotice", "NoticeOutcome", "alert_key"]
